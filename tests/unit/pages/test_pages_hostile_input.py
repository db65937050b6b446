"""The project's XSS corpus (tests/support/hostile.py) through every page kind: office
text is escaped or sanitised exactly as in feeds and emails, and every page stays valid HTML."""

from __future__ import annotations

import pytest

from boletin.enrichment.html import render_body_html
from boletin.models.feeds import FeedScope
from boletin.pages import NewsPage, render_bulletin, render_news, render_tombstone
from tests.support.hostile import (
    BODY,
    HOSTILE_OFFICE_NAME,
    ILLEGAL,
    SOURCE_URL,
    TITLE,
    assert_safe_site_page,
)
from tests.support.pages import FEEDS, SITE, assert_valid_html5, make_record, summary_of, visible_text


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

    document = assert_safe_site_page(page)
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

    assert_safe_site_page(page)
    assert TITLE in visible_text(assert_valid_html5(page))


def test_given_the_xss_corpus_when_withdrawn_then_the_notice_is_safe() -> None:
    record = hostile_record().model_copy(update={"status": "withdrawn"})

    page = render_tombstone(record, site_base_url=SITE)

    assert_safe_site_page(page)
    assert '<script>alert("reason")</script>' in visible_text(assert_valid_html5(page))
