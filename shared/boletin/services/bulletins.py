"""Submitting and reading bulletins."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass

from boletin.clock import Clock, utc_now
from boletin.errors import (
    BulletinNotFoundError,
    BulletinWithdrawnError,
    FieldError,
    IdempotencyKeyReusedError,
    MalformedRequestError,
)
from boletin.models.bulletin_views import BulletinTombstone
from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.deliveries import DeliveryStatus
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission, content_hash
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.messaging import SigningKeys
from boletin.repositories.office_guard import OfficeGuards

# Ids made from an Idempotency-Key live in their own namespace, so a retried submission lands on
# the same item and the conditional write itself detects the retry: one write on the hot path.
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# What the owning office's delivery report counts, in this order (the delivery ledger's statuses).
_EMAIL_STATUSES = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.PENDING_DIGEST,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.COMPLAINED,
    DeliveryStatus.DROPPED,
    DeliveryStatus.FAILED,
)


@dataclass(frozen=True)
class SubmissionResult:
    record: BulletinRecord
    replayed: bool  # True when an Idempotency-Key retry returned the original bulletin


def bulletin_id_for(office: str, idempotency_key: str | None, id_key: bytes) -> str:
    """A random id, or for an Idempotency-Key one keyed with the stack's id secret (HMAC-SHA256):
    a replay finds the same id in one conditional write, and no one without the secret can compute
    the id of another office's (perhaps embargoed) bulletin from its office and key."""
    if idempotency_key is None:
        return str(uuid.uuid4())
    digest = hmac.new(id_key, f"{office}\x00{idempotency_key}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def visible_to(record: BulletinRecord | None, bulletin_id: str, caller: Caller | None) -> BulletinRecord:
    """The record if this caller may read it: anyone a published bulletin, its office any status;
    otherwise 404 (or 410 with its reason, for a withdrawn bulletin that had been public)."""
    not_found = BulletinNotFoundError(f"No bulletin {bulletin_id!r}.")
    if record is None:
        raise not_found
    owner = caller is not None and caller.office == record.office
    if record.status == BulletinStatus.WITHDRAWN:
        # Withdrawn before it was ever public (under embargo, or still received): for anyone but its
        # office it never existed, so neither its title nor the reason leak.
        if record.published_at is None and not owner:
            raise not_found
        raise BulletinWithdrawnError(record.withdrawn_reason or "This bulletin was withdrawn.")
    if record.is_public or owner:
        return record
    raise not_found


def is_bulletin_id(bulletin_id: str) -> bool:
    """Ids are UUIDs: anything else is not looked up at all."""
    try:
        uuid.UUID(bulletin_id)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class BulletinService:
    """Submitting a bulletin (one conditional write) and reading one back."""

    bulletins: BulletinRepository
    deliveries: DeliveryRepository
    guards: OfficeGuards
    id_keys: SigningKeys  # the id secret, read on the first submission with an Idempotency-Key
    feeds_base_url: str
    clock: Clock = utc_now

    def submit(
        self, caller: Caller, submission: BulletinSubmission, *, idempotency_key: str | None = None
    ) -> SubmissionResult:
        """Store a submission (status received); enrichment and publication follow from the stream."""
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise MalformedRequestError(
                "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
                errors=[FieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters")],
            )
        created = self.clock()
        request_hash = submission.request_hash()
        id_key = self.id_keys.derive("boletin/bulletin-ids/v1") if idempotency_key is not None else b""
        record = BulletinRecord(
            id=bulletin_id_for(caller.office, idempotency_key, id_key),
            office=caller.office,
            office_name=caller.office_name,
            status=BulletinStatus.RECEIVED,
            version=1,
            title=submission.title,
            body=submission.body,
            published_on=submission.published_on,
            language_given=submission.language,
            source_url=submission.source_url,
            link=submission.link,
            countries_given=submission.countries,
            topics_given=submission.topics,
            publish_at=submission.publish_at,
            notify=submission.notify,
            correlation_id=caller.request_id or None,
            created_at=created,
            updated_at=created,
            content_hash=content_hash(submission),
            request_hash=request_hash,
        )
        existing = self.bulletins.create(record, guard=self.guards.for_caller(caller, submission.countries))
        if existing is None:
            return SubmissionResult(record=record, replayed=False)
        if existing.office == caller.office and existing.request_hash == request_hash:
            return SubmissionResult(record=existing, replayed=True)
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was already used for a different submission; use a new key.",
            errors=[FieldError("Idempotency-Key", "already used with a different request body")],
        )

    def get(self, bulletin_id: str, caller: Caller | None) -> BulletinRecord:
        """Anyone sees a published bulletin; its office sees it at any status; others get 404."""
        record = self.bulletins.get(bulletin_id) if is_bulletin_id(bulletin_id) else None
        return visible_to(record, bulletin_id, caller)

    def tombstone(self, bulletin_id: str) -> BulletinTombstone:
        """What remains visible of a withdrawn bulletin."""
        record = self.bulletins.get(bulletin_id)
        if record is None:
            raise BulletinNotFoundError(f"No bulletin {bulletin_id!r}.")
        return BulletinTombstone(
            id=record.id,
            title=record.title,
            office=record.office,
            withdrawn_at=record.withdrawn_at,
            reason=record.withdrawn_reason,
        )

    def delivery_report(self, record: BulletinRecord) -> dict[str, object]:
        """For the owning office: the feeds that carry the bulletin and what happened to its emails."""
        from boletin.feeds import feed_path
        from boletin.repositories.scopes import feed_scope, is_feed_scope, scope_keys_for

        feeds: list[str] = []
        if record.status == BulletinStatus.PUBLISHED and record.enrichment is not None:
            e = record.enrichment
            keys = scope_keys_for(
                countries=e.countries, topics=e.topics, language=e.language, office=record.office
            )
            feeds = [
                f"{self.feeds_base_url}/{feed_path(feed_scope(k), 'rss')}" for k in keys if is_feed_scope(k)
            ]
        counts = self.deliveries.status_counts(record.id)
        return {
            "feeds": sorted(feeds),
            "emails": {status: counts.get(status, 0) for status in _EMAIL_STATUSES},
        }
