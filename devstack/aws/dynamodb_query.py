"""How the local DynamoDB engine finds items in its store: the stored key of an item, and the key range
of a Query or Scan page (one partition's sort key bounds, after ExclusiveStartKey), from moto's own
parse of the KeyConditionExpression."""

from __future__ import annotations

import re
from typing import Any

from devstack.aws.dynamodb_store import encode_key, prefix_end

__all__ = [
    "Bounds",
    "answerable_query",
    "expression_placeholders",
    "item_size",
    "key_bytes",
    "query_plan",
    "table_key",
]

Bounds = list[tuple[str, tuple[bytes, ...]]]

_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
# A Query with only these is answered by the rows of its key range (no filter, projection, count).
_PLAIN_QUERY_FIELDS = {
    "TableName",
    "IndexName",
    "KeyConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ExclusiveStartKey",
    "Limit",
    "ScanIndexForward",
    "ConsistentRead",
}


def expression_placeholders(
    body: dict[str, Any], expressions: str
) -> tuple[dict[str, str], dict[str, Any]] | None:
    """The request's ExpressionAttributeNames and Values, when each is well formed, every one given
    is used in `expressions` and every one used is given; None when DynamoDB would refuse them (or
    might: a value's own validity is the caller's to check)."""
    names, values = body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues")
    if names == {} or values == {}:
        return None  # DynamoDB refuses an empty map
    names, values = names or {}, values or {}
    if not isinstance(names, dict) or not isinstance(values, dict):
        return None
    if not all(isinstance(n, str) and n.startswith("#") and isinstance(v, str) for n, v in names.items()):
        return None
    if not all(isinstance(v, str) and v.startswith(":") for v in values):
        return None
    if set(_PLACEHOLDER.findall(expressions)) != set(names) | set(values):
        return None
    return names, values


def answerable_query(body: dict[str, Any], index: Any) -> bool:
    """True when a Query whose plan was found (query_plan) is plainly valid and plain: its answer is
    the rows of its key range, and moto would raise nothing. Anything else is moto's to answer."""
    if not set(body) <= _PLAIN_QUERY_FIELDS:
        return False
    # Every placeholder given is used by the key condition (which the plan found valid), and no other.
    if expression_placeholders(body, str(body.get("KeyConditionExpression", ""))) is None:
        return False
    limit = body.get("Limit")
    if limit is not None and (type(limit) is not int or limit < 1):
        return False
    if not isinstance(body.get("ScanIndexForward", True), bool):
        return False
    consistent = body.get("ConsistentRead", False)
    return isinstance(consistent, bool) and not (consistent and index is not None)


def table_key(table: Any, attrs: Any) -> tuple[bytes, bytes] | None:
    """(pk, sk) stored bytes of the item `attrs` names in moto's `table`; None if it names none
    validly (sk is b"" for a table without a sort key)."""
    if not isinstance(attrs, dict):
        return None
    pk = key_bytes(attrs.get(table.hash_key_attr), table.hash_key_type)
    if pk is None:
        return None
    if not table.range_key_attr:
        return pk, b""
    sk = key_bytes(attrs.get(table.range_key_attr), table.range_key_type)
    return None if sk is None else (pk, sk)


def query_plan(
    backend: Any, table: Any, body: dict[str, Any], query: bool
) -> tuple[Any, bytes | None, list[tuple[str, tuple[bytes, ...]]]] | None:
    """(index or None, partition key bytes or None for a Scan, bounds) of a Query or Scan; None when
    the request is invalid (moto says why)."""
    from moto.dynamodb.parsing.key_condition_expression import parse_expression

    index = None
    if body.get("IndexName"):
        index = next((i for i in table.all_indexes() if i.name == body["IndexName"]), None)
        if index is None:
            return None
    types = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
    if index is not None:
        hash_name = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
        range_name = next((k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"), None)
    else:
        hash_name, range_name = table.hash_key_attr, table.range_key_attr
    bounds: list[tuple[str, tuple[bytes, ...]]] = []
    pk: bytes | None = None
    forward = body.get("ScanIndexForward", True) is not False or not query
    if query:
        expression = body.get("KeyConditionExpression")
        if not expression:
            return None
        try:
            schema = backend.get_schema(table_name=table.name, index_name=body.get("IndexName"))
            hash_conditions, range_conditions, _ = parse_expression(
                expression,
                body.get("ExpressionAttributeValues") or {},
                body.get("ExpressionAttributeNames") or {},
                schema,
            )
        except Exception:
            return None
        if len(hash_conditions) != 1 or len(range_conditions) > 1:
            return None
        pk = key_bytes(hash_conditions[0][1], types.get(hash_name, ""))
        if pk is None:
            return None
        if range_conditions:
            _, comparison, values = range_conditions[0]
            encoded = [key_bytes(v, types.get(range_name or "", "")) for v in values]
            if any(e is None for e in encoded):
                return None
            first = encoded[0]
            assert first is not None
            comparison = comparison.upper()
            if comparison == "BETWEEN":
                bounds += [(">=", (first,)), ("<=", (encoded[1],))]  # type: ignore[list-item]
            elif comparison == "BEGINS_WITH":
                bounds.append((">=", (first,)))
                end = prefix_end(first)
                if end is not None:
                    bounds.append(("<", (end,)))
            elif comparison in ("=", "<", "<=", ">", ">="):
                bounds.append((comparison, (first,)))
            else:
                return None
    start = body.get("ExclusiveStartKey")
    if start:
        position = _start_position(table, index, start, range_name, types, query)
        if position is None:
            return None
        bounds.append((">" if forward else "<", position))
    return index, pk, bounds


def _start_position(
    table: Any,
    index: Any,
    start: dict[str, Any],
    range_name: str | None,
    types: dict[str, str],
    query: bool,
) -> tuple[bytes, ...] | None:
    found = table_key(table, start)
    if found is None:
        return None
    pk, sk = found
    if index is None:
        return (sk,) if query else (pk, sk)
    hash_name = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
    isk = key_bytes(start.get(range_name), types.get(range_name, "")) if range_name else b""
    ipk = key_bytes(start.get(hash_name), types.get(hash_name, ""))
    if isk is None or ipk is None:
        return None
    return (isk, pk, sk) if query else (ipk, isk, pk, sk)


def key_bytes(value: Any, expected_type: str) -> bytes | None:
    """The stored bytes of a key value of the expected type, None if it is missing, mistyped or empty."""
    if not isinstance(value, dict) or len(value) != 1 or expected_type not in value:
        return None
    raw = value[expected_type]
    if raw in ("", b"", None):
        return None
    try:
        return encode_key(value)
    except (ValueError, ArithmeticError, TypeError):
        return None


def item_size(item: dict[str, Any]) -> int:
    """An item's size as moto measures it (Item.size: names and values in UTF-8 bytes, a number by
    its digits), from its DynamoDB JSON: building moto's Item costs more than the rest of a read."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "N":
        return len(str(inner))
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: member}) for member in inner)
    if kind == "L":
        return sum(_value_size(member) for member in inner)
    if kind == "M":
        return sum(len(name.encode()) + _value_size(member) for name, member in inner.items())
    if isinstance(inner, bool):
        return 1
    return len(inner if isinstance(inner, bytes) else str(inner).encode())
