"""Subscribe (double opt-in), confirm, unsubscribe (RFC 8058 one-click) and manage preferences."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from boletin.models.deliveries import ConfirmationMessage, queue_bodies
from boletin.models.subscriptions import SubscriptionRecord, SubscriptionRequest
from boletin.repositories.messaging import SendQueue, SigningKeys
from boletin.repositories.subscriptions import SendLimit, SendLimitReachedError, SubscriptionRepository
from boletin.services.subscriber_links import SubscriberLinks

# At most this many confirmation emails to one mailbox (plus-tags and ignored dots folded: see
# mailbox_of) in a UTC day: subscribing someone else over and over must not make Boletín a mail bomb.
MAX_CONFIRMATIONS_PER_DAY = 3
CONFIRMATION_WINDOW = timedelta(hours=24)


def send_limits(
    mailbox_key: str, source_key: str | None, now: datetime, *, per_source: int, per_hour: int
) -> list[SendLimit]:
    """The counters one confirmation email counts against (a limit of 0 is no limit)."""
    day, hour = now.strftime("%Y-%m-%d"), now.strftime("%Y-%m-%dT%H")
    expires = int(now.timestamp()) + 2 * 86_400
    limits = [SendLimit(f"mailbox#{mailbox_key}", day, MAX_CONFIRMATIONS_PER_DAY, expires)]
    if source_key and per_source:
        limits.append(SendLimit(f"ip#{source_key}", hour, per_source, expires))
    if per_hour:
        limits.append(SendLimit("all", hour, per_hour, expires))
    return limits


@dataclass(frozen=True)
class ConfirmationLimits:
    """Confirmation emails an hour (0: no limit): per source IP, and in all."""

    per_source_ip: int = 0
    per_hour: int = 0


@dataclass
class SubscriptionService:
    subscriptions: SubscriptionRepository
    send_queue: SendQueue
    keys: SigningKeys
    links: SubscriberLinks
    limits: ConfirmationLimits
    clock: Callable[[], datetime]

    def subscribe(self, request: SubscriptionRequest, *, source_ip: str | None = None) -> str | None:
        """Record a pending subscription and queue its confirmation email.

        Returns the new subscription id, or None when nothing is sent (suppressed address, or the
        rate limit); the HTTP answer is the same either way, so no one can learn which addresses
        are known.
        """
        from boletin.email import address_key, mailbox_of

        now = self.clock()
        key = address_key(request.email, self.keys.addresses)
        profile = self.subscriptions.get_subscriber(key)
        # A suppressed address goes through the same writes and the same queue message as a new one
        # (the sender drops it): equal work, so the response time does not tell who is suppressed.
        suppressed = profile is not None and profile.suppressed
        recent = [t for t in (profile.confirmations_sent if profile else []) if t > now - CONFIRMATION_WINDOW]
        limits = send_limits(
            address_key(mailbox_of(request.email), self.keys.addresses),
            address_key(f"ip:{source_ip}", self.keys.addresses) if source_ip else None,
            now,
            per_source=self.limits.per_source_ip,
            per_hour=self.limits.per_hour,
        )
        record = SubscriptionRecord(
            id=str(uuid.uuid4()),
            address=request.email,
            address_key=key,
            language=request.language,
            bulletin_languages=request.bulletin_languages,
            countries=request.countries,
            topics=request.topics,
            frequency=request.frequency,
            timezone=request.timezone or "UTC",
            status="pending",
            created_at=now,
        )
        try:
            self.subscriptions.create_pending(record, [*recent, now], limits)
        except SendLimitReachedError:
            return None
        self.send_queue.send(queue_bodies([ConfirmationMessage(subscription_id=record.id)]))
        return None if suppressed else record.id

    def confirm(
        self, token: str
    ) -> tuple[Literal["confirmed", "invalid", "expired"], SubscriptionRecord | None]:
        from boletin.email import ExpiredTokenError, InvalidTokenError, verify_token

        now = self.clock()
        try:
            subscription_id = verify_token(self.keys.token_keys, token, "confirm", now=now)
        except ExpiredTokenError:
            return "expired", None
        except InvalidTokenError:
            return "invalid", None
        record = self.subscriptions.get(subscription_id)
        if record is None or record.status == "ended":
            return "invalid", record
        profile = self.subscriptions.get_subscriber(record.address_key)
        if profile is not None and profile.suppressed:
            return "invalid", record
        if record.status == "active":
            self.subscriptions.list_under_keys(record)  # repairs a confirmation cut short
            return "confirmed", record
        self.subscriptions.activate(record, now)
        return "confirmed", record

    def record_for(self, token: str, purpose: Literal["unsubscribe", "manage"]) -> SubscriptionRecord | None:
        """The subscription a link's token names; None for a forged, tampered or unknown token."""
        from boletin.email import InvalidTokenError, verify_token

        try:
            subscription_id = verify_token(self.keys.token_keys, token, purpose, now=self.clock())
        except InvalidTokenError:
            return None
        return self.subscriptions.get(subscription_id)

    def unsubscribe(self, record: SubscriptionRecord) -> None:
        """Ends the subscription at once; repeating it changes nothing."""
        if record.status != "ended":
            self.subscriptions.end(record, "unsubscribed", self.clock())

    def update_preferences(
        self,
        record: SubscriptionRecord,
        *,
        countries: list[str],
        topics: list[str],
        frequency: str,
        language: str,
        bulletin_languages: list[str] | None = None,
    ) -> SubscriptionRecord:
        changes: dict[str, object] = {
            "countries": countries,
            "topics": topics,
            "frequency": frequency,
            "language": language,
        }
        if bulletin_languages is not None:
            changes["bulletin_languages"] = sorted(set(bulletin_languages))
        updated = record.model_copy(update=changes)
        updated = SubscriptionRecord.model_validate(updated.model_dump())
        self.subscriptions.update_preferences(record, updated)
        return updated
