"""Bulletins table (pk BULLETIN#<id>, sk CURRENT | VERSION#<n>) and the bulletin index table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from boletin.errors import BoletinError, FieldError, OfficeScopeError, UnauthorizedError
from boletin.models.bulletins import BulletinRecord, BulletinSummaryView
from boletin.models.enrichment import Enrichment
from boletin.repositories.dynamo import DynamoRepository, batch_write, error_code, from_item, to_item

CURRENT = "CURRENT"


@dataclass(frozen=True)
class OfficeGuard:
    """Conditions a write puts on the office and the key it acts with, checked in the same call:
    a disabled office or a revoked key stops at once, and a submission must be tagged with at
    least one of the office's countries (when it has a list and the submission names countries)."""

    offices_table: str
    office: str
    key_hash: str
    countries: tuple[str, ...] = ()

    def checks(self) -> list[dict[str, Any]]:
        values: dict[str, Any] = {":active": {"S": "active"}}
        condition = "#s = :active"
        if self.countries:
            values[":zero"] = {"N": "0"}
            anyone = " OR ".join(f"contains(countries, :c{i})" for i in range(len(self.countries)))
            condition += f" AND (attribute_not_exists(countries) OR size(countries) = :zero OR {anyone})"
            values.update({f":c{i}": {"S": c} for i, c in enumerate(self.countries)})
        return [
            {
                "ConditionCheck": {
                    "TableName": self.offices_table,
                    "Key": {"pk": {"S": f"OFFICE#{self.office}"}},
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self.offices_table,
                    "Key": {"pk": {"S": f"KEY#{self.key_hash}"}},
                    "ConditionExpression": "#s = :active",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":active": {"S": "active"}},
                }
            },
        ]

    def refusal(self, reasons: list[dict[str, Any]], client: Any) -> BoletinError | None:
        """Why the guard refused the write, from the transaction's cancellation reasons."""
        office_reason, key_reason = reasons[-2], reasons[-1]
        if key_reason.get("Code") == "ConditionalCheckFailed":
            return UnauthorizedError("This office key is not valid.")
        if office_reason.get("Code") != "ConditionalCheckFailed":
            return None
        item = office_reason.get("Item") or client.get_item(
            TableName=self.offices_table, Key={"pk": {"S": f"OFFICE#{self.office}"}}, ConsistentRead=True
        ).get("Item", {})
        office = from_item(item) if item else {}
        if office.get("status") != "active":
            return UnauthorizedError("This office is disabled.")
        allowed = ", ".join(office.get("countries", []))
        return OfficeScopeError(
            f"This office publishes for {allowed}; the bulletin is tagged only with other countries.",
            errors=[FieldError("countries", f"must include at least one of: {allowed}")],
        )


def _cancellation_reasons(error: Exception) -> list[dict[str, Any]]:
    reasons = getattr(error, "response", {}).get("CancellationReasons")
    return list(reasons) if isinstance(reasons, list) else []


def bulletin_key(bulletin_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"BULLETIN#{bulletin_id}"}, "sk": {"S": CURRENT}}


