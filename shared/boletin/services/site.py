"""The public site: regenerating the pages a batch of bulletin events touched.

Which pages a bulletin event touches: the bulletin's own page (or its withdrawn notice), and for
every feed scope it is in now or was in before (the same scopes as the feeds), in each news
language, the scope's front page, the pages of the months the bulletin is dated in (now and in
earlier versions) and those months' neighbours (their newer/older links). A scope's pages appear
with its first bulletin (its feeds exist from the first run). Each page is rendered
from one index partition (or the bulletin's own item and versions) and written only when its
bytes changed (digests kept per page, read with one BatchGetItem per 100 pages).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from boletin.models.bulletin_views import BulletinSummaryView
from boletin.models.bulletins import BulletinStatus
from boletin.models.events import BulletinEventDetail
from boletin.models.feeds import FeedScope
from boletin.repositories.bulletin_index import BulletinIndexRepository
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.feed_store import FeedStore
from boletin.repositories.scopes import ALL, feed_scope, scope_key, scope_key_of_feed

# A digest entry (not a page) naming the vocabulary the fixed pages were last written for: absent on
# the first run, different once the vocabulary grows; either way they are written again.
VOCABULARY_MARKER = "#vocabulary"


@dataclass
class SiteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def vocabulary_scopes() -> set[str]:
    """Every scope a reader can subscribe to from the start: the region's countries, every topic
    and language (their feeds exist, empty, before their first bulletin)."""
    from boletin.enrichment.taxonomy import LANGUAGES, list_topics
    from boletin.pages.texts import REGIONS

    scopes = {ALL}
    scopes |= {scope_key(country=c) for _, codes in REGIONS for c in codes}
    scopes |= {scope_key(topic=t.slug) for t in list_topics()}
    scopes |= {scope_key(language=lang) for lang in LANGUAGES}
    return scopes


def vocabulary_digest() -> str:
    """Changes when the vocabulary (and so the set of scopes with pages and feeds) changes."""
    return hashlib.sha256("\n".join(sorted(vocabulary_scopes())).encode()).hexdigest()


def _month(day: date) -> str:
    return day.isoformat()[:7]


@dataclass(frozen=True)
class SiteRegenerator:
    bulletins: BulletinRepository
    index: BulletinIndexRepository
    store: FeedStore  # the feeds bucket under SITE_PREFIX (boletin.repositories.feed_store)
    public_base_url: str  # the API (the subscribe form posts there)
    feeds_base_url: str
    site_base_url: str

    def regenerate(self, details: Iterable[BulletinEventDetail], scopes: Iterable[str]) -> SiteReport:
        """Render every page the events touch and write those that changed."""
        from boletin.pages import HTML_CONTENT_TYPE
        from boletin.services.feeds import scopes_touched

        documents: dict[str, tuple[bytes, str]] = {}
        # Per scope, the months whose pages list (or listed) its bulletins: each bulletin's date now
        # and in its earlier versions, only in the scopes that bulletin is or was in.
        months_of: dict[str, set[str]] = {}
        for detail in details:
            months_of.setdefault(detail.id, set()).add(_month(detail.published_on))
        for bulletin_id in sorted(months_of):
            documents.update(self._bulletin_documents(bulletin_id, months_of[bulletin_id]))
        scope_months: dict[str, set[str]] = {key: set() for key in scopes}
        for detail in details:
            for key in scopes_touched(detail):
                scope_months.setdefault(key, set()).update(months_of[detail.id])
        vocabulary = vocabulary_digest()
        first_run = self.index.page_hashes([VOCABULARY_MARKER]).get(VOCABULARY_MARKER) != vocabulary
        if first_run:  # the stylesheet and the subscribe pages (they list the vocabulary)
            documents.update(self._fixed_documents())
        # Only a correction or a withdrawal can take a bulletin off a month (a publication only adds).
        may_shrink = any(d.change is not None or d.reason is not None for d in details)
        for key in sorted(scope_months):
            documents.update(self._scope_documents(feed_scope(key), scope_months[key], may_shrink=may_shrink))
        report = self._write(documents, default_type=HTML_CONTENT_TYPE)
        if first_run:  # only once every page is written: an interrupted first run runs again
            self.index.record_page_hashes({VOCABULARY_MARKER: vocabulary})
        return report

    # ------------------------------------------------------------------ what each page is made of
    def _bulletin_documents(self, bulletin_id: str, months: set[str]) -> dict[str, tuple[bytes, str]]:
        """The bulletin's page (or its withdrawn notice) at its address and at earlier ones."""
        from boletin.enrichment.text import slugify
        from boletin.pages import (
            HTML_CONTENT_TYPE,
            VersionLine,
            bulletin_path,
            render_bulletin,
            render_moved,
            render_tombstone,
        )

        record = self.bulletins.get(bulletin_id, consistent=True)
        if record is None or record.published_at is None:
            return {}  # never public: no page, and no notice telling anyone it existed
        versions = self.bulletins.versions(bulletin_id)
        months.update(_month(v.published_on) for v in [*versions, record])
        slug = record.enrichment.slug if record.enrichment else None
        path = bulletin_path(record.id, slug)
        base = self.site_base_url
        if record.status == BulletinStatus.WITHDRAWN:
            body = render_tombstone(record, site_base_url=base)
            at_old_addresses = body
        elif record.status == BulletinStatus.PUBLISHED:
            history = [
                VersionLine(
                    v.version,
                    (v.updated_at if v.version > 1 else v.published_at or v.created_at).date(),
                    v.last_change_note,
                )
                for v in versions
                if v.published_at is not None  # versions readers saw, not drafts before publication
            ]
            if history:
                history.append(VersionLine(record.version, record.updated_at.date(), record.last_change_note))
            corrected_on = record.updated_at if record.version > 1 else None
            body = render_bulletin(record, history, site_base_url=base, corrected_on=corrected_on)
            at_old_addresses = render_moved(record, site_base_url=base)
        else:
            return {}
        documents = {path: (body, HTML_CONTENT_TYPE)}
        # Addresses it had under earlier titles lead to it (or say it was withdrawn).
        for old_slug in {slugify(v.title) for v in versions} - {slug}:
            documents[bulletin_path(record.id, old_slug)] = (at_old_addresses, HTML_CONTENT_TYPE)
        return documents

    def _scope_documents(
        self, scope: FeedScope, months: set[str], *, may_shrink: bool = True
    ) -> dict[str, tuple[bytes, str]]:
        from boletin.pages import (
            FRONT_PAGE_SIZE,
            HTML_CONTENT_TYPE,
            MONTH_PAGE_SIZE,
            NEWS_LANGUAGES,
            NewsPage,
            news_path,
            render_news,
            render_subscribe,
            subscribe_path,
        )

        key = scope_key_of_feed(scope)
        newest = [_view(i) for i in self.index.latest(key, FRONT_PAGE_SIZE + 1)]
        pages = [
            NewsPage(
                scope=scope,
                entries=newest[:FRONT_PAGE_SIZE],
                older_month=_month(newest[-1].published_on) if len(newest) > FRONT_PAGE_SIZE else None,
            )
        ]
        # A month's neighbours are not rewritten: their newer/older links may skip a month that
        # just appeared, or lead to one that emptied (its page stays, saying so), and are brought up
        # to date with their own next bulletin. That keeps an event's cost to its own months.
        neighbours: dict[tuple[str, bool], str | None] = {}

        front_months = sorted({_month(v.published_on) for v in newest}, reverse=True)
        complete = len(newest) <= FRONT_PAGE_SIZE  # the front page holds the whole scope

        def neighbour(month: str, older: bool) -> str | None:
            if (month, older) not in neighbours:
                # Read off the newest entries when they reach past the month; else one small Query.
                if not older and front_months and front_months[0] <= month:
                    found: str | None = None
                elif not older and (complete or (front_months and front_months[-1] <= month)):
                    # every month from the oldest shown to the newest has its entries shown
                    found = min((m for m in front_months if m > month), default=None)
                elif older and (complete or (front_months and front_months[-1] < month)):
                    found = max((m for m in front_months if m < month), default=None)
                else:
                    found = self.index.neighbour_month(key, month, older=older)
                neighbours[(month, older)] = found
            return neighbours[(month, older)]

        month_views = {m: [_view(i) for i in self.index.month(key, m)] for m in months}
        wanted = set(months)
        vanished: list[NewsPage] = []  # the page after a month's last: rewritten if it existed
        for month in sorted(wanted):
            if month not in month_views:
                month_views[month] = [_view(i) for i in self.index.month(key, month)]
            views = month_views[month]
            older_month = neighbour(month, True)
            newer_month = neighbour(month, False)
            count = max(1, -(-len(views) // MONTH_PAGE_SIZE))
            for number in range(1, count + 2):
                news = NewsPage(
                    scope=scope,
                    entries=views[(number - 1) * MONTH_PAGE_SIZE : number * MONTH_PAGE_SIZE],
                    month=month,
                    older_month=older_month if number >= count else None,
                    newer_month=newer_month if number == 1 else None,
                    page=number,
                    pages=count,
                )
                (pages if number <= count else vanished).append(news)
        known_vanished = (
            self.index.page_hashes(
                news_path(lang, scope, n.month, n.page) for n in vanished for lang in NEWS_LANGUAGES
            )
            if may_shrink
            else {}
        )
        pages += [
            n for n in vanished if news_path(NEWS_LANGUAGES[0], scope, n.month, n.page) in known_vanished
        ]
        documents: dict[str, tuple[bytes, str]] = {}
        for language in NEWS_LANGUAGES:
            for news in pages:
                body = render_news(
                    news,
                    language=language,
                    site_base_url=self.site_base_url,
                    feeds_base_url=self.feeds_base_url,
                )
                documents[news_path(language, scope, news.month, news.page)] = (body, HTML_CONTENT_TYPE)
                if scope.kind == "all" and news.month is None and language == "en":
                    documents["index.html"] = (body, HTML_CONTENT_TYPE)
            if scope.kind != "all":
                documents[subscribe_path(language, scope)] = (
                    render_subscribe(
                        language,
                        site_base_url=self.site_base_url,
                        api_base_url=self.public_base_url,
                        scope=scope,
                    ),
                    HTML_CONTENT_TYPE,
                )
        return documents

    def _fixed_documents(self) -> dict[str, tuple[bytes, str]]:
        from boletin.pages import (
            HTML_CONTENT_TYPE,
            STYLESHEET_CONTENT_TYPE,
            STYLESHEET_PATH,
            SUBSCRIBE_LANGUAGES,
            render_subscribe,
            stylesheet_bytes,
            subscribe_path,
        )

        documents = {
            subscribe_path(lang): (
                render_subscribe(lang, site_base_url=self.site_base_url, api_base_url=self.public_base_url),
                HTML_CONTENT_TYPE,
            )
            for lang in SUBSCRIBE_LANGUAGES
        }
        documents[STYLESHEET_PATH] = (stylesheet_bytes(), STYLESHEET_CONTENT_TYPE)
        return documents

    # ------------------------------------------------------------------ writing
    def _write(self, documents: dict[str, tuple[bytes, str]], *, default_type: str) -> SiteReport:
        report = SiteReport()
        known = self.index.page_hashes(documents)
        changed: dict[str, str] = {}
        for path, (body, content_type) in documents.items():
            digest = hashlib.sha256(body).hexdigest()
            if known.get(path) == digest:
                report.unchanged.append(path)
                continue
            self.store.put(path, body, content_type or default_type)
            changed[path] = digest
            report.written.append(path)
        if changed:
            self.index.record_page_hashes(changed)
        return report


def _view(item: dict[str, Any]) -> BulletinSummaryView:
    return BulletinSummaryView.model_validate_json(item["view"])
