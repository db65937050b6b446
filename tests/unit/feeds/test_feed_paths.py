"""Where feeds live, and refusing every path that could escape the feeds root."""

from __future__ import annotations

import pytest

from boletin.feeds import feed_path, parse_feed_path
from boletin.models.feeds import FeedFormat, FeedScope

SCOPES = [
    FeedScope(kind="all"),
    FeedScope(kind="country", value="CR"),
    FeedScope(kind="topic", value="labour-migration"),
    FeedScope(kind="topic", value="covid19"),
    FeedScope(kind="language", value="es"),
]
FORMATS: list[FeedFormat] = ["rss", "atom", "json"]


@pytest.mark.parametrize(
    ("scope", "fmt", "expected"),
    [
        (FeedScope(kind="all"), "rss", "all.xml"),
        (FeedScope(kind="all"), "atom", "all.atom"),
        (FeedScope(kind="all"), "json", "all.json"),
        (FeedScope(kind="country", value="CR"), "rss", "countries/CR.xml"),
        (FeedScope(kind="topic", value="labour-migration"), "atom", "topics/labour-migration.atom"),
        (FeedScope(kind="language", value="es"), "json", "languages/es.json"),
    ],
)
def test_given_a_scope_and_format_then_the_feed_has_a_predictable_path(
    scope: FeedScope, fmt: FeedFormat, expected: str
) -> None:
    assert feed_path(scope, fmt) == expected


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: f"{s.kind}-{s.value}")
@pytest.mark.parametrize("fmt", FORMATS)
def test_given_any_feed_path_when_parsed_back_then_the_same_scope_and_format_come_out(
    scope: FeedScope, fmt: FeedFormat
) -> None:
    assert parse_feed_path(feed_path(scope, fmt)) == (scope, fmt)


@pytest.mark.parametrize(
    "path",
    [
        "../x.xml",
        "../all.xml",
        "countries/../all.xml",
        "countries/../../etc/passwd.xml",
        "/all.xml",
        "./all.xml",
        "all.xml/",
        "all.xml\n",
        "all.rss",
        "all",
        "everything.xml",
        "countries/cr.xml",
        "countries/CRI.xml",
        "countries/C.xml",
        "countries/ＣＲ.xml",
        "countries/CR.xml.xml",
        "countries/CR",
        "countries//CR.xml",
        "countries/CR/extra.xml",
        "country/CR.xml",
        "topics/A B.xml",
        "topics/Labour-Migration.xml",
        "topics/labour_migration.xml",
        "topics/-labour.xml",
        "topics/labour-.xml",
        "topics/labour--migration.xml",
        "topics/%2e%2e.xml",
        "topics/" + "a" * 65 + ".xml",
        "languages/de.xml",
        "languages/ES.xml",
        "languages/es-MX.json",
        "COUNTRIES/CR.xml",
        "",
    ],
)
def test_given_a_malformed_or_traversing_path_when_parsed_then_it_is_rejected(path: str) -> None:
    assert parse_feed_path(path) is None


@pytest.mark.parametrize(
    "scope",
    [
        FeedScope(kind="all", value="x"),
        FeedScope(kind="country", value=None),
        FeedScope(kind="country", value="cr"),
        FeedScope(kind="country", value="../../x"),
        FeedScope(kind="topic", value="a/b"),
        FeedScope(kind="topic", value="A B"),
        FeedScope(kind="language", value="de"),
    ],
    ids=lambda s: f"{s.kind}-{s.value}",
)
def test_given_a_malformed_scope_when_a_path_is_asked_for_then_it_is_refused(scope: FeedScope) -> None:
    with pytest.raises(ValueError, match="not a valid feed scope"):
        feed_path(scope, "rss")
