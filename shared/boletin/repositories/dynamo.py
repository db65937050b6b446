"""Conversions between plain Python values and DynamoDB's typed attribute values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


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


def batch_write(client: Any, table: str, requests: list[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, resending unprocessed items with backoff; returns calls made."""
    import time

    calls = 0
    for start in range(0, len(requests), 25):
        batch = requests[start : start + 25]
        for attempt in range(8):
            response = client.batch_write_item(RequestItems={table: batch})
            calls += 1
            batch = response.get("UnprocessedItems", {}).get(table, [])
            if not batch:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        if batch:
            raise RuntimeError(f"{len(batch)} writes to {table} stayed unprocessed")
    return calls


class DynamoRepository:
    """A repository over one table: a lazily created (or injected) client, and paginated queries."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self._table = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from boletin import aws

            self._client = aws.client("dynamodb")
        return self._client

    def _put_if_new(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """Put an item unless its key exists (one call); the existing item's typed attributes if it does."""
        try:
            self.client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            existing: dict[str, Any] | None = getattr(error, "response", {}).get("Item")
            if existing:
                return existing
            # An endpoint that does not return the old item: read it.
            response = self.client.get_item(
                TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True
            )
            if "Item" not in response:
                raise
            found: dict[str, Any] = response["Item"]
            return found
        return None

    def _newest_page(
        self, *, limit: int, sort_attr: str, exclusive_start: dict[str, Any] | None, **query: Any
    ) -> tuple[list[dict[str, Any]], str | None, int]:
        """Newest first, reading at most limit + 1 items (one to know whether more follow):
        (items, sort key of the last one when more follow, items read)."""
        if exclusive_start:
            query["ExclusiveStartKey"] = exclusive_start
        response = self.client.query(TableName=self._table, ScanIndexForward=False, Limit=limit + 1, **query)
        items = [from_item(i) for i in response.get("Items", [])]
        more = len(items) > limit
        items = items[:limit]
        return items, (str(items[-1][sort_attr]) if more and items else None), int(response.get("Count", 0))

    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item a Query matches, page after page (plain values)."""
        items: list[dict[str, Any]] = []
        while True:
            response = self.client.query(TableName=self._table, **kwargs)
            items.extend(from_item(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
