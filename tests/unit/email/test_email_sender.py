"""Sending (Sender) with in-memory fakes: one email per queued line, none twice, a claim held
elsewhere postponed, a throttled send given back, a refused one marked failed."""

from __future__ import annotations

import pytest

from boletin.models.deliveries import (
    BulletinMessage,
    ConfirmationMessage,
    DeliveryStatus,
    LedgerLine,
)
from boletin.repositories.ledger_lines import confirmation_line, line_of_tags
from boletin.repositories.messaging import SendThrottledError
from tests.support.email_fakes import LEASE_SECONDS, AwsError, EmailFakes, bulletin, subscription

LEASE = LEASE_SECONDS


class Setup(EmailFakes):
    def __post_init__(self) -> None:
        self.bulletins.records["b1"] = bulletin("b1", "Guatemala opens a migrant centre")
        self.sending = self.sender()

    def queued(self, n: int, bulletin_id: str = "b1") -> LedgerLine:
        """An active immediate subscriber with a queued line about the bulletin."""
        record = self.subscriptions.add(subscription(n))
        return self.bulletin_line_for(record, bulletin_id, DeliveryStatus.QUEUED, created_at=self.clock())


@pytest.fixture
def setup() -> Setup:
    return Setup()


def test_a_queued_line_is_sent_once_even_when_its_message_comes_twice(setup: Setup) -> None:
    # Given a queued line for a subscriber
    line = setup.queued(1)
    # When its message is handled twice (SQS delivers at least once)
    first = setup.sending.send(BulletinMessage.of(line))
    second = setup.sending.send(BulletinMessage.of(line))
    # Then one email went, carrying the bulletin and the tags that name its line
    assert (first.status, second.status) == ("sent", "skipped")
    (email,) = setup.mailer.to("reader1@example.org")
    assert "Guatemala opens a migrant centre" in email.text
    assert line_of_tags({k: [v] for k, v in email.tags.items()}) == line
    # And the ledger says sent, with SES's message id
    sent = setup.ledger.get(line)
    assert sent is not None
    assert (sent.status, sent.message_id) == (DeliveryStatus.SENT, first.message_id)


def test_a_line_another_sender_holds_is_postponed_until_its_lease_ends(setup: Setup) -> None:
    # Given a line another sender claimed 30 s ago
    line = setup.queued(1)
    setup.ledger.claim(line, from_status=DeliveryStatus.QUEUED, now=setup.clock(), lease_seconds=LEASE)
    setup.clock.advance(30)
    # When its message comes again
    outcome = setup.sending.send(BulletinMessage.of(line))
    # Then nothing is sent now: the message goes back, delayed until just after the lease
    assert outcome.status == "postponed"
    assert setup.mailer.sent == []
    assert setup.queue.sent == [BulletinMessage.of(line).model_dump(mode="json")]
    assert setup.queue.delays == [91]


def test_a_line_whose_sender_died_is_sent_by_the_retry_after_the_lease(setup: Setup) -> None:
    # Given a line claimed by a sender that died before SES took it (no Send event came)
    line = setup.queued(1)
    setup.ledger.claim(line, from_status=DeliveryStatus.QUEUED, now=setup.clock(), lease_seconds=LEASE)
    # When the queue's retry comes after the lease
    setup.clock.advance(LEASE + 1)
    outcome = setup.sending.send(BulletinMessage.of(line))
    # Then the email goes, once
    assert outcome.status == "sent"
    assert len(setup.mailer.sent) == 1


def test_a_throttled_send_gives_the_claim_back_for_the_queue_to_retry(setup: Setup) -> None:
    # Given SES throttles the send
    line = setup.queued(1)
    setup.mailer.fail_with = SendThrottledError("throttled")
    # When the message is handled, Then it fails (the queue retries it) and nothing went
    with pytest.raises(SendThrottledError):
        setup.sending.send(BulletinMessage.of(line))
    assert setup.mailer.sent == []
    # And the line is queued again, so the retry sends it at once
    assert setup.ledger.status_of(line) == DeliveryStatus.QUEUED
    assert setup.sending.send(BulletinMessage.of(line)).status == "sent"


