"""render_body_html: Markdown rendered, then nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from boletin.enrichment import enrich, render_body_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<div onclick="alert(1)">click</div>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<!-- <script>alert(1)</script> -->",
    '"><script>alert(1)</script>',
    "<div>\n\n<script>alert(1)</script>\n\n</div>",
    '[x](https://ok.example "title" onmouseover=alert(1))',
]

SAFE_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "s",
}


class _Dangers(HTMLParser):
    """Everything in rendered HTML that could run: unknown tags, event handlers, style, bad URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.found.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "src", "srcdoc", "action", "formaction"):
                self.found.append(f"attribute {name}")
            if name == "href" and not (value or "").strip().lower().startswith(
                ("http://", "https://", "mailto:")
            ):
                self.found.append(f"href {value}")

    def handle_data(self, data: str) -> None:
        if "<script" in data.lower():  # would only be text, but must not reach the page as raw markup
            self.found.append("script text")


def dangers(html: str) -> list[str]:
    parser = _Dangers()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_given_an_xss_payload_when_rendered_then_nothing_executable_survives(payload: str) -> None:
    rendered = render_body_html(f"Intro paragraph.\n\n{payload}\n\nOutro.")
    assert dangers(rendered) == [], rendered
    assert "<script" not in rendered.lower()
    assert "Intro paragraph." in rendered


def test_given_formatting_when_rendered_then_safe_tags_and_links_are_kept() -> None:
    html = render_body_html(
        "# Title\n\n**bold** and *em* with [a link](https://iom.int) and <mailto:info@iom.int>\n\n"
        "- one\n- two\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    for fragment in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<em>em</em>",
        "<ul>",
        "<li>one</li>",
        "<blockquote>",
        "<table>",
        "<td>1</td>",
        'href="https://iom.int"',
        'href="mailto:info@iom.int"',
    ):
        assert fragment in html


def test_given_a_bulletin_when_enriched_then_body_html_is_the_sanitised_rendering() -> None:
    body = "Text <script>alert(1)</script> **bold**"
    assert enrich("T", body).body_html == render_body_html(body)
    assert "<script" not in enrich("T", body).body_html
