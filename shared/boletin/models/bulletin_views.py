"""Bulletins as the API, lists and feeds show them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.enrichment import LanguageCode
from boletin.models.submissions import ChangeKind, LinkTarget


class Provenance(StrEnum):
    """Who gave a bulletin's language, countries or topics."""

    OFFICE = "office"  # stated in the submission
    ENRICHMENT = "enrichment"  # detected


class BulletinView(BaseModel):
    """A bulletin as the API shows it."""

    model_config = ConfigDict(defer_build=True)

    id: str
    office: str
    office_name: str
    status: BulletinStatus
    version: int
    title: str
    body: str
    published_on: date
    language: LanguageCode | None
    source_url: str | None
    link: LinkTarget | None = None
    countries: list[str]
    primary_country: str | None
    regions: list[str]
    organizations: list[str]
    acronyms: dict[str, str]
    topics: list[str]
    summary: str | None
    slug: str | None
    word_count: int | None
    reading_minutes: int | None
    body_html: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    publish_at: datetime | None = None
    last_change: ChangeKind | None = None
    last_change_note: str | None = None
    provenance: dict[str, Provenance] = Field(
        default_factory=dict,
        description="Who gave language, countries and topics: the office, or enrichment (detected).",
    )
    held_reason: str | None = Field(default=None, description="Why a held bulletin is not published.")
    notify: bool = Field(
        default=True, description="false: an archived bulletin, in lists and feeds but never emailed."
    )
    links: dict[str, str]
    delivery: dict[str, Any] | None = Field(default=None, description="Owner only: where it went.")

    @classmethod
    def from_record(cls, record: BulletinRecord, *, base_url: str) -> BulletinView:
        e = record.enrichment
        return cls(
            id=record.id,
            office=record.office,
            office_name=record.office_name,
            status=record.status,
            version=record.version,
            title=record.title,
            body=record.body,
            published_on=record.published_on,
            language=record.language,
            source_url=record.source_url,
            link=record.link,
            countries=record.countries,
            primary_country=e.primary_country if e else None,
            regions=list(e.regions) if e else [],
            organizations=list(e.organizations) if e else [],
            acronyms=dict(e.acronyms) if e else {},
            topics=list(e.topics) if e else [],
            summary=e.summary if e else None,
            slug=e.slug if e else None,
            word_count=e.word_count if e else None,
            reading_minutes=e.reading_minutes if e else None,
            body_html=e.body_html if e else None,
            created_at=record.created_at,
            updated_at=record.updated_at,
            published_at=record.published_at,
            publish_at=record.publish_at,
            last_change=record.last_change,
            last_change_note=record.last_change_note,
            provenance=provenance(record),
            held_reason=record.held_reason if record.status == BulletinStatus.HELD else None,
            notify=record.notify,
            links={
                "self": f"{base_url}/bulletins/{record.id}",
                "versions": f"{base_url}/bulletins/{record.id}/versions",
            },
        )


def provenance(record: BulletinRecord) -> dict[str, Provenance]:
    """What the office stated wins over enrichment, and is shown as given by the office."""
    given = {
        "language": record.language_given is not None,
        "countries": bool(record.countries_given),
        "topics": record.topics_given is not None,
    }
    return {name: Provenance.OFFICE if stated else Provenance.ENRICHMENT for name, stated in given.items()}


class BulletinTombstone(BaseModel):
    """What remains visible of a withdrawn bulletin."""

    model_config = ConfigDict(defer_build=True)

    id: str
    status: Literal[BulletinStatus.WITHDRAWN] = BulletinStatus.WITHDRAWN
    title: str
    office: str
    withdrawn_at: datetime | None
    reason: str | None


class BulletinSummaryView(BaseModel):
    """A bulletin as lists show it: everything but the body."""

    model_config = ConfigDict(defer_build=True)

    id: str
    office: str
    office_name: str
    status: BulletinStatus
    version: int
    title: str
    published_on: date
    language: LanguageCode | None
    countries: list[str]
    primary_country: str | None = None
    topics: list[str]
    organizations: list[str] = Field(default_factory=list)
    summary: str | None
    slug: str | None = None
    source_url: str | None = None
    link: LinkTarget | None = None
    published_at: datetime | None
    updated_at: datetime
    held_reason: str | None = None  # only ever on the office's own list: held bulletins are not public
    links: dict[str, str]


class BulletinPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    items: list[BulletinSummaryView]
    next_cursor: str | None


def summary_from_record(record: BulletinRecord, *, base_url: str) -> BulletinSummaryView:
    """The list form of the full view: the same fields, and only the bulletin's own link."""
    view = BulletinView.from_record(record, base_url=base_url)
    fields = view.model_dump(include=set(BulletinSummaryView.model_fields) - {"links"})
    return BulletinSummaryView(**fields, links={"self": view.links["self"]})
