"""RSS 2.0, Atom (RFC 4287) and JSON Feed 1.1 documents, and an OPML 2.0 list of feeds.

Pure functions of their input: no clock, no AWS, no randomness, so the same document renders to
the same bytes and unchanged feeds are not rewritten. Every item carries the same stable id in every
format, ``urn:boletin:bulletin:<id>``, which never changes across corrections.

Categories say what they are: RSS ``<category domain="...">`` and Atom ``<category scheme="...">``
use :data:`COUNTRY_SCHEME` / :data:`TOPIC_SCHEME`; JSON Feed, whose tags are plain strings, adds a
``_boletin`` extension object with ``countries`` and ``topics``.

XML feeds carry a ``<boletin:browser-note>`` extension element (ignored by feed readers) with a
localised "this is a feed, copy this address into your feed reader" note that the stylesheet shows
when someone opens the feed in a browser.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Final

from boletin.feeds._xml import Element, clean_line, clean_text, el, rss_title, serialize
from boletin.feeds.paths import feed_url
from boletin.feeds.texts import BRAND, translate
from boletin.models.feeds import FeedDocument, FeedEntry, FeedFormat, FeedScope

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
CONTENT_NS: Final = "http://purl.org/rss/1.0/modules/content/"
DC_NS: Final = "http://purl.org/dc/elements/1.1/"
BOLETIN_NS: Final = "urn:boletin:feed"
JSON_FEED_VERSION: Final = "https://jsonfeed.org/version/1.1"
RSS_DOCS: Final = "https://www.rssboard.org/rss-specification"

COUNTRY_SCHEME: Final = "urn:boletin:country"
TOPIC_SCHEME: Final = "urn:boletin:topic"

#: Content-Type to serve each format with. RSS and Atom go out as ``application/xml``: Chromium shows
#: ``application/rss+xml`` and ``application/atom+xml`` as plain source text and never applies the
#: stylesheet, while feed readers accept ``application/xml`` for both (autodiscovery ``<link>`` tags
#: in HTML pages keep their specific types).
FEED_CONTENT_TYPES: Final[dict[FeedFormat, str]] = {
    "rss": "application/xml; charset=utf-8",
    "atom": "application/xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
OPML_CONTENT_TYPE: Final = "text/x-opml; charset=utf-8"


def entry_urn(bulletin_id: str) -> str:
    """The stable id of a bulletin in every feed format."""
    return f"urn:boletin:bulletin:{clean_line(bulletin_id)}"


def feed_urn(scope: FeedScope) -> str:
    return "urn:boletin:feed:all" if scope.kind == "all" else f"urn:boletin:feed:{scope.kind}:{scope.value}"


def _utc(value: datetime) -> datetime:
    """Timezone-aware UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rfc822(value: datetime) -> str:
    """``Wed, 05 Mar 2025 10:00:00 GMT`` (RSS dates)."""
    return format_datetime(_utc(value).replace(microsecond=0), usegmt=True)


