"""News lists and the subscribe form: what a visitor browsing by country, topic or language gets."""

from __future__ import annotations

from datetime import date

from boletin.models.feeds import FeedScope
from boletin.pages import NewsPage, news_path, render_news, render_subscribe, subscribe_path
from tests.support.pages import (
    API,
    FEEDS,
    SITE,
    assert_valid_html5,
    make_record,
    summary_of,
    visible_text,
)

GT = FeedScope(kind="country", value="GT")


def _two_bulletins() -> list:  # type: ignore[type-arg]
    newer = make_record(id="b2", title="Guatemala abre centros de atención a personas retornadas")
    older = make_record(
        id="b1",
        title="IOM and Guatemala train border officials",
        published_on=date(2021, 10, 4),
        enrichment={"language": "en", "summary": "Border officials were trained."},
    )
    return [summary_of(newer), summary_of(older)]


def test_given_a_country_when_its_page_is_rendered_in_spanish_then_it_lists_newest_first_with_feeds() -> None:
    # Given two bulletins about Guatemala, newest first, and older ones in October's archive
    news = NewsPage(scope=GT, entries=_two_bulletins(), older_month="2021-09")

    # When Guatemala's page is rendered in Spanish
    page = render_news(news, language="es", site_base_url=SITE, feeds_base_url=FEEDS)

    # Then it is valid HTML5, titled with the country's name, the bulletins in order with their dates
    tree = assert_valid_html5(page)
    text = visible_text(tree)
    assert "Noticias: Guatemala" in text
    assert text.index("Guatemala abre centros") < text.index("IOM and Guatemala train")
    assert "30 de noviembre de 2021" in text
    assert "4 October 2021" in text  # each bulletin's date in its own language
    assert b'<article lang="en">' in page
    # its feeds are linked for readers to discover, and the subscribe form comes pre-filled
    for kind, ext in (("rss+xml", "xml"), ("atom+xml", "atom"), ("feed+json", "json")):
        assert f'<link rel="alternate" type="application/{kind}"'.encode() in page
        assert f'href="{FEEDS}/countries/GT.{ext}"'.encode() in page
    assert f'href="{SITE}/es/subscribe/countries/GT.html"'.encode() in page
    assert "Suscribirse a Guatemala por correo" in text
    # and older bulletins are a link away
    assert f'rel="next" href="{SITE}/es/countries/GT/2021-09.html"'.encode() in page
    assert f'<link rel="alternate" hreflang="en" href="{SITE}/en/countries/GT.html">'.encode() in page


def test_given_a_month_page_when_rendered_then_it_links_newer_and_older_months() -> None:
    news = NewsPage(
        scope=GT, entries=_two_bulletins()[1:], month="2021-10", older_month="2021-08", newer_month="2021-11"
    )

    page = render_news(news, language="en", site_base_url=SITE, feeds_base_url=FEEDS)

    text = visible_text(assert_valid_html5(page))
    assert "Guatemala — October 2021" in text
    assert f'rel="prev" href="{SITE}/en/countries/GT/2021-11.html"'.encode() in page
    assert f'rel="next" href="{SITE}/en/countries/GT/2021-08.html"'.encode() in page


def test_given_a_scope_without_bulletins_when_rendered_then_it_invites_to_subscribe() -> None:
    scope = FeedScope(kind="topic", value="trafficking-in-persons")

    page = render_news(
        NewsPage(scope=scope, entries=[]), language="en", site_base_url=SITE, feeds_base_url=FEEDS
    )

    text = visible_text(assert_valid_html5(page))
    assert "News: Trafficking in persons" in text
    assert "No bulletins yet" in text
    assert f'href="{SITE}/en/subscribe/topics/trafficking-in-persons.html"'.encode() in page


