"""Subscriptions table.

SUB#<id> / SUB            the subscription (digest_pk/digest_sk while an active digest)
ADDR#<key> / PROFILE      the subscriber: suppression, recent confirmation emails
ADDR#<key> / SUB#<id>     the address's subscriptions
MATCH#<criteria> / SUB#<id>  subscriber lists (active subscriptions only)
TIMEZONES / <tz>          time zones that have digest subscriptions
LIMIT#<scope> / <window>  confirmation emails counted against a send limit (TTL expires_at)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boletin.errors import ConflictError
from boletin.matching import subscription_keys
from boletin.models.subscriptions import (
    EndReason,
    Frequency,
    MatchEntry,
    SubscriberRecord,
    SubscriptionRecord,
)
from boletin.repositories.dynamo import (
    TRANSACTION_CANCELLED,
    DynamoRepository,
    batch_write,
    cancellation_reasons,
    from_item,
    refusal,
    to_item,
    written,
)

_TIMEZONES = "TIMEZONES"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _sub_key(subscription_id: str) -> dict[str, Any]:
    return _key(f"SUB#{subscription_id}", "SUB")


def _profile_key(address_key: str) -> dict[str, Any]:
    return _key(_address_partition(address_key), "PROFILE")


def _address_partition(address_key: str) -> str:
    return f"ADDR#{address_key}"


def _subscription_sort(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def _match_partition(criteria: str) -> str:
    return f"MATCH#{criteria}"


def _digest_partition(frequency: str, timezone: str) -> str:
    return f"{frequency}#{timezone}"


def _digest_schedule(record: SubscriptionRecord) -> tuple[str, dict[str, Any]]:
    """The SET clause (and its values) listing a digest subscription on ByDigestSchedule; nothing
    for an immediate one."""
    if record.frequency == "immediate":
        return "", {}
    return ", digest_pk = :dp, digest_sk = :ds", {
        ":dp": {"S": _digest_partition(record.frequency, record.timezone)},
        ":ds": {"S": record.id},
    }


@dataclass(frozen=True)
class SendLimit:
    """One counter a confirmation email counts against: LIMIT#<scope> / <window>, at most `limit`."""

    scope: str  # e.g. "mailbox#<hmac>", "ip#<hmac>", "all"
    window: str  # e.g. "2026-12-01" or "2026-12-01T22"
    limit: int
    expires_at: int  # epoch seconds: the table's TTL removes spent counters

    def update(self, table: str) -> dict[str, Any]:
        """Counts one more, on condition it stays within the limit: concurrent requests cannot
        overshoot, because DynamoDB evaluates the condition and the increment as one write."""
        return {
            "Update": {
                "TableName": table,
                "Key": _key(f"LIMIT#{self.scope}", self.window),
                "UpdateExpression": "ADD sent :one SET expires_at = :exp",
                "ConditionExpression": "attribute_not_exists(sent) OR sent < :limit",
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self.limit)},
                    ":exp": {"N": str(self.expires_at)},
                },
            }
        }


class SendLimitReachedError(Exception):
    """A confirmation email would exceed one of its limits: nothing was written."""


