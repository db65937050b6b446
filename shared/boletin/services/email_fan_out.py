"""Fan-out: from a bulletin event to one ledger line per matching subscriber, and the send messages of
those to be emailed now (the rest wait for their digest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from boletin.matching import bulletin_keys
from boletin.models.deliveries import (
    BulletinMessage,
    CorrectionMessage,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    queue_bodies,
)
from boletin.models.events import (
    BulletinEventDetail,
    DetailType,
)
from boletin.models.subscriptions import MatchEntry
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.ledger_lines import bulletin_line, correction_line
from boletin.repositories.messaging import SendQueue
from boletin.repositories.subscriptions import SubscriptionRepository

_FREQUENCY_RANK = {"immediate": 0, "daily": 1, "weekly": 2}
_UNSENT = (DeliveryStatus.QUEUED, DeliveryStatus.PENDING_DIGEST)


@dataclass
class FanOutReport:
    matched: int = 0  # distinct subscribers
    recorded: int = 0  # new ledger lines
    queued: int = 0  # handed to the send queue
    dropped: int = 0
    items_read: int = 0
    calls: int = 0

    def __add__(self, other: FanOutReport) -> FanOutReport:
        return FanOutReport(
            matched=self.matched + other.matched,
            recorded=self.recorded + other.recorded,
            queued=self.queued + other.queued,
            dropped=self.dropped + other.dropped,
            items_read=self.items_read + other.items_read,
            calls=self.calls + other.calls,
        )


@dataclass
class EmailFanOut:
    """The email_notifier's logic: from a bulletin event to ledger lines and send messages."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    send_queue: SendQueue
    clock: Callable[[], datetime]

    def handle(self, detail_type: str, detail: BulletinEventDetail) -> FanOutReport:
        if detail_type == DetailType.WITHDRAWN:
            return self.drop_pending(detail.id)
        if not detail.notify:
            # An archived bulletin: lists and feeds only. No ledger line, so no digest holds it either.
            return FanOutReport()
        if detail_type == DetailType.PUBLISHED:
            return self.fan_out(detail)
        if detail_type == DetailType.UPDATED:
            report = self.corrections(detail) if detail.change == "major" else FanOutReport()
            # A correction that moved the bulletin to other countries or topics reaches the
            # subscribers of those only; the ledger's one line per subscriber and bulletin keeps
            # anyone who already has it from getting it twice.
            new_keys = sorted(
                set(bulletin_keys(detail.countries, detail.topics))
                - set(bulletin_keys(detail.previous_countries, detail.previous_topics))
            )
            if new_keys:
                report += self.fan_out(detail, keys=new_keys)
            return report
        return FanOutReport()

    def corrections(self, detail: BulletinEventDetail) -> FanOutReport:
        """A major change: a short correction to exactly those who received the original."""
        now = self.clock()
        report = FanOutReport()
        deliveries = [
            DeliveryRecord.at(
                correction_line(detail.id, detail.version, original.address_key),
                kind=DeliveryKind.CORRECTION,
                status=DeliveryStatus.QUEUED,
                subscription_id=original.subscription_id,
                address_key=original.address_key,
                bulletin_id=detail.id,
                created_at=now,
            )
            for original in self.ledger.of_bulletin(detail.id)
            if original.status == DeliveryStatus.SENT
        ]
        report.matched = len(deliveries)
        to_send: list[CorrectionMessage] = []
        for delivery, existing in zip(deliveries, self._record(deliveries, report), strict=True):
            report.recorded += int(existing is None)
            if existing is None or existing.status == DeliveryStatus.QUEUED:
                to_send.append(CorrectionMessage.of(delivery.line))
        report.calls += self._queue(to_send, report)
        return report

    def fan_out(self, detail: BulletinEventDetail, *, keys: list[str] | None = None) -> FanOutReport:
        """``keys``: only the subscriptions under these match keys (default: all the bulletin's)."""
        now = self.clock()
        report = FanOutReport()
        entries, report.items_read, report.calls = self.subscriptions.matching_entries(
            keys if keys is not None else bulletin_keys(detail.countries, detail.topics)
        )
        best = _one_per_subscriber(entries, detail.language)
        report.matched = len(best)
        deliveries = [
            DeliveryRecord.at(
                bulletin_line(detail.id, address_key),
                kind=DeliveryKind.BULLETIN,
                # A line pending its digest is also on the PendingDigest index (see the ledger).
                status=DeliveryStatus.QUEUED
                if entry.frequency == "immediate"
                else DeliveryStatus.PENDING_DIGEST,
                subscription_id=entry.subscription_id,
                address_key=address_key,
                bulletin_id=detail.id,
                frequency=entry.frequency,
                created_at=now,
            )
            for address_key, entry in sorted(best.items())
        ]
        to_send: list[BulletinMessage] = []
        for delivery, existing in zip(deliveries, self._record(deliveries, report), strict=True):
            report.recorded += int(existing is None)
            # A retried event re-queues what is still queued (the first try may have died before
            # the queue got it); the sender's claim makes the second message a no-op.
            immediate = delivery.status == DeliveryStatus.QUEUED
            if immediate and (existing is None or existing.status == DeliveryStatus.QUEUED):
                to_send.append(BulletinMessage.of(delivery.line))
        report.calls += self._queue(to_send, report)
        return report

    def _record(self, deliveries: list[DeliveryRecord], report: FanOutReport) -> list[DeliveryRecord | None]:
        """Each line written once (None), or the line already in the ledger; the calls counted."""
        report.calls += -(-len(deliveries) // 100)  # a transaction per 100 lines (more if retried)
        return self.ledger.record_all_or_get(deliveries)

    def drop_pending(self, bulletin_id: str) -> FanOutReport:
        """A withdrawn bulletin: nothing more about it is sent."""
        report = FanOutReport()
        for delivery in self.ledger.of_bulletin(bulletin_id):
            if delivery.status in _UNSENT and self.ledger.set_status(
                delivery.line, DeliveryStatus.DROPPED, only_from=_UNSENT
            ):
                report.dropped += 1
        return report

    def _queue(self, messages: list[BulletinMessage] | list[CorrectionMessage], report: FanOutReport) -> int:
        if not messages:
            return 0
        report.queued = len(messages)
        return self.send_queue.send(queue_bodies(messages))


def _one_per_subscriber(entries: list[MatchEntry], language: str) -> dict[str, MatchEntry]:
    """One delivery per subscriber, however many of their filters match; the most frequent wins.
    A bulletin in a language the subscriber does not read reaches none of their filters."""
    best: dict[str, MatchEntry] = {}
    for entry in entries:
        if not entry.wants(language):
            continue
        current = best.get(entry.address_key)
        if current is None or _FREQUENCY_RANK[entry.frequency] < _FREQUENCY_RANK[current.frequency]:
            best[entry.address_key] = entry
    return best