def rfc3339(value: datetime) -> str:
    """``2025-03-05T10:00:00Z`` (Atom and JSON Feed dates)."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _browser_note(self_url: str, language: str | None) -> Element:
    return el(
        "boletin:browser-note",
        children=[
            el("boletin:heading", translate("note.heading", language)),
            el("boletin:text", translate("note.body", language)),
            el("boletin:url", self_url),
        ],
    )


def _categories(entry: FeedEntry, make: Callable[[str, str], Element]) -> list[Element]:
    pairs = [(COUNTRY_SCHEME, c) for c in entry.countries] + [(TOPIC_SCHEME, t) for t in entry.topics]
    return [make(scheme, clean_line(value)) for scheme, value in pairs if clean_line(value)]


# ---------------------------------------------------------------------------------------------- RSS


def _rss_item(entry: FeedEntry) -> Element:
    children = [
        el("title", rss_title(entry.title)),
        el("link", clean_line(entry.link)),
        el("guid", entry_urn(entry.id), {"isPermaLink": "false"}),
        el("pubDate", rfc822(entry.published_at)),
        # RSS readers render <description> as HTML: the summary is text, so it goes in escaped.
        el("description", html.escape(entry.summary, quote=False)),
        el("content:encoded", entry.content_html),
        *_categories(entry, lambda scheme, value: el("category", value, {"domain": scheme})),
        el("dc:language", entry.language),
    ]
    if clean_line(entry.office_name):
        children.append(el("dc:creator", clean_line(entry.office_name)))
    if entry.source_url and clean_line(entry.source_url):
        children.append(el("atom:link", attrs={"rel": "via", "href": clean_line(entry.source_url)}))
    return el("item", children=children)


def render_rss(
    doc: FeedDocument,
    *,
    title: str,
    description: str,
    language: str | None,
    stylesheet_href: str | None = None,
) -> bytes:
    self_url = feed_url(doc.feeds_base_url, doc.scope, "rss")
    channel: list[Element] = [
        el("title", clean_line(title)),
        el("link", doc.base_url),
        el("description", clean_line(description)),
        el("atom:link", attrs={"href": self_url, "rel": "self", "type": "application/rss+xml"}),
    ]
    if language:
        channel.append(el("language", clean_line(language)))
    channel += [
        el("lastBuildDate", rfc822(doc.updated_at)),
        el("generator", BRAND),
        el("docs", RSS_DOCS),
        _browser_note(self_url, language),
        *(_rss_item(entry) for entry in doc.entries),
    ]
    root = el(
        "rss",
        attrs={
            "version": "2.0",
            "xmlns:atom": ATOM_NS,
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:boletin": BOLETIN_NS,
        },
        children=[el("channel", children=channel)],
    )
    return serialize(root, stylesheet_href=stylesheet_href)


# --------------------------------------------------------------------------------------------- Atom


def _atom_entry(entry: FeedEntry) -> Element:
    children = [
        el("id", entry_urn(entry.id)),
        el("title", clean_line(entry.title), {"type": "text"}),
        el("link", attrs={"rel": "alternate", "type": "text/html", "href": clean_line(entry.link)}),
        *(
            [el("link", attrs={"rel": "via", "href": clean_line(entry.source_url)})]
            if entry.source_url and clean_line(entry.source_url)
            else []
        ),
        el("published", rfc3339(entry.published_at)),
        el("updated", rfc3339(max(_utc(entry.updated_at), _utc(entry.published_at)))),
    ]
    if clean_line(entry.office_name):
        children.append(el("author", children=[el("name", clean_line(entry.office_name))]))
    children += [
        el("summary", entry.summary, {"type": "text"}),
        el("content", entry.content_html, {"type": "html"}),
        *_categories(entry, lambda scheme, value: el("category", attrs={"term": value, "scheme": scheme})),
    ]
    return el("entry", attrs={"xml:lang": entry.language}, children=children)


def render_atom(
    doc: FeedDocument,
    *,
    title: str,
    description: str,
    language: str | None,
    stylesheet_href: str | None = None,
) -> bytes:
    self_url = feed_url(doc.feeds_base_url, doc.scope, "atom")
    children = [
        el("id", feed_urn(doc.scope)),
        el("title", clean_line(title), {"type": "text"}),
        el("subtitle", clean_line(description), {"type": "text"}),
        el("link", attrs={"rel": "alternate", "type": "text/html", "href": doc.base_url}),
        el("link", attrs={"rel": "self", "type": "application/atom+xml", "href": self_url}),
        el("updated", rfc3339(doc.updated_at)),
        el("author", children=[el("name", BRAND), el("uri", doc.base_url)]),
        el("generator", BRAND),
        _browser_note(self_url, language),
        *(_atom_entry(entry) for entry in doc.entries),
    ]
    attrs = {"xmlns": ATOM_NS, "xmlns:boletin": BOLETIN_NS}
    if language:
        attrs["xml:lang"] = clean_line(language)
    return serialize(el("feed", attrs=attrs, children=children), stylesheet_href=stylesheet_href)


# ---------------------------------------------------------------------------------------- JSON Feed


def _clean_json(value: Any) -> Any:
    """The XML character rule applied to every string, so all formats carry the same text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    return value


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    countries = [clean_line(c) for c in entry.countries if clean_line(c)]
    topics = [clean_line(t) for t in entry.topics if clean_line(t)]
    item: dict[str, Any] = {
        "id": entry_urn(entry.id),
        "url": clean_line(entry.link),
        "title": clean_line(entry.title),
        "summary": entry.summary,
        "content_html": entry.content_html,
        "date_published": rfc3339(entry.published_at),
        "date_modified": rfc3339(max(_utc(entry.updated_at), _utc(entry.published_at))),
        "language": entry.language,
        "tags": countries + topics,
        "_boletin": {"bulletin_id": clean_line(entry.id), "countries": countries, "topics": topics},
    }
    if clean_line(entry.office_name):
        item["authors"] = [{"name": clean_line(entry.office_name)}]
    if entry.source_url and clean_line(entry.source_url):
        item["external_url"] = clean_line(entry.source_url)
    return item


def render_json(
    doc: FeedDocument,
    *,
    title: str,
    description: str,
    language: str | None,
    stylesheet_href: str | None = None,
) -> bytes:
    """JSON Feed 1.1 (``stylesheet_href`` is accepted for a uniform signature and ignored)."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": clean_line(title),
        "home_page_url": doc.base_url,
        "feed_url": feed_url(doc.feeds_base_url, doc.scope, "json"),
        "description": clean_line(description),
    }
    if language:
        feed["language"] = clean_line(language)
    feed["authors"] = [{"name": BRAND, "url": doc.base_url}]
    feed["items"] = [_json_item(entry) for entry in doc.entries]
    text = json.dumps(_clean_json(feed), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------------ dispatch

_RENDERERS: Final[dict[FeedFormat, Callable[..., bytes]]] = {
    "rss": render_rss,
    "atom": render_atom,
    "json": render_json,
}


def render_feed(
    doc: FeedDocument,
    fmt: FeedFormat,
    *,
    title: str,
    description: str,
    language: str | None,
    stylesheet_href: str | None,
) -> bytes:
    """Render ``doc`` as RSS, Atom or JSON Feed. ``language`` is the feed's language (a language
    feed's own), or ``None`` for feeds mixing languages; each entry always states its own."""
    return _RENDERERS[fmt](
        doc, title=title, description=description, language=language, stylesheet_href=stylesheet_href
    )


# ---------------------------------------------------------------------------------------------- OPML


def render_opml(feeds: Iterable[tuple[str, str, str]], *, title: str | None = None) -> bytes:
    """An OPML 2.0 subscription list of ``(title, xml_url, html_url)`` feeds, in the order given."""
    outlines = [
        el(
            "outline",
            attrs={
                "type": "rss",
                "text": clean_line(name),
                "title": clean_line(name),
                "xmlUrl": clean_line(xml_url),
                "htmlUrl": clean_line(html_url),
            },
        )
        for name, xml_url, html_url in feeds
    ]
    head = el("head", children=[el("title", clean_line(title or translate("opml.title", "en")))])
    root = el("opml", attrs={"version": "2.0"}, children=[head, el("body", children=outlines)])
    return serialize(root)
