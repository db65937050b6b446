"""Submitting, reading and listing bulletins."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boletin.errors import (
    BulletinNotFoundError,
    BulletinWithdrawnError,
    FieldError,
    IdempotencyKeyReusedError,
    MalformedRequestError,
)
from boletin.listing import scope_key
from boletin.models.bulletins import (
    BulletinPage,
    BulletinRecord,
    BulletinSubmission,
    BulletinSummaryView,
    BulletinTombstone,
    content_hash,
    summary_from_record,
)
from boletin.models.enrichment import EnrichmentPreview, LanguageCode
from boletin.models.offices import Caller
from boletin.repositories.bulletins import BulletinIndexRepository, BulletinRepository, OfficeGuard
from boletin.repositories.messaging import SigningKeys
from boletin.settings import get_settings

# Ids made from an Idempotency-Key live in their own namespace, so a retried submission lands on
# the same item and the conditional write itself detects the retry: one write on the hot path.
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class SubmissionResult:
    record: BulletinRecord
    replayed: bool  # True when an Idempotency-Key retry returned the original bulletin


def bulletin_id_for(office: str, idempotency_key: str | None, id_key: bytes | None = None) -> str:
    """A random id, or for an Idempotency-Key one keyed with the stack's id secret (HMAC-SHA256):
    a replay finds the same id in one conditional write, and no one without the secret can compute
    the id of another office's (perhaps embargoed) bulletin from its office and key."""
    if idempotency_key is None:
        return str(uuid.uuid4())
    digest = hmac.new(id_key or _id_key(), f"{office}\x00{idempotency_key}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


_id_keys: SigningKeys | None = None


def _id_key() -> bytes:
    """The key bulletin ids are derived with; the secret is read once per container."""
    global _id_keys
    if _id_keys is None:
        _id_keys = SigningKeys(get_settings().bulletin_id_secret_arn)
    return _id_keys.derive("boletin/bulletin-ids/v1")


def _bulletins() -> BulletinRepository:
    return BulletinRepository(get_settings().bulletins_table)


def _index() -> BulletinIndexRepository:
    return BulletinIndexRepository(get_settings().bulletin_index_table)


def submit_bulletin(
    caller: Caller,
    submission: BulletinSubmission,
    *,
    idempotency_key: str | None = None,
    repository: BulletinRepository | None = None,
    id_key: bytes | None = None,
    now: datetime | None = None,
) -> SubmissionResult:
    """Store a submission (status received); enrichment and publication follow from the stream."""
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise MalformedRequestError(
            "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
            errors=[FieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters")],
        )
    created = now or datetime.now(UTC)
    request_hash = submission.request_hash()
    record = BulletinRecord(
        id=bulletin_id_for(caller.office, idempotency_key, id_key),
        office=caller.office,
        office_name=caller.office_name,
        status="received",
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
    existing = (repository or _bulletins()).create(record, guard=guard_for(caller, submission.countries))
    if existing is None:
        return SubmissionResult(record=record, replayed=False)
    if existing.office == caller.office and existing.request_hash == request_hash:
        return SubmissionResult(record=existing, replayed=True)
    raise IdempotencyKeyReusedError(
        "This Idempotency-Key was already used for a different submission; use a new key.",
        errors=[FieldError("Idempotency-Key", "already used with a different request body")],
    )


def guard_for(caller: Caller, countries: list[str] | None) -> OfficeGuard | None:
    """The write-time check of the caller's key and office (when it came through the authorizer)."""
    if not caller.key_hash:
        return None
    return OfficeGuard(get_settings().offices_table, caller.office, caller.key_hash, tuple(countries or ()))


def get_bulletin(
    bulletin_id: str, caller: Caller | None, *, repository: BulletinRepository | None = None
) -> BulletinRecord:
    """Anyone sees a published bulletin; its office sees it at any status; others get 404."""
    not_found = BulletinNotFoundError(f"No bulletin {bulletin_id!r}.")
    try:
        uuid.UUID(bulletin_id)
    except ValueError:
        raise not_found from None
    record = (repository or _bulletins()).get(bulletin_id)
    if record is None:
        raise not_found
    owner = caller is not None and caller.office == record.office
    if record.status == "withdrawn":
        # Withdrawn before it was ever public (under embargo, or still received): for anyone but its
        # office it never existed, so neither its title nor the reason leak.
        if record.published_at is None and not owner:
            raise not_found
        raise BulletinWithdrawnError(record.withdrawn_reason or "This bulletin was withdrawn.")
    if record.is_public or (caller is not None and caller.office == record.office):
        return record
    raise not_found


def tombstone(bulletin_id: str, *, repository: BulletinRepository | None = None) -> BulletinTombstone:
    record = (repository or _bulletins()).get(bulletin_id)
    assert record is not None
    return BulletinTombstone(
        id=record.id,
        title=record.title,
        office=record.office,
        withdrawn_at=record.withdrawn_at,
        reason=record.withdrawn_reason,
    )


def delivery_report(record: BulletinRecord) -> dict[str, object]:
    """For the owning office: the feeds that carry the bulletin and what happened to its emails."""
    from boletin.feeds import feed_path
    from boletin.listing import feed_scope, is_feed_scope, scope_keys_for
    from boletin.repositories.deliveries import DeliveryRepository

    settings = get_settings()
    feeds: list[str] = []
    if record.status == "published" and record.enrichment is not None:
        e = record.enrichment
        keys = scope_keys_for(
            countries=e.countries, topics=e.topics, language=e.language, office=record.office
        )
        feeds = [
            f"{settings.feeds_base_url}/{feed_path(feed_scope(k), 'rss')}" for k in keys if is_feed_scope(k)
        ]
    counts = DeliveryRepository(settings.deliveries_table).status_counts(record.id)
    emails = {
        status: counts.get(status, 0)
        for status in (
            "queued",
            "pending_digest",
            "sending",
            "sent",
            "bounced",
            "complained",
            "dropped",
            "failed",
        )
    }
    return {"feeds": sorted(feeds), "emails": emails}


def preview_enrichment(submission: BulletinSubmission) -> EnrichmentPreview:
    """What enrichment will make of a submission, storing nothing, and the evidence for it."""
    from boletin.services.enrich import enrich_submission, enrichment_evidence

    enrichment = enrich_submission(submission)
    evidence = enrichment_evidence(submission, enrichment)
    return EnrichmentPreview(**enrichment.model_dump(), evidence=evidence)


class ListQuery(BaseModel):
    """Query parameters of `GET /bulletins`."""

    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)

    country: str | None = None
    topic: str | None = None
    language: LanguageCode | None = None
    office: str | None = None
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")
    limit: int = Field(default=20, description="1 to 100.")
    cursor: str | None = None
    status: Literal["received", "scheduled", "published", "held", "withdrawn"] | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> str | None:
        if value is None:
            return None
        from boletin.enrichment.taxonomy import is_country_code

        code = str(value).strip().upper()  # ?country=gt means GT
        if not _COUNTRY.match(code) or not is_country_code(code):
            raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. GT")
        return code

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: object) -> int:
        try:
            limit = int(str(value).strip())
        except ValueError:
            raise ValueError("must be a whole number from 1 to 100") from None
        if not 1 <= limit <= 100:
            raise ValueError(f"must be a whole number from 1 to 100 (got {limit})")
        return limit

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from boletin.enrichment.taxonomy import list_topics

        slugs = [t.slug for t in list_topics()]
        if value not in slugs:
            raise ValueError("must be a topic slug from GET /topics")
        return value

    @field_validator("office")
    @classmethod
    def _office(cls, value: str | None) -> str | None:
        if value is not None and (len(value) > 60 or not _SLUG.match(value)):
            raise ValueError("must be an office id (lower-case letters, digits and hyphens)")
        return value

    @model_validator(mode="after")
    def _range(self) -> ListQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("'from' must not be after 'to'")
        return self


def _encode_cursor(last_key: str, fingerprint: str) -> str:
    raw = json.dumps({"k": last_key, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, fingerprint: str) -> str:
    error = MalformedRequestError(
        "The cursor is not valid for this query: pass next_cursor back unchanged, with the same filters.",
        errors=[FieldError("cursor", "not a cursor of this query")],
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise error from None
    if not isinstance(data, dict) or data.get("q") != fingerprint or not isinstance(data.get("k"), str):
        raise error
    key: str = data["k"]
    if len(key) > 200 or not re.match(r"^\d{4}-\d{2}-\d{2}#[^#]+#[0-9a-f-]{36}$", key):
        raise error
    return key


def list_bulletins(
    query: ListQuery,
    caller: Caller | None,
    *,
    bulletins: BulletinRepository | None = None,
    index: BulletinIndexRepository | None = None,
) -> tuple[BulletinPage, int]:
    """One page of bulletins, newest first, and how many items were read to make it.

    The public sees published bulletins through the index (one Query on the partition of exactly
    these filters). An office asking for its own bulletins (`office=<its id>`) sees them at any
    status through the ByOffice index.
    """
    base_url = get_settings().public_base_url
    own = caller is not None and query.office == caller.office
    if query.status is not None and not own:
        raise MalformedRequestError(
            "Filtering by status is only for an office listing its own bulletins.",
            errors=[FieldError("status", "needs an office key and office=<your office id>")],
        )
    if own and (query.country or query.topic or query.language or query.status):
        # The office's own view is small; filters other than dates apply after the read.
        return _list_own_filtered(query, caller, base_url, bulletins)
    scope = scope_key(country=query.country, topic=query.topic, language=query.language, office=query.office)
    fingerprint = hashlib.sha256(f"{'own' if own else 'public'}|{scope}".encode()).hexdigest()[:12]
    start_after = _decode_cursor(query.cursor, fingerprint) if query.cursor else None
    items: list[BulletinSummaryView]
    if own:
        assert caller is not None
        page = (bulletins or _bulletins()).list_by_office(
            caller.office,
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            start_after=start_after,
        )
        items = [summary_from_record(BulletinRecord.model_validate(i), base_url=base_url) for i in page.items]
    else:
        page = (index or _index()).query(
            scope,
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            start_after=start_after,
        )
        items = [BulletinSummaryView.model_validate_json(i["view"]) for i in page.items]
    next_cursor = _encode_cursor(page.last_key, fingerprint) if page.last_key else None
    return BulletinPage(items=items, next_cursor=next_cursor), page.items_read


def _list_own_filtered(
    query: ListQuery, caller: Caller | None, base_url: str, bulletins: BulletinRepository | None
) -> tuple[BulletinPage, int]:
    assert caller is not None
    fingerprint = hashlib.sha256(
        f"own-filtered|{query.country}|{query.topic}|{query.language}|{query.status}".encode()
    ).hexdigest()[:12]
    start_after = _decode_cursor(query.cursor, fingerprint) if query.cursor else None
    repo = bulletins or _bulletins()
    matched: list[BulletinSummaryView] = []
    read = 0
    last_key: str | None = None
    while True:
        page = repo.list_by_office(
            caller.office,
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            start_after=start_after,
        )
        read += page.items_read
        for item in page.items:
            record = BulletinRecord.model_validate(item)
            view = summary_from_record(record, base_url=base_url)
            if _matches(view, query):
                if len(matched) == query.limit:
                    return BulletinPage(
                        items=matched, next_cursor=_encode_cursor(last_key or "", fingerprint)
                    ), read
                matched.append(view)
                last_key = record.sort_key()
        if page.last_key is None:
            return BulletinPage(items=matched, next_cursor=None), read
        start_after = page.last_key


def _matches(view: BulletinSummaryView, query: ListQuery) -> bool:
    return (
        (query.country is None or query.country in view.countries)
        and (query.topic is None or query.topic in view.topics)
        and (query.language is None or query.language == view.language)
        and (query.status is None or query.status == view.status)
    )
