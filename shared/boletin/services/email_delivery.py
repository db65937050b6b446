"""Email delivery: fan a bulletin out to its subscribers, send each delivery once, build digests,
and act on bounces and complaints."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from boletin.matching import bulletin_keys
from boletin.models.bulletins import BulletinRecord
from boletin.models.events import (
    BULLETIN_PUBLISHED,
    BULLETIN_UPDATED,
    BULLETIN_WITHDRAWN,
    BulletinEventDetail,
)
from boletin.models.subscriptions import DeliveryRecord, SubscriptionRecord
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.dynamo import error_code
from boletin.repositories.messaging import Mailer, NotSentError, SendQueue, SigningKeys
from boletin.repositories.subscriptions import SubscriptionRepository
from boletin.services.subscriptions import link_urls, signing_keys
from boletin.settings import get_settings

_FREQUENCY_RANK = {"immediate": 0, "daily": 1, "weekly": 2}
_TAG_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class FanOutReport:
    matched: int = 0  # distinct subscribers
    recorded: int = 0  # new ledger lines
    queued: int = 0  # handed to the send queue
    dropped: int = 0
    items_read: int = 0
    calls: int = 0


@dataclass
class EmailFanOut:
    """The email_notifier's logic: from a bulletin event to ledger lines and send messages."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    send_queue: SendQueue

    @classmethod
    def from_settings(cls) -> EmailFanOut:
        settings = get_settings()
        return cls(
            SubscriptionRepository(settings.subscriptions_table),
            DeliveryRepository(settings.deliveries_table),
            SendQueue(settings.send_queue_url),
        )

    def handle(
        self, detail_type: str, detail: BulletinEventDetail, *, now: datetime | None = None
    ) -> FanOutReport:
        if detail_type == BULLETIN_WITHDRAWN:
            return self.drop_pending(detail.id)
        if not detail.notify:
            # An archived bulletin: lists and feeds only. No ledger line, so no digest holds it either.
            return FanOutReport()
        if detail_type == BULLETIN_PUBLISHED:
            return self.fan_out(detail, now=now or datetime.now(UTC))
        if detail_type == BULLETIN_UPDATED:
            now = now or datetime.now(UTC)
            report = self.corrections(detail, now=now) if detail.change == "major" else FanOutReport()
            # A correction that moved the bulletin to other countries or topics reaches the
            # subscribers of those only; the ledger's one line per subscriber and bulletin keeps
            # anyone who already has it from getting it twice.
            new_keys = sorted(
                set(bulletin_keys(detail.countries, detail.topics))
                - set(bulletin_keys(detail.previous_countries, detail.previous_topics))
            )
            if new_keys:
                report = _merged(report, self.fan_out(detail, now=now, keys=new_keys))
            return report
        return FanOutReport()

    def corrections(self, detail: BulletinEventDetail, *, now: datetime) -> FanOutReport:
        """A major change: a short correction to exactly those who received the original."""
        report = FanOutReport()
        to_send: list[dict[str, Any]] = []
        for original in self.ledger.of_bulletin(detail.id):
            if original.status != "sent":
                continue
            report.matched += 1
            delivery = DeliveryRecord(
                pk=f"CORRECTION#{detail.id}#v{detail.version}",
                sk=original.sk,
                kind="correction",
                status="queued",
                subscription_id=original.subscription_id,
                address_key=original.address_key,
                bulletin_id=detail.id,
                created_at=now,
            )
            existing = self.ledger.record_or_get(delivery)
            report.recorded += int(existing is None)
            if existing is None or existing.status == "queued":
                to_send.append({"kind": "correction", "pk": delivery.pk, "sk": delivery.sk})
        if to_send:
            report.calls += self.send_queue.send(to_send)
            report.queued = len(to_send)
        return report

    def fan_out(
        self, detail: BulletinEventDetail, *, now: datetime, keys: list[str] | None = None
    ) -> FanOutReport:
        """``keys``: only the subscriptions under these match keys (default: all the bulletin's)."""
        report = FanOutReport()
        entries, report.items_read, report.calls = self.subscriptions.matching_entries(
            keys if keys is not None else bulletin_keys(detail.countries, detail.topics)
        )
        # One delivery per subscriber, however many of their filters match; the most frequent wins.
        best: dict[str, dict[str, Any]] = {}
        for entry in entries:
            wanted = entry.get("bulletin_languages") or []
            if wanted and detail.language not in wanted:
                continue  # a bulletin in a language this subscriber does not read
            current = best.get(entry["address_key"])
            if current is None or _FREQUENCY_RANK[entry["frequency"]] < _FREQUENCY_RANK[current["frequency"]]:
                best[entry["address_key"]] = entry
        report.matched = len(best)
        to_send: list[dict[str, Any]] = []
        for address_key, entry in sorted(best.items()):
            immediate = entry["frequency"] == "immediate"
            delivery = DeliveryRecord(
                pk=f"BULLETIN#{detail.id}",
                sk=f"SUBSCRIBER#{address_key}",
                kind="bulletin",
                status="queued" if immediate else "pending_digest",
                subscription_id=entry["subscription_id"],
                address_key=address_key,
                bulletin_id=detail.id,
                frequency=entry["frequency"],
                created_at=now,
            )
            existing = self.ledger.record_or_get(delivery, pending_digest=not immediate)
            report.calls += 1
            if existing is None:
                report.recorded += 1
            # A retried event re-queues what is still queued (the first try may have died before
            # the queue got it); the sender's claim makes the second message a no-op.
            if immediate and (existing is None or existing.status == "queued"):
                to_send.append({"kind": "bulletin", "pk": delivery.pk, "sk": delivery.sk})
        if to_send:
            report.calls += self.send_queue.send(to_send)
            report.queued = len(to_send)
        return report

    def drop_pending(self, bulletin_id: str) -> FanOutReport:
        """A withdrawn bulletin: nothing more about it is sent."""
        report = FanOutReport()
        for delivery in self.ledger.of_bulletin(bulletin_id):
            if delivery.status in ("queued", "pending_digest") and self.ledger.set_status(
                delivery.pk, delivery.sk, "dropped", only_from=["queued", "pending_digest"]
            ):
                report.dropped += 1
        return report


