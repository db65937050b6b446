"""SES events (SesEventHandler) with in-memory fakes: a Send settles the line a sender left
'sending', a digest with what it held; a permanent bounce or a complaint suppresses the address
and ends its subscriptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from boletin.email import address_key
from boletin.models.deliveries import DeliveryKind, DeliveryRecord, DeliveryStatus, LedgerLine
from boletin.repositories.ledger_lines import bulletin_line, digest_line, line_tag
from boletin.services.ses_events import SesEventHandler
from tests.support.email_fakes import Clock, FakeLedger, FakeSubscriptions, signing_keys, subscription

KEYS = signing_keys()


class Setup:
    def __init__(self) -> None:
        self.subscriptions, self.ledger, self.clock = FakeSubscriptions(), FakeLedger(), Clock()
        self.handler = SesEventHandler(self.subscriptions, self.ledger, KEYS, clock=self.clock)  # type: ignore[arg-type]

    def line(self, line: LedgerLine, status: DeliveryStatus, *, pending: bool = False) -> LedgerLine:
        kind = DeliveryKind.DIGEST if line.pk.startswith("DIGEST#") else DeliveryKind.BULLETIN
        delivery = DeliveryRecord.at(
            line, kind=kind, status=status, subscription_id="sub-1", address_key="addr-1",
            bulletin_id=None if kind == DeliveryKind.DIGEST else "b1", created_at=self.clock() - timedelta(hours=1),
        )  # fmt: skip
        self.ledger.record(delivery, pending_digest=pending)
        if status == DeliveryStatus.SENDING:
            claimed = self.ledger.lines[line].model_copy(update={"claimed_at": self.clock()})
            self.ledger.lines[line] = claimed
        return line


@pytest.fixture
def setup() -> Setup:
    return Setup()


def event(kind: str, line: LedgerLine | None, **fields: Any) -> dict[str, Any]:
    tags = {"ledger_kind": ["bulletin"], "ledger_line": [line_tag(line)]} if line else {}
    return {"eventType": kind, "mail": {"messageId": "ses-9", "tags": tags}, **fields}


def test_a_send_event_settles_a_line_left_sending_once(setup: Setup) -> None:
    # Given a line a sender claimed and died on after SES took the email
    line = setup.line(bulletin_line("b1", "addr-1"), DeliveryStatus.SENDING)
    # When SES's Send event arrives twice (SNS and SQS deliver at least once)
    outcomes = [setup.handler.handle(event("Send", line)) for _ in range(2)]
    # Then the line is sent with SES's message id, by the first event only
    assert [o.settled for o in outcomes] == [True, False]
    settled = setup.ledger.get(line)
    assert settled is not None
    assert (settled.status, settled.message_id) == (DeliveryStatus.SENT, "ses-9")


def test_a_digests_send_event_settles_what_it_held(setup: Setup) -> None:
    # Given a digest left 'sending', and two matches waiting from before its claim
    first = setup.line(bulletin_line("b1", "addr-1"), DeliveryStatus.PENDING_DIGEST, pending=True)
    second = setup.line(bulletin_line("b2", "addr-1"), DeliveryStatus.PENDING_DIGEST, pending=True)
    digest = setup.line(digest_line("sub-1", "2026-12-07"), DeliveryStatus.SENDING)
    # When its Send event arrives
    assert setup.handler.handle(event("Send", digest)).settled
    # Then the digest and both matches it held are sent: no later digest holds them again
    assert [setup.ledger.status_of(x) for x in (first, second, digest)] == [DeliveryStatus.SENT] * 3


def test_a_send_event_for_a_line_already_sent_changes_nothing(setup: Setup) -> None:
    line = setup.line(bulletin_line("b1", "addr-1"), DeliveryStatus.SENT)
    assert not setup.handler.handle(event("Send", line)).settled
    assert setup.ledger.status_of(line) == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("kind", "fields", "reason", "status"),
    [
        (
            "Bounce",
            {
                "bounce": {
                    "bounceType": "Permanent",
                    "bouncedRecipients": [{"emailAddress": "reader1@example.org"}],
                }
            },
            "bounced",
            DeliveryStatus.BOUNCED,
        ),
        (
            "Complaint",
            {"complaint": {"complainedRecipients": [{"emailAddress": "Reader1@Example.org"}]}},
            "complained",
            DeliveryStatus.COMPLAINED,
        ),
    ],
)
def test_a_permanent_bounce_or_a_complaint_suppresses_the_address_and_ends_its_subscriptions(
    setup: Setup, kind: str, fields: dict[str, Any], reason: str, status: DeliveryStatus
) -> None:
    # Given an address with two active subscriptions, and a line sent to it
    key = address_key("reader1@example.org", KEYS.addresses)
    for n in (1, 2):
        setup.subscriptions.add(subscription(n).model_copy(update={"address_key": key}))
    line = setup.line(bulletin_line("b1", key), DeliveryStatus.SENT)
    # When SES reports it
    outcome = setup.handler.handle(event(kind, line, **fields))
    # Then the address is suppressed, both subscriptions ended, and the line says why
    assert (outcome.reason, outcome.suppressed) == (reason, 1)
    profile = setup.subscriptions.get_subscriber(key)
    assert profile is not None
    assert profile.suppressed
    assert {r.status for r in setup.subscriptions.records.values()} == {"ended"}
    assert setup.ledger.status_of(line) == status


def test_a_transient_bounce_changes_nothing(setup: Setup) -> None:
    setup.subscriptions.add(subscription(1))
    bounce = {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "reader1@example.org"}]}
    outcome = setup.handler.handle(event("Bounce", None, bounce=bounce))
    assert (outcome.reason, outcome.suppressed) == (None, 0)
    assert setup.subscriptions.records["sub-1"].status == "active"
    assert setup.subscriptions.subscribers == {}


def test_events_naming_no_line_write_none(setup: Setup) -> None:
    # Given a Send event whose tags name a line the ledger does not have, and one with no tags
    missing = bulletin_line("b9", "addr-9")
    # When they arrive, Then nothing is settled and no line appears
    assert not setup.handler.handle(event("Send", missing)).settled
    assert not setup.handler.handle(event("Send", None)).settled
    assert setup.ledger.lines == {}
