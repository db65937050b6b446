"""Whatever a bulletin contains, every feed stays well-formed and readable."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from boletin.feeds import render_feed, render_opml
from boletin.models.feeds import FeedFormat
from tests.support.hostile import ILLEGAL
from tests.unit.feeds.feed_samples import make_doc, make_entry, parse_xml

ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

HOSTILE_TITLE = f'Fish & "chips" <b>bold</b> ]]> it\'s{ILLEGAL}end'
HOSTILE_CONTENT = (
    f"<p>Body{ILLEGAL} with ]]> and &amp; and <![CDATA[x]]></p>"
    '<script>alert("x")</script><img src=x onerror="alert(1)">'
)


def hostile_doc():  # type: ignore[no-untyped-def]
    return make_doc(
        make_entry(
            4,
            id=f"01JNB{ILLEGAL}00004",
            title=HOSTILE_TITLE,
            summary=f"Summary <with> & ampersand{ILLEGAL} and ]]> end",
            content_html=HOSTILE_CONTENT,
            topics=[f"labour{ILLEGAL}-migration"],
            office_name=f"Office{ILLEGAL} <San José> & co",
        )
    )


def render(fmt: FeedFormat, stylesheet_href: str | None = None) -> bytes:
    return render_feed(
        hostile_doc(),
        fmt,
        title=f"Feed <title> & {ILLEGAL}",
        description=f"Desc ]]> {ILLEGAL}",
        language="es",
        stylesheet_href=stylesheet_href,
    )


def all_text(element: ET.Element) -> str:
    return "".join(element.itertext()) + "".join(v for e in element.iter() for v in e.attrib.values())


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_hostile_text_when_rendered_then_the_xml_is_well_formed_and_illegal_characters_are_gone(
    fmt: FeedFormat,
) -> None:
    body = render(fmt)

    root = parse_xml(body)  # raises on any well-formedness error

    text = all_text(root)
    assert not ILLEGAL_RE.search(text)
    assert not ILLEGAL_RE.search(body.decode("utf-8"))
    # visible characters kept, only escaped (RSS titles: angle brackets as look-alikes, see below)
    assert 'Fish & "chips" <b>bold</b> ]]> it\'send' in text.replace("\u2039", "<").replace("\u203a", ">")
    assert root.find(".//script") is None  # the content is text inside the feed, never markup of it


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_hostile_text_when_a_reader_parses_the_feed_then_it_is_clean(fmt: FeedFormat) -> None:
    parsed = feedparser.parse(render(fmt))

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.id == "urn:boletin:bulletin:01JNB00004"
    assert entry.author == "Office <San José> & co"
    assert "Body with ]]> and" in entry.content[0].value
    assert "alert" not in entry.content[0].value  # the reader's own sanitiser still sees a script
    assert {t.term for t in entry.tags} >= {"labour-migration"}
    for value in (entry.title, entry.summary, entry.content[0].value, parsed.feed.title):
        assert not ILLEGAL_RE.search(value)


def test_given_hostile_text_when_rendered_as_json_then_it_parses_and_every_string_is_clean() -> None:
    body = render("json")

    feed = json.loads(body.decode("utf-8"))

    item = feed["items"][0]
    assert item["title"] == 'Fish & "chips" <b>bold</b> ]]> it\'send'
    assert item["content_html"].startswith("<p>Body with ]]>")
    assert item["id"] == "urn:boletin:bulletin:01JNB00004"
    assert item["tags"][-1] == "labour-migration"
    assert not ILLEGAL_RE.search(json.dumps(feed, ensure_ascii=False))


def test_given_a_multiline_title_then_the_feed_title_is_one_line() -> None:
    doc = make_doc(make_entry(1, title="  Costa Rica\n amplía\tla\r\nregularización  "))

    parsed = feedparser.parse(
        render_feed(doc, "rss", title="T", description="D", language=None, stylesheet_href=None)
    )

    assert parsed.entries[0].title == "Costa Rica amplía la regularización"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_a_hostile_stylesheet_href_then_it_cannot_break_out_of_the_instruction(fmt: FeedFormat) -> None:
    body = render(fmt, stylesheet_href='/feed.css"?><evil/><?x "')

    root = parse_xml(body)

    assert root.find(".//evil") is None
    assert body.count(b"?>") == 2  # the XML declaration and the stylesheet instruction only


def test_given_hostile_feed_titles_then_the_opml_list_is_well_formed_and_clean() -> None:
    body = render_opml(
        [(f'Feed <"&">{ILLEGAL}', "https://f.example.org/a.xml?x=1&y=2", "https://n.example.org")]
    )

    outline = parse_xml(body).find("body/outline")

    assert outline is not None
    assert outline.get("title") == 'Feed <"&">'
    assert outline.get("xmlUrl") == "https://f.example.org/a.xml?x=1&y=2"


def test_given_every_unicode_code_point_then_exactly_those_xml_1_0_forbids_are_removed() -> None:
    from boletin.feeds._xml import clean_text

    def allowed(c: int) -> bool:
        return (
            c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or 0x10000 <= c <= 0x10FFFF
        )

    everything = "".join(map(chr, range(0x110000)))

    assert clean_text(everything) == "".join(chr(c) for c in range(0x110000) if allowed(c))


def test_given_a_title_with_markup_when_rendered_as_rss_then_no_reader_can_decode_markup_from_it() -> None:
    # Given a bulletin title holding markup (RSS readers often decode <title> as HTML)
    root = parse_xml(render("rss"))
    # When a reader XML-decodes the item title
    (title,) = [t.text or "" for t in root.iter("title") if t.text and "Fish" in t.text]
    # Then it is plain text with no angle bracket left, the words still there
    assert "<" not in title
    assert ">" not in title
    assert "\u2039b\u203abold\u2039/b\u203a" in title
