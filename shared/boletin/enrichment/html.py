"""Markdown to safe HTML: markdown-it-py (CommonMark, tables) then nh3 with an allow-list.

Both libraries are imported at the first call, not when this module is imported.
"""

from __future__ import annotations

from functools import cache
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


def render_body_html(markdown: str) -> str:
    """Markdown (CommonMark; plain text is valid Markdown) rendered and sanitised."""
    rendered = str(_markdown().render(markdown))
    return sanitize_html(rendered).strip()
