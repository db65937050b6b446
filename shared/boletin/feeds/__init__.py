"""Feed rendering: RSS 2.0, Atom, JSON Feed 1.1 and OPML, plus the browser stylesheet. No AWS here."""

from __future__ import annotations

from boletin.feeds.paths import feed_path, feed_url, is_valid_scope, parse_feed_path
from boletin.feeds.render import (
    COUNTRY_SCHEME,
    FEED_CONTENT_TYPES,
    JSON_FEED_VERSION,
    OPML_CONTENT_TYPE,
    TOPIC_SCHEME,
    entry_urn,
    render_atom,
    render_feed,
    render_json,
    render_opml,
    render_rss,
)
from boletin.feeds.stylesheet import STYLESHEET_CONTENT_TYPE, STYLESHEET_NAME, stylesheet_bytes
from boletin.feeds.texts import feed_texts

__all__ = [
    "COUNTRY_SCHEME",
    "FEED_CONTENT_TYPES",
    "JSON_FEED_VERSION",
    "OPML_CONTENT_TYPE",
    "STYLESHEET_CONTENT_TYPE",
    "STYLESHEET_NAME",
    "TOPIC_SCHEME",
    "entry_urn",
    "feed_path",
    "feed_texts",
    "feed_url",
    "is_valid_scope",
    "parse_feed_path",
    "render_atom",
    "render_feed",
    "render_json",
    "render_opml",
    "render_rss",
    "stylesheet_bytes",
]
