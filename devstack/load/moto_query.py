"""Until the local stack answers DynamoDB itself (devstack.aws.dynamodb), moto does, and moto 5 answers
a base-table Query by sorting every item of the table before keeping the partition: O(table) per
Query, so the stack slows with the size of its tables rather than with the work asked of it.
`partition_queries_for_moto()` makes it read the queried partition only, as DynamoDB does; the driver
applies it only while moto answers DynamoDB (`--moto-as-is` leaves moto alone). Delete this module
once the DynamoDB engine is on main."""

from __future__ import annotations

import importlib.util
import threading
from typing import Any


def moto_answers_dynamodb() -> bool:
    return importlib.util.find_spec("devstack.aws.dynamodb") is None


def partition_queries_for_moto() -> None:
    """`Table.all_items()` returns just the partition while a base-table Query runs; the Query sorts
    and filters it itself as before. Applied in-process, before the stack starts; global indexes and
    scans are unchanged."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_load_partition_queries", False):
        return
    original_query, original_all_items = Table.query, Table.all_items
    hint = threading.local()

    def all_items(self: Any) -> Any:
        key = getattr(hint, "key", None)
        if key is not None and self.range_key_attr:
            hint.key = None
            bucket = self.items.get(key)
            return list(bucket.values()) if bucket else []
        return original_all_items(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        hint.key = hash_key if index_name is None else None
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            hint.key = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    Table._load_partition_queries = True  # type: ignore[attr-defined]


def dynamodb_description() -> str:
    if not moto_answers_dynamodb():
        return "the local stack's DynamoDB engine (devstack.aws.dynamodb)"
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_load_partition_queries", False):
        return "moto, its Query patched to read one partition (devstack.load.moto_query)"
    return "moto as it is (a Query sorts the whole table)"
