"""The delivery ledger (after email-alert-api): one item per thing to send, so nothing goes twice.
Its keys are built in `repositories.ledger_lines`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boletin.models.deliveries import DeliveryRecord, DeliveryStatus, LedgerLine
from boletin.repositories.dynamo import (
    CONDITION_FAILED,
    TRANSACTION_CANCELLED,
    DynamoRepository,
    cancellation_reasons,
    error_code,
    from_item,
    refusal,
    to_item,
)
from boletin.repositories.ledger_lines import bulletin_partition, pending_partition

_CLEARS_PENDING = "REMOVE pending_pk, pending_sk, lease_until"
_TRANSACTION_ITEMS = 100  # DynamoDB's most per TransactWriteItems
_CONFLICT_RETRIES = 5


@dataclass(frozen=True)
class Claim:
    """What a claim got: the line, now 'sending' and ours; or, when another sender holds it, for how
    many more seconds (0: there is nothing to send)."""

    delivery: DeliveryRecord | None
    held_for: float = 0.0


def _key(line: LedgerLine) -> dict[str, Any]:
    return {"pk": {"S": line.pk}, "sk": {"S": line.sk}}


def _record(item: dict[str, Any]) -> DeliveryRecord:
    return DeliveryRecord.model_validate(from_item(item))


def _pending(delivery: DeliveryRecord) -> bool:
    return delivery.status == DeliveryStatus.PENDING_DIGEST


def _line_item(delivery: DeliveryRecord, *, pending_digest: bool) -> dict[str, Any]:
    values = delivery.model_dump(mode="json")
    if pending_digest:
        values["pending_pk"] = pending_partition(delivery.subscription_id)
        values["pending_sk"] = f"{delivery.created_at.isoformat()}#{delivery.pk}"
    return to_item(values)


class DeliveryRepository(DynamoRepository):
    def record(self, delivery: DeliveryRecord, *, pending_digest: bool = False) -> bool:
        """Write a delivery once; False if this line is already in the ledger."""
        return self.record_or_get(delivery, pending_digest=pending_digest) is None

    def record_or_get(
        self, delivery: DeliveryRecord, *, pending_digest: bool = False
    ) -> DeliveryRecord | None:
        """Write a delivery once; if it is already in the ledger, the line there (same single call)."""
        existing = self._put_if_new(_line_item(delivery, pending_digest=pending_digest))
        return _record(existing) if existing else None

    def record_all_or_get(self, deliveries: Sequence[DeliveryRecord]) -> list[DeliveryRecord | None]:
        """Write each delivery once (a line pending its digest on the PendingDigest index), in
        transactions of up to 100: a bulletin's lines cost one call per 100 subscribers, not one
        each. For each, in order: None when written now, else the line already in the ledger.

        A retried fan-out finds lines already there: their transaction is cancelled, naming them with
        their items (nothing of it written), and the others go again in the next one."""
        found: dict[int, DeliveryRecord | None] = {}
        for start in range(0, len(deliveries), _TRANSACTION_ITEMS):
            waiting = list(range(start, min(start + _TRANSACTION_ITEMS, len(deliveries))))
            conflicts = 0
            while waiting:
                if len(waiting) == 1:  # one line: a plain conditional put (half a transaction's cost)
                    found[waiting[0]] = self.record_or_get(
                        deliveries[waiting[0]], pending_digest=_pending(deliveries[waiting[0]])
                    )
                    break
                waiting, conflicted = self._record_together(deliveries, waiting, found)
                conflicts += int(conflicted)
                if conflicts > _CONFLICT_RETRIES:
                    raise RuntimeError(
                        f"ledger lines kept conflicting with other writes: {len(waiting)} left"
                    )
                if conflicted:
                    time.sleep(0.05 * 2**conflicts)
        return [found[i] for i in range(len(deliveries))]

    def _record_together(
        self,
        deliveries: Sequence[DeliveryRecord],
        indexes: list[int],
        found: dict[int, DeliveryRecord | None],
    ) -> tuple[list[int], bool]:
        """One transaction of the lines at `indexes`; fills `found` with what it settled. Returns the
        indexes still to write, and whether the transaction conflicted with another write."""
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _line_item(deliveries[i], pending_digest=_pending(deliveries[i])),
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for i in indexes
        ]
        error = refusal(
            self.client.transact_write_items, refused_by=(TRANSACTION_CANCELLED,), TransactItems=puts
        )
        if error is None:
            found.update(dict.fromkeys(indexes))
            return [], False
        reasons = cancellation_reasons(error)
        if len(reasons) != len(indexes):  # an endpoint that does not say which: one at a time
            for i in indexes:
                found[i] = self.record_or_get(deliveries[i], pending_digest=_pending(deliveries[i]))
            return [], False
        left = []
        for i, reason in zip(indexes, reasons, strict=True):
            there = None
            if reason.get("Code") == "ConditionalCheckFailed":
                item = reason.get("Item")
                there = _record(item) if item else self.get(deliveries[i].line)
            if there is None:
                left.append(i)
            else:
                found[i] = there
        return left, len(left) == len(indexes)  # nothing there yet: it conflicted, go again

    def get(self, line: LedgerLine) -> DeliveryRecord | None:
        response = self.client.get_item(TableName=self._table, Key=_key(line), ConsistentRead=True)
        item = response.get("Item")
        return _record(item) if item else None

    def claim(
        self, line: LedgerLine, *, from_status: DeliveryStatus, now: datetime, lease_seconds: float
    ) -> Claim:
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
                Key=_key(line),
                UpdateExpression=(
                    "SET #s = :sending, claimed_at = :now, lease_until = :until ADD attempts :one"
                ),
                ConditionExpression="#s = :from OR (#s = :sending AND lease_until < :epoch)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": {"S": DeliveryStatus.SENDING},
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
            if error_code(error) != CONDITION_FAILED:
                raise
            item = getattr(error, "response", {}).get("Item")
            current = _record(item) if item else None
            if current is not None and current.status == DeliveryStatus.SENDING and current.lease_until:
                return Claim(None, held_for=max(0.0, current.lease_until - epoch))
            return Claim(None)
        return Claim(_record(response["Attributes"]))

    def confirm_sent(self, line: LedgerLine, *, message_id: str, at: datetime) -> DeliveryRecord | None:
        """SES's Send event for a line still 'sending' (the sender died before it could say so):
        it is sent. None when the line is not 'sending' (the sender recorded it, or it is gone)."""
        return self._update_sent(line, message_id, at, only_from=[DeliveryStatus.SENDING])

    def mark_sent(self, line: LedgerLine, *, message_id: str, now: datetime) -> None:
        self._update_sent(line, message_id, now, only_from=None)

    def mark_all_sent(self, lines: Sequence[LedgerLine], *, message_id: str, now: datetime) -> None:
        """mark_sent for each line (a digest's bulletins), in transactions of up to 100: one call per
        100 lines, not one each. Unconditional, as mark_sent: only a conflict with another write
        cancels one, and it is made again."""
        values = {":sent": {"S": DeliveryStatus.SENT}, ":m": {"S": message_id}, ":at": {"S": now.isoformat()}}
        update = f"SET #s = :sent, message_id = :m, sent_at = :at {_CLEARS_PENDING}"
        for start in range(0, len(lines), _TRANSACTION_ITEMS):
            chunk = lines[start : start + _TRANSACTION_ITEMS]
            if len(chunk) == 1:
                self.mark_sent(chunk[0], message_id=message_id, now=now)
                continue
            updates = [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": _key(line),
                        "UpdateExpression": update,
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": values,
                    }
                }
                for line in chunk
            ]
            write = self.client.transact_write_items
            for attempt in range(_CONFLICT_RETRIES + 1):
                error = refusal(write, refused_by=(TRANSACTION_CANCELLED,), TransactItems=updates)
                if error is None:
                    break
                if attempt == _CONFLICT_RETRIES:
                    raise error
                time.sleep(0.05 * 2**attempt)

    def release(self, line: LedgerLine, *, to_status: DeliveryStatus) -> None:
        """Give a claim back (SES throttled us before sending): the message will be retried."""
        self.set_status(line, to_status, only_from=[DeliveryStatus.SENDING])

    def set_status(
        self, line: LedgerLine, status: DeliveryStatus, *, only_from: Iterable[DeliveryStatus] | None = None
    ) -> bool:
        """False when `only_from` is given and the line's status is none of them."""
        update = f"SET #s = :s {_CLEARS_PENDING}"
        return self._update(line, update, {":s": {"S": status}}, only_from, returns="NONE") is not None

    def of_bulletin(self, bulletin_id: str) -> list[DeliveryRecord]:
        return self._query_lines(
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": bulletin_partition(bulletin_id)}},
        )

    def status_counts(self, bulletin_id: str) -> dict[str, int]:
        return dict(Counter(str(d.status) for d in self.of_bulletin(bulletin_id)))

    def pending_digest(self, subscription_id: str) -> list[DeliveryRecord]:
        return self._query_lines(
            IndexName="PendingDigest",
            KeyConditionExpression="pending_pk = :p",
            ExpressionAttributeValues={":p": {"S": pending_partition(subscription_id)}},
        )

    # ---------------------------------------------------------------- helpers
    def _update_sent(
        self, line: LedgerLine, message_id: str, at: datetime, *, only_from: list[DeliveryStatus] | None
    ) -> DeliveryRecord | None:
        values = {":sent": {"S": DeliveryStatus.SENT}, ":m": {"S": message_id}, ":at": {"S": at.isoformat()}}
        update = f"SET #s = :sent, message_id = :m, sent_at = :at {_CLEARS_PENDING}"
        attributes = self._update(line, update, values, only_from, returns="ALL_NEW")
        return _record(attributes) if attributes else None

    def _update(
        self,
        line: LedgerLine,
        update: str,
        values: dict[str, Any],
        only_from: Iterable[DeliveryStatus] | None,
        *,
        returns: str,
    ) -> dict[str, Any] | None:
        """One UpdateItem on the line, on condition its status is one of `only_from` (if given): the
        attributes it returns ({} when `returns` is NONE); None when the condition failed."""
        kwargs: dict[str, Any] = {}
        if only_from is not None:
            allowed = list(only_from)
            placeholders = [f":f{i}" for i in range(len(allowed))]
            kwargs["ConditionExpression"] = f"#s IN ({', '.join(placeholders)})"
            values = {**values, **{p: {"S": s} for p, s in zip(placeholders, allowed, strict=True)}}
        try:
            response = self.client.update_item(
                TableName=self._table,
                Key=_key(line),
                UpdateExpression=update,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values,
                ReturnValues=returns,
                **kwargs,
            )
        except Exception as error:
            if error_code(error) == CONDITION_FAILED:
                return None
            raise
        attributes: dict[str, Any] = response.get("Attributes") or {}
        return attributes

    def _query_lines(self, **query: Any) -> list[DeliveryRecord]:
        return [DeliveryRecord.model_validate(i) for i in self._query_all(**query)]
