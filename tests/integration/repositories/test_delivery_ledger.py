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