def _merged(a: FanOutReport, b: FanOutReport) -> FanOutReport:
    return FanOutReport(
        matched=a.matched + b.matched,
        recorded=a.recorded + b.recorded,
        queued=a.queued + b.queued,
        dropped=a.dropped + b.dropped,
        items_read=a.items_read + b.items_read,
        calls=a.calls + b.calls,
    )


class _HeldElsewhereError(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"held by another sender for {seconds:.1f} s")
        self.seconds = seconds


@dataclass
class SendOutcome:
    status: str  # sent | skipped | dropped | failed | postponed
    message_id: str | None = None


@dataclass
class Sender:
    """The sender's logic: one queued delivery -> one email.

    The ledger claim holds a line for a lease. If the sender dies before, inside or after the SES
    call, either SES took the email (its Send event marks the line sent) or it did not (the line is
    still 'sending' when the lease runs out, and the queue's retry claims and sends it again)."""

    ledger: DeliveryRepository
    subscriptions: SubscriptionRepository
    bulletins: BulletinRepository
    mailer: Mailer
    keys: SigningKeys
    send_queue: SendQueue
    lease_seconds: float = 120.0
    concurrency: int = 2
    _bulletin_cache: dict[str, BulletinRecord | None] = field(default_factory=dict)

    @classmethod
    def from_settings(cls) -> Sender:
        settings = get_settings()
        return cls(
            DeliveryRepository(settings.deliveries_table),
            SubscriptionRepository(settings.subscriptions_table),
            BulletinRepository(settings.bulletins_table),
            Mailer(configuration_set=settings.ses_configuration_set),
            signing_keys(),
            SendQueue(settings.send_queue_url),
            lease_seconds=settings.sending_lease_seconds,
        )

    def send(self, message: dict[str, Any], *, now: datetime | None = None) -> SendOutcome:
        now = now or datetime.now(UTC)
        kind = message.get("kind")
        try:
            if kind == "confirmation":
                return self._send_confirmation(str(message["subscription_id"]), now)
            if kind == "bulletin":
                return self._send_bulletin(str(message["pk"]), str(message["sk"]), now)
            if kind == "digest":
                return self._send_digest(str(message["pk"]), str(message["sk"]), now)
            if kind == "correction":
                return self._send_correction(str(message["pk"]), str(message["sk"]), now)
        except _HeldElsewhereError as held:
            # Another sender holds it (a duplicate message, or the retry of one that died): look
            # again once its hold has run out, when it is either sent or free to claim.
            self.send_queue.send([message], delay_seconds=math.ceil(held.seconds) + 1)
            return SendOutcome("postponed")
        raise ValueError(f"unknown delivery kind {kind!r}")

    def _claim(self, pk: str, sk: str, now: datetime) -> DeliveryRecord | None:
        claim = self.ledger.claim(pk, sk, from_status="queued", now=now, lease_seconds=self.lease_seconds)
        if claim.delivery is None and claim.held_for > 0:
            raise _HeldElsewhereError(claim.held_for)
        return claim.delivery

    # ---------------------------------------------------------------- kinds
    def _send_confirmation(self, subscription_id: str, now: datetime) -> SendOutcome:
        from boletin.email import build_confirmation_email

        record = self.subscriptions.get(subscription_id)
        if record is None or record.status != "pending":
            return SendOutcome("skipped")
        profile = self.subscriptions.get_subscriber(record.address_key)
        if profile is not None and profile.suppressed:
            return SendOutcome("dropped")  # subscribe answered as for anyone; nothing goes to it
        delivery = DeliveryRecord(
            pk=f"CONFIRM#{subscription_id}",
            sk="SEND",
            kind="confirmation",
            status="queued",
            subscription_id=subscription_id,
            address_key=record.address_key,
            created_at=now,
        )
        self.ledger.record(delivery)
        claimed = self._claim(delivery.pk, delivery.sk, now)
        if claimed is None:
            return SendOutcome("skipped")
        with self._given_back_on_error(delivery):
            links = link_urls(subscription_id, self.keys, now=now)
            message = build_confirmation_email(
                sender=_sender_config(),
                to_address=record.address,
                language=record.language,
                confirm_url=links["confirm"],
                choices=_choices(record),
                now=now,
            )
        return self._deliver(delivery, record.address, message, now)

    def _send_bulletin(self, pk: str, sk: str, now: datetime) -> SendOutcome:
        from boletin.email import build_bulletin_email

        return self._send_about_bulletin(
            pk,
            sk,
            now,
            lambda recipient, bulletin, item: build_bulletin_email(
                sender=_sender_config(), recipient=recipient, bulletin=item, now=now
            ),
        )

    def _send_correction(self, pk: str, sk: str, now: datetime) -> SendOutcome:
        from boletin.email import build_correction_email

        return self._send_about_bulletin(
            pk,
            sk,
            now,
            lambda recipient, bulletin, item: build_correction_email(
                sender=_sender_config(),
                recipient=recipient,
                bulletin=item,
                change_note=bulletin.last_change_note or "",
                now=now,
            ),
        )

    def _send_about_bulletin(
        self, pk: str, sk: str, now: datetime, build: Callable[[Any, BulletinRecord, Any], Any]
    ) -> SendOutcome:
        """Claim one delivery about a bulletin, check it is still wanted, build it and send it."""
        delivery = self._claim(pk, sk, now)
        if delivery is None:
            return SendOutcome("skipped")
        with self._given_back_on_error(delivery):
            record = self._sendable_subscription(delivery)
            bulletin = self._bulletin(delivery.bulletin_id or "")
            if record is None or bulletin is None:
                self.ledger.set_status(pk, sk, "dropped", only_from="sending")
                return SendOutcome("dropped")
            rendered = self._renderable([(delivery, bulletin)], record.language, only_from="sending")
            if not rendered:
                return SendOutcome("dropped")
            message = build(self._recipient(record, now), bulletin, rendered[0][2])
        return self._deliver(delivery, record.address, message, now)

    def _recipient(self, record: SubscriptionRecord, now: datetime) -> Any:
        from boletin.email import Recipient

        links = link_urls(record.id, self.keys, now=now)
        return Recipient(
            address=record.address,
            language=record.language,
            unsubscribe_url=links["unsubscribe"],
            manage_url=links["manage"],
        )

    def _send_digest(self, pk: str, sk: str, now: datetime) -> SendOutcome:
        from boletin.email import build_digest_email

        digest = self._claim(pk, sk, now)
        if digest is None:
            return SendOutcome("skipped")
        with self._given_back_on_error(digest):
            record = self._sendable_subscription(digest)
            # What matched up to the claim: the same cut SES's Send event settles (SesEventHandler).
            pending = [d for d in self.ledger.pending_digest(digest.subscription_id) if d.created_at <= now]
            bulletins = [(d, self._bulletin(d.bulletin_id or "")) for d in pending]
            items = [(d, b) for d, b in bulletins if b is not None]
            for d, b in bulletins:
                if b is None:
                    self.ledger.set_status(d.pk, d.sk, "dropped", only_from="pending_digest")
            if record is None or not items:
                self.ledger.set_status(pk, sk, "dropped", only_from="sending")
                return SendOutcome("dropped")
            rendered = self._renderable(items, record.language)
            if not rendered:
                self.ledger.set_status(pk, sk, "dropped", only_from="sending")
                return SendOutcome("dropped")
            recipient = self._recipient(record, now)
            frequency: Literal["daily", "weekly"] = "weekly" if record.frequency == "weekly" else "daily"
            rendered.sort(key=lambda x: x[1].sort_key(), reverse=True)
            # One notion of date for the reader: the period is that of the bulletins' published_on.
            dates = [b.published_on for _, b, _ in rendered]
            message = build_digest_email(
                sender=_sender_config(),
                recipient=recipient,
                bulletins=[item for _, _, item in rendered],
                frequency=frequency,
                period_start=min(dates),
                period_end=max(dates),
                now=now,
            )
        items = [(d, b) for d, b, _ in rendered]
        return self._deliver(digest, record.address, message, now, also_sent=[d for d, _ in items])

    # ---------------------------------------------------------------- helpers
    def _renderable(
        self,
        items: list[tuple[DeliveryRecord, BulletinRecord]],
        language: str,
        *,
        only_from: str = "pending_digest",
    ) -> list[tuple[DeliveryRecord, BulletinRecord, Any]]:
        """Each item as an email shows it; one a renderer refuses (stored before validation
        was as strict as now) is marked failed and left out, never taking a digest down with it."""
        rendered = []
        for delivery, bulletin in items:
            try:
                rendered.append((delivery, bulletin, email_item(bulletin, language)))
            except (ValueError, TypeError) as error:
                from aws_lambda_powertools import Logger

                Logger(child=True).warning(
                    "digest item cannot be rendered: left out",
                    bulletin_id=bulletin.id,
                    subscription_id=delivery.subscription_id,
                    reason=str(error),
                )
                self.ledger.set_status(delivery.pk, delivery.sk, "failed", only_from=only_from)
        return rendered

    def _sendable_subscription(self, delivery: DeliveryRecord) -> SubscriptionRecord | None:
        record, profile = self.subscriptions.get_with_subscriber(
            delivery.subscription_id, delivery.address_key
        )
        if record is None or record.status != "active" or (profile is not None and profile.suppressed):
            return None
        return record

    def _bulletin(self, bulletin_id: str) -> BulletinRecord | None:
        """Published bulletins only (a withdrawn or archived one is never sent); cached for this batch."""
        if bulletin_id not in self._bulletin_cache:
            record = self.bulletins.get(bulletin_id) if bulletin_id else None
            # An archived bulletin (notify false) is never emailed, whatever a ledger line says.
            sendable = record is not None and record.is_public and record.notify
            self._bulletin_cache[bulletin_id] = record if sendable else None
        return self._bulletin_cache[bulletin_id]

    def forget_bulletins(self) -> None:
        self._bulletin_cache.clear()

    @contextmanager
    def _given_back_on_error(self, delivery: DeliveryRecord) -> Iterator[None]:
        """Whatever fails after the claim but before SES is asked to send gives the claim back, so the
        queue's retry sends it at once. (A send whose outcome is unknown keeps its claim: SES's Send event
        or the end of the lease settles it.)"""
        try:
            yield
        except Exception:
            self.ledger.release(delivery.pk, delivery.sk, to_status="queued")
            raise

    def _deliver(
        self,
        delivery: DeliveryRecord,
        address: str,
        message: Any,
        now: datetime,
        *,
        also_sent: list[DeliveryRecord] | None = None,
    ) -> SendOutcome:
        from boletin.email import to_raw_bytes

        with self._given_back_on_error(delivery):
            raw = to_raw_bytes(message)
        try:
            message_id = self.mailer.send_raw(
                raw,
                source=get_settings().sender_address,
                destination=address,
                tags=_tags(delivery),
                concurrency=self.concurrency,
            )
        except NotSentError:
            # Throttled, or the quota could not be read: nothing was sent. Give the claim back so the
            # queue's retry can send it later.
            self.ledger.release(delivery.pk, delivery.sk, to_status="queued")
            raise
        except Exception as error:
            if error_code(error) in (
                "MessageRejected",
                "MailFromDomainNotVerifiedException",
                "InvalidParameterValue",
            ):
                self.ledger.set_status(delivery.pk, delivery.sk, "failed", only_from="sending")
                return SendOutcome("failed")
            # Unknown whether SES took it: leave it 'sending' and surface the error. If SES took it,
            # its Send event marks it sent; if not, the retry after the lease sends it.
            raise
        # A digest's bulletins first, its own line last: until that is sent, SES's Send event can
        # still settle all of it if this sender dies in between.
        for line in also_sent or []:
            self.ledger.mark_sent(line.pk, line.sk, message_id=message_id, now=now)
        self.ledger.mark_sent(delivery.pk, delivery.sk, message_id=message_id, now=now)
        return SendOutcome("sent", message_id)


