"""Feeds: which exist, and regenerating the ones a batch of bulletin events touched."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from boletin.models.bulletin_views import BulletinSummaryView
from boletin.models.events import BulletinEventDetail
from boletin.models.feeds import FeedDocument, FeedEntry, FeedFormat, FeedScope
from boletin.models.submissions import LinkTarget
from boletin.repositories.bulletin_index import BulletinIndexRepository
from boletin.repositories.feed_store import FeedStore
from boletin.repositories.scopes import ALL, feed_scope, is_feed_scope, scope_key

FEED_SIZE = 50
FORMATS: tuple[FeedFormat, ...] = ("rss", "atom", "json")
LANGUAGE_NAMES = {
    "en": {"en": "English", "es": "inglés", "fr": "anglais", "pt": "inglês"},
    "es": {"en": "Spanish", "es": "español", "fr": "espagnol", "pt": "espanhol"},
    "fr": {"en": "French", "es": "francés", "fr": "français", "pt": "francês"},
    "pt": {"en": "Portuguese", "es": "portugués", "fr": "portugais", "pt": "português"},
}


def scopes_touched(detail: BulletinEventDetail) -> set[str]:
    """Every feed a bulletin is in now or was in before this event."""
    scopes = {ALL, scope_key(language=detail.language)}
    for country in {*detail.countries, *detail.previous_countries}:
        scopes.add(scope_key(country=country))
    for topic in {*detail.topics, *detail.previous_topics}:
        scopes.add(scope_key(topic=topic))
    return scopes


def feed_language(scope: FeedScope) -> str:
    return scope.value if scope.kind == "language" and scope.value else "en"


def scope_label(scope: FeedScope, language: str) -> str | None:
    from boletin.enrichment.taxonomy import country_name, topic_label

    if scope.kind == "country" and scope.value:
        return country_name(scope.value, language)
    if scope.kind == "topic" and scope.value:
        return topic_label(scope.value, language)
    if scope.kind == "language" and scope.value:
        return LANGUAGE_NAMES.get(scope.value, {}).get(language, scope.value)
    return None


def feed_urls(scope: FeedScope, feeds_base_url: str) -> dict[str, str]:
    from boletin.feeds import feed_path

    return {fmt: f"{feeds_base_url}/{feed_path(scope, fmt)}" for fmt in FORMATS}


def list_feeds(index: BulletinIndexRepository, *, feeds_base_url: str) -> list[dict[str, Any]]:
    """The feeds that exist (every scope with at least one published bulletin)."""
    from boletin.feeds import feed_texts

    scopes = {item["sk"] for item in index.registered_feeds() if is_feed_scope(item["sk"])} | {ALL}
    feeds: list[dict[str, Any]] = []
    for key in sorted(scopes, key=lambda k: (k != ALL, k)):
        scope = feed_scope(key)
        language = feed_language(scope)
        title, description = feed_texts(scope, label=scope_label(scope, language), language=language)
        feeds.append(
            {
                "scope": scope.kind,
                "value": scope.value,
                "title": title,
                "description": description,
                "language": language,
                "urls": feed_urls(scope, feeds_base_url),
            }
        )
    return feeds


def entry_dates(view: BulletinSummaryView) -> tuple[datetime, datetime]:
    """(published, updated) as the office said: the bulletin's own date (with the time it went out
    when that was the same day), and the last correction's time for a corrected bulletin."""
    went_out = view.published_at or view.updated_at
    if went_out.date() == view.published_on:
        published = went_out
    else:
        published = datetime.combine(view.published_on, time(0), tzinfo=UTC)
    updated = max(view.updated_at, published) if view.version > 1 else published
    return published, updated


def _entry(item: dict[str, Any], *, site_base_url: str) -> FeedEntry:
    from boletin.pages import entry_url

    view = BulletinSummaryView.model_validate_json(item["view"])
    assert view.language is not None
    published, updated = entry_dates(view)
    return FeedEntry(
        id=view.id,
        title=view.title,
        # The office's original when it asked for that, else the bulletin's page.
        link=view.source_url
        if view.link == LinkTarget.SOURCE and view.source_url
        else entry_url(site_base_url, view),
        published_on=view.published_on,
        published_at=published,
        updated_at=updated,
        summary=view.summary or "",
        content_html=item.get("content_html", ""),
        countries=view.countries,
        topics=view.topics,
        language=view.language,
        office_name=view.office_name,
        source_url=view.source_url,
    )


