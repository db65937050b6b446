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
from datetime import UTC, datetime
from typing import Any

from boletin.errors import OfficeNotFoundError
from boletin.listing import is_feed_scope, scope_keys_for
from boletin.models.bulletins import BulletinRecord, BulletinSubmission, summary_from_record
from boletin.models.enrichment import (
    CountryEvidence,
    Enrichment,
    PhraseVote,
    PreviewEvidence,
    TopicEvidence,
)
from boletin.models.events import (
    BULLETIN_PUBLISHED,
    BULLETIN_UPDATED,
    BULLETIN_WITHDRAWN,
    BulletinEventDetail,
)
from boletin.repositories.bulletins import BulletinIndexRepository, BulletinRepository, summary_entry
from boletin.repositories.events import EventPublisher
from boletin.repositories.offices import OfficeRepository
from boletin.repositories.scheduler import ReleaseScheduler
from boletin.settings import get_settings


def enrich_submission(submission: BulletinSubmission) -> Enrichment:
    return _enrich(
        submission.title, submission.body, submission.language, submission.countries, submission.topics
    )


def enrich_record(record: BulletinRecord) -> Enrichment:
    return _enrich(
        record.title, record.body, record.language_given, record.countries_given, record.topics_given
    )


def _enrich(
    title: str, body: str, language: str | None, countries: list[str] | None, topics: list[str] | None
) -> Enrichment:
    from boletin.enrichment import enrich

    enrichment = enrich(title, body, language)
    return with_office_statements(enrichment, countries, topics)


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


def enrichment_evidence(submission: BulletinSubmission, enrichment: Enrichment) -> PreviewEvidence:
    """Per topic and country: the phrases that voted, their points and the threshold."""
    from boletin.enrichment.countries import country_mentions
    from boletin.enrichment.text import plain_text
    from boletin.enrichment.topics import topic_evidence

    text = plain_text(enrichment.body_html)
    stated_topics = set(submission.topics or ())
    stated_countries = set(submission.countries or ())
    topics = [
        TopicEvidence(
            topic=e.topic,
            score=e.score,
            threshold=e.threshold,
            detected=e.assigned,
            assigned=e.topic in enrichment.topics,
            given_by_office=e.topic in stated_topics,
            votes=[PhraseVote(phrase=v.phrase, part=v.part, points=v.points) for v in e.votes],
        )
        for e in topic_evidence(submission.title, text, enrichment.language)
    ]
    voted = {t.topic for t in topics}
    topics += [
        TopicEvidence(
            topic=t,
            score=0,
            threshold=topics[0].threshold if topics else 0,
            detected=False,
            assigned=True,
            given_by_office=True,
        )
        for t in sorted(stated_topics - voted)
    ]
    mentions: dict[str, list[str]] = {}
    for part in (submission.title, text):
        for code, phrases in country_mentions(part).items():
            mentions.setdefault(code, []).extend(phrases)
    countries = [
        CountryEvidence(
            country=code,
            score=len(phrases),
            detected=True,
            assigned=code in enrichment.countries,
            given_by_office=code in stated_countries,
            phrases=phrases,
        )
        for code, phrases in mentions.items()
    ]
    countries += [
        CountryEvidence(country=code, score=0, detected=False, assigned=True, given_by_office=True)
        for code in sorted(stated_countries - set(mentions))
    ]
    return PreviewEvidence(topics=topics, countries=countries)


@dataclass
class PublicationOutcome:
    enriched: bool = False
    announced: list[str] = field(default_factory=list)  # detail types put on the bus


