"""The page shell every public page shares: head (title, description, canonical, feeds, Open
Graph), the site header and footer. Every value is HTML-escaped here or by the caller with
:func:`e`; the only raw HTML a page takes from offices is a body already sanitised by nh3."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from boletin.pages.paths import STYLESHEET_PATH, news_path, site_url, subscribe_path
from boletin.pages.texts import text

HTML_CONTENT_TYPE: Final = "text/html; charset=utf-8"
_ALL_SCOPE: Any = None


# What no HTML document may carry (controls, non-characters, lone surrogates): dropped, as feeds do.
_UNSAFE_CHARS: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
)


def e(value: object) -> str:
    """Text as HTML: escaped (quotes too, so it is safe in attributes), unsafe characters dropped."""
    return html.escape(_UNSAFE_CHARS.sub("", str(value)), quote=True)


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: nothing in it can close the element or
    open a comment (``<``, ``>``, ``&`` and the JS line separators are written as \\u escapes)."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        raw = raw.replace(char, escape)
    return raw.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class Head:
    """What a page says of itself to browsers, link previews and search engines."""

    language: str
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    feeds: Sequence[tuple[str, str, str]] = ()  # (type, title, href)
    alternates: Sequence[tuple[str, str]] = ()  # (hreflang, href)
    structured: dict[str, Any] | None = None
    robots: str | None = None
    extra: Sequence[tuple[str, str]] = field(default_factory=tuple)  # more (property, content) OG tags


def _all() -> Any:
    global _ALL_SCOPE
    if _ALL_SCOPE is None:
        from boletin.models.feeds import FeedScope

        _ALL_SCOPE = FeedScope(kind="all")
    return _ALL_SCOPE


def page(head: Head, main: str, *, site_base_url: str, chrome_language: str | None = None) -> bytes:
    """A complete document. ``chrome_language`` is the language of the site's own texts (header,
    footer) when it differs from the page's (a bulletin in French keeps an English-language site
    around it only if the site has no French news pages)."""
    chrome = chrome_language or head.language
    news_lang = chrome if chrome in ("en", "es") else "en"
    other = "es" if news_lang == "en" else "en"
    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="{e(head.language)}" dir="ltr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(head.title)}</title>",
        f'<meta name="description" content="{e(head.description)}">',
        f'<link rel="canonical" href="{e(head.canonical)}">',
        f'<link rel="stylesheet" href="{e(site_url(site_base_url, STYLESHEET_PATH))}">',
    ]
    if head.robots:
        parts.append(f'<meta name="robots" content="{e(head.robots)}">')
    for hreflang, href in head.alternates:
        parts.append(f'<link rel="alternate" hreflang="{e(hreflang)}" href="{e(href)}">')
    for mime, title, href in head.feeds:
        parts.append(f'<link rel="alternate" type="{e(mime)}" title="{e(title)}" href="{e(href)}">')
    og = [
        ("og:type", head.og_type),
        ("og:title", head.title),
        ("og:description", head.description),
        ("og:url", head.canonical),
        ("og:site_name", "Boletín"),
        (
            "og:locale",
            {"en": "en_US", "es": "es_ES", "fr": "fr_FR", "pt": "pt_BR"}.get(head.language, "en_US"),
        ),
        *head.extra,
    ]
    parts.extend(f'<meta property="{e(p)}" content="{e(c)}">' for p, c in og)
    if head.structured is not None:
        parts.append(f'<script type="application/ld+json">{json_ld(head.structured)}</script>')
    home = site_url(site_base_url, news_path(news_lang, _all()))
    subscribe = site_url(site_base_url, subscribe_path(news_lang))
    other_home = site_url(site_base_url, news_path(other, _all()))
    parts += [
        "</head><body>",
        f'<a class="skip" href="#main">{e(text(chrome, "skip"))}</a>',
        f'<header class="site"><nav aria-label="{e(text(chrome, "nav"))}">',
        f'<a class="brand" href="{e(home)}">Boletín</a> ',
        f'<a href="{e(home)}">{e(text(chrome, "home"))}</a> ',
        f'<a href="{e(subscribe)}">{e(text(chrome, "subscribe"))}</a> ',
        f'<a href="{e(other_home)}" lang="{other}" hreflang="{other}">',
        f"{e(text(news_lang, 'other_language'))}</a>",
        "</nav></header>",
        f'<main id="main">{main}</main>',
        f'<footer class="site"><p>{e(text(chrome, "site"))}</p></footer>',
        "</body></html>\n",
    ]
    # Last guard: nothing a document may not carry (a lone surrogate would not even encode).
    return _UNSAFE_CHARS.sub("", "".join(parts)).encode()
