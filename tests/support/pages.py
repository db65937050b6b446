"""Sample bulletins for the page tests (unit, browser, e2e), and an HTML5 validity check (html5lib, strict)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from boletin.enrichment.html import render_body_html
from boletin.enrichment.text import slugify
from boletin.models.bulletin_views import BulletinSummaryView
from boletin.models.bulletins import BulletinRecord
from boletin.models.enrichment import Enrichment

SITE = "https://site.example.org"
FEEDS = "https://site.example.org/feeds"
API = "https://api.example.org"


def make_record(**changes: Any) -> BulletinRecord:
    title = changes.pop("title", "OIM y Guatemala fortalecen la protección de personas migrantes")
    body = changes.pop("body", "Funcionarios de **Guatemala** y Honduras se reunieron.\n\nSegundo párrafo.")
    enrichment = {
        "language": "es",
        "countries": ["GT", "HN"],
        "topics": ["trafficking-in-persons"],
        "summary": "Funcionarios de Guatemala y Honduras se reunieron.",
        "slug": slugify(title),
        "word_count": 9,
        "reading_minutes": 1,
        "body_html": render_body_html(body),
        **changes.pop("enrichment", {}),
    }
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": "0b7c6f1e-4d2a-4c1b-9a43-5d9e8f7a6b21",
        "office": "iom-guatemala",
        "office_name": "OIM Guatemala",
        "status": "published",
        "version": 1,
        "title": title,
        "body": body,
        "published_on": date(2021, 11, 30),
        "created_at": now,
        "updated_at": now,
        "published_at": now,
        "content_hash": "h",
        "request_hash": "r",
        "enrichment": Enrichment(**enrichment),
    }
    values.update(changes)
    return BulletinRecord(**values)


def summary_of(record: BulletinRecord) -> BulletinSummaryView:
    from boletin.models.bulletin_views import summary_from_record

    return summary_from_record(record, base_url=API)


def assert_valid_html5(document: bytes | str) -> Any:
    """Parse as a browser does and fail on any parse error (html5lib, strict)."""
    import html5lib

    text = document.decode() if isinstance(document, bytes) else document
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(text)
    assert parser.errors == []
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    labelled = {element.get("for") for element in tree.iter("label") if element.get("for")}
    assert labelled <= set(ids), "a label for no control"
    return tree


def json_ld_of(document: bytes) -> dict[str, Any]:
    match = re.search(rb'<script type="application/ld\+json">(.*?)</script>', document, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def visible_text(tree: Any) -> str:
    body = tree.find("body")
    return " ".join("".join(body.itertext()).split())
