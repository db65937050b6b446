"""Confirmation-email send limits against moto's DynamoDB: per mailbox (plus-tags and Gmail dots
folded), per source IP and overall, each a conditional write, so racing requests cannot overshoot (a
read-then-write limiter lets every racer read "2 sent" and send a fourth)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from boletin.email import address_key, mailbox_of
from boletin.models.subscriptions import SubscriptionRecord, SubscriptionRequest
from boletin.repositories.subscriptions import SendLimitReachedError, SubscriptionRepository
from boletin.services.subscriptions import MAX_CONFIRMATIONS_PER_DAY, send_limits

NOW = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
SECRET = b"s" * 32


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="subscriptions",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def pending(address: str) -> SubscriptionRecord:
    return SubscriptionRecord(
        id=str(uuid.uuid4()),
        address=address,
        address_key=address_key(address, SECRET),
        language="es",
        countries=["GT"],
        topics=[],
        frequency="immediate",
        timezone="UTC",
        status="pending",
        created_at=NOW,
    )


def attempt(
    repository: SubscriptionRepository, address: str, ip: str, now: datetime = NOW, **limits: int
) -> bool:
    """One subscribe's write: True if its confirmation email may go."""
    counted = send_limits(
        address_key(mailbox_of(address), SECRET),
        address_key(f"ip:{ip}", SECRET),
        now,
        per_source=limits.get("per_source", 30),
        per_hour=limits.get("per_hour", 500),
    )
    try:
        repository.create_pending(pending(address), [now], counted)
    except SendLimitReachedError:
        return False
    return True


def test_plus_tags_and_gmail_dots_count_as_one_mailbox() -> None:
    # Given addresses a bomber would vary to multiply the per-address limit
    variants = ["ana.lopez+1@gmail.com", "analopez+news@googlemail.com", "A.N.A.Lopez@Gmail.com"]
    # Then they are one mailbox; dots still count at providers that deliver them apart
    assert {mailbox_of(v) for v in variants} == {"analopez@gmail.com"}
    assert mailbox_of("ana.lopez+x@example.org") == "ana.lopez@example.org"
    assert mailbox_of("ana.lopez@example.org") != mailbox_of("analopez@example.org")


class Outbox:
    """The send queue: the confirmation emails asked for."""

    def __init__(self) -> None:
        self.confirmations: list[str] = []

    def send(self, messages: list[dict[str, Any]], *, delay_seconds: int = 0) -> int:
        self.confirmations += [m["subscription_id"] for m in messages]
        return 1


class InterleavingRepository(SubscriptionRepository):
    """Runs another request between this request's read of the subscriber and its write: what two
    concurrent requests do on AWS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.between: list[Any] = []

    def get_subscriber(self, address_key: str) -> Any:
        found = super().get_subscriber(address_key)
        while self.between:
            self.between.pop()()
        return found


def subscription_service(repository: SubscriptionRepository, outbox: Outbox, keys: Any) -> Any:
    """The service with no per-IP or hourly limit (the mailbox limit always holds), at NOW."""
    from boletin.services.subscriber_links import SubscriberLinks
    from boletin.services.subscriptions import ConfirmationLimits, SubscriptionService

    links = SubscriberLinks(keys, "https://api.example.org")
    return SubscriptionService(repository, outbox, keys, links, ConfirmationLimits(), clock=lambda: NOW)  # type: ignore[arg-type]


@pytest.fixture
def service(table: Any) -> Any:
    from boletin.repositories.messaging import SigningKeys

    repository = InterleavingRepository("subscriptions", client=table)
    return subscription_service(repository, Outbox(), SigningKeys("unused", secret=SECRET))


def request(email: str) -> SubscriptionRequest:
    return SubscriptionRequest.model_validate(
        {"email": email, "language": "es", "countries": ["GT"], "frequency": "immediate"}
    )


def test_plus_tags_and_dots_of_one_gmail_mailbox_get_three_confirmations_a_day(service: Any) -> None:
    # Given a bomber who varies one Gmail mailbox with plus-tags and dots (10 x 3 on today's limit)
    variants = [f"vic.tim+{n}@gmail.com" for n in range(10)] + [
        "v.i.c.t.i.m@googlemail.com",
        "victim@gmail.com",
    ]
    # When each variant is subscribed
    for address in variants:
        service.subscribe(request(address))
    # Then the mailbox gets the daily limit of confirmation emails, not one per variant
    assert len(service.send_queue.confirmations) == MAX_CONFIRMATIONS_PER_DAY


def test_two_requests_racing_for_the_last_confirmation_send_only_one(service: Any) -> None:
    # Given a mailbox with two of its three confirmations sent today
    service.subscribe(request("ana+1@example.org"))
    service.subscribe(request("ana+2@example.org"))
    # When a third and a fourth request both read the subscriber before either writes
    service.subscriptions.between.append(lambda: service.subscribe(request("ana+4@example.org")))
    service.subscribe(request("ana+3@example.org"))
    # Then only one of them sends: the limit is a conditional write, not a read then a write
    assert len(service.send_queue.confirmations) == MAX_CONFIRMATIONS_PER_DAY


def test_one_source_ip_and_the_whole_service_are_limited_per_hour(table: Any) -> None:
    repository = SubscriptionRepository("subscriptions", client=table)
    # Given one IP subscribing many different mailboxes
    sent = [attempt(repository, f"reader{n}@example.org", "198.51.100.7", per_source=5) for n in range(8)]
    # Then it gets its hourly allowance and no more, while another IP still may
    assert sent == [True] * 5 + [False] * 3
    assert attempt(repository, "someone@example.org", "198.51.100.8", per_source=5)
    # And the next hour the first IP may again
    assert attempt(repository, "later@example.org", "198.51.100.7", NOW + timedelta(hours=1), per_source=5)
    # Given an overall hourly limit, many IPs together reach it too
    overall = [attempt(repository, f"x{n}@example.net", f"192.0.2.{n}", per_hour=9) for n in range(5)]
    assert overall.count(True) == 9 - 6  # 6 already counted this hour above


class CountingClient:
    """A boto3 client that records the operations made through it, in order."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return call


def test_a_suppressed_address_costs_the_same_work_as_a_new_one_and_gets_no_email(table: Any) -> None:
    from boletin.repositories.messaging import SigningKeys

    counting = CountingClient(table)
    outbox = Outbox()
    keys = SigningKeys("unused", secret=SECRET)
    service = subscription_service(SubscriptionRepository("subscriptions", client=counting), outbox, keys)
    # Given an address suppressed after a bounce, and a new one
    SubscriptionRepository("subscriptions", client=table).suppress(
        address_key("gone@example.org", keys.addresses), "bounced"
    )
    # When each is subscribed
    service.subscribe(request("gone@example.org"))
    suppressed_calls, counting.calls = counting.calls, []
    service.subscribe(request("new@example.org"))
    # Then both requests made the same AWS calls and queued one message: nothing tells them apart
    assert suppressed_calls == counting.calls
    assert len(outbox.confirmations) == 2
    # And the sender sends the suppressed address nothing
    from boletin.models.deliveries import ConfirmationMessage
    from boletin.services.email_sender import Sender

    repository = SubscriptionRepository("subscriptions", client=table)
    # (no ledger, mailer or queue: a suppressed address is dropped before any of them is used)
    sender = Sender(None, repository, None, None, None, None, None, "", 120.0, clock=lambda: NOW)  # type: ignore[arg-type]
    outcome = sender.send(ConfirmationMessage(subscription_id=outbox.confirmations[0]))
    assert outcome.status == "dropped"