def record_to_item(record: BulletinRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json")
    return to_item(
        {
            "pk": f"BULLETIN#{record.id}",
            "sk": CURRENT,
            "office_pk": f"OFFICE#{record.office}",
            "office_sk": record.sort_key(),
            **values,
        }
    )


def record_from_item(item: dict[str, Any]) -> BulletinRecord:
    return BulletinRecord.model_validate(from_item(item))


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    last_key: str | None  # sort key of the last item returned when more items follow
    items_read: int


def _date_range(
    sort_attr: str, date_from: date | None, date_to: date | None
) -> tuple[str, dict[str, Any]] | None:
    """Sort keys start with the news date, so a date range is a key condition."""
    if date_from and date_to:
        return f"{sort_attr} BETWEEN :lo AND :hi", {
            ":lo": {"S": date_from.isoformat()},
            ":hi": {"S": date_to.isoformat() + "#\uffff"},
        }
    if date_from:
        return f"{sort_attr} >= :lo", {":lo": {"S": date_from.isoformat()}}
    if date_to:
        return f"{sort_attr} <= :hi", {":hi": {"S": date_to.isoformat() + "#\uffff"}}
    return None


class BulletinRepository(DynamoRepository):
    def create(self, record: BulletinRecord, *, guard: OfficeGuard | None = None) -> BulletinRecord | None:
        """Store a new bulletin in one conditional write; returns the existing one if the id is taken."""
        if guard is not None:
            return self._create_guarded(record, guard)
        existing = self._put_if_new(record_to_item(record))
        return record_from_item(existing) if existing else None

    def _create_guarded(self, record: BulletinRecord, guard: OfficeGuard) -> BulletinRecord | None:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": record_to_item(record),
                "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        try:
            self.client.transact_write_items(TransactItems=[put, *guard.checks()])
        except Exception as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(error)
            refusal = guard.refusal(reasons, self.client) if len(reasons) == 3 else None
            if refusal is not None:
                raise refusal from None
            existing = reasons[0].get("Item") if reasons else None
            if existing:
                return record_from_item(existing)
            found = self.get(record.id, consistent=True)
            if found is None:
                raise
            return found
        return None

    def get(self, bulletin_id: str, *, consistent: bool = False) -> BulletinRecord | None:
        response = self.client.get_item(
            TableName=self._table, Key=bulletin_key(bulletin_id), ConsistentRead=consistent
        )
        item = response.get("Item")
        return record_from_item(item) if item else None

    def apply_enrichment(
        self,
        record: BulletinRecord,
        enrichment: Enrichment,
        *,
        status: str,
        now: datetime,
        held_reason: str | None = None,
    ) -> bool:
        """Store the enrichment of exactly this version; False if the bulletin has moved on."""
        values: dict[str, Any] = {
            ":e": {"M": to_item(enrichment.model_dump(mode="json"))},
            ":h": {"S": record.content_hash},
            ":v": {"N": str(record.version)},
            ":s": {"S": status},
            ":received": {"S": "received"},
            ":published": {"S": "published"},
            ":scheduled": {"S": "scheduled"},
            ":held": {"S": "held"},
            ":reason": {"S": held_reason} if held_reason else {"NULL": True},
        }
        set_published_at = ""
        if status == "published":
            set_published_at = ", published_at = if_not_exists(published_at, :now)"
            values[":now"] = {"S": now.isoformat()}
        try:
            self.client.update_item(
                TableName=self._table,
                Key=bulletin_key(record.id),
                UpdateExpression=(
                    "SET enrichment = :e, enriched_hash = :h, #s = :s, held_reason = :reason"
                    + set_published_at
                ),
                ConditionExpression=(
                    "version = :v AND content_hash = :h AND #s IN (:received, :published, :scheduled, :held)"
                ),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values,
            )
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def replace(
        self,
        old: BulletinRecord,
        new: BulletinRecord,
        snapshot: dict[str, Any],
        *,
        guard: OfficeGuard | None = None,
    ) -> bool:
        """Store a new version and the old one's snapshot together; False if `old` is stale."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    *(guard.checks() if guard else []),
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": record_to_item(new),
                            "ConditionExpression": "version = :v",
                            "ExpressionAttributeValues": {":v": {"N": str(old.version)}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": snapshot,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except Exception as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(error)
            if guard is not None and len(reasons) == 4:
                refusal = guard.refusal(reasons[:2], self.client)
                if refusal is not None:
                    raise refusal from None
            return False
        return True

    def withdraw(
        self,
        record: BulletinRecord,
        reason: str,
        *,
        by: str,
        now: datetime,
        correlation_id: str = "",
        guard: OfficeGuard | None = None,
    ) -> bool:
        """Mark it withdrawn; with a guard, in the same transaction as the check of the key and office."""
        update = {
            "TableName": self._table,
            "Key": bulletin_key(record.id),
            "UpdateExpression": (
                "SET #s = :w, withdrawn_reason = :r, withdrawn_at = :now, updated_at = :now, "
                "updated_by = :by, correlation_id = :c, version = version + :one"
            ),
            "ConditionExpression": "version = :v AND #s <> :w",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":w": {"S": "withdrawn"},
                ":r": {"S": reason},
                ":now": {"S": now.isoformat()},
                ":by": {"S": by},
                ":c": {"S": correlation_id} if correlation_id else {"NULL": True},
                ":one": {"N": "1"},
                ":v": {"N": str(record.version)},
            },
        }
        if guard is None:
            try:
                self.client.update_item(**update)
            except Exception as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return False
                raise
            return True
        try:
            self.client.transact_write_items(TransactItems=[*guard.checks(), {"Update": update}])
        except Exception as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = _cancellation_reasons(error)
            if len(reasons) == 3:
                refusal = guard.refusal(reasons[:2], self.client)
                if refusal is not None:
                    raise refusal from None
            return False
        return True

    def release(self, bulletin_id: str, content_hash_: str, *, now: datetime) -> bool:
        """An embargo ends: scheduled -> published, only for the content it was scheduled for."""
        try:
            self.client.update_item(
                TableName=self._table,
                Key=bulletin_key(bulletin_id),
                UpdateExpression="SET #s = :p, published_at = if_not_exists(published_at, :now)",
                ConditionExpression="#s = :scheduled AND enriched_hash = :h AND content_hash = :h",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":p": {"S": "published"},
                    ":scheduled": {"S": "scheduled"},
                    ":h": {"S": content_hash_},
                    ":now": {"S": now.isoformat()},
                },
            )
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def versions(self, bulletin_id: str) -> list[dict[str, Any]]:
        return self._query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues={":p": {"S": f"BULLETIN#{bulletin_id}"}, ":v": {"S": "VERSION#"}},
        )

    def list_by_office(
        self,
        office: str,
        *,
        date_from: date | None,
        date_to: date | None,
        limit: int,
        start_after: str | None,
    ) -> Page:
        """An office's own bulletins at any status, newest first (the ByOffice index)."""
        condition = "office_pk = :o"
        values: dict[str, Any] = {":o": {"S": f"OFFICE#{office}"}}
        date_range = _date_range("office_sk", date_from, date_to)
        if date_range:
            condition += " AND " + date_range[0]
            values.update(date_range[1])
        start = None
        if start_after:
            start = {
                "office_pk": {"S": f"OFFICE#{office}"},
                "office_sk": {"S": start_after},
                "pk": {"S": f"BULLETIN#{start_after.rsplit('#', 1)[-1]}"},
                "sk": {"S": CURRENT},
            }
        items, last_key, read = self._newest_page(
            limit=limit,
            sort_attr="office_sk",
            exclusive_start=start,
            IndexName="ByOffice",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return Page(items=items, last_key=last_key, items_read=read)


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
        condition = "pk = :p"
        values: dict[str, Any] = {":p": {"S": scope}}
        date_range = _date_range("sk", date_from, date_to)
        if date_range:
            condition += " AND " + date_range[0]
            values.update(date_range[1])
        items, last_key, read = self._newest_page(
            limit=limit,
            sort_attr="sk",
            exclusive_start={"pk": {"S": scope}, "sk": {"S": start_after}} if start_after else None,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return Page(items=items, last_key=last_key, items_read=read)

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

    def put_entries(self, entries: Iterable[dict[str, Any]]) -> None:
        self._batch_write([{"PutRequest": {"Item": to_item(e)}} for e in entries])

    def delete_entries(self, keys: Iterable[tuple[str, str]]) -> None:
        self._batch_write([{"DeleteRequest": {"Key": {"pk": {"S": p}, "sk": {"S": s}}}} for p, s in keys])

    def registered_feeds(self) -> list[dict[str, Any]]:
        return self._whole_partition(self.FEEDS_REGISTRY)

    def feed_hashes(self) -> dict[str, dict[str, str]]:
        return {i["sk"]: i.get("hashes", {}) for i in self._whole_partition(self.FEED_HASHES)}

    def _whole_partition(self, pk: str) -> list[dict[str, Any]]:
        return self._query_all(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": pk}})

    def register_feeds(self, scopes: Iterable[str]) -> None:
        self.put_entries({"pk": self.FEEDS_REGISTRY, "sk": s} for s in scopes)

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


def version_item(
    record: BulletinRecord, *, replaced_at: datetime, replaced_by: str, changed: list[str]
) -> dict[str, Any]:
    """A snapshot of a version as it was before a correction replaced it."""
    values = record.model_dump(mode="json", exclude={"enrichment", "listed_sort_key"})
    return to_item(
        {
            **values,
            "pk": f"BULLETIN#{record.id}",
            "sk": f"VERSION#{record.version:06d}",
            "replaced_at": replaced_at.isoformat(),
            "replaced_by": replaced_by,
            "changed_fields": changed,
        }
    )
