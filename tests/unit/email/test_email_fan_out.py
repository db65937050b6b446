"""Fan-out (EmailFanOut) with in-memory fakes: from a bulletin event to one ledger line per matching
subscriber, a send message for each immediate one, and nothing twice when the event comes again."""

from __future__ import annotations

from datetime import date

import pytest

from boletin.models.deliveries import DeliveryStatus
from boletin.models.events import (
    BulletinEventDetail,
    DetailType,
)
from boletin.repositories.ledger_lines import bulletin_line
from boletin.services.email_fan_out import EmailFanOut
from tests.support.email_fakes import Clock, FakeLedger, FakeSendQueue, FakeSubscriptions, subscription


def detail(**changes: object) -> BulletinEventDetail:
    fields: dict[str, object] = {
        "id": "b1", "version": 1, "office": "iom-gt", "language": "es", "countries": ["GT"],
        "topics": ["health"], "published_on": date(2026, 12, 4),
    }  # fmt: skip
    return BulletinEventDetail.model_validate({**fields, **changes})


def fan_out(*records: object) -> tuple[EmailFanOut, FakeLedger, FakeSendQueue]:
    subscriptions, ledger, queue = FakeSubscriptions(), FakeLedger(), FakeSendQueue()
    for record in records:
        subscriptions.add(record)  # type: ignore[arg-type]
    return EmailFanOut(subscriptions, ledger, queue, clock=Clock()), ledger, queue  # type: ignore[arg-type]


def test_each_matching_confirmed_subscriber_gets_one_line_and_the_immediate_ones_a_message() -> None:
    # Given a subscriber matching by country and by topic, a daily one, one unconfirmed, one elsewhere
    service, ledger, queue = fan_out(
        subscription(1, countries=["GT"]),
        subscription(1, countries=[], topics=["health"]).model_copy(update={"id": "sub-1b"}),
        subscription(2, frequency="daily"),
        subscription(3, status="pending"),
        subscription(4, countries=["MX"]),
    )
    # When the bulletin is published
    report = service.handle(DetailType.PUBLISHED, detail())
    # Then the two confirmed, matching subscribers have one line each (the first, twice matched, once)
    assert report.matched == 2
    assert {line.sk: d.status for line, d in ledger.lines.items()} == {
        "SUBSCRIBER#addr-1": DeliveryStatus.QUEUED,
        "SUBSCRIBER#addr-2": DeliveryStatus.PENDING_DIGEST,
    }
    # And only the immediate one is handed to the send queue; the daily one waits for its digest
    assert queue.sent == [{"kind": "bulletin", **bulletin_line("b1", "addr-1")._asdict()}]
    assert ledger.pending == {bulletin_line("b1", "addr-2")}


def test_a_retried_event_records_nothing_new_and_requeues_only_what_is_still_queued() -> None:
    # Given a bulletin fanned out to two immediate subscribers, one of whom was sent it since
    service, ledger, queue = fan_out(subscription(1), subscription(2))
    service.handle(DetailType.PUBLISHED, detail())
    ledger.set_status(bulletin_line("b1", "addr-1"), DeliveryStatus.SENT)
    queue.sent.clear()
    # When the same event comes again (the queue delivers at least once)
    again = service.handle(DetailType.PUBLISHED, detail())
    # Then no line is added, and only the unsent one is queued again (the sender's claim dedups it)
    assert (again.matched, again.recorded, again.queued) == (2, 0, 1)
    assert len(ledger.lines) == 2
    assert queue.sent == [{"kind": "bulletin", **bulletin_line("b1", "addr-2")._asdict()}]


def test_a_bulletin_in_a_language_a_subscriber_does_not_read_does_not_reach_them() -> None:
    # Given a subscriber wanting English bulletins only, and one wanting any language
    service, ledger, _ = fan_out(subscription(1, bulletin_languages=["en"]), subscription(2))
    # When a Spanish bulletin is published
    report = service.handle(DetailType.PUBLISHED, detail(language="es"))
    # Then only the second gets a line
    assert report.matched == 1
    assert [d.address_key for d in ledger.lines.values()] == ["addr-2"]


def test_a_withdrawn_bulletin_drops_what_was_not_sent_and_leaves_what_was() -> None:
    # Given a bulletin queued for one subscriber, waiting for another's digest, sent to a third
    service, ledger, _ = fan_out(subscription(1), subscription(2, frequency="weekly"), subscription(3))
    service.handle(DetailType.PUBLISHED, detail())
    ledger.set_status(bulletin_line("b1", "addr-3"), DeliveryStatus.SENT)
    # When it is withdrawn
    report = service.handle(DetailType.WITHDRAWN, detail())
    # Then the two unsent lines are dropped (no digest will hold it), the sent one stays sent
    assert report.dropped == 2
    assert [ledger.status_of(bulletin_line("b1", f"addr-{n}")) for n in (1, 2, 3)] == [
        DeliveryStatus.DROPPED,
        DeliveryStatus.DROPPED,
        DeliveryStatus.SENT,
    ]
    assert ledger.pending == set()


def test_a_major_correction_goes_to_exactly_those_who_received_the_original() -> None:
    # Given a bulletin sent to one subscriber and still queued for another
    service, ledger, queue = fan_out(subscription(1), subscription(2))
    service.handle(DetailType.PUBLISHED, detail())
    ledger.set_status(bulletin_line("b1", "addr-1"), DeliveryStatus.SENT)
    queue.sent.clear()
    # When a major correction of it comes, twice
    event = detail(version=2, change="major", previous_countries=["GT"], previous_topics=["health"])
    first = service.handle(DetailType.UPDATED, event)
    second = service.handle(DetailType.UPDATED, event)
    # Then one correction is queued for the one who had it, and the repeat adds no line
    assert (first.recorded, second.recorded) == (1, 0)
    assert [m["kind"] for m in queue.sent] == ["correction", "correction"]  # re-queued while queued
    assert {m["pk"] for m in queue.sent} == {"CORRECTION#b1#v2"}
    assert {m["sk"] for m in queue.sent} == {"SUBSCRIBER#addr-1"}


def test_an_archived_bulletin_gets_no_line_and_no_message_even_on_a_major_update() -> None:
    # Given matching subscribers / When an archived bulletin is published, then corrected
    service, ledger, queue = fan_out(subscription(1), subscription(2, frequency="daily"))
    published = service.handle(DetailType.PUBLISHED, detail(notify=False))
    updated = service.handle(DetailType.UPDATED, detail(notify=False, change="major"))
    # Then nothing is recorded or queued: no immediate email, nothing for a digest to hold
    assert published.matched == updated.matched == 0
    assert ledger.lines == {}
    assert queue.sent == []


@pytest.mark.parametrize("daily_filter", ["country", "topic"])
def test_a_subscriber_matched_immediately_and_by_a_digest_gets_the_bulletin_now_once(
    daily_filter: str,
) -> None:
    # Given one address with two subscriptions that both match: one immediate, one daily
    by_country = subscription(
        1, countries=["GT"], frequency="daily" if daily_filter == "country" else "immediate"
    )
    by_topic = subscription(
        1, countries=[], topics=["health"], frequency="daily" if daily_filter == "topic" else "immediate"
    )
    service, ledger, queue = fan_out(by_country, by_topic.model_copy(update={"id": "sub-1b"}))
    # When the bulletin is published
    service.handle(DetailType.PUBLISHED, detail())
    # Then the most frequent wins: one line, sent now, none waiting for a digest
    assert [d.status for d in ledger.lines.values()] == [DeliveryStatus.QUEUED]
    assert len(queue.sent) == 1
    assert ledger.pending == set()