def _tags(delivery: DeliveryRecord) -> dict[str, str]:
    """SES message tags, carried back in SES's events, naming the ledger line. Tag values may only
    hold letters, digits, '_' and '-', so the line's key travels as unpadded base64url."""
    return {"ledger_kind": delivery.kind, "ledger_line": ledger_line_tag(delivery.pk, delivery.sk)}


def ledger_line_tag(pk: str, sk: str) -> str:
    packed = json.dumps([pk, sk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def ledger_line_of(tags: dict[str, Any]) -> tuple[str, str] | None:
    """The (pk, sk) an SES event's `mail.tags` name (each tag is a list of values); None if none."""
    values = tags.get("ledger_line") or []
    value = values[0] if isinstance(values, list) and values else values
    if not isinstance(value, str) or not value or _TAG_SAFE.search(value):
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return None
    if isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) and k for k in key):
        return key[0], key[1]
    return None


def _sender_config() -> Any:
    from boletin.email import SenderConfig

    address = get_settings().sender_address
    return SenderConfig(address=address, list_id=f"bulletins.{address.rsplit('@', 1)[-1]}")


def _choices(record: SubscriptionRecord) -> list[str]:
    from boletin.enrichment.taxonomy import country_name, topic_label

    return [country_name(c, record.language) for c in record.countries] + [
        topic_label(t, record.language) for t in record.topics
    ]


