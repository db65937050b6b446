"""In-memory stand-ins for what the email services talk to (subscriptions, the delivery ledger, the
send queue, SES, bulletins, the clock), for unit tests: no moto, no network. They keep the
behaviour the services rely on: conditional writes, claims with leases, the pending-digest index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from boletin.matching import subscription_keys
from boletin.models.bulletins import BulletinRecord
from boletin.models.deliveries import DeliveryKind, DeliveryRecord, DeliveryStatus, LedgerLine
from boletin.models.subscriptions import MatchEntry, SubscriberRecord, SubscriptionRecord
from boletin.repositories.deliveries import Claim
from boletin.repositories.ledger_lines import bulletin_line, is_bulletin
from boletin.repositories.messaging import SigningKeys

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC
LEASE_SECONDS = 120.0


class Clock:
    """The services' clock, moved by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def signing_keys() -> SigningKeys:
    return SigningKeys("unused", secret=b"k" * 32)  # a secret given in code: no Secrets Manager


class AwsError(Exception):
    """What botocore raises, as far as the services look at it (the error code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


# ---------------------------------------------------------------- subscriptions
class FakeSubscriptions:
    def __init__(self) -> None:
        self.records: dict[str, SubscriptionRecord] = {}
        self.subscribers: dict[str, SubscriberRecord] = {}

    def add(self, record: SubscriptionRecord) -> SubscriptionRecord:
        self.records[record.id] = record
        return record

    # reads
    def get(self, subscription_id: str) -> SubscriptionRecord | None:
        return self.records.get(subscription_id)

    def get_subscriber(self, address_key: str) -> SubscriberRecord | None:
        return self.subscribers.get(address_key)

    def get_with_subscriber(
        self, subscription_id: str, address_key: str
    ) -> tuple[SubscriptionRecord | None, SubscriberRecord | None]:
        return self.get(subscription_id), self.get_subscriber(address_key)

    def subscription_ids_of(self, address_key: str) -> list[str]:
        return [r.id for r in self.records.values() if r.address_key == address_key]

    def matching_entries(self, keys: Iterable[str]) -> tuple[list[MatchEntry], int, int]:
        wanted = list(keys)
        entries = [
            MatchEntry.of(record)
            for key in wanted
            for record in self._active()
            if key in subscription_keys(record.countries, record.topics)
        ]
        return entries, len(entries), len(wanted)

    def digest_subscriptions(self, frequency: str, timezone: str) -> list[SubscriptionRecord]:
        return [r for r in self._active() if r.frequency == frequency and r.timezone == timezone]

    def timezones(self) -> list[str]:
        return sorted({r.timezone for r in self._active() if r.frequency != "immediate"})

    # writes
    def suppress(self, address_key: str, reason: Any) -> None:
        self.subscribers[address_key] = SubscriberRecord(
            address_key=address_key, suppressed=True, suppressed_reason=reason
        )

    def end(self, record: SubscriptionRecord, reason: Any, now: datetime) -> bool:
        if self.records[record.id].status == "ended":
            return False
        self.records[record.id] = record.model_copy(
            update={"status": "ended", "ended_reason": reason, "ended_at": now}
        )
        return True

    def _active(self) -> list[SubscriptionRecord]:
        return [r for r in self.records.values() if r.status == "active"]


def subscription(
    n: int,
    *,
    countries: list[str] | None = None,
    topics: list[str] | None = None,
    frequency: str = "immediate",
    status: str = "active",
    bulletin_languages: list[str] | None = None,
    timezone: str = "UTC",
) -> SubscriptionRecord:
    return SubscriptionRecord.model_validate(
        {
            "id": f"sub-{n}",
            "address": f"reader{n}@example.org",
            "address_key": f"addr-{n}",
            "language": "en",
            "bulletin_languages": bulletin_languages or [],
            "countries": countries if countries is not None else ["GT"],
            "topics": topics or [],
            "frequency": frequency,
            "timezone": timezone,
            "status": status,
            "created_at": NOW - timedelta(days=30),
        }
    )


# ---------------------------------------------------------------- the ledger
class FakeLedger:
    def __init__(self) -> None:
        self.lines: dict[LedgerLine, DeliveryRecord] = {}
        self.pending: set[LedgerLine] = set()  # what the PendingDigest index holds

    def record(self, delivery: DeliveryRecord, *, pending_digest: bool = False) -> bool:
        return self.record_or_get(delivery, pending_digest=pending_digest) is None

    def record_or_get(
        self, delivery: DeliveryRecord, *, pending_digest: bool = False
    ) -> DeliveryRecord | None:
        if delivery.line in self.lines:
            return self.lines[delivery.line]
        self.lines[delivery.line] = delivery
        if pending_digest:
            self.pending.add(delivery.line)
        return None

    def record_all_or_get(self, deliveries: Sequence[DeliveryRecord]) -> list[DeliveryRecord | None]:
        return [
            self.record_or_get(d, pending_digest=d.status == DeliveryStatus.PENDING_DIGEST)
            for d in deliveries
        ]

    def get(self, line: LedgerLine) -> DeliveryRecord | None:
        return self.lines.get(line)

    def claim(
        self, line: LedgerLine, *, from_status: DeliveryStatus, now: datetime, lease_seconds: float
    ) -> Claim:
        current = self.lines.get(line)
        if current is None:
            return Claim(None)
        epoch = now.timestamp()
        lapsed = current.status == DeliveryStatus.SENDING and (current.lease_until or 0) < epoch
        if current.status != from_status and not lapsed:
            if current.status == DeliveryStatus.SENDING and current.lease_until:
                return Claim(None, held_for=max(0.0, current.lease_until - epoch))
            return Claim(None)
        claimed = self._update(
            line,
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            lease_until=epoch + lease_seconds,
            attempts=current.attempts + 1,
        )
        return Claim(claimed)

    def confirm_sent(self, line: LedgerLine, *, message_id: str, at: datetime) -> DeliveryRecord | None:
        current = self.lines.get(line)
        if current is None or current.status != DeliveryStatus.SENDING:
            return None
        return self._settle(line, DeliveryStatus.SENT, message_id=message_id, sent_at=at)

    def mark_sent(self, line: LedgerLine, *, message_id: str, now: datetime) -> None:
        self._settle(line, DeliveryStatus.SENT, message_id=message_id, sent_at=now)

    def mark_all_sent(self, lines: Sequence[LedgerLine], *, message_id: str, now: datetime) -> None:
        for line in lines:
            self.mark_sent(line, message_id=message_id, now=now)

    def release(self, line: LedgerLine, *, to_status: DeliveryStatus) -> None:
        self.set_status(line, to_status, only_from=[DeliveryStatus.SENDING])

    def set_status(
        self, line: LedgerLine, status: DeliveryStatus, *, only_from: Iterable[DeliveryStatus] | None = None
    ) -> bool:
        current = self.lines.get(line)
        allowed = list(only_from) if only_from is not None else None
        if allowed is not None and (current is None or current.status not in allowed):
            return False
        self._settle(line, status)
        return True

    def of_bulletin(self, bulletin_id: str) -> list[DeliveryRecord]:
        return [d for d in self.lines.values() if is_bulletin(d.line) and d.bulletin_id == bulletin_id]

    def pending_digest(self, subscription_id: str) -> list[DeliveryRecord]:
        return [
            self.lines[line] for line in self.pending if self.lines[line].subscription_id == subscription_id
        ]

    def status_of(self, line: LedgerLine) -> DeliveryStatus:
        return self.lines[line].status

    def _settle(self, line: LedgerLine, status: DeliveryStatus, **fields: Any) -> DeliveryRecord:
        # As on DynamoDB: a line that changes status leaves the pending-digest index and its lease.
        self.pending.discard(line)
        return self._update(line, status=status, lease_until=None, **fields)

    def _update(self, line: LedgerLine, **fields: Any) -> DeliveryRecord:
        base = self.lines.get(line) or DeliveryRecord.model_construct(pk=line.pk, sk=line.sk)
        self.lines[line] = base.model_copy(update=fields)
        return self.lines[line]


# ---------------------------------------------------------------- queue, SES, bulletins
@dataclass
class FakeSendQueue:
    sent: list[dict[str, Any]] = field(default_factory=list)
    delays: list[int] = field(default_factory=list)

    def send(self, messages: list[dict[str, Any]], *, delay_seconds: int = 0) -> int:
        self.sent.extend(messages)
        self.delays.extend([delay_seconds] * len(messages))
        return 1


@dataclass
class SentEmail:
    destination: str
    raw: bytes
    tags: dict[str, str]

    @property
    def text(self) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(self.raw, policy=policy.default)
        part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        return str(part.get_content()) if part is not None else ""


@dataclass
class FakeMailer:
    sent: list[SentEmail] = field(default_factory=list)
    fail_with: Exception | None = None  # raised by the next send (then cleared)

    def send_raw(
        self, raw: bytes, *, source: str, destination: str, tags: dict[str, str] | None = None, **_: Any
    ) -> str:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.sent.append(SentEmail(destination, raw, dict(tags or {})))
        return f"ses-{len(self.sent)}"

    def to(self, address: str) -> list[SentEmail]:
        return [e for e in self.sent if e.destination == address]


class FakeBulletins:
    def __init__(self, *records: BulletinRecord) -> None:
        self.records = {r.id: r for r in records}

    def get(self, bulletin_id: str, **_: Any) -> BulletinRecord | None:
        return self.records.get(bulletin_id)


def bulletin(
    bulletin_id: str,
    title: str,
    *,
    countries: list[str] | None = None,
    status: str = "published",
    notify: bool = True,
    published_on: date = date(2026, 12, 4),
) -> BulletinRecord:
    return BulletinRecord.model_validate(
        {
            "id": bulletin_id,
            "office": "iom-gt",
            "office_name": "OIM Guatemala",
            "status": status,
            "version": 1,
            "title": title,
            "body": "Officials met in Guatemala City.",
            "countries_given": countries or ["GT"],
            "published_on": published_on,
            "created_at": NOW - timedelta(days=1),
            "updated_at": NOW - timedelta(days=1),
            "content_hash": f"h-{bulletin_id}",
            "request_hash": f"r-{bulletin_id}",
            "notify": notify,
        }
    )


@dataclass
class EmailFakes:
    """Everything the email services talk to, in memory; `sender()` builds a Sender over them."""

    subscriptions: FakeSubscriptions = field(default_factory=FakeSubscriptions)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    queue: FakeSendQueue = field(default_factory=FakeSendQueue)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    bulletins: FakeBulletins = field(default_factory=FakeBulletins)
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        """For a test's subclass to add what it builds over the fakes."""

    def bulletin_line_for(
        self,
        record: SubscriptionRecord,
        bulletin_id: str,
        status: DeliveryStatus,
        *,
        created_at: datetime,
        frequency: str | None = None,
        pending_digest: bool = False,
    ) -> LedgerLine:
        """Record, as the matcher does, the subscriber's ledger line about a bulletin."""
        delivery = DeliveryRecord.at(
            bulletin_line(bulletin_id, record.address_key),
            kind=DeliveryKind.BULLETIN,
            status=status,
            subscription_id=record.id,
            address_key=record.address_key,
            bulletin_id=bulletin_id,
            frequency=frequency,
            created_at=created_at,
        )
        self.ledger.record(delivery, pending_digest=pending_digest)
        return delivery.line

    def sender(self) -> Any:
        """A Sender over these fakes (links signed with a fixed key, a 120 s lease)."""
        from boletin.email import SenderConfig
        from boletin.services.email_sender import Sender
        from boletin.services.subscriber_links import SubscriberLinks

        return Sender(
            ledger=self.ledger,  # type: ignore[arg-type]
            subscriptions=self.subscriptions,  # type: ignore[arg-type]
            bulletins=self.bulletins,  # type: ignore[arg-type]
            mailer=self.mailer,  # type: ignore[arg-type]
            links=SubscriberLinks(signing_keys(), "https://api.example.org"),
            send_queue=self.queue,  # type: ignore[arg-type]
            identity=SenderConfig(address="news@example.org", list_id="bulletins.example.org"),
            site_base_url="https://news.example.org",
            lease_seconds=LEASE_SECONDS,
            clock=self.clock,
        )
