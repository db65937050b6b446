"""The delivery ledger (after email-alert-api): one item per thing to send, so nothing goes twice.

BULLETIN#<id> / SUBSCRIBER#<address key>   a bulletin for a subscriber (immediate or digest)
CONFIRM#<subscription id> / SEND           a subscription's confirmation email
DIGEST#<subscription id> / <period>        one digest (daily: 2026-11-28, weekly: 2026-W48)
CORRECTION#<bulletin id>#v<n> / SUBSCRIBER#<key>  a correction notice
Deliveries waiting for a digest carry pending_pk = SUB#<subscription id> (the PendingDigest index).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from boletin.models.subscriptions import DeliveryRecord
from boletin.repositories.dynamo import DynamoRepository, error_code, from_item, to_item


def ledger_key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class DeliveryRepository(DynamoRepository):
    def record(self, delivery: DeliveryRecord, *, pending_digest: bool = False) -> bool:
        """Write a delivery once; False if this (pk, sk) is already in the ledger."""
        return self.record_or_get(delivery, pending_digest=pending_digest) is None

    def record_or_get(
        self, delivery: DeliveryRecord, *, pending_digest: bool = False
    ) -> DeliveryRecord | None:
        """Write a delivery once; if it is already in the ledger, the line there (same single call)."""
        values = delivery.model_dump(mode="json")
        if pending_digest:
            values["pending_pk"] = f"SUB#{delivery.subscription_id}"
            values["pending_sk"] = f"{delivery.created_at.isoformat()}#{delivery.pk}"
        existing = self._put_if_new(to_item(values))
        return DeliveryRecord.model_validate(from_item(existing)) if existing else None

    def get(self, pk: str, sk: str) -> DeliveryRecord | None:
        response = self.client.get_item(TableName=self._table, Key=ledger_key(pk, sk), ConsistentRead=True)
        item = response.get("Item")
        return DeliveryRecord.model_validate(from_item(item)) if item else None

    def claim(self, pk: str, sk: str, *, from_status: str, now: datetime) -> DeliveryRecord | None:
        """Mark a delivery as being sent; None if someone else has it or it is no longer sendable.

        Once claimed it is never sent again: a sender that dies between SES and the ledger leaves it
        'sending', which is reported, not retried (at most once is the promise email can keep).
        """
        try:
            response = self.client.update_item(
                TableName=self._table,
                Key=ledger_key(pk, sk),
                UpdateExpression="SET #s = :sending, claimed_at = :now ADD attempts :one",
                ConditionExpression="#s = :from",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": {"S": "sending"},
                    ":from": {"S": from_status},
                    ":now": {"S": now.isoformat()},
                    ":one": {"N": "1"},
                },
                ReturnValues="ALL_NEW",
            )
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        return DeliveryRecord.model_validate(from_item(response["Attributes"]))

    def release(self, pk: str, sk: str, *, to_status: str) -> None:
        """Give a claim back (SES throttled us before sending): the message will be retried."""
        self.set_status(pk, sk, to_status, only_from="sending")

    def mark_sent(self, pk: str, sk: str, *, message_id: str, now: datetime) -> None:
        self.client.update_item(
            TableName=self._table,
            Key=ledger_key(pk, sk),
            UpdateExpression="SET #s = :sent, message_id = :m, sent_at = :now REMOVE pending_pk, pending_sk",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sent": {"S": "sent"},
                ":m": {"S": message_id},
                ":now": {"S": now.isoformat()},
            },
        )

    def set_status(self, pk: str, sk: str, status: str, *, only_from: str | list[str] | None = None) -> bool:
        kwargs: dict[str, Any] = {}
        values: dict[str, Any] = {":s": {"S": status}}
        if only_from is not None:
            allowed = [only_from] if isinstance(only_from, str) else only_from
            placeholders = [f":f{i}" for i in range(len(allowed))]
            kwargs["ConditionExpression"] = f"#s IN ({', '.join(placeholders)})"
            values.update({p: {"S": s} for p, s in zip(placeholders, allowed, strict=True)})
        try:
            self.client.update_item(
                TableName=self._table,
                Key=ledger_key(pk, sk),
                UpdateExpression="SET #s = :s REMOVE pending_pk, pending_sk",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values,
                **kwargs,
            )
        except Exception as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def of_bulletin(self, bulletin_id: str) -> list[DeliveryRecord]:
        return self._query_partition(f"BULLETIN#{bulletin_id}")

    def status_counts(self, bulletin_id: str) -> dict[str, int]:
        return dict(Counter(d.status for d in self.of_bulletin(bulletin_id)))

    def pending_digest(self, subscription_id: str) -> list[DeliveryRecord]:
        return [
            DeliveryRecord.model_validate(i)
            for i in self._query_all(
                IndexName="PendingDigest",
                KeyConditionExpression="pending_pk = :p",
                ExpressionAttributeValues={":p": {"S": f"SUB#{subscription_id}"}},
            )
        ]

    def _query_partition(self, pk: str) -> list[DeliveryRecord]:
        return [
            DeliveryRecord.model_validate(i)
            for i in self._query_all(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
            )
        ]