def email_item(bulletin: BulletinRecord, language: str) -> Any:
    from boletin.email import BulletinDigestItem
    from boletin.enrichment.taxonomy import country_name, topic_label
    from boletin.pages import bulletin_url

    e = bulletin.enrichment
    return BulletinDigestItem(
        id=bulletin.id,
        title=bulletin.title,
        published_on=bulletin.published_on,
        url=(
            bulletin.source_url
            if bulletin.link == "source" and bulletin.source_url
            else bulletin_url(get_settings().site_base_url, bulletin)  # its public page
        ),
        countries=[country_name(c, language) for c in bulletin.countries],
        topics=[topic_label(t, language) for t in (e.topics if e else [])],
        summary=e.summary if e else "",
    )


@dataclass
class DigestScheduler:
    """Every hour: the digests due at 08:00 local time, queued once per subscription and period."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    send_queue: SendQueue

    @classmethod
    def from_settings(cls) -> DigestScheduler:
        settings = get_settings()
        return cls(
            SubscriptionRepository(settings.subscriptions_table),
            DeliveryRepository(settings.deliveries_table),
            SendQueue(settings.send_queue_url),
        )

    def run(self, *, now: datetime | None = None, force: bool = False) -> int:
        """Queue due digests; returns how many. `force` (local stack only) makes every digest due."""
        from zoneinfo import ZoneInfo

        now = now or datetime.now(UTC)
        to_send: list[dict[str, Any]] = []
        for timezone in self.subscriptions.timezones():
            local = now.astimezone(ZoneInfo(timezone))
            for frequency in ("daily", "weekly"):
                due = local.hour == 8 and (frequency == "daily" or local.weekday() == 0)
                if not (due or force):
                    continue
                period = _period(local, frequency, forced=force and not due, now=now)
                for record in self.subscriptions.digest_subscriptions(frequency, timezone):
                    if not self.ledger.pending_digest(record.id):
                        continue  # nothing matched: no digest at all
                    digest = DeliveryRecord(
                        pk=f"DIGEST#{record.id}",
                        sk=period,
                        kind="digest",
                        status="queued",
                        subscription_id=record.id,
                        address_key=record.address_key,
                        frequency=record.frequency,
                        created_at=now,
                    )
                    if self.ledger.record(digest):
                        to_send.append({"kind": "digest", "pk": digest.pk, "sk": digest.sk})
        if to_send:
            self.send_queue.send(to_send)
        return len(to_send)


def _period(local: datetime, frequency: str, *, forced: bool, now: datetime) -> str:
    if forced:
        return "forced-" + now.strftime("%Y%m%dT%H%M%S%f")
    if frequency == "daily":
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class SesEventOutcome:
    reason: Literal["bounced", "complained"] | None  # None: nothing to suppress
    suppressed: int  # addresses suppressed
    settled: bool = False  # a Send event marked a line the sender had left 'sending'


@dataclass
class SesEventHandler:
    """SES's events: a Send settles a ledger line a sender could not mark (it died, or SES's answer
    was lost); permanent bounces and complaints suppress the address everywhere."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    keys: SigningKeys

    @classmethod
    def from_settings(cls) -> SesEventHandler:
        settings = get_settings()
        return cls(
            SubscriptionRepository(settings.subscriptions_table),
            DeliveryRepository(settings.deliveries_table),
            signing_keys(),
        )

    def handle(self, notification: dict[str, Any], *, now: datetime | None = None) -> SesEventOutcome:
        """Acts on one SES notification (identity notifications or configuration-set events)."""
        from boletin.email import InvalidEmailAddressError, address_key, normalize_address

        now = now or datetime.now(UTC)
        kind = str(notification.get("notificationType") or notification.get("eventType") or "")
        mail = notification.get("mail") or {}
        line = ledger_line_of(mail.get("tags") or {})
        if kind == "Send":
            if line is None:
                return SesEventOutcome(None, 0)
            return SesEventOutcome(None, 0, settled=self._settle(line, mail, now))
        reason: Literal["bounced", "complained"]
        if kind == "Bounce" and notification.get("bounce", {}).get("bounceType") == "Permanent":
            reason = "bounced"
            recipients = notification["bounce"].get("bouncedRecipients", [])
        elif kind == "Complaint":
            reason = "complained"
            recipients = notification.get("complaint", {}).get("complainedRecipients", [])
        else:
            return SesEventOutcome(None, 0)  # transient bounces, deliveries...: nothing to do
        suppressed = 0
        for recipient in recipients:
            try:
                address = normalize_address(str(recipient.get("emailAddress", "")))
            except InvalidEmailAddressError:
                continue
            key = address_key(address, self.keys.addresses)
            self.subscriptions.suppress(key, reason)
            for subscription_id in self.subscriptions.subscription_ids_of(key):
                record = self.subscriptions.get(subscription_id)
                if record is not None and record.status != "ended":
                    self.subscriptions.end(record, reason, now)
            suppressed += 1
        if line is not None and line[0].startswith("BULLETIN#"):
            # Only a line that is there (never write one the ledger does not have).
            self.ledger.set_status(*line, reason, only_from=["sent", "sending"])
        return SesEventOutcome(reason, suppressed)

    def _settle(self, line: tuple[str, str], mail: dict[str, Any], now: datetime) -> bool:
        """SES took this email: a line still 'sending' is sent (a digest with what it held)."""
        pk, sk = line
        message_id = str(mail.get("messageId") or "")
        at = _event_time(mail.get("timestamp")) or now
        if pk.startswith("DIGEST#"):
            digest = self.ledger.get(pk, sk)
            if digest is None or digest.status != "sending":
                return False
            # The sender put in the digest what was pending up to its claim; mark those first, so
            # a failure here is retried with the digest line still 'sending'.
            claimed_at = digest.claimed_at or now
            for item in self.ledger.pending_digest(digest.subscription_id):
                if item.created_at <= claimed_at:
                    self.ledger.mark_sent(item.pk, item.sk, message_id=message_id, now=at)
        return self.ledger.confirm_sent(pk, sk, message_id=message_id, at=at) is not None


def _event_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
