"""The delivery ledger against the template's DeliveriesTable in moto (in process, no HTTP stack):
claims hold for a lease, SES's Send event settles a line the sender could not mark, and SES events
never write a line the ledger lacks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from boletin.composition.email import ses_event_handler
from boletin.models.deliveries import DeliveryKind, DeliveryRecord, DeliveryStatus
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.ledger_lines import bulletin_line, line_tag
from tests.support.template_in_moto import TemplateInMoto

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
LEASE = 120.0


@pytest.fixture
def ledger(template_aws: TemplateInMoto) -> DeliveryRepository:
    return DeliveryRepository(template_aws.ref("DeliveriesTable"), client=boto3.client("dynamodb"))


def queued_line(ledger: DeliveryRepository) -> DeliveryRecord:
    line = DeliveryRecord.at(
        bulletin_line(uuid.uuid4().hex, uuid.uuid4().hex),
        kind=DeliveryKind.BULLETIN,
        status=DeliveryStatus.QUEUED,
        subscription_id=uuid.uuid4().hex,
        address_key=uuid.uuid4().hex,
        bulletin_id="b1",
        created_at=NOW,
    )
    assert ledger.record(line)
    return line


def lines_of(template_aws: TemplateInMoto, pk: str) -> list[dict[str, Any]]:
    table = template_aws.ref("DeliveriesTable")
    return boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": pk}},
        ConsistentRead=True,
    )["Items"]


def test_a_claim_holds_the_line_for_its_lease_and_then_lets_it_go(ledger: DeliveryRepository) -> None:
    # Given a queued line claimed by one sender
    line = queued_line(ledger)
    first = ledger.claim(line.line, from_status=DeliveryStatus.QUEUED, now=NOW, lease_seconds=LEASE)
    assert first.delivery is not None
    assert first.delivery.status == "sending"
    # When another sender tries within the lease, it is told how long the line is still held
    during = ledger.claim(
        line.line, from_status=DeliveryStatus.QUEUED, now=NOW + timedelta(seconds=30), lease_seconds=LEASE
    )
    assert during.delivery is None
    assert during.held_for == pytest.approx(90.0)
    # Then once the lease is over (and no Send event marked it sent), it can be claimed again
    after = ledger.claim(
        line.line, from_status=DeliveryStatus.QUEUED, now=NOW + timedelta(seconds=121), lease_seconds=LEASE
    )
    assert after.delivery is not None
    assert after.delivery.attempts == 2


def test_a_sent_line_is_never_claimed_again(ledger: DeliveryRepository) -> None:
    # Given a line claimed and marked sent
    line = queued_line(ledger)
    ledger.claim(line.line, from_status=DeliveryStatus.QUEUED, now=NOW, lease_seconds=LEASE)
    ledger.mark_sent(line.line, message_id="m-1", now=NOW)
    # When a late retry tries to claim it, long after the lease
    late = ledger.claim(
        line.line, from_status=DeliveryStatus.QUEUED, now=NOW + timedelta(days=1), lease_seconds=LEASE
    )
    # Then there is nothing to send and nothing to wait for
    assert (late.delivery, late.held_for) == (None, 0.0)


def test_a_send_event_settles_a_line_left_sending_once(
    template_aws: TemplateInMoto, ledger: DeliveryRepository
) -> None:
    # Given a line a sender claimed and died on after SES took the email
    line = queued_line(ledger)
    ledger.claim(line.line, from_status=DeliveryStatus.QUEUED, now=NOW, lease_seconds=LEASE)
    handler = ses_event_handler()
    send_event = {
        "eventType": "Send",
        "mail": {
            "messageId": "ses-1",
            "timestamp": "2026-11-29T08:00:01.000Z",
            "tags": {"ledger_kind": ["bulletin"], "ledger_line": [line_tag(line.line)]},
        },
        "send": {},
    }
    # When SES's Send event arrives, twice (SNS and SQS deliver at least once)
    outcomes = [handler.handle(send_event), handler.handle(send_event)]
    # Then the line is sent with SES's message id, settled by the first event only
    assert [o.settled for o in outcomes] == [True, False]
    settled = ledger.get(line.line)
    assert settled is not None
    assert (settled.status, settled.message_id) == ("sent", "ses-1")
    # And a retry after the lease finds nothing to send
    retry = ledger.claim(
        line.line, from_status=DeliveryStatus.QUEUED, now=NOW + timedelta(hours=1), lease_seconds=LEASE
    )
    assert retry.delivery is None


def test_ses_events_never_write_a_line_the_ledger_does_not_have(template_aws: TemplateInMoto) -> None:
    # Given SES events naming a line that is not in the ledger
    handler = ses_event_handler()
    missing = bulletin_line(uuid.uuid4().hex, uuid.uuid4().hex)
    tags = {"ledger_kind": ["bulletin"], "ledger_line": [line_tag(missing)]}
    address = f"gone-{uuid.uuid4().hex[:8]}@example.org"
    # When a Send event and a permanent bounce arrive for it
    send = handler.handle({"eventType": "Send", "mail": {"messageId": "x", "tags": tags}})
    bounce = handler.handle(
        {
            "eventType": "Bounce",
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": address}]},
            "mail": {"messageId": "x", "tags": tags, "destination": [address]},
        }
    )
    # Then the bounce is acted on, and still no ledger line exists for that key
    assert send.settled is False
    assert (bounce.reason, bounce.suppressed) == ("bounced", 1)
    assert lines_of(template_aws, missing.pk) == []


def test_a_bounce_marks_the_line_it_names(template_aws: TemplateInMoto, ledger: DeliveryRepository) -> None:
    # Given a sent line
    line = queued_line(ledger)
    ledger.claim(line.line, from_status=DeliveryStatus.QUEUED, now=NOW, lease_seconds=LEASE)
    ledger.mark_sent(line.line, message_id="m-2", now=NOW)
    address = f"bounce-{uuid.uuid4().hex[:8]}@example.org"
    # When SES reports a permanent bounce of that email
    ses_event_handler().handle(
        {
            "eventType": "Bounce",
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": address}]},
            "mail": {
                "messageId": "m-2",
                "destination": [address],
                "tags": {"ledger_kind": ["bulletin"], "ledger_line": [line_tag(line.line)]},
            },
        }
    )
    # Then that very line says bounced, and it is still the only line of its bulletin
    items = lines_of(template_aws, line.pk)
    assert [(i["sk"]["S"], i["status"]["S"]) for i in items] == [(line.sk, "bounced")]


def _bulletin_lines(count: int, bulletin: str) -> list[DeliveryRecord]:
    """A bulletin's lines for `count` subscribers, every third one pending its digest."""
    return [
        DeliveryRecord.at(
            bulletin_line(bulletin, f"addr-{n:04d}"),
            kind=DeliveryKind.BULLETIN,
            status=DeliveryStatus.PENDING_DIGEST if n % 3 == 0 else DeliveryStatus.QUEUED,
            subscription_id=f"sub-{bulletin}-{n:04d}",
            address_key=f"addr-{n:04d}",
            bulletin_id=bulletin,
            frequency="daily" if n % 3 == 0 else "immediate",
            created_at=NOW,
        )
        for n in range(count)
    ]


