"""Digests: every hour, the daily and weekly digests whose 08:00 local time falls in that hour,
queued once per subscription and period (the sender gathers what each holds)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from boletin.models.deliveries import (
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    DigestMessage,
    queue_bodies,
)
from boletin.models.subscriptions import Frequency
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.ledger_lines import digest_line
from boletin.repositories.messaging import SendQueue
from boletin.repositories.subscriptions import SubscriptionRepository

DIGEST_HOUR = 8  # local time
DIGEST_WEEKDAY = 0  # Monday, for weekly digests


def due_periods(local: datetime) -> list[tuple[Frequency, str]]:
    """The digests that end at this local time, each with its period (daily: 2026-11-28, weekly:
    2026-W48): daily ones every day in the 08:00 hour, weekly ones on Mondays."""
    if local.hour != DIGEST_HOUR:
        return []
    due: list[tuple[Frequency, str]] = [("daily", local.date().isoformat())]
    if local.weekday() == DIGEST_WEEKDAY:
        year, week, _ = local.isocalendar()
        due.append(("weekly", f"{year}-W{week:02d}"))
    return due


@dataclass
class DigestScheduler:
    """Every hour: the digests due at 08:00 local time, queued once per subscription and period."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    send_queue: SendQueue
    clock: Callable[[], datetime]

    def run(self, hour: datetime | None = None) -> int:
        """Queue the digests due in `hour` (the hourly schedule's; the clock's when None); returns
        how many. A retried or replayed run of the same hour queues none twice."""
        from zoneinfo import ZoneInfo

        moment = hour if hour is not None else self.clock()
        to_send: list[DigestMessage] = []
        for timezone in self.subscriptions.timezones():
            for frequency, period in due_periods(moment.astimezone(ZoneInfo(timezone))):
                for record in self.subscriptions.digest_subscriptions(frequency, timezone):
                    if not self.ledger.pending_digest(record.id):
                        continue  # nothing matched: no digest at all
                    digest = DeliveryRecord.at(
                        digest_line(record.id, period),
                        kind=DeliveryKind.DIGEST,
                        status=DeliveryStatus.QUEUED,
                        subscription_id=record.id,
                        address_key=record.address_key,
                        frequency=record.frequency,
                        created_at=self.clock(),
                    )
                    if self.ledger.record(digest):
                        to_send.append(DigestMessage.of(digest.line))
        if to_send:
            self.send_queue.send(queue_bodies(to_send))
        return len(to_send)
