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


class PhraseVote(BaseModel):
    """One phrase of the text that voted for a topic, where it stood, and the points it gave."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    phrase: str
    part: Literal["title", "lead", "body"]
    points: float


class TopicEvidence(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    topic: str
    score: float = Field(description="Sum of the votes' points")
    threshold: float = Field(description="The score at which enrichment assigns the topic")
    detected: bool = Field(description="score >= threshold")
    assigned: bool = Field(description="In the bulletin's topics (the office's list wins when given)")
    given_by_office: bool = False
    votes: list[PhraseVote] = Field(default_factory=list)


class CountryEvidence(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    country: str
    score: int = Field(description="How many times the text names it")
    threshold: int = Field(default=1, description="One mention by name, demonym or capital is enough")
    detected: bool
    assigned: bool
    given_by_office: bool = False
    phrases: list[str] = Field(default_factory=list, description="The phrases that named it, as written")


class PreviewEvidence(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    topics: list[TopicEvidence]
    countries: list[CountryEvidence]


class EnrichmentPreview(Enrichment):
    """`POST /bulletins/preview`: the enrichment, and why: per topic and country, what voted."""

    evidence: PreviewEvidence
