"""The public pages in a real browser (headless Chromium): a bulletin page, a country page and the
subscribe form, in English and Spanish, at 320 px and on a desktop.

Checked in the rendered page, not in the HTML source: the visible text, that nothing overflows
sideways at 320 px, and the WCAG contrast of every piece of text against the background it is
drawn on (AA: 4.5:1, 3:1 for large text). The pages have no JavaScript; the test serves a copy
with a measuring script appended, which writes what it measured into the DOM that Chromium dumps.
Chromium is required (see tests/support/chromium.py).
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from boletin.models.feeds import FeedScope
from boletin.pages import (
    STYLESHEET_PATH,
    NewsPage,
    bulletin_path,
    news_path,
    render_bulletin,
    render_news,
    render_subscribe,
    stylesheet_bytes,
    subscribe_path,
)
from tests.support.chromium import colours, run_chromium
from tests.support.pages import make_record, summary_of

HEADER_RGB = (0x1D, 0x4F, 0x91)  # the site header's background in site.css
WIDTHS = (320, 1280)

# Chromium's headless window is at least 500 px wide, so the page is measured in an iframe of the
# width under test (its own viewport: media queries and overflow follow the iframe's width).
MEASURE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>measure</title></head>
<body style="margin:0"><iframe id="page" src="%(src)s" style="border:0;width:%(width)spx;height:900px"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var win = this.contentWindow, doc = win.document;
  function channel(c) { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }
  function luminance(rgb) { return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]); }
  function parse(value) { var m = value.match(/[\\d.]+/g) || []; return m.map(Number); }
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = parse(win.getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  }
  var worst = 99, where = "", walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    var node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.offsetParent === null) continue;
    var style = win.getComputedStyle(el), rect = el.getBoundingClientRect();
    if (rect.right < 0 || rect.bottom < 0) continue;  // off-screen (the skip link until focused)
    var fg = luminance(parse(style.color)), bg = luminance(background(el));
    var ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    var size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    var needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio / needed < worst) { worst = ratio / needed; where = el.tagName + ": " + node.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2); }
  }
  var out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    scrollWidth: doc.documentElement.scrollWidth, innerWidth: win.innerWidth,
    worstContrastMargin: worst, worstContrastAt: where, text: doc.body.innerText,
    stylesheetApplied: win.getComputedStyle(doc.querySelector("header.site")).backgroundColor
  });
  document.body.appendChild(out);
});
</script></body></html>
"""


class PageHandler(SimpleHTTPRequestHandler):
    extensions_map = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8"}  # noqa: RUF012

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PageHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    write_site(root, base)
    try:
        yield base, root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _put(root: Path, path: str, body: bytes) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    # The measuring pages: the page in an iframe of each width, and a script, served beside it.
    if path.endswith(".html"):
        for width in WIDTHS:
            wrapper = MEASURE % {"src": target.name, "width": width}
            target.with_name(f"{target.stem}.measure-{width}.html").write_text(wrapper)


SPANISH = make_record(
    id="5a1c2e3f-0000-4000-8000-000000000001",
    title="Guatemala y Honduras refuerzan la protección de las personas víctimas de trata en la frontera",
    body="Autoridades de **Guatemala** y Honduras acordaron un protocolo regional de identificación de "
    "víctimas de trata de personas.\n\nUnaPalabraMuyLargaSinEspaciosQueNoDebeDesbordarLaPantallaNunca.",
    source_url="https://oim.example.org/noticias/trata-de-personas-en-la-frontera",
)
ENGLISH = make_record(
    id="5a1c2e3f-0000-4000-8000-000000000002",
    title="IOM and Guatemala train border officials on the rights of returned migrants",
    body="Border officials from **Guatemala** were trained on the rights of returned migrants.",
    published_on=date(2021, 10, 4),
    enrichment={"language": "en", "summary": "Border officials from Guatemala were trained."},
)


def write_site(root: Path, base: str) -> None:
    _put(root, STYLESHEET_PATH, stylesheet_bytes())
    for record in (SPANISH, ENGLISH):
        path = bulletin_path(record.id, record.enrichment.slug if record.enrichment else None)
        _put(root, path, render_bulletin(record, [], site_base_url=base))
    news = NewsPage(
        scope=FeedScope(kind="country", value="GT"), entries=[summary_of(SPANISH), summary_of(ENGLISH)]
    )
    for language in ("en", "es"):
        _put(
            root,
            news_path(language, news.scope),
            render_news(news, language=language, site_base_url=base, feeds_base_url=f"{base}/feeds"),
        )
        _put(
            root, subscribe_path(language), render_subscribe(language, site_base_url=base, api_base_url=base)
        )


PAGES = {
    "bulletin-es": (lambda: bulletin_path(SPANISH.id, SPANISH.enrichment.slug), ["30 de noviembre de 2021", "Trata de personas", "Leer el original"]),  # type: ignore[union-attr]
    "bulletin-en": (lambda: bulletin_path(ENGLISH.id, ENGLISH.enrichment.slug), ["4 October 2021", "Published by OIM Guatemala", "Countries"]),  # type: ignore[union-attr]
    "country-en": (lambda: news_path("en", FeedScope(kind="country", value="GT")), ["News: Guatemala", "Subscribe to Guatemala by email", "RSS"]),
    "country-es": (lambda: news_path("es", FeedScope(kind="country", value="GT")), ["Noticias: Guatemala", "Suscribirse a Guatemala por correo", "Atom"]),
    "subscribe-en": (lambda: subscribe_path("en"), ["Subscribe by email", "Central America", "Caribbean", "One daily digest"]),
    "subscribe-es": (lambda: subscribe_path("es"), ["Suscribirse por correo", "Centroamérica", "Caribe", "Un resumen diario"]),
}  # fmt: skip


def measured(dom: str) -> dict[str, Any]:
    match = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert match, "the measuring script did not run"
    data: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return data


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("width", WIDTHS)
def test_given_a_page_in_chromium_then_it_reads_fits_and_passes_aa_contrast(
    site: tuple[str, Path], tmp_path: Path, name: str, width: int
) -> None:
    base, _ = site
    path_of, expected_texts = PAGES[name]
    path = path_of()
    url = f"{base}/{path}"
    measure_url = f"{base}/{path[: -len('.html')]}.measure-{width}.html"
    size = f"--window-size={max(width, 500) + 20},900"

    dom = run_chromium(
        tmp_path, f"dom-{width}", size, "--virtual-time-budget=3000", "--dump-dom", measure_url
    )
    screenshot = tmp_path / f"{name}-{width}.png"
    run_chromium(
        tmp_path,
        f"shot-{width}",
        f"--window-size={width if width > 500 else 500},900",
        f"--screenshot={screenshot}",
        url,
    )

    facts = measured(dom)
    assert facts["innerWidth"] == width
    # The text a reader sees, in the page's language
    for text in expected_texts:
        assert text in facts["text"], text
    # one stylesheet applied (the header's colour), nothing wider than the window
    assert facts["stylesheetApplied"] == "rgb(29, 79, 145)"
    assert facts["scrollWidth"] <= facts["innerWidth"], facts
    # every visible text meets WCAG AA against what it is drawn on
    assert facts["worstContrastMargin"] >= 1.0, facts["worstContrastAt"]
    # and the screenshot shows the styled page
    seen = colours(screenshot.read_bytes())
    assert HEADER_RGB in seen
    assert len(seen) > 10
