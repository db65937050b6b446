"""Same input, same bytes; the OPML list and the browser stylesheet."""

from __future__ import annotations

import pytest

from boletin.feeds import STYLESHEET_NAME, render_feed, render_opml, stylesheet_bytes
from boletin.models.feeds import FeedFormat
from tests.unit.feeds.feed_samples import STYLESHEET_HREF, parse_xml, two_entry_doc


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_given_the_same_bulletins_twice_then_the_feed_bytes_are_identical_so_nothing_is_rewritten(
    fmt: FeedFormat,
) -> None:
    def render() -> bytes:
        return render_feed(
            two_entry_doc(), fmt, title="T", description="D", language="es", stylesheet_href=STYLESHEET_HREF
        )

    assert render() == render()


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_given_a_feed_then_it_is_utf8_and_accents_are_not_escaped(fmt: FeedFormat) -> None:
    body = render_feed(
        two_entry_doc(), fmt, title="Boletín", description="D", language="es", stylesheet_href=None
    )

    assert "regularización".encode() in body
    if fmt != "json":
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')


def test_given_a_list_of_feeds_then_the_opml_is_an_opml_2_subscription_list_in_order() -> None:
    feeds = [
        ("Boletín", "https://feeds.example.org/feeds/all.xml", "https://news.example.org"),
        (
            "Boletín — Costa Rica",
            "https://feeds.example.org/feeds/countries/CR.xml",
            "https://news.example.org",
        ),
    ]

    body = render_opml(feeds)

    root = parse_xml(body)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Boletín — News feeds"
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl"), o.get("htmlUrl")) for o in outlines] == feeds
    assert {o.get("type") for o in outlines} == {"rss"}
    assert render_opml(feeds) == body


def test_given_no_feeds_then_the_opml_is_still_valid() -> None:
    root = parse_xml(render_opml([]))

    assert root.find("body") is not None
    assert root.findall("body/outline") == []


def test_given_the_stylesheet_then_it_is_the_packaged_css_that_styles_rss_and_atom_and_the_note() -> None:
    css = stylesheet_bytes().decode("utf-8")

    assert STYLESHEET_NAME == "feed.css"
    for selector in ("channel > title", "feed > title", "item > title", "entry > title", "browser-note"):
        assert selector in css
    assert "entry > content" in css  # escaped HTML bodies are hidden, never shown as markup soup
    assert css.count("{") == css.count("}")