@dataclass
class RegenerationReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedRegenerator:
    index: BulletinIndexRepository
    store: FeedStore
    public_base_url: str
    feeds_base_url: str
    site_base_url: str

    def regenerate(self, scopes: Iterable[str]) -> RegenerationReport:
        """Rebuild each feed from the table (one Query each) and write the objects that changed."""
        from boletin.feeds import (
            FEED_CONTENT_TYPES,
            OPML_CONTENT_TYPE,
            STYLESHEET_CONTENT_TYPE,
            STYLESHEET_NAME,
            feed_path,
            feed_texts,
            render_feed,
            render_opml,
            stylesheet_bytes,
        )

        report = RegenerationReport()
        known = self.index.feed_hashes()
        from boletin.services.site import vocabulary_digest, vocabulary_scopes

        vocabulary = {"digest": vocabulary_digest()}
        first_run = known.get("asset#vocabulary") != vocabulary
        never_used: set[str] = set()
        if first_run:
            # A valid, empty feed for every scope a reader can subscribe to ahead (on the first run,
            # and again when the vocabulary grows); scopes that never had a bulletin need no Query.
            registered = {item["sk"] for item in self.index.registered_feeds()}
            never_used = vocabulary_scopes() - registered - set(scopes)
            scopes = {*scopes, *never_used}
        stylesheet_href = f"{self.feeds_base_url}/{STYLESHEET_NAME}"
        self._write_if_changed(
            "asset", {STYLESHEET_NAME: (stylesheet_bytes(), STYLESHEET_CONTENT_TYPE)}, known, report
        )
        for key in sorted(set(scopes)):
            scope = feed_scope(key)
            entries = [] if key in never_used else [self._entry(i) for i in self.index.latest(key, FEED_SIZE)]
            language = feed_language(scope)
            title, description = feed_texts(scope, label=scope_label(scope, language), language=language)
            updated = max((e.updated_at for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
            doc = FeedDocument(
                scope=scope,
                entries=entries,
                base_url=self.public_base_url,
                feeds_base_url=self.feeds_base_url,
                updated_at=updated,
            )
            documents = {
                feed_path(scope, fmt): (
                    render_feed(
                        doc,
                        fmt,
                        title=title,
                        description=description,
                        language=language if scope.kind == "language" else None,
                        stylesheet_href=stylesheet_href if fmt != "json" else None,
                    ),
                    FEED_CONTENT_TYPES[fmt],
                )
                for fmt in FORMATS
            }
            self._write_if_changed(key, documents, known, report)
        if any(k not in known for k in scopes):
            feeds = list_feeds(self.index, feeds_base_url=self.feeds_base_url)
            opml = render_opml([(f["title"], f["urls"]["rss"], self.public_base_url) for f in feeds])
            self._write_if_changed("asset#opml", {"index.opml": (opml, OPML_CONTENT_TYPE)}, known, report)
        if first_run:
            self.index.record_feed_hashes("asset#vocabulary", vocabulary)
        return report

    def _entry(self, item: dict[str, Any]) -> FeedEntry:
        return _entry(item, site_base_url=self.site_base_url)

    def _write_if_changed(
        self,
        registry_key: str,
        documents: dict[str, tuple[bytes, str]],
        known: dict[str, dict[str, str]],
        report: RegenerationReport,
    ) -> None:
        previous = known.get(registry_key, {})
        hashes: dict[str, str] = {}
        for path, (body, content_type) in documents.items():
            digest = hashlib.sha256(body).hexdigest()
            hashes[path] = digest
            if previous.get(path) == digest:
                report.unchanged.append(path)
                continue
            self.store.put(path, body, content_type)
            report.written.append(path)
        if hashes != previous:
            self.index.record_feed_hashes(registry_key, hashes)