def test_given_the_subscribe_page_in_each_language_then_it_is_a_working_form_without_javascript() -> None:
    for language, heading, submit in (
        ("en", "Subscribe by email", "Subscribe"),
        ("es", "Suscribirse por correo", "Suscribirse"),
        ("fr", "S'abonner par courriel", "S'abonner"),
        ("pt", "Assinar por e-mail", "Assinar"),
    ):
        page = render_subscribe(language, site_base_url=SITE, api_base_url=API)

        tree = assert_valid_html5(page)
        assert tree.get("lang") == language
        assert b"<script" not in page
        form = tree.find(".//form")
        assert form.get("method") == "post"
        assert form.get("action") == f"{API}/subscriptions"
        assert form.get("enctype") == "application/x-www-form-urlencoded"
        names = {i.get("name") for i in form.iter("input")}
        assert names == {"email", "countries", "topics", "bulletin_languages", "frequency", "language"}
        assert heading in visible_text(tree)
        assert form.find(".//button").text == submit
        checked = {
            i.get("value")
            for i in form.iter("input")
            if i.get("name") == "language" and "checked" in i.attrib
        }
        assert checked == {language}  # our emails in the page's language unless changed


def test_given_the_subscribe_page_then_countries_are_grouped_by_region() -> None:
    tree = assert_valid_html5(render_subscribe("es", site_base_url=SITE, api_base_url=API))

    regions = {
        region.find("legend").text: {i.get("value") for i in region.iter("input")}
        for region in tree.iter("fieldset")
        if region.get("class") == "region"
    }
    assert set(regions) == {"Centroamérica", "Norteamérica", "Caribe", "Sudamérica"}
    assert {"GT", "HN", "SV", "CR", "PA", "NI", "BZ"} == regions["Centroamérica"]
    assert "HT" in regions["Caribe"]


def test_given_a_scope_when_its_subscribe_page_is_rendered_then_the_scope_is_chosen() -> None:
    page = render_subscribe("es", site_base_url=SITE, api_base_url=API, scope=GT)

    tree = assert_valid_html5(page)
    checked = {(i.get("name"), i.get("value")) for i in tree.iter("input") if "checked" in i.attrib}
    assert ("countries", "GT") in checked
    assert not any(name in ("countries", "topics") and value != "GT" for name, value in checked)
    assert f'<link rel="canonical" href="{SITE}/{subscribe_path("es", GT)}">'.encode() in page


def test_paths_refuse_values_that_could_escape_the_site_root() -> None:
    import pytest

    for bad in ("../x", "GT/../../etc", "a b", ""):
        with pytest.raises(ValueError, match="not a valid"):
            news_path("en", FeedScope(kind="country", value=bad))
    assert news_path("en", FeedScope(kind="all")) == "en/index.html"
    assert news_path("es", GT, "2021-11") == "es/countries/GT/2021-11.html"


def test_given_a_month_of_three_pages_then_each_links_its_neighbours_in_order() -> None:
    views = _two_bulletins()
    first = NewsPage(scope=GT, entries=views, month="2021-10", newer_month="2021-11", page=1, pages=3)
    middle = NewsPage(scope=GT, entries=views, month="2021-10", page=2, pages=3)
    last = NewsPage(scope=GT, entries=views, month="2021-10", older_month="2021-08", page=3, pages=3)

    pages = [
        render_news(n, language="en", site_base_url=SITE, feeds_base_url=FEEDS) for n in (first, middle, last)
    ]

    for page in pages:
        assert_valid_html5(page)
    assert f'rel="prev" href="{SITE}/en/countries/GT/2021-11.html"'.encode() in pages[0]
    assert f'rel="next" href="{SITE}/en/countries/GT/2021-10-p2.html"'.encode() in pages[0]
    assert f'rel="prev" href="{SITE}/en/countries/GT/2021-10.html"'.encode() in pages[1]
    assert f'rel="next" href="{SITE}/en/countries/GT/2021-10-p3.html"'.encode() in pages[1]
    assert f'rel="prev" href="{SITE}/en/countries/GT/2021-10-p2.html"'.encode() in pages[2]
    assert f'rel="next" href="{SITE}/en/countries/GT/2021-08.html"'.encode() in pages[2]
    assert "Guatemala — October 2021 (2/3)" in visible_text(assert_valid_html5(pages[1]))
