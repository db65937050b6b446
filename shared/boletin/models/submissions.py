"""What an office sends: a new bulletin, a correction, a withdrawal; and the hashes of their content."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boletin.models.enrichment import LanguageCode


class LinkTarget(StrEnum):
    """What feeds and emails link a bulletin to."""

    PAGE = "page"  # its page on the site (the default)
    SOURCE = "source"  # the office's original (its source_url)


class ChangeKind(StrEnum):
    """How much a correction changes."""

    MINOR = "minor"  # a typo
    MAJOR = "major"  # facts changed (needs a note)


TITLE_MIN, TITLE_MAX = 10, 255
BODY_MIN, BODY_MAX = 1, 100_000
MAX_COUNTRIES = 60

# Characters no text field may carry: C0 controls other than tab/LF/CR, DEL, C1 controls and the
# XML-illegal non-characters. Titles take no line breaks at all (they become email subjects).
_BAD_BODY_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BAD_TITLE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def _one_line(value: str) -> str:
    """The text without surrounding spaces, refused if it holds a line break or a control character."""
    if _BAD_TITLE_CHARS.search(value):
        raise ValueError("must be a single line without control characters")
    return value.strip()


def _visible(value: str) -> str:
    if not has_visible_text(value):
        raise ValueError("must contain visible text (letters or digits), not only spaces or invisible marks")
    return value


def has_visible_text(value: str) -> bool:
    """True when some character would show: a letter, digit, punctuation or symbol. A text of only
    spaces, zero-width or bidi controls passes a length check yet renders as nothing."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in value)


def _today_utc() -> date:
    return datetime.now(UTC).date()


def _topic_slugs() -> frozenset[str]:
    from boletin.enrichment.taxonomy import topic_slugs

    return topic_slugs()


def _is_country_code(code: str) -> bool:
    from boletin.enrichment.taxonomy import is_country_code

    return is_country_code(code)


class BulletinSubmission(BaseModel):
    """The JSON body of `POST /bulletins` (and of a preview)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", strict=True, frozen=True)

    title: str = Field(description="10 to 255 characters, one line.")
    body: str = Field(description="Markdown (plain text is valid Markdown), 1 to 100,000 characters.")
    published_on: date = Field(description="Date of the news (YYYY-MM-DD), no later than tomorrow (UTC).")
    language: LanguageCode | None = Field(default=None, description="en, es, fr or pt; detected if absent.")
    source_url: str | None = Field(default=None, description="An https URL of the original.")
    link: LinkTarget | None = Field(
        default=None,
        strict=False,  # "page" or "source", from JSON as from Python
        description="What feeds and emails link: the bulletin's page on the site (page, the default) "
        "or the office's original (source, which needs source_url).",
    )
    countries: list[str] | None = Field(
        default=None, description="ISO 3166-1 alpha-2 codes: when given, they replace the detected ones."
    )
    topics: list[str] | None = Field(
        default=None, description="Topic slugs of GET /topics: when given, they replace the detected ones."
    )
    publish_at: datetime | None = Field(
        default=None, description="Embargo: publish at this time (ISO 8601 with a time zone), not before."
    )
    notify: bool = Field(
        default=True,
        description="Email matching subscribers when published. false for an archive import: the "
        "bulletin goes to lists and feeds only and is never emailed, immediately or in a digest.",
    )

    @field_validator("publish_at")
    @classmethod
    def _publish_at(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must include a time zone, e.g. 2026-12-01T08:00:00-06:00")
        value = value.astimezone(UTC)
        if value > datetime.now(UTC) + timedelta(days=366):
            raise ValueError("must be within a year")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = _visible(_one_line(value))
        if not TITLE_MIN <= len(value) <= TITLE_MAX:
            raise ValueError(f"must be {TITLE_MIN} to {TITLE_MAX} characters long (got {len(value)})")
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if _BAD_BODY_CHARS.search(value):
            raise ValueError("must not contain control characters")
        if not value.strip():
            raise ValueError("must not be empty")
        _visible(value)
        if len(value) > BODY_MAX:
            raise ValueError(f"must be at most {BODY_MAX:,} characters long (got {len(value):,})")
        return value

    @field_validator("published_on")
    @classmethod
    def _published_on(cls, value: date) -> date:
        latest = _today_utc() + timedelta(days=1)
        if value > latest:
            raise ValueError(f"must be no later than tomorrow ({latest.isoformat()}, UTC)")
        if value.year < 1900:
            raise ValueError("must be a date after 1900")
        return value

    @field_validator("source_url")
    @classmethod
    def _source_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) > 2048 or any(c.isspace() or ord(c) < 32 for c in value):
            raise ValueError("must be a URL of at most 2048 characters without spaces")
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https URL")
        return value

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if len(value) > MAX_COUNTRIES:
            raise ValueError(f"must list at most {MAX_COUNTRIES} countries")
        bad = [c for c in value if not (_COUNTRY_CODE.match(c) and _is_country_code(c))]
        if bad:
            raise ValueError(f"must be ISO 3166-1 alpha-2 codes in upper case; not: {', '.join(bad[:5])}")
        return sorted(set(value))

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = _topic_slugs()
        bad = [t for t in value if t not in known]
        if bad:
            raise ValueError(
                f"must be topic slugs of GET /topics; not: {', '.join(repr(t) for t in bad[:5])}"
            )
        return sorted(set(value))

    @model_validator(mode="after")
    def _source_link_needs_source(self) -> BulletinSubmission:
        if self.link == LinkTarget.SOURCE and not self.source_url:
            raise ValueError("link 'source' needs a source_url")
        return self

    def request_hash(self) -> str:
        """A digest of the submission's meaning: the same content gives the same hash."""
        canonical = json.dumps(_hashed(self.model_dump(mode="json")), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields added after bulletins were stored count only when given (not at their default), so the
    hashes of what was stored before (Idempotency-Key replays, no-op corrections) do not change."""
    return {k: v for k, v in fields.items() if not (k in _LATER_FIELDS and v == _LATER_FIELDS[k])}


_LATER_FIELDS: dict[str, Any] = {"topics": None, "notify": True, "link": None}


def content_hash(submission: BulletinSubmission) -> str:
    """The bulletin's content (not how a change was described, nor whether it is emailed): when it
    changes, it is enriched again."""
    content = submission.model_dump(mode="json", include=set(BulletinSubmission.model_fields) - {"notify"})
    canonical = json.dumps(_hashed(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class BulletinUpdate(BulletinSubmission):
    """`PUT /bulletins/{id}`: a full replacement, saying how much it changes."""

    change: ChangeKind = Field(
        default=ChangeKind.MINOR, strict=False, description="minor: a typo; major: facts changed."
    )
    change_note: str | None = Field(default=None, description="One line on what changed (required if major).")

    @field_validator("change_note")
    @classmethod
    def _change_note(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = _one_line(value)
        if not 1 <= len(value) <= 200:
            raise ValueError("must be 1 to 200 characters long")
        return value

    @model_validator(mode="after")
    def _major_needs_note(self) -> BulletinUpdate:
        if self.change == ChangeKind.MAJOR and not self.change_note:
            raise ValueError("change_note is required for a major change")
        return self


class BulletinWithdrawal(BaseModel):
    """`DELETE /bulletins/{id}`: why it is withdrawn."""

    model_config = ConfigDict(defer_build=True, extra="forbid", strict=True, frozen=True)

    reason: str = Field(description="One line, shown on the tombstone.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = _one_line(value)
        if not 3 <= len(value) <= 500:
            raise ValueError("must be 3 to 500 characters long")
        return value
