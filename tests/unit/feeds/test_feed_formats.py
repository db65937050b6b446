"""RSS, Atom and JSON Feed documents as feed readers see them (feedparser, json)."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from boletin.feeds import (
    COUNTRY_SCHEME,
    TOPIC_SCHEME,
    entry_urn,
    feed_texts,
    render_atom,
    render_feed,
    render_json,
    render_rss,
)
from boletin.models.feeds import FeedDocument, FeedFormat, FeedScope
from tests.unit.feeds.feed_samples import (
    BASE_URL,
    FEEDS_BASE_URL,
    STYLESHEET_HREF,
    make_doc,
    make_entry,
    parse_xml,
    two_entry_doc,
)

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Boletín — Costa Rica"
DESCRIPTION = "Boletines de noticias sobre este país: Costa Rica."


def render(doc: FeedDocument, fmt: FeedFormat, *, language: str | None = "es") -> bytes:
    return render_feed(
        doc,
        fmt,
        title=TITLE,
        description=DESCRIPTION,
        language=language,
        stylesheet_href=STYLESHEET_HREF if fmt != "json" else None,
    )


def epoch(struct: object) -> int:
    return calendar.timegm(struct)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_a_feed_when_a_reader_parses_it_then_feed_and_entries_come_through_intact(
    fmt: FeedFormat,
) -> None:
    doc = two_entry_doc()

    parsed = feedparser.parse(render(doc, fmt))

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    assert parsed.feed.title == TITLE
    assert parsed.feed.link == BASE_URL
    assert parsed.feed.language == "es"
    assert parsed.feed.generator == "Boletín"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    expected_self = f"{FEEDS_BASE_URL}/countries/CR.{'xml' if fmt == 'rss' else 'atom'}"
    assert self_links == [expected_self]
    assert [e.title for e in parsed.entries] == [e.title for e in doc.entries]  # newest first, kept
    assert [e.link for e in parsed.entries] == [e.link for e in doc.entries]
    assert [e.id for e in parsed.entries] == [f"urn:boletin:bulletin:{e.id}" for e in doc.entries]
    for got, entry in zip(parsed.entries, doc.entries, strict=True):
        assert epoch(got.published_parsed) == int(entry.published_at.timestamp())
        assert got.summary == entry.summary
        assert got.content[0].value == entry.content_html
        assert got.author == entry.office_name
        tags = {(t.scheme, t.term) for t in got.tags}
        assert tags == {(COUNTRY_SCHEME, c) for c in entry.countries} | {
            (TOPIC_SCHEME, t) for t in entry.topics
        }


def test_given_an_rss_feed_then_each_item_states_its_language_and_a_non_permalink_guid() -> None:
    doc = two_entry_doc()

    channel = parse_xml(render(doc, "rss")).find("channel")

    assert channel is not None
    items = channel.findall("item")
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert [i.findtext(f"{dc}language") for i in items] == ["es", "en"]
    assert [i.find("guid").get("isPermaLink") for i in items] == ["false", "false"]  # type: ignore[union-attr]
    assert items[0].findtext("pubDate") == "Wed, 05 Mar 2025 14:30:00 GMT"
    assert channel.findtext("lastBuildDate") == "Wed, 05 Mar 2025 16:30:00 GMT"


def test_given_an_atom_feed_then_it_has_every_element_rfc_4287_requires() -> None:
    doc = two_entry_doc()

    root = parse_xml(render(doc, "atom"))

    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "urn:boletin:feed:country:CR"
    assert root.findtext(f"{ATOM}title") == TITLE
    assert root.findtext(f"{ATOM}updated") == "2025-03-05T16:30:00Z"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Boletín"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for element, entry in zip(entries, doc.entries, strict=True):
        assert element.findtext(f"{ATOM}id") == entry_urn(entry.id)
        assert element.findtext(f"{ATOM}title") == entry.title
        assert element.findtext(f"{ATOM}published") == entry.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert element.findtext(f"{ATOM}updated") == entry.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert element.get("{http://www.w3.org/XML/1998/namespace}lang") == entry.language
        content = element.find(f"{ATOM}content")
        assert content is not None
        assert content.get("type") == "html"


def test_given_a_json_feed_then_it_is_valid_json_feed_1_1_with_every_item_field() -> None:
    doc = two_entry_doc()

    feed = json.loads(render(doc, "json"))

    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == TITLE
    assert feed["description"] == DESCRIPTION
    assert feed["home_page_url"] == BASE_URL
    assert feed["feed_url"] == f"{FEEDS_BASE_URL}/countries/CR.json"
    assert feed["language"] == "es"
    assert feed["authors"] == [{"name": "Boletín", "url": BASE_URL}]
    assert [item["id"] for item in feed["items"]] == [entry_urn(e.id) for e in doc.entries]
    first, entry = feed["items"][0], doc.entries[0]
    assert first["url"] == entry.link
    assert first["title"] == entry.title
    assert first["summary"] == entry.summary
    assert first["content_html"] == entry.content_html
    assert first["date_published"] == "2025-03-05T14:30:00Z"
    assert first["date_modified"] == "2025-03-05T16:30:00Z"
    assert first["language"] == "es"
    assert first["authors"] == [{"name": "Oficina de San José"}]
    assert first["tags"] == ["CR", "NI", "labour-migration", "regularization"]
    assert first["_boletin"] == {
        "bulletin_id": entry.id,
        "countries": ["CR", "NI"],
        "topics": ["labour-migration", "regularization"],
    }


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_given_a_bulletin_is_corrected_then_its_id_stays_the_same_so_readers_update_not_duplicate(
    fmt: FeedFormat,
) -> None:
    original = make_entry(5)
    corrected = make_entry(
        5,
        title="Costa Rica amplía la regularización (corregido)",
        updated_at=datetime(2025, 3, 9, tzinfo=UTC),
    )

    before, after = (render(make_doc(e), fmt) for e in (original, corrected))

    if fmt == "json":
        ids = [json.loads(body)["items"][0]["id"] for body in (before, after)]
    else:
        ids = [feedparser.parse(body).entries[0].id for body in (before, after)]
    assert ids == ["urn:boletin:bulletin:01JNB00005"] * 2
    assert before != after


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_given_a_scope_with_no_bulletins_yet_when_rendered_then_an_empty_but_valid_feed_comes_out(
    fmt: FeedFormat,
) -> None:
    doc = make_doc(scope=FeedScope(kind="topic", value="human-trafficking"))

    body = render(doc, fmt, language=None)

    if fmt == "json":
        feed = json.loads(body)
        assert feed["items"] == []
        assert "language" not in feed
        assert feed["feed_url"] == f"{FEEDS_BASE_URL}/topics/human-trafficking.json"
    else:
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries == []
        assert parsed.feed.title == TITLE
        assert "language" not in parsed.feed


def test_given_a_stylesheet_href_then_xml_feeds_link_it_and_without_one_they_do_not() -> None:
    doc = two_entry_doc()
    kwargs = {"title": TITLE, "description": DESCRIPTION, "language": "es"}

    styled = [render_rss(doc, stylesheet_href=STYLESHEET_HREF, **kwargs), render_atom(doc, **kwargs)]

    pi = f'<?xml-stylesheet type="text/css" href="{STYLESHEET_HREF}"?>'.encode()
    assert styled[0].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n' + pi + b"\n<rss ")
    assert b"xml-stylesheet" not in styled[1]
    assert b"xml-stylesheet" not in render_json(doc, stylesheet_href=STYLESHEET_HREF, **kwargs)


def test_given_an_xsl_stylesheet_href_then_the_instruction_says_text_xsl() -> None:
    body = render_rss(
        two_entry_doc(), title=TITLE, description=DESCRIPTION, language=None, stylesheet_href="/feed.xsl"
    )

    assert b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>' in body


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_given_a_feed_opened_in_a_browser_then_it_carries_a_localised_subscribe_note_with_its_address(
    fmt: FeedFormat,
) -> None:
    scope = FeedScope(kind="language", value="fr")
    title, description = feed_texts(scope, label="français", language="fr")
    doc = make_doc(make_entry(1, language="fr"), scope=scope)

    body = render_feed(doc, fmt, title=title, description=description, language="fr", stylesheet_href=None)

    root = parse_xml(body)
    note = root.find(".//{urn:boletin:feed}browser-note")
    assert note is not None
    assert note.findtext("{urn:boletin:feed}heading") == "Ceci est un flux d’actualités"
    assert "lecteur de flux" in (note.findtext("{urn:boletin:feed}text") or "")
    ext = "xml" if fmt == "rss" else "atom"
    assert note.findtext("{urn:boletin:feed}url") == f"{FEEDS_BASE_URL}/languages/fr.{ext}"
    assert feedparser.parse(body).bozo == 0


def test_given_naive_or_non_utc_datetimes_then_dates_are_written_in_utc() -> None:
    from datetime import timezone

    costa_rica = timezone(timedelta(hours=-6))
    entry = make_entry(
        2,
        published_at=datetime(2025, 3, 2, 8, 0, tzinfo=costa_rica),
        updated_at=datetime(2025, 3, 2, 15, 0),  # naive: taken as UTC
    )

    feed = json.loads(render(make_doc(entry), "json"))
    rss = parse_xml(render(make_doc(entry), "rss"))

    assert feed["items"][0]["date_published"] == "2025-03-02T14:00:00Z"
    assert feed["items"][0]["date_modified"] == "2025-03-02T15:00:00Z"
    assert rss.findtext("channel/item/pubDate") == "Sun, 02 Mar 2025 14:00:00 GMT"
