"""What a feed is made of: the rendering input, independent of storage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from boletin.models.enrichment import LanguageCode

ScopeKind = Literal["all", "country", "topic", "language"]
FeedFormat = Literal["rss", "atom", "json"]


class FeedScope(BaseModel):
    """One feed's scope: everything, or one country, topic or language."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    kind: ScopeKind
    value: str | None = None  # "CR", "labour-migration", "es"; None for "all"


class FeedEntry(BaseModel):
    """One published bulletin as a feed shows it."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str  # the bulletin id: stable across corrections
    title: str
    link: str  # absolute URL of the bulletin's page (or the office's original, when it prefers that)
    published_on: date
    published_at: datetime  # when it was first published (timezone-aware, UTC)
    updated_at: datetime  # last change (timezone-aware, UTC)
    summary: str
    content_html: str  # already sanitised
    countries: list[str]
    topics: list[str]
    language: LanguageCode
    office_name: str
    source_url: str | None = None  # the office's original, when it gave one


class FeedDocument(BaseModel):
    """Everything needed to render one feed in any format."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    scope: FeedScope
    entries: list[FeedEntry]  # newest first, at most 50
    base_url: str  # public site/API base, e.g. https://news.example.org
    feeds_base_url: str  # where feeds are served, e.g. https://feeds.example.org/feeds
    updated_at: datetime  # newest change among entries (or generation time when empty)
