"""What an archive yields: items to submit, and items that could not be read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class ArchiveError(Exception):
    """The source cannot be imported at all (not an archive, unreadable): nothing is sent."""


@dataclass(frozen=True)
class ArchiveItem:
    """One bulletin of an archive, as its source gave it."""

    position: str  # where it is in the source, for people: "line 12", "entry 3", "row 7"
    published_on: date
    title: str
    body: str
    language: str | None = None
    countries: list[str] | None = None
    topics: list[str] | None = None
    source_url: str | None = None

    def submission(self) -> dict[str, Any]:
        """The body of `POST /bulletins`: never emailed, since it is old news."""
        payload: dict[str, Any] = {
            "title": self.title,
            "body": self.body,
            "published_on": self.published_on.isoformat(),
            "notify": False,
        }
        optional = {
            "language": self.language,
            "countries": self.countries,
            "topics": self.topics,
            "source_url": self.source_url,
        }
        payload.update({k: v for k, v in optional.items() if v})
        return payload

    def idempotency_key(self, source_id: str) -> str:
        """Stable across reruns and resumes: the source and the item's date and title (not its
        position, so an archive that grew at the top still maps old items to the same key; not its
        body, so an item edited since is reported as already imported differently, not duplicated)."""
        identity = "\x00".join((source_id, self.published_on.isoformat(), " ".join(self.title.split())))
        return "archive-" + hashlib.sha256(identity.encode()).hexdigest()


@dataclass(frozen=True)
class UnreadableItem:
    """An entry of the source that is not a bulletin: reported and skipped, the rest go in."""

    position: str
    title: str
    reason: str
    field: str = ""


@dataclass
class Archive:
    """What a source held."""

    format: str
    items: list[ArchiveItem] = field(default_factory=list)
    unreadable: list[UnreadableItem] = field(default_factory=list)
