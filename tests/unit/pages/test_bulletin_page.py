"""A bulletin's page: what a reader, a link preview and a search engine get from it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from boletin.pages import VersionLine, render_bulletin, render_moved, render_tombstone
from tests.support.pages import SITE, assert_valid_html5, json_ld_of, make_record, visible_text


def test_given_a_spanish_bulletin_when_rendered_then_the_page_is_in_spanish_with_labels_and_links() -> None:
    # Given a published Spanish bulletin about Guatemala and Honduras, with the office's original
    record = make_record(source_url="https://oim.example.org/noticia?id=1&x=2")

    # When its page is rendered
    page = render_bulletin(record, [], site_base_url=SITE)

    # Then it is valid HTML5 in Spanish, dated as the office dated it, in Spanish
    tree = assert_valid_html5(page)
    assert tree.get("lang") == "es"
    text = visible_text(tree)
    assert "30 de noviembre de 2021" in text
    assert "OIM Guatemala" in text
    # countries and topics are labels linking their pages, never codes
    assert f'href="{SITE}/es/countries/GT.html">Guatemala</a>'.encode() in page
    assert f'href="{SITE}/es/topics/trafficking-in-persons.html">Trata de personas</a>'.encode() in page
    assert b">GT<" not in page
    # the source link, escaped in its attribute
    assert b'href="https://oim.example.org/noticia?id=1&amp;x=2"' in page
    # the sanitised body
    assert b"<strong>Guatemala</strong>" in page


def test_given_a_bulletin_when_rendered_then_previews_and_search_engines_read_it() -> None:
    record = make_record()

    page = render_bulletin(record, [], site_base_url=SITE)

    url = f"{SITE}/news/oim-y-guatemala-fortalecen-la-proteccion-de-personas-migrantes-{record.id}.html"
    assert f'<link rel="canonical" href="{url}">'.encode() in page
    assert b"<title>OIM y Guatemala fortalecen la protecci\xc3\xb3n de personas migrantes" in page
    assert b'<meta name="description" content="Funcionarios de Guatemala y Honduras se reunieron.">' in page
    assert b'<meta property="og:type" content="article">' in page
    assert f'<meta property="og:url" content="{url}">'.encode() in page
    data = json_ld_of(page)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == record.title
    assert data["datePublished"] == "2021-11-30"
    assert data["inLanguage"] == "es"
    assert data["publisher"]["name"] == "OIM Guatemala"
    assert "dateModified" not in data


def test_given_a_hostile_title_when_rendered_then_the_json_ld_cannot_close_its_script() -> None:
    # Given a title that tries to end the JSON-LD script and open another
    title = 'Costa Rica </script><script>alert("x")</script> <!-- & "quotes"'
    record = make_record(title=title)

    page = render_bulletin(record, [], site_base_url=SITE)

    # Then the page has exactly one script (the JSON-LD), whose data is the title as given
    assert page.count(b"<script") == 1
    assert json_ld_of(page)["headline"] == title
    assert_valid_html5(page)


def test_given_a_corrected_bulletin_when_rendered_then_the_note_and_the_history_show() -> None:
    # Given version 2, a major correction with a note, of a bulletin first published in November
    corrected = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    record = make_record(
        version=2, last_change="major", last_change_note="Se corrigió la cifra", updated_at=corrected
    )
    history = [
        VersionLine(1, date(2026, 12, 1), None),
        VersionLine(2, date(2026, 12, 2), "Se corrigió la cifra"),
    ]

    page = render_bulletin(record, history, site_base_url=SITE, corrected_on=corrected)

    text = visible_text(assert_valid_html5(page))
    assert "Corregido el 2 de diciembre de 2026: Se corrigió la cifra" in text
    assert "Historial de versiones" in text
    assert "Versión 1, 1 de diciembre de 2026" in text
    assert "Versión 2, 2 de diciembre de 2026 — Se corrigió la cifra" in text
    assert json_ld_of(page)["dateModified"] == corrected.isoformat()


def test_given_a_withdrawn_bulletin_when_rendered_then_only_the_notice_remains() -> None:
    # Given a bulletin withdrawn with a reason
    record = make_record(
        status="withdrawn",
        withdrawn_reason="Publicado por error",
        withdrawn_at=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
        body="Texto secreto que ya no debe verse.",
    )

    page = render_tombstone(record, site_base_url=SITE)

    text = visible_text(assert_valid_html5(page))
    assert "Este boletín fue retirado" in text
    assert "La oficina retiró este boletín el 3 de diciembre de 2026." in text
    assert "Motivo: Publicado por error" in text
    assert "Texto secreto" not in text
    assert b'<meta name="robots" content="noindex">' in page


def test_given_an_older_title_when_its_address_is_opened_then_it_leads_to_the_current_page() -> None:
    record = make_record(title="Un título corregido de este boletín")

    page = render_moved(record, site_base_url=SITE)

    assert_valid_html5(page)
    target = f"{SITE}/news/un-titulo-corregido-de-este-boletin-{record.id}.html"
    assert f'<meta http-equiv="refresh" content="0; url={target}">'.encode() in page
    assert f'<a href="{target}">'.encode() in page


def test_given_a_french_bulletin_when_rendered_then_its_date_is_written_in_french() -> None:
    record = make_record(
        title="Haïti : l'OIM soutient les personnes déplacées",
        published_on=date(2021, 3, 1),
        enrichment={"language": "fr", "countries": ["HT"], "topics": []},
    )

    page = render_bulletin(record, [], site_base_url=SITE)

    assert b'<html lang="fr"' in page
    assert "1er mars 2021" in visible_text(assert_valid_html5(page))
    assert f'href="{SITE}/en/countries/HT.html">Haïti</a>'.encode() in page
