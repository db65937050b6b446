"""The delivery ledger (after email-alert-api): one item per thing to send, so nothing goes twice.

BULLETIN#<id> / SUBSCRIBER#<address key>   a bulletin for a subscriber (immediate or digest)
CONFIRM#<subscription id> / SEND           a subscription's confirmation email
DIGEST#<subscription id> / <period>        one digest (daily: 2026-11-28, weekly: 2026-W48)
CORRECTION#<bulletin id>#v<n> / SUBSCRIBER#<key>  a correction notice
Deliveries waiting for a digest carry pending_pk = SUB#<subscription id> (the PendingDigest index).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boletin.models.subscriptions import DeliveryRecord
from boletin.repositories.dynamo import DynamoRepository, error_code, from_item, to_item


@dataclass(frozen=True)
class Claim:
    """What a claim got: the line, now 'sending' and ours; or, when another sender holds it, for how
    many more seconds (0: there is nothing to send)."""

    delivery: DeliveryRecord | None
    held_for: float = 0.0


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

    def claim(self, pk: str, sk: str, *, from_status: str, now: datetime, lease_seconds: float) -> Claim:
        """Mark a delivery as being sent, for `lease_seconds`; one conditional write either way.

        A line still 'sending' once its lease has run out was never taken by SES: SES's Send event
        (SesEventHandler) would have marked it sent. So it may be claimed again, which is how a
        sender that died before or inside the SES call gets its email sent after all. A line some
        other sender holds comes back as `held_for` seconds; anything else (sent, dropped, gone) as
        nothing to do.
        """
        epoch = now.timestamp()
        try:
            response = self.client.update_item(
                TableName=self._table,
                Key=ledger_key(pk, sk),
                UpdateExpression=(
                    "SET #s = :sending, claimed_at = :now, lease_until = :until ADD attempts :one"
                ),
                ConditionExpression="#s = :from OR (#s = :sending AND lease_until < :epoch)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": {"S": "sending"},
                    ":from": {"S": from_status},
                    ":now": {"S": now.isoformat()},
                    ":until": {"N": repr(epoch + lease_seconds)},
                    ":epoch": {"N": repr(epoch)},
                    ":one": {"N": "1"},
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            item = getattr(error, "response", {}).get("Item")
            current = DeliveryRecord.model_validate(from_item(item)) if item else None
            if current is not None and current.status == "sending" and current.lease_until is not None:
                return Claim(None, held_for=max(0.0, current.lease_until - epoch))
            return Claim(None)
        return Claim(DeliveryRecord.model_validate(from_item(response["Attributes"])))

    def confirm_sent(self, pk: str, sk: str, *, message_id: str, at: datetime) -> DeliveryRecord | None:
        """SES's Send event for a line still 'sending' (the sender died before it could say so):
        it is sent. None when the line is not 'sending' (the sender recorded it, or it is gone)."""
        try:
            response = self.client.update_item(
                TableName=self._table,
                Key=ledger_key(pk, sk),
                UpdateExpression=(
                    "SET #s = :sent, message_id = :m, sent_at = :at"
                    " REMOVE pending_pk, pending_sk, lease_until"
                ),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sent": {"S": "sent"},
                    ":sending": {"S": "sending"},
                    ":m": {"S": message_id},
                    ":at": {"S": at.isoformat()},
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
            UpdateExpression=(
                "SET #s = :sent, message_id = :m, sent_at = :now REMOVE pending_pk, pending_sk, lease_until"
            ),
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
                UpdateExpression="SET #s = :s REMOVE pending_pk, pending_sk, lease_until",
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
