"""moto's DynamoDB made safe for the stack's many threads: one writer at a time.

moto's TransactWriteItems deep-copies every table it touches before it runs and, when the
transaction is cancelled (a condition failed: an idempotent retry, a stale If-Match), puts that
copy back whole. A write another thread made in between (a new bulletin, an enrichment) is erased,
and the copy itself can fail with "dictionary changed size during iteration" (a 500, retried). An
import of 1,000 bulletins lost 8 that way. DynamoDB's transactions are atomic and isolated; here,
every write to moto's DynamoDB backend takes one lock, so a transaction and its rollback see no
other write. Reads are left concurrent, as they were.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

WRITE_LOCK = threading.RLock()  # re-entrant: a transaction's own put_item/update_item take it again
_WRITES = (
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
    "create_table",
    "delete_table",
    "update_table",
)


def serialise_writes() -> None:
    """Patch moto's DynamoDB backend once per process."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_boletin_serialised", False):
            continue
        setattr(DynamoDBBackend, name, _locked(original))


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with WRITE_LOCK:
            return method(*args, **kwargs)

    locked._boletin_serialised = True  # type: ignore[attr-defined]
    return locked
