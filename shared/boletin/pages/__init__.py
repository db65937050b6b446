"""The public site: HTML pages of bulletins, news lists and the subscribe form. Pure code (no AWS,
no clock): the same input renders the same bytes, so unchanged pages are never rewritten."""

from __future__ import annotations

from boletin.pages.bulletin import VersionLine, bulletin_url, render_bulletin, render_moved, render_tombstone
from boletin.pages.layout import HTML_CONTENT_TYPE
from boletin.pages.news import FRONT_PAGE_SIZE, MONTH_PAGE_SIZE, NewsPage, entry_url, render_news
from boletin.pages.paths import (
    NEWS_LANGUAGES,
    SITE_PREFIX,
    STYLESHEET_PATH,
    SUBSCRIBE_LANGUAGES,
    bulletin_path,
    news_path,
    site_url,
    subscribe_path,
)
from boletin.pages.stylesheet import STYLESHEET_CONTENT_TYPE, stylesheet_bytes
from boletin.pages.subscribe import render_subscribe

__all__ = [
    "FRONT_PAGE_SIZE",
    "HTML_CONTENT_TYPE",
    "MONTH_PAGE_SIZE",
    "NEWS_LANGUAGES",
    "SITE_PREFIX",
    "STYLESHEET_CONTENT_TYPE",
    "STYLESHEET_PATH",
    "SUBSCRIBE_LANGUAGES",
    "NewsPage",
    "VersionLine",
    "bulletin_path",
    "bulletin_url",
    "entry_url",
    "news_path",
    "render_bulletin",
    "render_moved",
    "render_news",
    "render_subscribe",
    "render_tombstone",
    "site_url",
    "stylesheet_bytes",
    "subscribe_path",
]
