"""A feed opened in a real browser (headless Chromium) reads as a page, with a subscribe hint.

The feeds and ``feed.css`` are served by a local ``http.server`` with the Content-Types production
uses (:data:`boletin.feeds.FEED_CONTENT_TYPES`): Chromium shows ``application/rss+xml`` and
``application/atom+xml`` as plain source text, so this also guards that choice.

Chromium is required, not optional: without it the test fails. On Debian/Ubuntu CI:
``apt-get update && apt-get install -y --no-install-recommends chromium``.
"""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from boletin.feeds import (
    FEED_CONTENT_TYPES,
    STYLESHEET_CONTENT_TYPE,
    STYLESHEET_NAME,
    feed_path,
    feed_texts,
    render_feed,
    stylesheet_bytes,
)
from boletin.models.feeds import FeedDocument, FeedEntry, FeedFormat, FeedScope
from tests.support.chromium import colours, run_chromium

ENTRY_TITLE = "Costa Rica amplía la regularización & los permisos <temporales>"
NOTE_HEADING = "Esto es un canal de noticias (feed)"
NOTE_BORDER_RGB = (0xF5, 0x9E, 0x0B)  # the browser note's left border in feed.css


class FeedHandler(SimpleHTTPRequestHandler):
    """Static files with production Content-Types and no caching between Chromium runs."""

    extensions_map = {  # noqa: RUF012 - the base class declares it as a plain class attribute
        ".xml": FEED_CONTENT_TYPES["rss"],
        ".atom": FEED_CONTENT_TYPES["atom"],
        ".json": FEED_CONTENT_TYPES["json"],
        ".css": STYLESHEET_CONTENT_TYPE,
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_site(tmp_path: Path) -> Iterator[str]:
    """A local server for ``tmp_path/site``; yields its ``/feeds`` base URL."""
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(FeedHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feeds"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def publish(site_root: Path, feeds_base_url: str, fmt: FeedFormat) -> tuple[str, str]:
    """Render a Spanish country feed and the stylesheet into the site; return (feed URL, feed title)."""
    scope = FeedScope(kind="country", value="CR")
    published = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)
    entries = [
        FeedEntry(
            id=f"01JNB0000{n}",
            title=title,
            link=f"https://news.example.org/bulletins/01JNB0000{n}",
            published_on=date(2025, 3, 5),
            published_at=published,
            updated_at=published,
            summary="La oficina informa de un nuevo programa de regularización para trabajadores.",
            content_html="<p>Texto <strong>completo</strong> del boletín.</p><script>alert(1)</script>",
            countries=["CR", "NI"],
            topics=["labour-migration"],
            language="es",
            office_name="Oficina de San José",
        )
        for n, title in enumerate([ENTRY_TITLE, "Panamá y Costa Rica firman un acuerdo"], start=1)
    ]
    doc = FeedDocument(
        scope=scope,
        entries=entries,
        base_url="https://news.example.org",
        feeds_base_url=feeds_base_url,
        updated_at=published,
    )
    title, description = feed_texts(scope, label="Costa Rica", language="es")
    path = feed_path(scope, fmt)
    feeds_dir = site_root / "feeds"
    (feeds_dir / path).parent.mkdir(parents=True, exist_ok=True)
    (feeds_dir / path).write_bytes(
        render_feed(
            doc,
            fmt,
            title=title,
            description=description,
            language="es",
            stylesheet_href=f"{feeds_base_url}/{STYLESHEET_NAME}",
        )
    )
    (feeds_dir / STYLESHEET_NAME).write_bytes(stylesheet_bytes())
    return f"{feeds_base_url}/{path}", title


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_a_feed_opened_in_chromium_then_it_reads_as_a_styled_page_with_a_subscribe_hint(
    fmt: FeedFormat, feed_site: str, tmp_path: Path
) -> None:
    url, feed_title = publish(tmp_path / "site", feed_site, fmt)
    screenshot = tmp_path / f"feed-{fmt}.png"

    dom = html.unescape(run_chromium(tmp_path, "dom", "--dump-dom", url))
    run_chromium(tmp_path, "shot", f"--screenshot={screenshot}", url)

    # The feed stays an XML document styled by feed.css: not plain source text, not an XSLT page.
    assert dom.lstrip().startswith("<rss" if fmt == "rss" else "<feed"), dom[:300]
    assert "<pre" not in dom
    assert "xslt-warning-banner" not in dom
    assert feed_title in dom
    # (an RSS title holds no "<" or ">" once decoded, as readers may take it for HTML: look-alikes)
    shown = ENTRY_TITLE.replace("<", "\u2039").replace(">", "\u203a") if fmt == "rss" else ENTRY_TITLE
    assert shown in dom
    assert NOTE_HEADING in dom
    assert "copie la dirección de abajo en su lector de feeds" in dom
    assert url in dom  # the address to copy into a feed reader
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 5_000
    seen = colours(screenshot.read_bytes())
    assert len(seen) > 10, "the screenshot is (nearly) blank"
    assert NOTE_BORDER_RGB in seen, "feed.css was not applied (no subscribe-note border in the screenshot)"
