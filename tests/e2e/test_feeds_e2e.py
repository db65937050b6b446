"""Feeds end to end: published bulletins appear in valid RSS, Atom and JSON feeds, cheap to poll."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import pytest

from tests.support.api import every_seed_published
from tests.support.http import Http
from tests.support.seed import seed_bulletins

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published(stack: Any, http: Http) -> dict[str, Any]:
    _, _, ids = every_seed_published(stack, http, "IOM Feeds Office")
    return {"ids": ids, "by_id": dict(zip(ids, seed_bulletins(), strict=True))}


def feed_ids(parsed: Any) -> set[str]:
    return {entry.id.rsplit(":", 1)[-1] for entry in parsed.entries}


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("/feeds/all.xml", lambda s: True),
        ("/feeds/countries/GT.xml", lambda s: "GT" in s["expected"]["countries"]),
        (
            "/feeds/topics/trafficking-in-persons.atom",
            lambda s: "trafficking-in-persons" in s["expected"]["topics"],
        ),
        ("/feeds/languages/en.atom", lambda s: s["expected"]["language"] == "en"),
    ],
)
def test_feeds_hold_the_published_bulletins_of_their_scope(
    http: Http, published: dict[str, Any], path: str, matches: Any
) -> None:
    reply = http.get(path)
    assert reply.status == 200
    parsed = feedparser.parse(reply.body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    expected = {i for i, s in published["by_id"].items() if matches(s)}
    assert expected
    assert expected <= feed_ids(parsed)
    assert all(i in published["by_id"] or i not in expected for i in feed_ids(parsed))


def test_the_json_feed_is_json_feed_1_1(http: Http, published: dict[str, Any]) -> None:
    reply = http.get("/feeds/languages/en.json")
    assert reply.status == 200
    feed = json.loads(reply.body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    ids = {item["id"].rsplit(":", 1)[-1] for item in feed["items"]}
    assert set(published["ids"]) <= ids


def test_an_unchanged_feed_answers_304_to_a_conditional_get(http: Http, published: dict[str, Any]) -> None:
    first = http.get("/feeds/all.xml")
    etag = first.header("ETag")
    assert etag
    assert first.header("Cache-Control")
    assert first.header("Last-Modified")
    again = http.get("/feeds/all.xml", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    since = http.get("/feeds/all.xml", headers={"If-Modified-Since": str(first.header("Last-Modified"))})
    assert since.status == 304


def test_rss_and_atom_point_to_the_published_stylesheet(http: Http, published: dict[str, Any]) -> None:
    for path in ("/feeds/all.xml", "/feeds/all.atom"):
        body = http.get(path).body.decode()
        assert "<?xml-stylesheet" in body
        href = body.split("<?xml-stylesheet", 1)[1].split('href="', 1)[1].split('"', 1)[0]
        assert http.get(href).status == 200


def test_the_feeds_that_exist_are_listed(http: Http, published: dict[str, Any]) -> None:
    feeds = http.get("/feeds").json()["items"]
    scopes = {(f["scope"], f["value"]) for f in feeds}
    assert ("all", None) in scopes
    assert ("country", "GT") in scopes
    assert ("topic", "trafficking-in-persons") in scopes
    assert ("language", "en") in scopes
    spanish = next((f for f in feeds if f["scope"] == "language" and f["value"] == "es"), None)
    assert spanish is None or spanish["language"] == "es"
