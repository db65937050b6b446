"""The bulletin index table: listing entries (pk = scope key, sk = the record's sort key), the
registry of feeds that exist, and the digests of the feed objects and pages last written."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from boletin.models.bulletin_views import BulletinSummaryView
from boletin.models.bulletins import BulletinRecord
from boletin.repositories.dynamo import DynamoRepository, Page, batch_write, date_range, from_item, to_item


def summary_entry(
    scope: str, record: BulletinRecord, view: BulletinSummaryView, *, content_html: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "pk": scope,
        "sk": record.sort_key(),
        "id": record.id,
        "view": view.model_dump_json(),
    }
    if content_html is not None:
        entry["content_html"] = content_html
    return entry


class BulletinIndexRepository(DynamoRepository):
    """Listing entries (pk = scope key, sk = sort key) and the registry of feeds that exist."""

    FEEDS_REGISTRY = "FEEDS"  # one item per feed scope that has ever had a bulletin
    FEED_HASHES = "FEEDHASH"  # digests of the objects last written per scope, to skip unchanged ones
    PAGE_HASHES = "PAGEHASH"  # one item per public page (sk = its path): the digest last written

    def query(
        self,
        scope: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int,
        start_after: str | None = None,
    ) -> Page:
        """Newest first; reads at most limit + 1 items (one to know whether more follow)."""
        dates, values = date_range("sk", date_from, date_to)
        return self._newest_page(
            limit=limit,
            sort_attr="sk",
            exclusive_start={"pk": {"S": scope}, "sk": {"S": start_after}} if start_after else None,
            KeyConditionExpression="pk = :p" + dates,
            ExpressionAttributeValues={":p": {"S": scope}, **values},
        )

    def latest(self, scope: str, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` entries of a scope in one Query (a feed's content)."""
        response = self.client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": scope}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [from_item(i) for i in response.get("Items", [])]

    def month(self, scope: str, month: str) -> list[dict[str, Any]]:
        """A scope's entries of one month (``2021-11``), newest first: one Query on one partition."""
        return self._query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :m)",
            ExpressionAttributeValues={":p": {"S": scope}, ":m": {"S": f"{month}-"}},
            ScanIndexForward=False,
        )

    def neighbour_month(self, scope: str, month: str, *, older: bool) -> str | None:
        """The nearest month before (or after) ``month`` that has an entry in the scope."""
        # Sort keys start "YYYY-MM-DD#": "YYYY-MM." sorts after every key of the month, before the next.
        bound = f"{month}-" if older else f"{month}."
        response = self.client.query(
            TableName=self._table,
            KeyConditionExpression=f"pk = :p AND sk {'<' if older else '>'} :b",
            ExpressionAttributeValues={":p": {"S": scope}, ":b": {"S": bound}},
            ScanIndexForward=not older,
            Limit=1,
            ProjectionExpression="sk",
        )
        items = response.get("Items", [])
        return str(items[0]["sk"]["S"][:7]) if items else None

    def page_hashes(self, paths: Iterable[str]) -> dict[str, str]:
        """Digests of the pages last written at these paths (BatchGetItem, 100 keys a call)."""
        wanted = sorted(set(paths))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 100):
            keys: list[dict[str, Any]] = [
                {"pk": {"S": self.PAGE_HASHES}, "sk": {"S": p}} for p in wanted[start : start + 100]
            ]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ProjectionExpression": "sk, digest"}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    found[item["sk"]["S"]] = item["digest"]["S"]
                request = response.get("UnprocessedKeys") or {}
        return found

    def record_page_hashes(self, hashes: dict[str, str]) -> None:
        self.put_entries({"pk": self.PAGE_HASHES, "sk": p, "digest": d} for p, d in hashes.items())

    def put_entries(self, entries: Iterable[dict[str, Any]], *, feeds: Iterable[str] = ()) -> None:
        """Write these entries, and register `feeds` (scopes that have a feed), in as few batches
        as they fit in (a bulletin's entries and feeds fit in one)."""
        registrations = ({"pk": self.FEEDS_REGISTRY, "sk": s} for s in feeds)
        self._batch_write([{"PutRequest": {"Item": to_item(e)}} for e in (*entries, *registrations)])

    def delete_entries(self, keys: Iterable[tuple[str, str]]) -> None:
        self._batch_write([{"DeleteRequest": {"Key": {"pk": {"S": p}, "sk": {"S": s}}}} for p, s in keys])

    def registered_feeds(self) -> list[dict[str, Any]]:
        return self._whole_partition(self.FEEDS_REGISTRY)

    def feed_hashes(self) -> dict[str, dict[str, str]]:
        return {i["sk"]: i.get("hashes", {}) for i in self._whole_partition(self.FEED_HASHES)}

    def _whole_partition(self, pk: str) -> list[dict[str, Any]]:
        return self._query_all(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": pk}})

    def record_feed_hashes(self, scope: str, hashes: dict[str, str]) -> None:
        self.client.put_item(
            TableName=self._table,
            Item=to_item({"pk": self.FEED_HASHES, "sk": scope, "hashes": hashes}),
        )

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        # Duplicate keys in one batch are an error in DynamoDB: keep the last request per key.
        unique: dict[str, dict[str, Any]] = {}
        for request in requests:
            body = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
            unique[json.dumps([body["pk"], body["sk"]], sort_keys=True)] = request
        batch_write(self.client, self._table, list(unique.values()))