@dataclass
class Publisher:
    bulletins: BulletinRepository
    index: BulletinIndexRepository
    events: EventPublisher
    scheduler: ReleaseScheduler
    offices: OfficeRepository | None = None  # None: no office scope to enforce (tests)

    @classmethod
    def from_settings(cls) -> Publisher:
        settings = get_settings()
        return cls(
            BulletinRepository(settings.bulletins_table),
            BulletinIndexRepository(settings.bulletin_index_table),
            EventPublisher(settings.event_bus_name),
            ReleaseScheduler.from_settings(),
            OfficeRepository(settings.offices_table),
        )

    def _outside_scope(self, record: BulletinRecord, enrichment: Enrichment) -> str | None:
        """Why a bulletin never published must not be: all its countries lie outside its office's."""
        if self.offices is None or record.published_at is not None or not enrichment.countries:
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

    def handle_change(
        self, old: BulletinRecord | None, new: BulletinRecord | None, *, now: datetime | None = None
    ) -> PublicationOutcome:
        outcome = PublicationOutcome()
        if new is None:
            return outcome
        now = now or datetime.now(UTC)
        if new.status == "withdrawn":
            if old is not None and old.status != "withdrawn":
                self._unlist(old)
                if old.published_at is not None:
                    self.events.publish([(BULLETIN_WITHDRAWN, event_detail(new, old, withdrawn=True))])
                    outcome.announced.append(BULLETIN_WITHDRAWN)
            return outcome
        if (
            new.status in ("received", "published", "scheduled", "held")
            and new.enriched_hash != new.content_hash
        ):
            enrichment = enrich_record(new)
            held_reason = self._outside_scope(new, enrichment)
            if held_reason is not None:
                outcome.enriched = self.bulletins.apply_enrichment(
                    new, enrichment, status="held", now=now, held_reason=held_reason
                )
                return outcome
            embargoed = new.publish_at is not None and new.publish_at > now and new.status != "published"
            if embargoed:
                assert new.publish_at is not None
                # Scheduled before the status is written: a crash in between only re-runs this.
                self.scheduler.schedule_release(new.id, new.content_hash, new.publish_at)
            outcome.enriched = self.bulletins.apply_enrichment(
                new, enrichment, status="scheduled" if embargoed else "published", now=now
            )
            return outcome
        if new.status == "published" and new.enrichment is not None and _newly_visible(old, new):
            self._index(old, new)
            first = old is None or old.published_at is None
            detail_type = BULLETIN_PUBLISHED if first else BULLETIN_UPDATED
            self.events.publish([(detail_type, event_detail(new, None if first else old))])
            outcome.announced.append(detail_type)
        return outcome

    def _listed(self, record: BulletinRecord) -> set[tuple[str, str]]:
        """The index entries a published, enriched record occupies."""
        if record.status != "published" or record.enrichment is None:
            return set()
        key = record.listed_sort_key or record.sort_key()
        return {(s, key) for s in _scopes(record)}

    def _unlist(self, old: BulletinRecord) -> None:
        self.index.delete_entries(sorted(self._listed(old)))

    def _index(self, old: BulletinRecord | None, new: BulletinRecord) -> None:
        base_url = get_settings().public_base_url
        new_scopes = _scopes(new)
        if old is not None:
            stale = self._listed(old) - {(s, new.sort_key()) for s in new_scopes}
            self.index.delete_entries(sorted(stale))
        view = summary_from_record(new, base_url=base_url)
        assert new.enrichment is not None
        html = new.enrichment.body_html
        self.index.put_entries(
            summary_entry(s, new, view, content_html=html if is_feed_scope(s) else None) for s in new_scopes
        )
        self.index.register_feeds(s for s in new_scopes if is_feed_scope(s))


def _newly_visible(old: BulletinRecord | None, new: BulletinRecord) -> bool:
    """Index and announce once per enriched version: on the write that made it so."""
    if old is None or old.status != "published":
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
    previous = old.enrichment if old is not None and old.status == "published" else None
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
        change=(new.last_change or "minor") if updated else None,
        change_note=new.last_change_note if updated else None,
        reason=new.withdrawn_reason if withdrawn else None,
        correlation_id=new.correlation_id,
        notify=new.notify,
    )


def record_from_image(image: dict[str, Any] | None) -> BulletinRecord | None:
    """A bulletin from a stream image (DynamoDB JSON); None when absent."""
    if not image:
        return None
    from boletin.repositories.bulletins import record_from_item

    return record_from_item(image)
