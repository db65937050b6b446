"""Bulletins table: each bulletin's live version, the snapshots corrections replaced, and the
ByOffice index (key formats: boletin.repositories.keys)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from boletin.models.bulletins import BulletinRecord, BulletinStatus, BulletinVersion
from boletin.models.enrichment import Enrichment
from boletin.repositories.dynamo import (
    TRANSACTION_CANCELLED,
    DynamoRepository,
    Page,
    cancellation_reasons,
    date_range,
    from_item,
    refusal,
    to_item,
    written,
)
from boletin.repositories.keys import BulletinKeys
from boletin.repositories.office_guard import OfficeGuard


def record_to_item(record: BulletinRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json")
    return to_item(
        {
            "pk": BulletinKeys.pk(record.id),
            "sk": BulletinKeys.CURRENT,
            "office_pk": BulletinKeys.office_pk(record.office),
            "office_sk": record.sort_key(),
            **values,
        }
    )


def record_from_item(item: dict[str, Any]) -> BulletinRecord:
    return BulletinRecord.model_validate(from_item(item))


def record_from_image(image: dict[str, Any] | None) -> BulletinRecord | None:
    """A bulletin from a stream record's image (DynamoDB JSON, as stored); None when absent."""
    return record_from_item(image) if image else None


def version_item(
    record: BulletinRecord, *, replaced_at: datetime, replaced_by: str, changed: list[str]
) -> dict[str, Any]:
    """A snapshot of a version as it was before a correction replaced it."""
    values = record.model_dump(mode="json", exclude={"enrichment", "listed_sort_key"})
    return to_item(
        {
            **values,
            "pk": BulletinKeys.pk(record.id),
            "sk": BulletinKeys.version_sk(record.version),
            "replaced_at": replaced_at.isoformat(),
            "replaced_by": replaced_by,
            "changed_fields": changed,
        }
    )


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
        error = self._transact([put, *guard.checks()], guard=guard, guard_at=1)
        if error is None:
            return None
        reasons = cancellation_reasons(error)
        existing = reasons[0].get("Item") if reasons else None
        if existing:
            return record_from_item(existing)
        found = self.get(record.id, consistent=True)
        if found is None:
            raise error
        return found

    def _transact(
        self, items: list[dict[str, Any]], *, guard: OfficeGuard | None, guard_at: int
    ) -> Exception | None:
        """A transaction: None when written; its cancellation when a condition refused it. A refusal by
        the guard (its two checks at `guard_at`) is raised as the error the caller is told."""
        error = refusal(
            self.client.transact_write_items, refused_by=(TRANSACTION_CANCELLED,), TransactItems=items
        )
        reasons = cancellation_reasons(error) if error is not None else []
        if guard is not None and len(reasons) == len(items):
            refused = guard.refusal(reasons[guard_at : guard_at + 2], self.client)
            if refused is not None:
                raise refused from None
        return error

    def get(self, bulletin_id: str, *, consistent: bool = False) -> BulletinRecord | None:
        response = self.client.get_item(
            TableName=self._table, Key=BulletinKeys.current(bulletin_id), ConsistentRead=consistent
        )
        item = response.get("Item")
        return record_from_item(item) if item else None

    def apply_enrichment(
        self,
        record: BulletinRecord,
        enrichment: Enrichment,
        *,
        status: BulletinStatus,
        now: datetime,
        held_reason: str | None = None,
    ) -> bool:
        """Store the enrichment of exactly this version; False if the bulletin has moved on."""
        values: dict[str, Any] = {
            ":e": {"M": to_item(enrichment.model_dump(mode="json"))},
            ":h": {"S": record.content_hash},
            ":v": {"N": str(record.version)},
            ":s": {"S": str(status)},
            ":received": {"S": BulletinStatus.RECEIVED.value},
            ":published": {"S": BulletinStatus.PUBLISHED.value},
            ":scheduled": {"S": BulletinStatus.SCHEDULED.value},
            ":held": {"S": BulletinStatus.HELD.value},
            ":reason": {"S": held_reason} if held_reason else {"NULL": True},
        }
        set_published_at = ""
        if status == BulletinStatus.PUBLISHED:
            set_published_at = ", published_at = if_not_exists(published_at, :now)"
            values[":now"] = {"S": now.isoformat()}
        # Any status but withdrawn may be (re)enriched.
        return written(
            self.client.update_item,
            TableName=self._table,
            Key=BulletinKeys.current(record.id),
            UpdateExpression="SET enrichment = :e, enriched_hash = :h, #s = :s, held_reason = :reason"
            + set_published_at,
            ConditionExpression=(
                "version = :v AND content_hash = :h AND #s IN (:received, :published, :scheduled, :held)"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values,
        )

    def replace(
        self,
        old: BulletinRecord,
        new: BulletinRecord,
        snapshot: dict[str, Any],
        *,
        guard: OfficeGuard | None = None,
    ) -> bool:
        """Store a new version and the old one's snapshot together; False if `old` is stale."""
        new_version = {
            "Put": {
                "TableName": self._table,
                "Item": record_to_item(new),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(old.version)}},
            }
        }
        old_version = {
            "Put": {
                "TableName": self._table,
                "Item": snapshot,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [*(guard.checks() if guard else []), new_version, old_version]
        return self._transact(items, guard=guard, guard_at=0) is None

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
            "Key": BulletinKeys.current(record.id),
            "UpdateExpression": (
                "SET #s = :w, withdrawn_reason = :r, withdrawn_at = :now, updated_at = :now, "
                "updated_by = :by, correlation_id = :c, version = version + :one"
            ),
            "ConditionExpression": "version = :v AND #s <> :w",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":w": {"S": BulletinStatus.WITHDRAWN.value},
                ":r": {"S": reason},
                ":now": {"S": now.isoformat()},
                ":by": {"S": by},
                ":c": {"S": correlation_id} if correlation_id else {"NULL": True},
                ":one": {"N": "1"},
                ":v": {"N": str(record.version)},
            },
        }
        if guard is None:
            return written(self.client.update_item, **update)
        return self._transact([*guard.checks(), {"Update": update}], guard=guard, guard_at=0) is None

    def release(self, bulletin_id: str, content_hash_: str, *, now: datetime) -> bool:
        """An embargo ends: scheduled -> published, only for the content it was scheduled for."""
        return written(
            self.client.update_item,
            TableName=self._table,
            Key=BulletinKeys.current(bulletin_id),
            UpdateExpression="SET #s = :p, published_at = if_not_exists(published_at, :now)",
            ConditionExpression="#s = :scheduled AND enriched_hash = :h AND content_hash = :h",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":p": {"S": BulletinStatus.PUBLISHED.value},
                ":scheduled": {"S": BulletinStatus.SCHEDULED.value},
                ":h": {"S": content_hash_},
                ":now": {"S": now.isoformat()},
            },
        )

    def versions(self, bulletin_id: str) -> list[BulletinVersion]:
        """The snapshots its corrections replaced, oldest first (the live version is not among them)."""
        items = self._query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
            ExpressionAttributeValues={
                ":p": {"S": BulletinKeys.pk(bulletin_id)},
                ":v": {"S": BulletinKeys.VERSION_PREFIX},
            },
        )
        return sorted((BulletinVersion.model_validate(i) for i in items), key=lambda v: v.version)

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
        dates, values = date_range("office_sk", date_from, date_to)
        return self._newest_page(
            limit=limit,
            sort_attr="office_sk",
            exclusive_start=BulletinKeys.by_office_start(office, start_after) if start_after else None,
            IndexName="ByOffice",
            KeyConditionExpression="office_pk = :o" + dates,
            ExpressionAttributeValues={":o": {"S": BulletinKeys.office_pk(office)}, **values},
        )
