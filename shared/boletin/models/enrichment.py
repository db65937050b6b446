"""What enrichment derives from a bulletin's title and body."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LanguageCode = Literal["en", "es", "fr", "pt"]
SUPPORTED_LANGUAGES: tuple[LanguageCode, ...] = ("en", "es", "fr", "pt")


class Enrichment(BaseModel):
    """The enrichment of one bulletin. Lists are sorted and free of duplicates."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    language: LanguageCode
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2, sorted")
    primary_country: str | None = Field(
        default=None, description="First country the title names, else the body's first, else none"
    )
    regions: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list, description="Canonical registry acronyms")
    acronyms: dict[str, str] = Field(
        default_factory=dict, description="Other 'Long Name (ABBR)' definitions: ABBR -> Long Name"
    )
    topics: list[str] = Field(default_factory=list, description="Topic slugs, sorted")
    summary: str = Field(description="The lead: first sentence or two, at most 300 characters")
    slug: str
    word_count: int
    reading_minutes: int
    body_html: str = Field(description="The Markdown body rendered and sanitised")
