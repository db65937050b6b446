"""Digests with in-memory fakes: DigestScheduler queues each due digest once (daily at 08:00 local
time, weekly on Mondays), and the digest the sender builds holds exactly its subscriber's matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from boletin.models.deliveries import DeliveryStatus, DigestMessage, LedgerLine
from boletin.repositories.ledger_lines import bulletin_line, digest_line
from boletin.services.digests import DigestScheduler
from tests.support.email_fakes import NOW, EmailFakes, bulletin, subscription

MONDAY_8_UTC = NOW
TUESDAY_8_UTC = NOW + timedelta(days=1)


class Setup(EmailFakes):
    def __post_init__(self) -> None:
        self.scheduler = DigestScheduler(self.subscriptions, self.ledger, self.queue, clock=self.clock)  # type: ignore[arg-type]

    def waiting(self, n: int, bulletin_id: str, title: str, **subscription_fields: object) -> LedgerLine:
        """Subscriber n (created if new) with a line about a new bulletin waiting for their digest."""
        record = self.subscriptions.records.get(f"sub-{n}") or self.subscriptions.add(
            subscription(n, **subscription_fields)  # type: ignore[arg-type]
        )
        self.bulletins.records[bulletin_id] = bulletin(bulletin_id, title)
        return self.bulletin_line_for(
            record,
            bulletin_id,
            DeliveryStatus.PENDING_DIGEST,
            frequency=record.frequency,
            created_at=self.clock() - timedelta(hours=1),
            pending_digest=True,
        )


@pytest.fixture
def setup() -> Setup:
    return Setup()


def test_daily_digests_are_queued_at_eight_in_each_subscribers_zone(setup: Setup) -> None:
    # Given daily subscribers with matches waiting, in UTC and in Costa Rica (UTC-6)
    setup.waiting(1, "b1", "A", frequency="daily")
    setup.waiting(2, "b2", "B", frequency="daily", timezone="America/Costa_Rica")
    # When the hourly run comes at 08:00 UTC, then at 14:00 UTC (08:00 in Costa Rica)
    at_eight_utc = setup.scheduler.run(TUESDAY_8_UTC)
    at_eight_cr = setup.scheduler.run(TUESDAY_8_UTC + timedelta(hours=6))
    # Then each got its digest in its own 08:00 hour, for that local day
    assert (at_eight_utc, at_eight_cr) == (1, 1)
    assert setup.queue.sent == [
        DigestMessage.of(digest_line("sub-1", "2026-12-08")).model_dump(mode="json"),
        DigestMessage.of(digest_line("sub-2", "2026-12-08")).model_dump(mode="json"),
    ]


def test_weekly_digests_go_on_mondays_only(setup: Setup) -> None:
    # Given a weekly subscriber with a match waiting
    setup.waiting(1, "b1", "A", frequency="weekly")
    # When the 08:00 run comes on a Tuesday, then on a Monday
    tuesday, monday = setup.scheduler.run(TUESDAY_8_UTC), setup.scheduler.run(MONDAY_8_UTC)
    # Then only Monday's queues it, as that ISO week's
    assert (tuesday, monday) == (0, 1)
    assert setup.queue.sent[0]["sk"] == "2026-W50"


def test_a_digest_with_nothing_waiting_is_not_queued_and_a_rerun_queues_nothing_twice(setup: Setup) -> None:
    # Given one daily subscriber with a match and one without
    setup.waiting(1, "b1", "A", frequency="daily")
    setup.subscriptions.add(subscription(2, frequency="daily"))
    # When the 08:00 run happens, and is retried (or replayed from the DLQ) for the same hour
    first, again = setup.scheduler.run(MONDAY_8_UTC), setup.scheduler.run(MONDAY_8_UTC)
    # Then one digest is queued, once; other hours queue nothing
    assert (first, again) == (1, 0)
    assert setup.scheduler.run(MONDAY_8_UTC + timedelta(hours=1)) == 0


def test_the_run_without_a_scheduled_hour_uses_the_clock(setup: Setup) -> None:
    # Given a daily subscriber with a match, and the clock at 08:30 UTC
    setup.waiting(1, "b1", "A", frequency="daily")
    setup.clock.now = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)
    # When a run comes with no scheduled time, Then the clock's hour decides
    assert setup.scheduler.run() == 1


def test_a_digest_holds_exactly_its_subscribers_matches_and_settles_them(setup: Setup) -> None:
    # Given two matches waiting for one subscriber, one for another, and one the first already had
    first = setup.waiting(1, "b1", "Costa Rica opens a centre", frequency="daily")
    second = setup.waiting(1, "b2", "Belize trains officials", frequency="daily")
    others = setup.waiting(2, "b3", "Mexico signs an agreement", frequency="daily")
    setup.waiting(1, "b4", "An old one already sent", frequency="daily")
    setup.ledger.set_status(bulletin_line("b4", "addr-1"), DeliveryStatus.SENT)
    # When the digests are queued and the first subscriber's is sent
    setup.scheduler.run(MONDAY_8_UTC)
    mine = DigestMessage.of(digest_line("sub-1", "2026-12-07"))
    outcome = setup.sender().send(mine)
    # Then one email holds its two matches, and nothing else
    assert outcome.status == "sent"
    (digest,) = setup.mailer.to("reader1@example.org")
    assert "Costa Rica opens a centre" in digest.text
    assert "Belize trains officials" in digest.text
    assert "Mexico signs an agreement" not in digest.text
    assert "An old one" not in digest.text
    # And what it held is sent (no later digest holds it again); the other subscriber's still waits
    assert [setup.ledger.status_of(line) for line in (first, second, mine.line)] == [DeliveryStatus.SENT] * 3
    assert setup.ledger.pending_digest("sub-1") == []
    assert setup.ledger.status_of(others) == DeliveryStatus.PENDING_DIGEST


def test_a_digest_whose_bulletins_were_all_withdrawn_is_dropped(setup: Setup) -> None:
    # Given a digest queued for one waiting match, whose bulletin is then withdrawn
    line = setup.waiting(1, "b1", "Withdrawn later", frequency="daily")
    setup.scheduler.run(MONDAY_8_UTC)
    setup.bulletins.records["b1"] = bulletin("b1", "Withdrawn later", status="withdrawn")
    # When the digest is sent, Then no email goes; the digest and its line are dropped
    outcome = setup.sender().send(DigestMessage.of(digest_line("sub-1", "2026-12-07")))
    assert outcome.status == "dropped"
    assert setup.mailer.sent == []
    assert setup.ledger.status_of(line) == DeliveryStatus.DROPPED
