"""Bulletin events on the EventBridge bus: ids and the fields rules filter on, never the body."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from boletin.models.enrichment import LanguageCode
from boletin.models.submissions import ChangeKind

EVENT_SOURCE = "boletin.bulletins"


class DetailType(StrEnum):
    """The kinds of bulletin event (EventBridge's detail-type)."""

    PUBLISHED = "Bulletin Published"
    UPDATED = "Bulletin Updated"
    WITHDRAWN = "Bulletin Withdrawn"


class BulletinEventDetail(BaseModel):
    """The `detail` of every bulletin event."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(description="The bulletin id.")
    version: int = Field(description="The bulletin version this event is about.")
    office: str = Field(description="Id of the office that owns the bulletin.")
    language: LanguageCode
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes, sorted.")
    topics: list[str] = Field(description="Topic slugs, sorted.")
    published_on: date
    previous_countries: list[str] = Field(
        default_factory=list, description="Countries of the previous version (updates and withdrawals)."
    )
    previous_topics: list[str] = Field(default_factory=list, description="Topics of the previous version.")
    change: ChangeKind | None = Field(default=None, description="Updates only.")
    change_note: str | None = Field(default=None, description="Updates only: one line on what changed.")
    reason: str | None = Field(default=None, description="Withdrawals only.")
    correlation_id: str | None = Field(default=None, description="The API request that caused the event.")
    notify: bool = Field(
        default=True, description="false: an archived bulletin; no email is sent about it, ever."
    )
