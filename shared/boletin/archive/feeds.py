"""RSS 2.0 and Atom archives, as an old CMS exports them (WordPress's RSS or WXR export, Atom).

Parsed with feedparser (which also sanitises the HTML it hands over); HTML bodies become Markdown
with markdownify, titles plain text with Beautiful Soup: no regular expressions over HTML.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from boletin.archive.items import Archive, ArchiveError, ArchiveItem, UnreadableItem

_LANGUAGES = ("en", "es", "fr", "pt")
_BLANK_LINES = re.compile(r"\n{3,}")  # over Markdown text, not HTML


def looks_like_feed(head: str) -> bool:
    """An XML document whose root is a feed (checked on the first few KB)."""
    start = head.lstrip("\ufeff \t\r\n")
    return start.startswith("<") and any(root in head for root in ("<rss", "<feed", "<rdf:RDF"))


def parse_feed(data: bytes) -> Archive:
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise ArchiveError(f"not an RSS or Atom feed ({reason})")
    kind = "atom" if str(parsed.version).startswith("atom") else "rss"
    archive = Archive(format=kind)
    feed_language = _language(parsed.feed.get("language"))
    for number, entry in enumerate(parsed.entries, start=1):
        item = _item(entry, f"entry {number}", feed_language)
        if isinstance(item, UnreadableItem):
            archive.unreadable.append(item)
        else:
            archive.items.append(item)
    return archive


def _item(entry: Any, position: str, feed_language: str | None) -> ArchiveItem | UnreadableItem:
    title = _title(entry)
    if not title:
        return UnreadableItem(position, "", "the entry has no title", "title")
    published_on = _published_on(entry)
    if published_on is None:
        return UnreadableItem(position, title[:80], "the entry has no publication date", "published_on")
    html, language = _content(entry)
    body = html_to_markdown(html) if html else ""
    if not body:
        return UnreadableItem(position, title[:80], "the entry has no body", "body")
    link = entry.get("link") or None
    return ArchiveItem(
        position,
        published_on,
        title,
        body,
        language=language or feed_language,
        source_url=link if link and link.startswith("https://") else None,
    )


def html_to_markdown(html: str) -> str:
    from markdownify import markdownify

    markdown = markdownify(html, heading_style="ATX", bullets="-", strip=["script", "style"])
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in markdown.splitlines())).strip()


def _title(entry: Any) -> str:
    title = str(entry.get("title") or "")
    detail = entry.get("title_detail") or {}
    if "html" in str(detail.get("type", "")):
        from bs4 import BeautifulSoup

        title = BeautifulSoup(title, "html.parser").get_text(" ")
    return " ".join(title.split())


def _content(entry: Any) -> tuple[str, str | None]:
    """The fullest body the entry has (content:encoded / atom:content over the summary)."""
    for part in entry.get("content") or []:
        if part.get("value", "").strip():
            return str(part["value"]), _language(part.get("language"))
    detail = entry.get("summary_detail") or {}
    return str(entry.get("summary") or ""), _language(detail.get("language"))


def _published_on(entry: Any) -> date | None:
    """The date as the office wrote it (its own time zone), not converted to UTC."""
    for key in ("published", "updated", "wp_post_date"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).date()
    return None


def _language(value: Any) -> str | None:
    code = str(value or "").strip().lower()[:2]
    return code if code in _LANGUAGES else None