def test_a_send_ses_refuses_for_good_is_marked_failed_and_not_retried(setup: Setup) -> None:
    # Given SES rejects the message
    line = setup.queued(1)
    setup.mailer.fail_with = AwsError("MessageRejected")
    # When it is handled
    outcome = setup.sending.send(BulletinMessage.of(line))
    # Then it is failed, without an error that would make the queue retry it
    assert outcome.status == "failed"
    assert setup.ledger.status_of(line) == DeliveryStatus.FAILED
    assert setup.sending.send(BulletinMessage.of(line)).status == "skipped"


def test_an_unknown_outcome_keeps_the_claim_for_the_send_event_or_the_lease_to_settle(setup: Setup) -> None:
    # Given SES's answer is lost (a timeout: SES may or may not have taken it)
    line = setup.queued(1)
    setup.mailer.fail_with = TimeoutError("read timed out")
    # When it is handled, Then the error surfaces and the line stays 'sending' (not sent again now)
    with pytest.raises(TimeoutError):
        setup.sending.send(BulletinMessage.of(line))
    assert setup.ledger.status_of(line) == DeliveryStatus.SENDING
    assert setup.sending.send(BulletinMessage.of(line)).status == "postponed"


@pytest.mark.parametrize("why", ["unsubscribed", "suppressed", "withdrawn", "archived"])
def test_a_line_no_longer_wanted_is_dropped_not_sent(setup: Setup, why: str) -> None:
    # Given a queued line, and then the subscription ended, the address suppressed, or the bulletin gone
    line = setup.queued(1)
    record = setup.subscriptions.records["sub-1"]
    if why == "unsubscribed":
        setup.subscriptions.end(record, "unsubscribed", setup.clock())
    elif why == "suppressed":
        setup.subscriptions.suppress(record.address_key, "bounced")
    else:
        status, notify = ("withdrawn", True) if why == "withdrawn" else ("published", False)
        setup.bulletins.records["b1"] = bulletin("b1", "Gone", status=status, notify=notify)
    # When its message is handled
    outcome = setup.sending.send(BulletinMessage.of(line))
    # Then no email goes and the line is dropped
    assert outcome.status == "dropped"
    assert setup.mailer.sent == []
    assert setup.ledger.status_of(line) == DeliveryStatus.DROPPED


def test_a_pending_subscription_gets_its_confirmation_link_once(setup: Setup) -> None:
    # Given a pending subscription
    setup.subscriptions.add(subscription(1, status="pending"))
    # When its confirmation message is handled twice
    outcomes = [setup.sending.send(ConfirmationMessage(subscription_id="sub-1")) for _ in range(2)]
    # Then one email with its confirmation link went, and the ledger records it sent
    assert [o.status for o in outcomes] == ["sent", "skipped"]
    (email,) = setup.mailer.to("reader1@example.org")
    assert "https://api.example.org/subscriptions/confirm?token=" in email.text
    assert setup.ledger.status_of(confirmation_line("sub-1")) == DeliveryStatus.SENT


def test_a_suppressed_address_gets_no_confirmation(setup: Setup) -> None:
    # Given a pending subscription of a suppressed address
    record = setup.subscriptions.add(subscription(1, status="pending"))
    setup.subscriptions.suppress(record.address_key, "complained")
    # When its confirmation message is handled, Then nothing is sent or recorded
    assert setup.sending.send(ConfirmationMessage(subscription_id="sub-1")).status == "dropped"
    assert setup.mailer.sent == []
    assert setup.ledger.lines == {}


def test_bulletins_are_looked_up_once_per_batch(setup: Setup) -> None:
    # Given two subscribers queued for the same bulletin, which is withdrawn after the first batch
    first, second = setup.queued(1), setup.queued(2)
    assert setup.sending.send(BulletinMessage.of(first)).status == "sent"
    setup.bulletins.records["b1"] = bulletin("b1", "Withdrawn", status="withdrawn")
    # When the next batch starts
    setup.sending.forget_bulletins()
    # Then the withdrawn bulletin is not sent to the second subscriber
    assert setup.sending.send(BulletinMessage.of(second)).status == "dropped"
