"""Sending: one send-queue message -> at most one email, recorded in the ledger.

The ledger claim holds a line for a lease. If the sender dies before, inside or after the SES call,
either SES took the email (its Send event marks the line sent) or it did not (the line is still
'sending' when the lease runs out, and the queue's retry claims and sends it again)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from boletin.models.bulletins import BulletinRecord
from boletin.models.deliveries import (
    BulletinMessage,
    ConfirmationMessage,
    CorrectionMessage,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    DigestMessage,
    LedgerLine,
    SendMessage,
    queue_bodies,
)
from boletin.models.subscriptions import SubscriptionRecord
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.dynamo import error_code
from boletin.repositories.ledger_lines import confirmation_line, line_tag
from boletin.repositories.messaging import Mailer, NotSentError, SendQueue
from boletin.repositories.subscriptions import SubscriptionRepository
from boletin.services.subscriber_links import SubscriberLinks

if TYPE_CHECKING:  # the email package is imported on first use (cold start)
    from email.message import EmailMessage

    from boletin.email.parts import BulletinDigestItem, Recipient, SenderConfig

SendStatus = Literal["sent", "skipped", "dropped", "failed", "postponed"]
# SES's answers that say this email will never go, whatever the retries.
_REFUSED_FOR_GOOD = frozenset(
    {"MessageRejected", "MailFromDomainNotVerifiedException", "InvalidParameterValue"}
)
_SENDING = (DeliveryStatus.SENDING,)
_PENDING = (DeliveryStatus.PENDING_DIGEST,)
Rendered = tuple[DeliveryRecord, BulletinRecord, "BulletinDigestItem"]


class _HeldElsewhereError(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"held by another sender for {seconds:.1f} s")
        self.seconds = seconds


@dataclass(frozen=True)
class SendOutcome:
    status: SendStatus
    message_id: str | None = None


@dataclass
class Sender:
    """The sender's logic: one queued delivery -> one email."""

    ledger: DeliveryRepository
    subscriptions: SubscriptionRepository
    bulletins: BulletinRepository
    mailer: Mailer
    links: SubscriberLinks
    send_queue: SendQueue
    identity: SenderConfig  # From, List-Id; its address is the SES source
    site_base_url: str  # emails link each bulletin's public page
    lease_seconds: float
    clock: Callable[[], datetime]
    concurrency: int = 2  # senders sharing the account's send rate
    _bulletin_cache: dict[str, BulletinRecord | None] = field(default_factory=dict)

    def send(self, message: SendMessage) -> SendOutcome:
        now = self.clock()
        try:
            match message:
                case ConfirmationMessage():
                    return self._send_confirmation(message.subscription_id, now)
                case BulletinMessage() | CorrectionMessage():
                    return self._send_about_bulletin(message, now)
                case DigestMessage():
                    return self._send_digest(message.line, now)
        except _HeldElsewhereError as held:
            # Another sender holds it (a duplicate message, or the retry of one that died): look
            # again once its hold has run out, when it is either sent or free to claim.
            self.send_queue.send(queue_bodies([message]), delay_seconds=math.ceil(held.seconds) + 1)
            return SendOutcome("postponed")

    def forget_bulletins(self) -> None:
        """A new batch: a bulletin withdrawn since the last one must not be sent."""
        self._bulletin_cache.clear()

    def _claim(self, line: LedgerLine, now: datetime) -> DeliveryRecord | None:
        claim = self.ledger.claim(
            line, from_status=DeliveryStatus.QUEUED, now=now, lease_seconds=self.lease_seconds
        )
        if claim.delivery is None and claim.held_for > 0:
            raise _HeldElsewhereError(claim.held_for)
        return claim.delivery

    # ---------------------------------------------------------------- kinds
    def _send_confirmation(self, subscription_id: str, now: datetime) -> SendOutcome:
        from boletin.email import build_confirmation_email
        from boletin.email.views import subscription_choices

        record = self.subscriptions.get(subscription_id)
        if record is None or record.status != "pending":
            return SendOutcome("skipped")
        profile = self.subscriptions.get_subscriber(record.address_key)
        if profile is not None and profile.suppressed:
            return SendOutcome("dropped")  # subscribe answered as for anyone; nothing goes to it
        delivery = DeliveryRecord.at(
            confirmation_line(subscription_id),
            kind=DeliveryKind.CONFIRMATION,
            status=DeliveryStatus.QUEUED,
            subscription_id=subscription_id,
            address_key=record.address_key,
            created_at=now,
        )
        self.ledger.record(delivery)
        if self._claim(delivery.line, now) is None:
            return SendOutcome("skipped")
        with self._given_back_on_error(delivery):
            message = build_confirmation_email(
                sender=self.identity,
                to_address=record.address,
                language=record.language,
                confirm_url=self.links.of(subscription_id, now=now).confirm,
                choices=subscription_choices(record),
                now=now,
            )
        return self._deliver(delivery, record.address, message, now)

    def _send_about_bulletin(
        self, message: BulletinMessage | CorrectionMessage, now: datetime
    ) -> SendOutcome:
        """Claim one delivery about a bulletin, check it is still wanted, build it and send it."""
        from boletin.email import build_bulletin_email, build_correction_email

        delivery = self._claim(message.line, now)
        if delivery is None:
            return SendOutcome("skipped")
        with self._given_back_on_error(delivery):
            record = self._sendable_subscription(delivery)
            bulletin = self._bulletin(delivery.bulletin_id or "")
            if record is None or bulletin is None:
                self.ledger.set_status(delivery.line, DeliveryStatus.DROPPED, only_from=_SENDING)
                return SendOutcome("dropped")
            rendered = self._renderable([(delivery, bulletin)], record.language, only_from=_SENDING)
            if not rendered:
                return SendOutcome("dropped")
            recipient, item = self._recipient(record, now), rendered[0][2]
            if isinstance(message, CorrectionMessage):
                email = build_correction_email(
                    sender=self.identity,
                    recipient=recipient,
                    bulletin=item,
                    change_note=bulletin.last_change_note or "",
                    now=now,
                )
            else:
                email = build_bulletin_email(
                    sender=self.identity, recipient=recipient, bulletin=item, now=now
                )
        return self._deliver(delivery, record.address, email, now)

    def _send_digest(self, line: LedgerLine, now: datetime) -> SendOutcome:
        from boletin.email import build_digest_email

        digest = self._claim(line, now)
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
                    self.ledger.set_status(d.line, DeliveryStatus.DROPPED, only_from=_PENDING)
            rendered = self._renderable(items, record.language) if record is not None else []
            if record is None or not rendered:
                self.ledger.set_status(line, DeliveryStatus.DROPPED, only_from=_SENDING)
                return SendOutcome("dropped")
            rendered.sort(key=lambda x: x[1].sort_key(), reverse=True)
            # One notion of date for the reader: the period is that of the bulletins' published_on.
            dates = [b.published_on for _, b, _ in rendered]
            message = build_digest_email(
                sender=self.identity,
                recipient=self._recipient(record, now),
                bulletins=[item for _, _, item in rendered],
                frequency="weekly" if record.frequency == "weekly" else "daily",
                period_start=min(dates),
                period_end=max(dates),
                now=now,
            )
        held = [d for d, _, _ in rendered]
        return self._deliver(digest, record.address, message, now, also_sent=held)

    # ---------------------------------------------------------------- helpers
    def _recipient(self, record: SubscriptionRecord, now: datetime) -> Recipient:
        from boletin.email import Recipient

        links = self.links.of(record.id, now=now)
        return Recipient(
            address=record.address,
            language=record.language,
            unsubscribe_url=links.unsubscribe,
            manage_url=links.manage,
        )

    def _renderable(
        self,
        items: list[tuple[DeliveryRecord, BulletinRecord]],
        language: str,
        *,
        only_from: tuple[DeliveryStatus, ...] = _PENDING,
    ) -> list[Rendered]:
        """Each item as an email shows it; one a renderer refuses (stored before validation
        was as strict as now) is marked failed and left out, never taking a digest down with it."""
        from boletin.email.views import bulletin_item

        rendered = []
        for delivery, bulletin in items:
            try:
                item = bulletin_item(bulletin, language, site_base_url=self.site_base_url)
            except (ValueError, TypeError) as error:
                from aws_lambda_powertools import Logger

                Logger(child=True).warning(
                    "digest item cannot be rendered: left out",
                    bulletin_id=bulletin.id,
                    subscription_id=delivery.subscription_id,
                    reason=str(error),
                )
                self.ledger.set_status(delivery.line, DeliveryStatus.FAILED, only_from=only_from)
            else:
                rendered.append((delivery, bulletin, item))
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

    @contextmanager
    def _given_back_on_error(self, delivery: DeliveryRecord) -> Iterator[None]:
        """Whatever fails after the claim but before SES is asked to send gives the claim back, so the
        queue's retry sends it at once. (A send whose outcome is unknown keeps its claim: SES's Send event
        or the end of the lease settles it.)"""
        try:
            yield
        except Exception:
            self.ledger.release(delivery.line, to_status=DeliveryStatus.QUEUED)
            raise

    def _deliver(
        self,
        delivery: DeliveryRecord,
        address: str,
        message: EmailMessage,
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
                source=self.identity.address,
                destination=address,
                # Carried back in SES's events: they name the line to settle.
                tags={"ledger_kind": delivery.kind, "ledger_line": line_tag(delivery.line)},
                concurrency=self.concurrency,
            )
        except NotSentError:
            # Throttled, or the quota could not be read: nothing was sent. Give the claim back so the
            # queue's retry can send it later.
            self.ledger.release(delivery.line, to_status=DeliveryStatus.QUEUED)
            raise
        except Exception as error:
            if error_code(error) in _REFUSED_FOR_GOOD:
                self.ledger.set_status(delivery.line, DeliveryStatus.FAILED, only_from=_SENDING)
                return SendOutcome("failed")
            # Unknown whether SES took it: leave it 'sending' and surface the error. If SES took it,
            # its Send event marks it sent; if not, the retry after the lease sends it.
            raise
        # A digest's bulletins first, its own line last: until that is sent, SES's Send event can
        # still settle all of it if this sender dies in between.
        if also_sent:
            self.ledger.mark_all_sent([d.line for d in also_sent], message_id=message_id, now=now)
        self.ledger.mark_sent(delivery.line, message_id=message_id, now=now)
        return SendOutcome("sent", message_id)
