"""Sample feed documents for the feed tests: realistic bulletins in the four languages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

from boletin.models.feeds import FeedDocument, FeedEntry, FeedScope

BASE_URL = "https://news.example.org"
FEEDS_BASE_URL = "https://feeds.example.org/feeds"
STYLESHEET_HREF = "https://feeds.example.org/feeds/feed.css"


def make_entry(number: int = 1, **changes: Any) -> FeedEntry:
    published = datetime(2025, 3, number, 14, 30, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": f"01JNB{number:05d}",
        "title": f"Costa Rica amplía la regularización migratoria ({number})",
        "link": f"{BASE_URL}/bulletins/01JNB{number:05d}",
        "published_on": date(2025, 3, number),
        "published_at": published,
        "updated_at": published.replace(hour=16),
        "summary": "La oficina informa de un nuevo programa de regularización para trabajadores.",
        "content_html": (
            "<p>La oficina informa de un <strong>nuevo programa</strong> de regularización.</p>"
            '<p><a href="https://example.org/programa" rel="noopener noreferrer">Más información</a></p>'
        ),
        "countries": ["CR", "NI"],
        "topics": ["labour-migration", "regularization"],
        "language": "es",
        "office_name": "Oficina de San José",
    }
    values.update(changes)
    return FeedEntry(**values)


def make_doc(*entries: FeedEntry, scope: FeedScope | None = None) -> FeedDocument:
    return FeedDocument(
        scope=scope or FeedScope(kind="country", value="CR"),
        entries=list(entries),
        base_url=BASE_URL,
        feeds_base_url=FEEDS_BASE_URL,
        updated_at=max((e.updated_at for e in entries), default=datetime(2025, 1, 1, tzinfo=UTC)),
    )


def two_entry_doc() -> FeedDocument:
    """Newest first: a Spanish bulletin, then an English one."""
    return make_doc(
        make_entry(5),
        make_entry(
            3,
            title="Panama and Costa Rica sign a labour mobility agreement",
            summary="Both governments agreed on seasonal work permits.",
            content_html="<p>Both governments agreed on <em>seasonal</em> work permits.</p>",
            countries=["CR", "PA"],
            topics=["labour-migration"],
            language="en",
            office_name="Panama Office",
        ),
    )


def parse_xml(body: bytes) -> ET.Element:
    """Parse a feed we rendered ourselves with the stdlib parser (strict about well-formedness)."""
    return ET.fromstring(body)  # noqa: S314 - our own output, parsed to check it is well-formed
