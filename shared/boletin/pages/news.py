"""News lists: the home page and each country, topic and language, newest first.

A scope's front page holds its newest bulletins; older ones are on the pages of their month, 20 a
page (``…/2021-11.html``, ``…/2021-11-p2.html``), linked newer/older, so a new bulletin rewrites its
scope's front page and the pages of its month, never the whole archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from boletin.models.bulletin_views import BulletinSummaryView
from boletin.models.feeds import FeedFormat, FeedScope
from boletin.pages.layout import Head, e, page
from boletin.pages.paths import NEWS_LANGUAGES, bulletin_path, news_path, site_url, subscribe_path
from boletin.pages.texts import long_date, month_name, text

FRONT_PAGE_SIZE = 20
MONTH_PAGE_SIZE = 20
_FEED_TYPES: tuple[tuple[FeedFormat, str, str], ...] = (
    ("rss", "application/rss+xml", "RSS"),
    ("atom", "application/atom+xml", "Atom"),
    ("json", "application/feed+json", "JSON Feed"),
)


@dataclass(frozen=True)
class NewsPage:
    """What one list page shows."""

    scope: FeedScope
    entries: Sequence[BulletinSummaryView]
    month: str | None = None  # None: the front page
    older_month: str | None = None  # linked from the month's last page (and the front page)
    newer_month: str | None = None  # linked from the month's first page
    page: int = 1  # of the month's pages of MONTH_PAGE_SIZE
    pages: int = 1


def scope_label(scope: FeedScope, language: str) -> str | None:
    from boletin.enrichment.taxonomy import country_name, topic_label

    if scope.value is None:
        return None
    try:
        if scope.kind == "country":
            return country_name(scope.value, language)
        if scope.kind == "topic":
            return topic_label(scope.value, language)
    except KeyError:
        return scope.value
    return text(language, f"lang.{scope.value}") if scope.kind == "language" else None


def entry_url(site_base_url: str, view: BulletinSummaryView) -> str:
    return site_url(site_base_url, bulletin_path(view.id, view.slug))


def _entry(view: BulletinSummaryView, language: str, base: str) -> str:
    lang = view.language or "en"
    summary = f"<p>{e(view.summary)}</p>" if view.summary else ""
    return (
        f'<li><article lang="{e(lang)}">'
        f'<h2><a href="{e(entry_url(base, view))}">{e(view.title)}</a></h2>'
        f'<p class="meta"><time datetime="{view.published_on.isoformat()}">'
        f"{e(long_date(view.published_on, lang))}</time> · {e(view.office_name)}</p>{summary}"
        "</article></li>"
    )


def render_news(news: NewsPage, *, language: str, site_base_url: str, feeds_base_url: str) -> bytes:
    """One list page in ``language`` (the site's texts; each bulletin keeps its own language)."""
    from boletin.feeds import feed_url

    label = scope_label(news.scope, language)
    heading = text(language, "news_of", label=label) if label else text(language, "home")
    title = heading
    if news.month:
        title = text(
            language,
            "month_of",
            label=label or text(language, "home"),
            month=month_name(news.month, language),
        )
        if news.pages > 1:
            title += f" ({news.page}/{news.pages})"
    path = news_path(language, news.scope, news.month, news.page)
    canonical = site_url(site_base_url, path)
    feeds = [
        (mime, f"{heading} ({name})", feed_url(feeds_base_url, news.scope, fmt))
        for fmt, mime, name in _FEED_TYPES
    ]
    subscribe = site_url(site_base_url, subscribe_path(language, news.scope))
    parts = [f"<h1>{e(title)}</h1>", '<p class="actions">']
    parts.append(
        f'<a class="button" href="{e(subscribe)}">'
        f"{e(text(language, 'subscribe_to', label=label) if label else text(language, 'subscribe'))}</a> "
    )
    parts.append(f"<span>{e(text(language, 'feeds'))}:</span> ")
    parts.append(
        " ".join(
            f'<a href="{e(href)}" type="{e(mime)}">{e(name)}</a>'
            for (fmt, mime, name), (_, _, href) in zip(_FEED_TYPES, feeds, strict=True)
        )
    )
    parts.append("</p>")
    if news.entries:
        parts.append('<ol class="news">')
        parts.extend(_entry(view, language, site_base_url) for view in news.entries)
        parts.append("</ol>")
    else:
        parts.append(f'<p class="empty">{e(text(language, "empty"))}</p>')
    links = []
    newer: str | None = None
    if news.month and news.page > 1:
        newer = news_path(language, news.scope, news.month, news.page - 1)
    elif news.newer_month:
        newer = news_path(language, news.scope, news.newer_month)
    elif news.month:
        newer = news_path(language, news.scope)
    if newer:
        links.append(
            f'<a rel="prev" href="{e(site_url(site_base_url, newer))}">← {e(text(language, "newer"))}</a>'
        )
    if news.month and news.page < news.pages:
        older = site_url(site_base_url, news_path(language, news.scope, news.month, news.page + 1))
        links.append(f'<a rel="next" href="{e(older)}">{e(text(language, "older"))} →</a>')
    elif news.older_month:
        older = site_url(site_base_url, news_path(language, news.scope, news.older_month))
        links.append(
            f'<a rel="next" href="{e(older)}">{e(text(language, "older"))}: '
            f"{e(month_name(news.older_month, language))} →</a>"
        )
    if links:
        parts.append(
            f'<nav class="pager" aria-label="{e(text(language, "page_label"))}">{" ".join(links)}</nav>'
        )
    description = text(language, "latest") + (f": {label}" if label else "")
    alternates = [
        (lang, site_url(site_base_url, news_path(lang, news.scope, news.month, news.page)))
        for lang in NEWS_LANGUAGES
    ]
    head = Head(
        language=language,
        title=f"{title} – Boletín",
        description=description,
        canonical=canonical,
        feeds=feeds,
        alternates=alternates,
    )
    return page(head, "".join(parts), site_base_url=site_base_url)