def _counted(ledger: DeliveryRepository) -> list[str]:
    calls: list[str] = []
    ledger.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name), unique_id=uuid.uuid4().hex
    )
    return calls


def test_a_bulletins_lines_are_written_a_hundred_to_a_call(
    ledger: DeliveryRepository, template_aws: TemplateInMoto
) -> None:
    # Given the lines of one bulletin for 250 subscribers
    bulletin = uuid.uuid4().hex
    lines = _bulletin_lines(250, bulletin)
    calls = _counted(ledger)
    # When they are recorded together
    found = ledger.record_all_or_get(lines)
    # Then every one is new, written in three transactions, each line in the ledger as given
    assert found == [None] * 250
    assert calls == ["TransactWriteItems"] * 3
    stored = {item["sk"]["S"]: item["status"]["S"] for item in lines_of(template_aws, lines[0].pk)}
    assert stored == {line.sk: line.status for line in lines}
    # and those pending their digest wait on its index
    assert [d.line for d in ledger.pending_digest(lines[0].subscription_id)] == [lines[0].line]
    assert ledger.pending_digest(lines[1].subscription_id) == []


def test_recording_again_finds_the_lines_there_and_changes_none_of_them(
    ledger: DeliveryRepository, template_aws: TemplateInMoto
) -> None:
    # Given 130 of a bulletin's 230 lines already in the ledger (a retried event), one of them sent
    bulletin = uuid.uuid4().hex
    lines = _bulletin_lines(230, bulletin)
    assert ledger.record_all_or_get(lines[:130]) == [None] * 130
    ledger.claim(lines[1].line, from_status=DeliveryStatus.QUEUED, now=NOW, lease_seconds=LEASE)
    ledger.mark_sent(lines[1].line, message_id="m-1", now=NOW)
    # When all 230 are recorded
    found = ledger.record_all_or_get(lines)
    # Then the 130 come back as they are in the ledger (the sent one sent) and the 100 others are new
    assert [f is not None for f in found] == [True] * 130 + [False] * 100
    assert found[1] is not None
    assert found[1].status == DeliveryStatus.SENT
    assert {f.status for f in found[2:130] if f is not None} <= {
        DeliveryStatus.QUEUED,
        DeliveryStatus.PENDING_DIGEST,
    }
    # and the ledger holds each line once, the sent one still sent
    stored = {item["sk"]["S"]: item["status"]["S"] for item in lines_of(template_aws, lines[0].pk)}
    assert len(stored) == 230
    assert stored[lines[1].sk] == DeliveryStatus.SENT


def test_a_digests_lines_are_marked_sent_a_hundred_to_a_call(
    ledger: DeliveryRepository, template_aws: TemplateInMoto
) -> None:
    # Given 150 lines of one subscriber pending their digest
    subscription = f"sub-{uuid.uuid4().hex}"
    lines = [
        line.model_copy(update={"subscription_id": subscription, "status": DeliveryStatus.PENDING_DIGEST})
        for line in _bulletin_lines(150, uuid.uuid4().hex)
    ]
    assert ledger.record_all_or_get(lines) == [None] * 150
    assert len(ledger.pending_digest(subscription)) == 150
    calls = _counted(ledger)
    # When the digest that held them is sent
    ledger.mark_all_sent([line.line for line in lines], message_id="digest-1", now=NOW)
    # Then two transactions marked every line sent with the digest's message, off the pending index
    assert calls == ["TransactWriteItems"] * 2
    stored = lines_of(template_aws, lines[0].pk)
    assert {(i["status"]["S"], i["message_id"]["S"]) for i in stored} == {(DeliveryStatus.SENT, "digest-1")}
    assert len(stored) == 150
    assert ledger.pending_digest(subscription) == []
