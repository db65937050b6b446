"""The project's XSS corpus (tests/e2e/test_hostile_content_e2e.py) through every page kind: office
text is escaped or sanitised exactly as in feeds and emails, and every page stays valid HTML."""

from __future__ import annotations

import json
import re

import pytest

from boletin.enrichment.html import render_body_html
from boletin.models.feeds import FeedScope
from boletin.pages import NewsPage, render_bulletin, render_news, render_tombstone
from tests.e2e.test_hostile_content_e2e import (
    BODY,
    BODY_ATTRIBUTES,
    BODY_TAGS,
    DOCUMENT_ATTRIBUTES,
    DOCUMENT_TAGS,
    HOSTILE_OFFICE_NAME,
    SOURCE_URL,
    TITLE,
    assert_no_executable_markup,
    assert_safe_body_html,
)
from tests.unit.feeds.test_feed_hostile_input import ILLEGAL
from tests.unit.pages.page_samples import (
    FEEDS,
    SITE,
    assert_valid_html5,
    make_record,
    summary_of,
    visible_text,
)

PAGE_TAGS = {
    *BODY_TAGS,
    *DOCUMENT_TAGS,
    *("article", "header", "nav", "footer", "time", "dl", "dt", "dd", "section", "ol", "link"),
}
PAGE_ATTRIBUTES = {
    *BODY_ATTRIBUTES,
    *DOCUMENT_ATTRIBUTES,
    *("id", "rel", "hreflang", "title", "datetime", "property", "aria-label"),
}
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def assert_safe_page(page: bytes) -> str:
    """Valid HTML5; its one script is JSON-LD data that cannot end its element; nothing else runs."""
    assert_valid_html5(page)
    document = page.decode()
    scripts = _JSON_LD.findall(document)
    assert len(scripts) <= 1
    for data in scripts:
        assert "<" not in data
        assert ">" not in data
        json.loads(data)
    assert_no_executable_markup(_JSON_LD.sub("", document), tags=PAGE_TAGS, attributes=PAGE_ATTRIBUTES)
    body = re.search(r'<div class="body">(.*?)</div><(?:p class="source"|dl)', document, re.S)
    if body:
        assert_safe_body_html(body.group(1))
    return document


def hostile_record():  # type: ignore[no-untyped-def]
    return make_record(
        title=TITLE,
        body=BODY,
        office_name=f"{HOSTILE_OFFICE_NAME}{ILLEGAL}",
        source_url=SOURCE_URL,
        last_change="major",
        last_change_note='<img src=x onerror=alert("note")> ]]>',
        version=2,
        withdrawn_reason='<script>alert("reason")</script>',
        enrichment={
            "summary": f'Summary <script>alert("s")</script> & "q"{ILLEGAL}',
            "body_html": render_body_html(BODY),
            "countries": ["CR"],
            "topics": ["labour-migration", 'x"><script>alert(1)</script>'],
            "slug": '"><script>',
        },
    )


def test_given_the_xss_corpus_when_the_bulletin_page_is_rendered_then_nothing_executes() -> None:
    record = hostile_record()

    page = render_bulletin(record, [], site_base_url=SITE, corrected_on=record.updated_at)

    document = assert_safe_page(page)
    text = visible_text(assert_valid_html5(page))
    assert TITLE in text  # shown as text, every character kept
    assert 'IOM <script>alert("office")</script> & "Co" ]]>' in text
    assert '<img src=x onerror=alert("note")> ]]>' in text
    # the source link is one attribute, quotes escaped, its scheme https
    assert 'href="https://example.org/news?q=&quot;&gt;&lt;script&gt;' in document
    # the hostile slug never reaches the path
    assert f"/news/bulletin-{record.id}.html" in document


@pytest.mark.parametrize("language", ["en", "es"])
def test_given_the_xss_corpus_when_listed_then_the_news_page_is_safe(language: str) -> None:
    news = NewsPage(scope=FeedScope(kind="country", value="CR"), entries=[summary_of(hostile_record())])

    page = render_news(news, language=language, site_base_url=SITE, feeds_base_url=FEEDS)

    assert_safe_page(page)
    assert TITLE in visible_text(assert_valid_html5(page))


def test_given_the_xss_corpus_when_withdrawn_then_the_notice_is_safe() -> None:
    record = hostile_record().model_copy(update={"status": "withdrawn"})

    page = render_tombstone(record, site_base_url=SITE)

    assert_safe_page(page)
    assert '<script>alert("reason")</script>' in visible_text(assert_valid_html5(page))