class SubscriptionRepository(DynamoRepository):
    # ---------------------------------------------------------------- reads
    def get(self, subscription_id: str) -> SubscriptionRecord | None:
        response = self.client.get_item(
            TableName=self._table, Key=_sub_key(subscription_id), ConsistentRead=True
        )
        item = response.get("Item")
        return SubscriptionRecord.model_validate(from_item(item)) if item else None

    def get_subscriber(self, address_key: str) -> SubscriberRecord | None:
        response = self.client.get_item(
            TableName=self._table,
            Key=_profile_key(address_key),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return SubscriberRecord.model_validate(from_item(item)) if item else None

    def get_with_subscriber(
        self, subscription_id: str, address_key: str
    ) -> tuple[SubscriptionRecord | None, SubscriberRecord | None]:
        """Both in one call (the sender's check before each email)."""
        keys = [_sub_key(subscription_id), _profile_key(address_key)]
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        for attempt in range(6):
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self._table, []):
                found[item["sk"]["S"]] = from_item(item)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        sub = found.get("SUB")
        profile = found.get("PROFILE")
        return (
            SubscriptionRecord.model_validate(sub) if sub else None,
            SubscriberRecord.model_validate(profile) if profile else None,
        )

    def subscription_ids_of(self, address_key: str) -> list[str]:
        return [
            i["sk"].removeprefix(_subscription_sort(""))
            for i in self._query_all(
                KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                ExpressionAttributeValues={
                    ":p": {"S": _address_partition(address_key)},
                    ":s": {"S": _subscription_sort("")},
                },
            )
        ]

    def matching_entries(self, keys: Iterable[str]) -> tuple[list[MatchEntry], int, int]:
        """Match entries under these list keys: (entries, items read, calls made)."""
        entries: list[MatchEntry] = []
        read = calls = 0
        for key in keys:
            kwargs: dict[str, Any] = {}
            while True:
                response = self.client.query(
                    TableName=self._table,
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": _match_partition(key)}},
                    **kwargs,
                )
                calls += 1
                read += int(response.get("Count", 0))
                entries.extend(MatchEntry.model_validate(from_item(i)) for i in response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return entries, read, calls

    def digest_subscriptions(self, frequency: Frequency, timezone: str) -> list[SubscriptionRecord]:
        return [
            SubscriptionRecord.model_validate(i)
            for i in self._query_all(
                IndexName="ByDigestSchedule",
                KeyConditionExpression="digest_pk = :p",
                ExpressionAttributeValues={":p": {"S": _digest_partition(frequency, timezone)}},
            )
        ]

    def timezones(self) -> list[str]:
        response = self.client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": _TIMEZONES}},
        )
        return [i["sk"]["S"] for i in response.get("Items", [])]

    # ---------------------------------------------------------------- writes
    def create_pending(
        self,
        record: SubscriptionRecord,
        confirmations_sent: list[datetime],
        limits: Sequence[SendLimit] = (),
    ) -> None:
        """The pending subscription, its link from the address, the address's send log and one more
        on each send limit, in one transaction.

        SendLimitReachedError when a limit is reached; ConflictError when another request for the
        same address was writing it at that moment."""
        error = refusal(
            self._transact_create_pending,
            refused_by=(TRANSACTION_CANCELLED,),
            record=record,
            sent=confirmations_sent,
            limits=limits,
        )
        if error is not None:
            # A retry of a transaction that did commit (its first answer was lost) fails its own
            # condition: the subscription is there, which is all that was asked.
            if self.get(record.id) is not None:
                return
            if any(r.get("Code") == "ConditionalCheckFailed" for r in cancellation_reasons(error)[3:]):
                raise SendLimitReachedError() from None
            raise ConflictError("Another request for this address is being handled; try again.") from None

    def _transact_create_pending(
        self, record: SubscriptionRecord, sent: list[datetime], limits: Sequence[SendLimit]
    ) -> None:
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item({**from_item(_sub_key(record.id)), **record.model_dump(mode="json")}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _key(_address_partition(record.address_key), _subscription_sort(record.id)),
                    }
                },
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": _profile_key(record.address_key),
                        "UpdateExpression": "SET address_key = :k, confirmations_sent = :c",
                        "ExpressionAttributeValues": {
                            ":k": {"S": record.address_key},
                            ":c": {"L": [{"S": t.isoformat()} for t in sent]},
                        },
                    }
                },
                *(limit.update(self._table) for limit in limits),
            ]
        )

    def activate(self, record: SubscriptionRecord, now: datetime) -> bool:
        """pending -> active, then list it under its match keys. False if it was not pending."""
        schedule, values = _digest_schedule(record)
        activated = self._update_if(
            record.id,
            "SET #s = :active, confirmed_at = :now" + schedule,
            "#s = :pending",
            {
                ":active": {"S": "active"},
                ":pending": {"S": "pending"},
                ":now": {"S": now.isoformat()},
                **values,
            },
        )
        if activated:
            self.list_under_keys(record)
        return activated

    def list_under_keys(self, record: SubscriptionRecord) -> None:
        """Idempotent: puts the match entries (and the time zone) of an active subscription."""
        entry = MatchEntry.of(record).model_dump(mode="json")
        items = [
            {"pk": _match_partition(key), "sk": _subscription_sort(record.id), **entry}
            for key in subscription_keys(record.countries, record.topics)
        ]
        if record.frequency != "immediate":
            items.append({"pk": _TIMEZONES, "sk": record.timezone})
        self._batch_write([{"PutRequest": {"Item": to_item(i)}} for i in items])

    def unlist(self, record: SubscriptionRecord) -> None:
        keys = subscription_keys(record.countries, record.topics)
        self._batch_write(
            [
                {"DeleteRequest": {"Key": _key(_match_partition(k), _subscription_sort(record.id))}}
                for k in keys
            ]
        )

    def end(self, record: SubscriptionRecord, reason: EndReason, now: datetime) -> bool:
        """Ends a pending or active subscription; False if it had already ended."""
        ended = self._update_if(
            record.id,
            "SET #s = :ended, ended_at = :now, ended_reason = :r REMOVE digest_pk, digest_sk",
            "#s <> :ended",
            {":ended": {"S": "ended"}, ":now": {"S": now.isoformat()}, ":r": {"S": reason}},
        )
        if ended:
            self.unlist(record)
        return ended

    def update_preferences(self, old: SubscriptionRecord, new: SubscriptionRecord) -> None:
        """Changes filters, language and frequency of an active subscription."""
        self.unlist(old)
        values: dict[str, Any] = {
            ":c": to_item({"v": new.countries})["v"],
            ":t": to_item({"v": new.topics})["v"],
            ":f": {"S": new.frequency},
            ":l": {"S": new.language},
            ":bl": to_item({"v": new.bulletin_languages})["v"],
            ":active": {"S": "active"},
        }
        schedule, digest_values = _digest_schedule(new)
        update = "SET countries = :c, topics = :t, frequency = :f, #lang = :l, bulletin_languages = :bl"
        update += schedule or " REMOVE digest_pk, digest_sk"
        values.update(digest_values)
        self.client.update_item(
            TableName=self._table,
            Key=_sub_key(new.id),
            UpdateExpression=update,
            ConditionExpression="#s = :active",
            ExpressionAttributeNames={"#s": "status", "#lang": "language"},
            ExpressionAttributeValues=values,
        )
        self.list_under_keys(new)

    def suppress(self, address_key: str, reason: EndReason) -> None:
        self.client.update_item(
            TableName=self._table,
            Key=_profile_key(address_key),
            UpdateExpression="SET address_key = :k, suppressed = :t, suppressed_reason = :r",
            ExpressionAttributeValues={":k": {"S": address_key}, ":t": {"BOOL": True}, ":r": {"S": reason}},
        )

    def _update_if(self, subscription_id: str, update: str, condition: str, values: dict[str, Any]) -> bool:
        """One conditional UpdateItem of a subscription; False when its condition did not hold."""
        return written(
            self.client.update_item,
            TableName=self._table,
            Key=_sub_key(subscription_id),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values,
        )

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        batch_write(self.client, self._table, requests)
