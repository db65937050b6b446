"""From a stored submission to a published, indexed and announced bulletin.

The bulletins table is the outbox: this runs on its stream, so a crash anywhere here loses nothing
(the record is retried) and every step is safe to repeat (conditional writes, idempotent puts).
Two passes, one per stream record:
1. a submission (or correction) not yet enriched is enriched, and the enrichment and the new status
   are written with a conditional update on the version it was computed from;
2. that write's own stream record then indexes the bulletin for lists and feeds and puts the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boletin.clock import Clock, utc_now
from boletin.errors import OfficeNotFoundError
from boletin.models.bulletin_views import summary_from_record
from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.enrichment import Enrichment, LanguageCode
from boletin.models.events import BulletinEventDetail, DetailType
from boletin.models.submissions import ChangeKind
from boletin.repositories.bulletin_index import BulletinIndexRepository, summary_entry
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.events import EventPublisher
from boletin.repositories.offices import OfficeRepository
from boletin.repositories.scheduler import ReleaseScheduler
from boletin.repositories.scopes import is_feed_scope, scope_keys_for

# The statuses whose content enrichment (re)makes when it changes: every one but withdrawn.
_ENRICHABLE = frozenset(BulletinStatus) - {BulletinStatus.WITHDRAWN}


def enrich_text(
    title: str,
    body: str,
    language: LanguageCode | None,
    countries: list[str] | None,
    topics: list[str] | None,
) -> Enrichment:
    """Enrichment of a title and body, where what the office stated wins (as a stated language does)."""
    from boletin.enrichment import enrich

    return with_office_statements(enrich(title, body, language), countries, topics)


def enrich_record(record: BulletinRecord) -> Enrichment:
    return enrich_text(
        record.title, record.body, record.language_given, record.countries_given, record.topics_given
    )


def with_office_statements(
    enrichment: Enrichment, countries: list[str] | None, topics: list[str] | None
) -> Enrichment:
    """What the office stated wins over what enrichment found (as a stated language does)."""
    update: dict[str, Any] = {}
    if countries:
        primary = enrichment.primary_country if enrichment.primary_country in countries else countries[0]
        update.update(countries=sorted(set(countries)), primary_country=primary)
    if topics is not None:
        update["topics"] = sorted(set(topics))
    return enrichment.model_copy(update=update) if update else enrichment


@dataclass
class PublicationOutcome:
    enriched: bool = False
    announced: list[DetailType] = field(default_factory=list)  # the events put on the bus


@dataclass(frozen=True)
class Publisher:
    """Handles one change of a bulletin (a stream record's old and new images)."""

    bulletins: BulletinRepository
    index: BulletinIndexRepository
    events: EventPublisher
    scheduler: ReleaseScheduler
    offices: OfficeRepository
    public_base_url: str
    clock: Clock = utc_now

    def handle_change(self, old: BulletinRecord | None, new: BulletinRecord | None) -> PublicationOutcome:
        if new is None:
            return PublicationOutcome()
        if new.status == BulletinStatus.WITHDRAWN:
            return self._withdrawn(old, new)
        if new.status in _ENRICHABLE and new.enriched_hash != new.content_hash:
            return PublicationOutcome(enriched=self._enrich(new))
        if new.status == BulletinStatus.PUBLISHED and new.enrichment is not None and _newly_visible(old, new):
            self._index(old, new)
            first = old is None or old.published_at is None
            kind = DetailType.PUBLISHED if first else DetailType.UPDATED
            self.events.publish([(kind, event_detail(new, None if first else old))])
            return PublicationOutcome(announced=[kind])
        return PublicationOutcome()

    def _withdrawn(self, old: BulletinRecord | None, new: BulletinRecord) -> PublicationOutcome:
        """Off every list at once; announced only when it had been public."""
        if old is None or old.status == BulletinStatus.WITHDRAWN:
            return PublicationOutcome()
        self.index.delete_entries(sorted(_listed(old)))
        if old.published_at is None:
            return PublicationOutcome()
        self.events.publish([(DetailType.WITHDRAWN, event_detail(new, old, withdrawn=True))])
        return PublicationOutcome(announced=[DetailType.WITHDRAWN])

    def _enrich(self, new: BulletinRecord) -> bool:
        """Enrich this version and write it with its next status: held, scheduled or published."""
        now = self.clock()
        enrichment = enrich_record(new)
        held_reason = self._outside_scope(new, enrichment)
        if held_reason is not None:
            return self.bulletins.apply_enrichment(
                new, enrichment, status=BulletinStatus.HELD, now=now, held_reason=held_reason
            )
        embargoed = (
            new.publish_at is not None and new.publish_at > now and new.status != BulletinStatus.PUBLISHED
        )
        if embargoed and new.publish_at is not None:
            # Scheduled before the status is written: a crash in between only re-runs this.
            self.scheduler.schedule_release(new.id, new.content_hash, new.publish_at)
        status = BulletinStatus.SCHEDULED if embargoed else BulletinStatus.PUBLISHED
        return self.bulletins.apply_enrichment(new, enrichment, status=status, now=now)

    def _outside_scope(self, record: BulletinRecord, enrichment: Enrichment) -> str | None:
        """Why a bulletin never published must not be: all its countries lie outside its office's."""
        if record.published_at is not None or not enrichment.countries:
            return None
        try:
            allowed = self.offices.get_office(record.office).countries
        except OfficeNotFoundError:
            return None
        if not allowed or set(enrichment.countries) & set(allowed):
            return None
        return (
            f"Held: this office publishes for {', '.join(allowed)}, and the bulletin is about "
            f"{', '.join(enrichment.countries)} only. Correct its countries to publish it."
        )

    def _index(self, old: BulletinRecord | None, new: BulletinRecord) -> None:
        new_scopes = _scopes(new)
        if old is not None:
            stale = _listed(old) - {(s, new.sort_key()) for s in new_scopes}
            self.index.delete_entries(sorted(stale))
        view = summary_from_record(new, base_url=self.public_base_url)
        assert new.enrichment is not None
        html = new.enrichment.body_html
        feeds = [s for s in new_scopes if is_feed_scope(s)]
        self.index.put_entries(
            (summary_entry(s, new, view, content_html=html if s in feeds else None) for s in new_scopes),
            feeds=feeds,
        )


def _listed(record: BulletinRecord) -> set[tuple[str, str]]:
    """The index entries a published, enriched record occupies."""
    if record.status != BulletinStatus.PUBLISHED or record.enrichment is None:
        return set()
    key = record.listed_sort_key or record.sort_key()
    return {(s, key) for s in _scopes(record)}


def _newly_visible(old: BulletinRecord | None, new: BulletinRecord) -> bool:
    """Index and announce once per enriched version: on the write that made it so."""
    if old is None or old.status != BulletinStatus.PUBLISHED:
        return True
    return old.enriched_hash != new.enriched_hash or old.version != new.version


def _scopes(record: BulletinRecord) -> list[str]:
    e = record.enrichment
    assert e is not None
    return scope_keys_for(countries=e.countries, topics=e.topics, language=e.language, office=record.office)


def event_detail(
    new: BulletinRecord, old: BulletinRecord | None, *, withdrawn: bool = False
) -> BulletinEventDetail:
    e = new.enrichment or (old.enrichment if old is not None else None)
    assert e is not None
    previous = old.enrichment if old is not None and old.status == BulletinStatus.PUBLISHED else None
    updated = old is not None and not withdrawn
    return BulletinEventDetail(
        id=new.id,
        version=new.version,
        office=new.office,
        language=e.language,
        countries=e.countries,
        topics=e.topics,
        published_on=new.published_on,
        previous_countries=previous.countries if previous else [],
        previous_topics=previous.topics if previous else [],
        change=(new.last_change or ChangeKind.MINOR) if updated else None,
        change_note=new.last_change_note if updated else None,
        reason=new.withdrawn_reason if withdrawn else None,
        correlation_id=new.correlation_id,
        notify=new.notify,
    )
