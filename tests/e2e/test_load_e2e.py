"""The load driver (`make load`, devstack.load) at a small size against the local stack: it drives the
system over HTTP, reports its figures, and its invariants hold; and its checks do catch a failure."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from devstack.load import (
    LoadConfig,
    LoadReport,
    check_dead_letters,
    dead_letter_queues,
    percentile,
    run_load,
)
from devstack.load.invariants import check_emails
from devstack.load.population import Subscriber
from devstack.load.watchers import Email

pytestmark = pytest.mark.e2e

SMALL = LoadConfig(
    offices=2,
    bulletins=40,
    subscribers=30,
    clients=4,
    frequencies=(("immediate", 0.8), ("daily", 0.1), ("weekly", 0.1)),
    timeout=120,
)


@pytest.fixture(scope="module")
def report(stack: Any) -> LoadReport:
    # Given a fresh local stack
    # When the driver runs 2 offices x 20 bulletins, 30 subscribers (a few daily and weekly), 4 clients
    progress = io.StringIO()
    result = run_load(stack, SMALL, progress_stream=progress)
    result.figures["progress"] = progress.getvalue()
    return result


def test_every_invariant_holds_under_concurrent_load(report: LoadReport) -> None:
    # Then every invariant was checked, and holds
    names = " | ".join(check.name for check in report.checks)
    for promise in (
        "no 5xx",
        "published exactly once",
        "status published",
        "listed once",
        "every feed right",
        "exactly one email per matching bulletin",
        "exactly one confirmation",
        "one digest",
        "dead-letter queue",
        "IAM policy",
    ):
        assert promise in names
    assert report.passed, report.render()


def test_the_report_carries_the_figures(report: LoadReport) -> None:
    # Then every bulletin was submitted, published and emailed to someone, and the report says so
    assert report.figures["accepted"] == report.figures["published"] == SMALL.bulletins
    assert report.figures["emails"] > 0
    assert report.figures["confirmations"] == SMALL.subscribers
    # And it has a latency distribution for each step, one value per bulletin where there is one
    latencies = report.latencies
    assert len(latencies["submit → accepted (201)"]) == SMALL.bulletins
    assert len(latencies["submit → published (published_at)"]) == SMALL.bulletins
    assert len(latencies["submit → listed (first seen in GET /bulletins)"]) == SMALL.bulletins
    assert latencies["submit → in a feed (first seen)"]
    assert len(latencies["submit → email in the outbox (every email)"]) == report.figures["emails"]
    for values in latencies.values():
        assert all(value > 0 for value in values)
    # And the AWS calls per bulletin by function: one write per submission (the driver's own reads of
    # the list are not counted; the id secret is read once per container, not per request), one event
    # per publication
    calls = report.calls_per_bulletin
    api = {op: v for (f, op), v in calls.items() if f == "ApiFunction"}
    secret_reads = api.pop("secretsmanager:GetSecretValue", 0.0) * SMALL.bulletins
    assert sum(api.values()) == pytest.approx(1.0)
    assert secret_reads <= 1
    assert calls[("EnrichFunction", "events:PutEvents")] == pytest.approx(1.0)
    sends = calls[("SenderFunction", "ses:SendRawEmail")] * SMALL.bulletins
    assert sends == pytest.approx(report.figures["emails"])
    # And the goals are judged, memory and the time to catch up
    assert {g.name.split(" ≤")[0].split(" within")[0] for g in report.goals} == {
        "resident memory at the end",
        "resident memory at its peak",
        "all published",
        "all listed",
    }
    text = report.render()
    for heading in ("accepted", "published", "emails", "/s", "p50", "p99", "AWS calls per bulletin"):
        assert heading in text
    assert "MB per bulletin" in text
    assert text.rstrip().endswith("RESULT: PASS")


def test_the_mix_is_printed_at_the_start_and_progress_while_it_runs(report: LoadReport) -> None:
    # Then the subscribers' filters and frequencies were printed before anything was submitted
    progress = report.figures["progress"]
    before = progress.split("\nSetup: ")[0]
    for kind in ("filters: ", "frequencies: ", "immediate", "daily", "weekly", "country", "topic"):
        assert kind in before
    # And which bulletins' languages they want, said to be realism and not a smaller run
    assert "bulletins wanted (bulletin_languages): " in before
    assert "their own language" in before
    assert "every language" in before
    assert "not to lighten the run" in before
    # And progress lines (time, memory, what it is doing) came while it ran
    assert "MB] checking every feed" in progress
    assert "MB] reading the 40 bulletins back" in progress


def test_a_message_in_a_dead_letter_queue_fails_the_run(stack: Any, report: LoadReport) -> None:
    # Given the template's dead-letter queues, found by name and by what points at them
    queues = dead_letter_queues(stack)
    assert {"EnrichDLQ", "EventDeliveryDLQ", "FeedsDLQ", "EmailDLQ", "SendDLQ", "DigestDLQ"} <= set(queues)
    # When one message waits in one of them
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=queues["SendDLQ"], MessageBody=json.dumps({"kind": "bulletin"}))
    try:
        # Then the driver's check fails, naming the queue
        failing = LoadReport(SMALL)
        check_dead_letters(failing, stack)
        assert not failing.passed
        assert "SendDLQ 1" in failing.checks[0].detail
    finally:
        sqs.purge_queue(QueueUrl=queues["SendDLQ"])


def test_an_email_sent_twice_or_missing_fails_the_run() -> None:
    # Given an immediate subscriber to GT and two published bulletins about GT
    ana = Subscriber("ana@example.org", "es", ["GT"], [], "immediate", "one country", confirmed=True)
    states = {i: {"status": "published", "countries": ["GT"], "topics": []} for i in ("b1", "b2")}
    confirmation = Email("c.eml", ana.address, "Confirm", 1.0, "confirmation")

    def email_about(bulletin_id: str) -> Email:
        from devstack.load.bulletins import Planned

        planned = Planned(0, 0, "t", "b", None, [], [], "es", id=bulletin_id)  # type: ignore[arg-type]
        return Email(f"{bulletin_id}.eml", ana.address, "t", 2.0, "bulletin", bulletin=planned)

    # When she got one of them twice and the other never
    failing = LoadReport(SMALL)
    check_emails(failing, [confirmation, email_about("b1"), email_about("b1")], [ana], states)
    # Then the email invariant fails, saying what is missing and what came twice
    email_check = failing.checks[0]
    assert not email_check.ok
    assert "missing 1" in email_check.detail
    assert "more than once 1" in email_check.detail
    # And with exactly one email each, it passes
    passing = LoadReport(SMALL)
    check_emails(passing, [confirmation, email_about("b1"), email_about("b2")], [ana], states)
    assert passing.passed, passing.render()


def test_a_bulletin_in_a_language_the_subscriber_did_not_ask_for_is_not_expected() -> None:
    # Given two immediate subscribers to GT, one wanting Spanish bulletins only, one every language,
    # and a published bulletin about GT in English
    ana = Subscriber("ana@example.org", "es", ["GT"], [], "immediate", "one country", ["es"], confirmed=True)
    bo = Subscriber("bo@example.org", "en", ["GT"], [], "immediate", "one country", [], confirmed=True)
    states = {"b1": {"status": "published", "countries": ["GT"], "topics": [], "language": "en"}}
    confirmations = [
        Email(f"c{i}.eml", s.address, "Confirm", 1.0, "confirmation") for i, s in enumerate((ana, bo))
    ]

    def email_about(to: str) -> Email:
        from devstack.load.bulletins import Planned

        planned = Planned(0, 0, "t", "b", None, [], [], "en", id="b1")  # type: ignore[arg-type]
        return Email(f"{to}.eml", to, "t", 2.0, "bulletin", bulletin=planned)

    # When only the every-language subscriber got it, the email invariant passes
    passing = LoadReport(SMALL)
    check_emails(passing, [*confirmations, email_about(bo.address)], [ana, bo], states)
    assert passing.passed, passing.render()
    # And when the Spanish-only subscriber got it too (what the product must not send), it fails
    failing = LoadReport(SMALL)
    check_emails(
        failing, [*confirmations, email_about(bo.address), email_about(ana.address)], [ana, bo], states
    )
    assert not failing.checks[0].ok
    assert "unexpected 1" in failing.checks[0].detail


def test_most_subscribers_want_their_own_language_and_some_every_language() -> None:
    # Given the mission's subscribers
    from devstack.load.population import generate_subscribers

    subscribers = generate_subscribers(LoadConfig(subscribers=2000), "t")
    # Then about 70 % want the bulletins of their own (email) language only, the rest every language
    own = [s for s in subscribers if s.bulletin_languages]
    assert all(s.bulletin_languages == [s.language] for s in own)
    assert 0.65 < len(own) / len(subscribers) < 0.75


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 90), percentile(values, 99)) == (50.0, 90.0, 99.0)
    assert percentile([3.0], 99) == 3.0
