"""The delivery ledger's lines and the send queue's messages (after GOV.UK's email-alert-api).

A ledger line is named by a `LedgerLine`: an opaque key that only `repositories.ledger_lines` builds
and reads. The stored strings of statuses and kinds are those written before they were enums, so
lines already in DynamoDB (and messages already queued) read unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from boletin.models.subscriptions import Frequency


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting in the send queue (immediate)
    PENDING_DIGEST = "pending_digest"  # waiting for the subscription's next digest
    SENDING = "sending"  # claimed by a sender for a lease; SES's Send event or the lease's end settles it
    SENT = "sent"
    DROPPED = "dropped"  # not sent: bulletin withdrawn, subscription ended or address suppressed
    FAILED = "failed"  # SES refused it for good
    BOUNCED = "bounced"
    COMPLAINED = "complained"


class DeliveryKind(StrEnum):
    BULLETIN = "bulletin"
    CONFIRMATION = "confirmation"
    DIGEST = "digest"
    CORRECTION = "correction"


class LedgerLine(NamedTuple):
    """The key of one ledger line (build it with `repositories.ledger_lines`, never by hand)."""

    pk: str
    sk: str


class DeliveryRecord(BaseModel):
    """One line of the ledger: a bulletin for a subscriber (or a confirmation, or a digest)."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    pk: str
    sk: str
    kind: DeliveryKind
    status: DeliveryStatus
    subscription_id: str
    address_key: str
    bulletin_id: str | None = None
    frequency: Frequency | None = None
    created_at: datetime
    sent_at: datetime | None = None
    message_id: str | None = None
    attempts: int = 0
    claimed_at: datetime | None = None
    # While 'sending': until when (epoch seconds) the claim is held. A line still 'sending' after it,
    # with no SES Send event recorded, was never taken by SES and may be claimed again.
    lease_until: float | None = None

    @classmethod
    def at(cls, line: LedgerLine, **fields: Any) -> DeliveryRecord:
        return cls(pk=line.pk, sk=line.sk, **fields)

    @property
    def line(self) -> LedgerLine:
        return LedgerLine(self.pk, self.sk)


# ---------------------------------------------------------------- the send queue's messages
class _Message(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class ConfirmationMessage(_Message):
    """Send a pending subscription its confirmation link (the ledger line is made on sending)."""

    kind: Literal[DeliveryKind.CONFIRMATION] = DeliveryKind.CONFIRMATION
    subscription_id: str = Field(min_length=1)


class _LineMessage(_Message):
    """Send the ledger line (pk, sk): the wire shape the queue has carried from the start."""

    pk: str = Field(min_length=1)
    sk: str = Field(min_length=1)

    @classmethod
    def of(cls, line: LedgerLine) -> Any:
        return cls(pk=line.pk, sk=line.sk)

    @property
    def line(self) -> LedgerLine:
        return LedgerLine(self.pk, self.sk)


class BulletinMessage(_LineMessage):
    kind: Literal[DeliveryKind.BULLETIN] = DeliveryKind.BULLETIN


class DigestMessage(_LineMessage):
    kind: Literal[DeliveryKind.DIGEST] = DeliveryKind.DIGEST


class CorrectionMessage(_LineMessage):
    kind: Literal[DeliveryKind.CORRECTION] = DeliveryKind.CORRECTION


SendMessage = Annotated[
    ConfirmationMessage | BulletinMessage | DigestMessage | CorrectionMessage, Field(discriminator="kind")
]


class UnreadableMessageError(ValueError):
    """A send-queue message that is no delivery this code knows: it fails, and after the queue's
    retries it lands in SendDLQ, where it can be read and replayed."""


@cache
def _send_message() -> TypeAdapter[SendMessage]:
    return TypeAdapter(SendMessage)  # built on first use: nothing costs at import time


def parse_send_message(body: str | bytes) -> SendMessage:
    """A send-queue message's body as its typed message (the same JSON the queue has always carried)."""
    try:
        return _send_message().validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise UnreadableMessageError(f"not a send-queue message ({problems})") from None


def queue_bodies(messages: Iterable[_Message]) -> list[dict[str, Any]]:
    """The messages as the queue carries them (JSON objects)."""
    return [m.model_dump(mode="json") for m in messages]
