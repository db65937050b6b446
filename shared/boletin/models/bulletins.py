"""Bulletins as stored: their status, the submission they were made from, and their enrichment."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from boletin.models.enrichment import Enrichment, LanguageCode
from boletin.models.submissions import BulletinSubmission, ChangeKind, LinkTarget


class BulletinStatus(StrEnum):
    RECEIVED = "received"  # stored, not yet enriched
    SCHEDULED = "scheduled"  # enriched, under embargo until its publish_at
    PUBLISHED = "published"
    # Enriched, but its countries lie only outside its office's; never published (see held_reason).
    HELD = "held"
    WITHDRAWN = "withdrawn"


class BulletinRecord(BaseModel):
    """A bulletin as stored: the submission, its state, and its enrichment once made."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    id: str
    office: str
    office_name: str
    status: BulletinStatus
    version: int
    title: str
    body: str
    published_on: date
    language_given: LanguageCode | None = None
    source_url: str | None = None
    link: LinkTarget | None = None
    countries_given: list[str] | None = None
    topics_given: list[str] | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    content_hash: str
    enriched_hash: str | None = None
    request_hash: str
    enrichment: Enrichment | None = None
    publish_at: datetime | None = None
    withdrawn_reason: str | None = None
    withdrawn_at: datetime | None = None
    held_reason: str | None = None
    last_change: ChangeKind | None = None
    last_change_note: str | None = None
    updated_by: str | None = None
    # Where the listing entries of the last indexed version live, while a correction is enriched.
    listed_sort_key: str | None = None
    correlation_id: str | None = None  # the API request behind this version (logs follow it)
    notify: bool = True  # False: an archived bulletin, listed and in feeds but never emailed

    def submission(self) -> BulletinSubmission:
        """The submission this version was made from."""
        return BulletinSubmission.model_validate_json(
            json.dumps(
                {
                    "title": self.title,
                    "body": self.body,
                    "published_on": self.published_on.isoformat(),
                    "language": self.language_given,
                    "source_url": self.source_url,
                    "link": self.link,
                    "countries": self.countries_given,
                    "topics": self.topics_given,
                    "publish_at": self.publish_at.isoformat() if self.publish_at else None,
                    "notify": self.notify,
                }
            )
        )

    @property
    def is_public(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED

    @property
    def countries(self) -> list[str]:
        if self.enrichment is not None:
            return self.enrichment.countries
        return list(self.countries_given or [])

    @property
    def language(self) -> LanguageCode | None:
        return self.enrichment.language if self.enrichment is not None else self.language_given

    def sort_key(self) -> str:
        """Newest first by news date, then by submission time: the key of every listing."""
        return f"{self.published_on.isoformat()}#{self.created_at.isoformat()}#{self.id}"


class BulletinVersion(BulletinRecord):
    """A snapshot of a version as it was before a correction replaced it (without its enrichment)."""

    replaced_at: datetime
    replaced_by: str | None = None  # the key id (or office) that replaced it
    changed_fields: list[str] = []
