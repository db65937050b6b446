"""Markdown to safe HTML: markdown-it-py (CommonMark, tables) then nh3 with an allow-list.

Both libraries are imported at the first call, not when this module is imported. Most bulletins are
plain prose (paragraphs, no Markdown syntax at all): those are rendered here as CommonMark renders
them, and markdown-it-py (about 40 ms to import, a third of enrich's cold start) is imported only for
a body that uses Markdown syntax. A test checks that both paths give the same HTML.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from typing import Any

ALLOWED_TAGS = frozenset(
    [
        "p",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "s",
        "del",
        "ins",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
    ]
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "code": set(),
}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML is left in by the parser and removed by the sanitiser; linkify stays off (no extra deps).
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def sanitize_html(raw_html: str) -> str:
    import nh3

    return str(
        nh3.clean(
            raw_html,
            tags=set(ALLOWED_TAGS),
            attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(ALLOWED_SCHEMES),
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
            clean_content_tags={
                "script",
                "style",
                "iframe",
                "object",
                "embed",
                "noscript",
                "template",
                "svg",
                "math",
            },
        )
    )


# What makes a text more than plain paragraphs to CommonMark (with tables and strikethrough): inline
# markup characters, entity references, and lines that open a block (headings, lists, quotes, fences,
# setext underlines, thematic breaks, indented code) or end in a hard break; and any whitespace but
# spaces and newlines. Conservative on purpose: a text that only might be Markdown goes to markdown-it-py.
_MARKUP_RE = re.compile(
    r"[`*_\[\]<>\\~|\0]|&[#A-Za-z]|[^\S \n]|^ {0,3}(?:[#>+=*_`~<|-]|\d{1,9}[.)](?: |$))|^ {4}| {2,}$",
    re.MULTILINE,
)


def render_prose(text: str) -> str | None:
    """The CommonMark HTML of a text made only of paragraphs, or None when it has any Markdown syntax.

    A paragraph is a run of non-blank lines; each line loses its leading and trailing spaces and the
    lines stay joined by newlines (CommonMark's soft breaks), HTML-escaped, in one ``<p>``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _MARKUP_RE.search(text):
        return None
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in (*text.split("\n"), ""):
        stripped = line.strip(" ")
        if stripped:
            lines.append(stripped)
        elif lines:
            paragraphs.append("<p>" + escape("\n".join(lines), quote=False) + "</p>\n")
            lines = []
    return "".join(paragraphs)


def render_markdown(markdown: str) -> str:
    """CommonMark (with tables and strikethrough) by markdown-it-py, not yet sanitised."""
    return str(_markdown().render(markdown))


def render_body_html(markdown: str) -> str:
    """Markdown (CommonMark; plain text is valid Markdown) rendered and sanitised."""
    rendered = render_prose(markdown)
    return sanitize_html(render_markdown(markdown) if rendered is None else rendered).strip()
