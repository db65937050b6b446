"""DynamoDB plumbing every repository shares: typed attribute values, conditional writes, batches,
and the paginated queries of one table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from boletin.aws import LazyClient, resend

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "TransactionCanceledException"


def to_attr(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, dict):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"SS": sorted(value)}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item from a dict; None values are left out (absent attributes)."""
    return {k: to_attr(v) for k, v in values.items() if v is not None}


def from_attr(attr: dict[str, Any]) -> Any:
    (kind, value), *_ = attr.items()
    if kind == "S" or kind == "B":
        return value
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind in ("SS", "NS", "BS"):
        return set(value)
    raise ValueError(f"unknown DynamoDB type {kind}")


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: from_attr(v) for k, v in item.items()}


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def refusal(
    write: Callable[..., object], *, refused_by: Iterable[str] = (CONDITION_FAILED,), **request: Any
) -> Exception | None:
    """Make a conditional write: None when it was made; the error when a condition refused it (a
    ConditionalCheckFailed, a cancelled transaction: whatever `refused_by` names), in which case
    nothing was written. Any other error is raised."""
    try:
        write(**request)
    except Exception as error:
        if error_code(error) in refused_by:
            return error
        raise
    return None


def written(write: Callable[..., object], **request: Any) -> bool:
    """Make a conditional write: True when made, False when its condition failed (nothing written)."""
    return refusal(write, **request) is None


def cancellation_reasons(error: Exception) -> list[dict[str, Any]]:
    """A cancelled transaction's reasons, one per item in order ({"Code": "None"} for those that passed)."""
    reasons = getattr(error, "response", {}).get("CancellationReasons")
    return list(reasons) if isinstance(reasons, list) else []


def batch_write(client: Any, table: str, requests: list[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, resending unprocessed items with backoff; returns calls made."""

    def write(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        unprocessed: list[dict[str, Any]] = (
            client.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems", {}).get(table, [])
        )
        return unprocessed

    calls = 0
    for start in range(0, len(requests), 25):
        left, made = resend(write, requests[start : start + 25], attempts=8, pause=0.05)
        calls += made
        if left:
            raise RuntimeError(f"{len(left)} writes to {table} stayed unprocessed")
    return calls


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    last_key: str | None  # sort key of the last item returned when more items follow
    items_read: int


def date_range(sort_attr: str, date_from: date | None, date_to: date | None) -> tuple[str, dict[str, Any]]:
    """A key condition on sort keys that start with the news date ("" when no date bounds it)."""
    if date_from and date_to:
        return f" AND {sort_attr} BETWEEN :lo AND :hi", {
            ":lo": {"S": date_from.isoformat()},
            ":hi": {"S": date_to.isoformat() + "#\uffff"},
        }
    if date_from:
        return f" AND {sort_attr} >= :lo", {":lo": {"S": date_from.isoformat()}}
    if date_to:
        return f" AND {sort_attr} <= :hi", {":hi": {"S": date_to.isoformat() + "#\uffff"}}
    return "", {}


class DynamoRepository:
    """A repository over one table: its client (given, or the process's), and paginated queries."""

    client = LazyClient("dynamodb")

    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table = table_name
        self.client = client

    def _put_if_new(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """Put an item unless its key exists (one call); the existing item's typed attributes if it does."""
        error = refusal(
            self.client.put_item,
            TableName=self._table,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if error is None:
            return None
        existing: dict[str, Any] | None = getattr(error, "response", {}).get("Item")
        if existing:
            return existing
        # An endpoint that does not return the old item: read it.
        response = self.client.get_item(
            TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True
        )
        if "Item" not in response:
            raise error
        found: dict[str, Any] = response["Item"]
        return found

    def _newest_page(
        self, *, limit: int, sort_attr: str, exclusive_start: dict[str, Any] | None, **query: Any
    ) -> Page:
        """Newest first, reading at most limit + 1 items (one to know whether more follow)."""
        if exclusive_start:
            query["ExclusiveStartKey"] = exclusive_start
        response = self.client.query(TableName=self._table, ScanIndexForward=False, Limit=limit + 1, **query)
        items = [from_item(i) for i in response.get("Items", [])]
        more = len(items) > limit
        items = items[:limit]
        last_key = str(items[-1][sort_attr]) if more and items else None
        return Page(items=items, last_key=last_key, items_read=int(response.get("Count", 0)))

    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item a Query matches, page after page (plain values)."""
        items: list[dict[str, Any]] = []
        while True:
            response = self.client.query(TableName=self._table, **kwargs)
            items.extend(from_item(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
