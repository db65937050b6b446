"""SES events: a Send settles a ledger line a sender could not mark (it died, or SES's answer was
lost); permanent bounces and complaints suppress the address everywhere."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from boletin.models.deliveries import DeliveryStatus, LedgerLine
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.ledger_lines import is_bulletin, is_digest, line_of_tags
from boletin.repositories.messaging import SigningKeys
from boletin.repositories.subscriptions import SubscriptionRepository

Suppression = Literal["bounced", "complained"]
_STATUS_OF: dict[Suppression, DeliveryStatus] = {
    "bounced": DeliveryStatus.BOUNCED,
    "complained": DeliveryStatus.COMPLAINED,
}


@dataclass(frozen=True)
class SesEventOutcome:
    reason: Suppression | None  # None: nothing to suppress
    suppressed: int  # addresses suppressed
    settled: bool = False  # a Send event marked a line the sender had left 'sending'


@dataclass
class SesEventHandler:
    """Acts on SES's notifications (identity notifications or configuration-set events)."""

    subscriptions: SubscriptionRepository
    ledger: DeliveryRepository
    keys: SigningKeys
    clock: Callable[[], datetime]

    def handle(self, notification: Mapping[str, Any]) -> SesEventOutcome:
        now = self.clock()
        kind = str(notification.get("notificationType") or notification.get("eventType") or "")
        mail = notification.get("mail") or {}
        line = line_of_tags(mail.get("tags") or {})
        if kind == "Send":
            if line is None:
                return SesEventOutcome(None, 0)
            return SesEventOutcome(None, 0, settled=self._settle(line, mail, now))
        reason: Suppression
        if kind == "Bounce" and notification.get("bounce", {}).get("bounceType") == "Permanent":
            reason = "bounced"
            recipients = notification["bounce"].get("bouncedRecipients", [])
        elif kind == "Complaint":
            reason = "complained"
            recipients = notification.get("complaint", {}).get("complainedRecipients", [])
        else:
            return SesEventOutcome(None, 0)  # transient bounces, deliveries...: nothing to do
        suppressed = sum(self._suppress(str(r.get("emailAddress", "")), reason, now) for r in recipients)
        if line is not None and is_bulletin(line):
            # Only a line that is there (never write one the ledger does not have).
            self.ledger.set_status(
                line, _STATUS_OF[reason], only_from=[DeliveryStatus.SENT, DeliveryStatus.SENDING]
            )
        return SesEventOutcome(reason, suppressed)

    def _suppress(self, raw_address: str, reason: Suppression, now: datetime) -> bool:
        """The address is suppressed and each of its subscriptions ended; False if it is no address."""
        from boletin.email import InvalidEmailAddressError, address_key, normalize_address

        try:
            address = normalize_address(raw_address)
        except InvalidEmailAddressError:
            return False
        key = address_key(address, self.keys.addresses)
        self.subscriptions.suppress(key, reason)
        for subscription_id in self.subscriptions.subscription_ids_of(key):
            record = self.subscriptions.get(subscription_id)
            if record is not None and record.status != "ended":
                self.subscriptions.end(record, reason, now)
        return True

    def _settle(self, line: LedgerLine, mail: Mapping[str, Any], now: datetime) -> bool:
        """SES took this email: a line still 'sending' is sent (a digest with what it held)."""
        message_id = str(mail.get("messageId") or "")
        at = _event_time(mail.get("timestamp")) or now
        if is_digest(line):
            digest = self.ledger.get(line)
            if digest is None or digest.status != DeliveryStatus.SENDING:
                return False
            # The sender put in the digest what was pending up to its claim; mark those first, so
            # a failure here is retried with the digest line still 'sending'.
            claimed_at = digest.claimed_at or now
            pending = self.ledger.pending_digest(digest.subscription_id)
            held = [item.line for item in pending if item.created_at <= claimed_at]
            self.ledger.mark_all_sent(held, message_id=message_id, now=at)
        return self.ledger.confirm_sent(line, message_id=message_id, at=at) is not None


def _event_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
