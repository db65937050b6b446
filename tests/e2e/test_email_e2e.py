"""Subscriptions and email end to end: double opt-in, one email per match, one-click unsubscribe,
digests, bounces, and the faults email must survive."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import boto3
import pytest

from tests.support.api import submitted
from tests.support.faults import Crash, Fault, faults, hook_after_calls
from tests.support.http import Http
from tests.support.outbox import emails_to, link, text_of
from tests.support.seed import seed_bulletins, submission_of
from tests.support.subscribers import (
    confirmed_subscriber,
    fresh_address,
    request_subscription,
    subscribe_and_confirm,
)

pytestmark = pytest.mark.e2e

GT_SEED = seed_bulletins()[3]  # Guatemala and the United States
BZ_SEED = seed_bulletins()[8]  # Belize


def test_double_opt_in_then_exactly_one_email_then_one_click_unsubscribe(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given a confirmed subscriber to Guatemala, in Spanish
    address = confirmed_subscriber(stack, http, countries=["GT"])
    _, key = new_office()
    # When a matching and a non-matching bulletin are published
    submitted(http, key, submission_of(GT_SEED, " (1)"))
    submitted(http, key, submission_of(BZ_SEED, " (1)"))
    stack.wait_until_idle(timeout=30)
    # Then exactly one email arrives, well formed, localised, with one-click unsubscribe
    received = emails_to(stack.outbox_dir, address)[1:]
    assert len(received) == 1
    email = received[0]
    assert email.get_content_type() == "multipart/alternative"
    assert email.get_body(preferencelist=("html",)) is not None
    assert "\n" not in str(email["Subject"])
    assert GT_SEED["title"] in str(email["Subject"])
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(email["List-Unsubscribe"]).split("<", 1)[1].split(">", 1)[0]
    assert "/subscriptions/unsubscribe?token=" in unsubscribe_url
    assert "Guatemala" in text_of(email)
    # When the mail client posts the one-click unsubscribe
    one_click = http.post(
        unsubscribe_url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status == 200
    # Repeating it is harmless
    assert (
        http.post(
            unsubscribe_url,
            data=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status
        == 200
    )
    # Then the next matching bulletin sends nothing
    submitted(http, key, submission_of(GT_SEED, " (2)"))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 2


def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(
    stack: Any, http: Http, new_office: Any
) -> None:
    address = fresh_address()
    assert request_subscription(http, address).status == 202
    _, key = new_office()
    submitted(http, key, submission_of(GT_SEED, " (unconfirmed)"))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 1


def test_the_answer_is_the_same_for_new_known_and_bad_addresses_and_confirmations_are_rate_limited(
    stack: Any, http: Http
) -> None:
    address = fresh_address()
    answers = [request_subscription(http, address, frequency="daily") for _ in range(5)]
    assert {a.status for a in answers} == {202}
    assert len({a.body for a in answers}) == 1
    stack.wait_until_idle(timeout=20)
    assert len(emails_to(stack.outbox_dir, address)) == 3
    bad = http.post(
        "/subscriptions",
        json_body={
            "email": f"Evil <{address}>\r\nBcc: x@example.org",
            "language": "en",
            "frequency": "daily",
        },
    )
    assert bad.status == 422
    assert bad.header("Content-Type") == "application/problem+json"


def test_a_forged_or_tampered_token_changes_nothing(stack: Any, http: Http) -> None:
    address = confirmed_subscriber(stack, http)
    for bad in ("forged", "AAAA" * 20):
        reply = http.post(
            f"/subscriptions/unsubscribe?token={bad}",
            data=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= reply.status < 500
    confirm = link(emails_to(stack.outbox_dir, address)[0], "confirm")
    tampered = confirm[:-2] + ("A" if confirm[-2] != "A" else "B") + confirm[-1]
    assert 400 <= http.get(tampered).status < 500


def daily_subscriber_with_two_matches(stack: Any, http: Http, new_office: Any, label: str) -> str:
    """A confirmed daily subscriber to trafficking-in-persons, with a Guatemala and a Belize bulletin
    (their titles followed by ` (label)`) waiting for its digest; its address."""
    address = confirmed_subscriber(stack, http, frequency="daily", topics=["trafficking-in-persons"])
    _, key = new_office()
    submitted(http, key, submission_of(GT_SEED, f" ({label})"))
    submitted(http, key, submission_of(BZ_SEED, f" ({label})"))
    stack.wait_until_idle(timeout=30)
    return address


def test_a_daily_digest_gathers_the_matches_and_is_sent_once(stack: Any, http: Http, new_office: Any) -> None:
    address = daily_subscriber_with_two_matches(stack, http, new_office, "digest")
    assert len(emails_to(stack.outbox_dir, address)) == 1  # no immediate email
    run = http.post("/_local/digests/run")
    assert run.status == 200
    stack.wait_until_idle(timeout=30)
    digests = emails_to(stack.outbox_dir, address)[1:]
    assert len(digests) == 1
    assert GT_SEED["title"] in text_of(digests[0])
    assert BZ_SEED["title"] in text_of(digests[0])
    # Nothing new since: the next run sends no digest at all
    http.post("/_local/digests/run")
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 2


def test_a_digest_whose_sender_died_after_ses_is_settled_by_the_send_event(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given a daily subscriber with two matches waiting
    address = daily_subscriber_with_two_matches(stack, http, new_office, "digest crash")
    hook_after_calls("ses")
    crash = Crash(
        "ses",
        "SendRawEmail",
        # SES's query protocol: the tags arrive as Tags.member.N.Name / .Value form fields
        when=lambda p: any(k.startswith("Tags.") and v == "digest" for k, v in p.items()),
    )
    # When the sender dies right after SES took the digest, before it could record anything
    with faults(crash):
        assert http.post("/_local/digests/run").status == 200
        stack.wait_until_idle(timeout=45)
    stack.wait_until_idle(timeout=30)
    # Then the digest went once, with both bulletins
    assert crash.fired == 1
    digests = emails_to(stack.outbox_dir, address)[1:]
    assert len(digests) == 1
    assert GT_SEED["title"] in text_of(digests[0])
    assert BZ_SEED["title"] in text_of(digests[0])
    # And SES's Send event settled what it held: the next run finds nothing left to send
    assert http.post("/_local/digests/run").status == 200
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 2


def notify_ses(stack: Any, notification: dict[str, Any]) -> None:
    topic = stack.ref("SesEventsTopic")
    boto3.client("sns").publish(TopicArn=topic, Message=json.dumps(notification))


@pytest.mark.parametrize("kind", ["bounce", "complaint"])
def test_a_permanent_bounce_or_a_complaint_suppresses_the_address_everywhere(
    stack: Any, http: Http, new_office: Any, kind: str
) -> None:
    address = confirmed_subscriber(stack, http)
    if kind == "bounce":
        notification = {
            "notificationType": "Bounce",
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": address}]},
            "mail": {"destination": [address]},
        }
    else:
        notification = {
            "notificationType": "Complaint",
            "complaint": {"complainedRecipients": [{"emailAddress": address}]},
            "mail": {"destination": [address]},
        }
    notify_ses(stack, notification)
    stack.wait_until_idle(timeout=20)
    _, key = new_office()
    submitted(http, key, submission_of(GT_SEED, f" ({kind})"))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 1  # the confirmation only
    # And subscribing again sends nothing, with the same answer as always
    assert request_subscription(http, address).status == 202
    stack.wait_until_idle(timeout=20)
    assert len(emails_to(stack.outbox_dir, address)) == 1


def test_ses_throttling_is_retried_and_the_email_still_goes_once(
    stack: Any, http: Http, new_office: Any
) -> None:
    address = confirmed_subscriber(stack, http, countries=["BZ"])
    _, key = new_office()
    throttled = Fault("ses", "SendRawEmail", times=6, error_code="Throttling")
    with faults(throttled):
        submitted(http, key, submission_of(BZ_SEED, " (throttled)"))
        stack.wait_until_idle(timeout=60)
    stack.wait_until_idle(timeout=60)
    assert throttled.fired == 6
    assert len(emails_to(stack.outbox_dir, address)) == 2


def test_a_crash_between_send_and_mark_never_sends_twice(stack: Any, http: Http, new_office: Any) -> None:
    address = confirmed_subscriber(stack, http, countries=["BZ"])
    _, key = new_office()
    # Given the ledger write after SES accepted the email fails (the sender dies there)
    crash = Fault(
        "dynamodb",
        "UpdateItem",
        times=1,
        error_code="InternalServerError",
        when=lambda p: ":sent" in p.get("ExpressionAttributeValues", {}),
    )
    with faults(crash):
        bulletin_id = submitted(http, key, submission_of(BZ_SEED, " (crash)"))
        stack.wait_until_idle(timeout=60)
    stack.wait_until_idle(timeout=30)
    assert crash.fired == 1
    # Then the email went once, and the retried message did not send it again
    assert len(emails_to(stack.outbox_dir, address)) == 2
    # And SES's Send event marked the line the sender could not: nothing is left 'sending'
    report = http.get(f"/bulletins/{bulletin_id}", key=key).json()["delivery"]["emails"]
    assert report.get("sending", 0) == 0
    assert report.get("sent", 0) >= 1


def test_the_same_event_delivered_twice_sends_no_second_email(
    stack: Any, http: Http, new_office: Any
) -> None:
    address = confirmed_subscriber(stack, http, countries=["BZ"])
    _, key = new_office()
    bulletin_id = submitted(http, key, submission_of(BZ_SEED, " (twice)"))
    stack.wait_until_idle(timeout=30)
    detail = {
        "id": bulletin_id,
        "version": 1,
        "office": "x",
        "language": "en",
        "countries": ["BZ"],
        "topics": [],
        "published_on": BZ_SEED["published_on"],
    }
    envelope = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Bulletin Published",
        "source": "boletin.bulletins",
        "detail": detail,
    }
    boto3.client("sqs").send_message(QueueUrl=stack.ref("EmailQueue"), MessageBody=json.dumps(envelope))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 2


def test_the_preferences_link_changes_filters_language_and_frequency(
    stack: Any, http: Http, new_office: Any
) -> None:
    address = confirmed_subscriber(stack, http, countries=["GT"])
    _, key = new_office()
    submitted(http, key, submission_of(GT_SEED, " (prefs)"))
    stack.wait_until_idle(timeout=30)
    email = emails_to(stack.outbox_dir, address)[-1]
    manage = link(email, "manage")
    page = http.get(manage)
    assert page.status == 200
    assert b"<form" in page.body
    # When the subscriber switches to Belize only, weekly, in English
    saved = http.post(
        manage,
        data=b"countries=BZ&frequency=weekly&language=en",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert saved.status == 200
    # Then a Guatemala bulletin no longer reaches them, and a Belize one waits for the weekly digest
    before = len(emails_to(stack.outbox_dir, address))
    submitted(http, key, submission_of(GT_SEED, " (after prefs)"))
    submitted(http, key, submission_of(BZ_SEED, " (after prefs)"))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == before
    assert http.post("/_local/digests/run").status == 200
    stack.wait_until_idle(timeout=30)
    digest = emails_to(stack.outbox_dir, address)[-1]
    assert BZ_SEED["title"] in text_of(digest)
    assert GT_SEED["title"] + " (after prefs)" not in text_of(digest)
    assert digest["Content-Language"] == "en"
    # A tampered preferences token changes nothing
    assert (
        400
        <= http.post(
            manage[:-3] + "xyz",
            data=b"frequency=daily&language=es",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status
        < 500
    )


def timezone_at_eight(moment: datetime) -> str:
    """A whole-hour IANA zone where `moment` falls in the 08:00 hour (Etc/GMT-3 is UTC+3)."""
    offset = (8 - moment.hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}")


def test_a_digest_run_that_fails_for_good_is_dead_lettered_and_its_replay_sends_that_hour_once(
    stack: Any, http: Http, new_office: Any
) -> None:
    sqs = boto3.client("sqs")
    dlq = stack.ref("DigestDLQ")

    # Given the hourly digest run fails on its first attempt and on both of Lambda's retries
    stack.registry.fail_next("DigestFunction", times=3)
    outcome = stack.run_schedule("DigestFunction")

    # Then an invocation record waits in DigestDLQ: the scheduled event, the error, three attempts
    assert outcome[0]["dead_lettered"] is True
    (message,) = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert "injected failure" in record["responsePayload"]["errorMessage"]
    event = record["requestPayload"]
    scheduled = datetime.fromisoformat(event["time"])

    # Given, by the time the cause is fixed, a daily subscriber for whom that hour was 08:00 has a match
    address = fresh_address()
    zone = timezone_at_eight(scheduled)
    subscribe_and_confirm(stack, http, address, frequency="daily", timezone=zone, countries=["GT"])
    _, key = new_office()
    submitted(http, key, submission_of(GT_SEED, " (dead-lettered digest)"))
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, address)) == 1  # the confirmation only

    # When ops replay the dead-lettered event, twice by mistake
    first = stack.invoke("DigestFunction", event)
    second = stack.invoke("DigestFunction", event)
    stack.wait_until_idle(timeout=30)

    # Then that hour's digest went out exactly once
    assert (first["queued"], second["queued"]) == (1, 0)
    digests = emails_to(stack.outbox_dir, address)[1:]
    assert len(digests) == 1
    assert GT_SEED["title"] in text_of(digests[0])
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
