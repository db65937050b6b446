"""The public site end to end: a submitted bulletin gets its page and shows on the news pages of its
country, topic and language and on the home page; a correction updates them; a withdrawal leaves
its notice and takes it off every list; every feed item links a page a browser can open."""

from __future__ import annotations

import re
import uuid
from typing import Any

import feedparser
import pytest

from tests.support.http import Http, Reply
from tests.support.pages import assert_valid_html5, visible_text

pytestmark = pytest.mark.e2e

TITLE = "Guatemala y Honduras refuerzan la lucha contra la trata de personas"
BODY = (
    "Autoridades de Guatemala y Honduras acordaron en la Ciudad de Guatemala un protocolo para "
    "identificar a víctimas de trata de personas en la frontera.\n\nEl acuerdo incluye capacitación."
)


def page_of(http: Http, url: str) -> tuple[Reply, str]:
    reply = http.get(url)
    assert reply.status == 200, (url, reply.status)
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    return reply, visible_text(assert_valid_html5(reply.body))


# The office's submission of the bulletin every test here follows.
SUBMISSION = {
    "title": TITLE,
    "body": BODY,
    "published_on": "2021-11-30",
    "source_url": "https://oim.example.org/noticias/trata",
    "countries": ["GT", "HN"],
}


@pytest.fixture(scope="module")
def office(stack: Any) -> str:
    from boletin.composition.offices import office_service

    _, key = office_service().create_office(f"OIM Guatemala {uuid.uuid4().hex[:6]}")
    return key


@pytest.fixture(scope="module")
def bulletin(stack: Any, http: Http, office: str) -> dict[str, Any]:
    created = http.post("/bulletins", json_body=SUBMISSION, key=office)
    assert created.status == 201, created.body
    stack.wait_until_idle(timeout=60)
    view = http.get(f"/bulletins/{created.json()['id']}").json()
    assert view["status"] == "published"
    assert "trafficking-in-persons" in view["topics"]
    return view


def feed_link(http: Http, path: str, bulletin_id: str) -> str:
    parsed = feedparser.parse(http.get(path).body)
    assert parsed.bozo == 0
    entry = next(e for e in parsed.entries if e.id.endswith(bulletin_id))
    return str(entry.link)


def test_the_feed_item_opens_the_bulletins_page_in_its_language(http: Http, bulletin: dict[str, Any]) -> None:
    # Given a published Spanish bulletin, When a reader follows its feed item's link
    url = feed_link(http, "/feeds/countries/GT.xml", bulletin["id"])
    assert re.search(rf"/news/[a-z0-9-]+-{bulletin['id']}\.html$", url)
    reply, text = page_of(http, url)

    # Then the page is the bulletin in Spanish, dated as the office dated it, with its labels
    assert b'<html lang="es"' in reply.body
    assert TITLE in text
    assert "30 de noviembre de 2021" in text
    assert "Trata de personas" in text
    assert "Honduras" in text
    assert b'href="https://oim.example.org/noticias/trata"' in reply.body
    # served like CloudFront serves it, with the distribution's security headers
    assert "default-src 'none'" in str(reply.header("Content-Security-Policy"))
    assert "frame-ancestors 'none'" in str(reply.header("Content-Security-Policy"))
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert str(reply.header("Strict-Transport-Security")).startswith("max-age=")
    assert reply.header("ETag")


def test_the_feeds_say_what_the_office_said(http: Http, bulletin: dict[str, Any]) -> None:
    items = http.get("/feeds/all.json").json()["items"]
    item = next(i for i in items if i["id"].endswith(bulletin["id"]))
    assert item["date_published"].startswith("2021-11-30")
    assert item["external_url"] == "https://oim.example.org/noticias/trata"
    atom = feedparser.parse(http.get("/feeds/all.atom").body)
    entry = next(e for e in atom.entries if e.id.endswith(bulletin["id"]))
    assert entry.published.startswith("2021-11-30")


@pytest.mark.parametrize(
    "path",
    ["/", "/en/index.html", "/es/index.html", "/es/countries/GT.html", "/en/countries/HN.html",
     "/es/topics/trafficking-in-persons.html", "/en/languages/es.html", "/es/countries/GT/2021-11.html"],
)  # fmt: skip
def test_the_news_pages_of_its_scopes_list_it(http: Http, bulletin: dict[str, Any], path: str) -> None:
    reply, text = page_of(http, path)
    assert TITLE in text
    assert bulletin["id"].encode() in reply.body
    assert b'rel="alternate" type="application/rss+xml"' in reply.body


def test_a_scope_without_bulletins_has_a_valid_empty_feed_from_the_start(
    http: Http, bulletin: dict[str, Any]
) -> None:
    # Belize has no bulletin: a reader can still subscribe to its feeds ahead
    for ext in ("xml", "atom"):
        parsed = feedparser.parse(http.get(f"/feeds/countries/BZ.{ext}").body)
        assert parsed.bozo == 0
        assert parsed.entries == []
    assert http.get("/feeds/countries/BZ.json").json()["items"] == []
    _, subscribe = page_of(http, "/es/subscribe.html")
    assert "Belice" in subscribe


def test_the_subscribe_pages_exist_in_four_languages(http: Http, bulletin: dict[str, Any]) -> None:
    for language, heading in (("en", "Subscribe by email"), ("es", "Suscribirse por correo"),
                              ("fr", "S'abonner par courriel"), ("pt", "Assinar por e-mail")):  # fmt: skip
        reply, text = page_of(http, f"/{language}/subscribe.html")
        assert heading in text
        assert f'action="{http.base_url}/subscriptions"'.encode() in reply.body


def test_a_correction_updates_the_page_and_the_lists(
    stack: Any, http: Http, office: str, bulletin: dict[str, Any]
) -> None:
    # Given the published bulletin, When the office corrects its title with a major change
    new_title = "Guatemala y Honduras firman un protocolo contra la trata de personas"
    fixed = {
        **SUBMISSION,
        "title": new_title,
        "change": "major",
        "change_note": "Se precisó que el protocolo fue firmado",
    }
    reply = http.request(
        "PUT", f"/bulletins/{bulletin['id']}", json_body=fixed, key=office, headers={"If-Match": '"1"'}
    )
    assert reply.status == 200, reply.body
    stack.wait_until_idle(timeout=60)

    # Then its page (at its new address) shows the correction and the history
    url = feed_link(http, "/feeds/countries/HN.xml", bulletin["id"])
    _, text = page_of(http, url)
    assert new_title in text
    assert "Se precisó que el protocolo fue firmado" in text
    assert "Historial de versiones" in text
    # the old address leads to the new one
    old = http.get(feed_link_path(bulletin))
    assert old.status == 200
    assert url.encode() in old.body
    # and the lists show the new title only
    for path in ("/es/countries/GT.html", "/en/index.html", "/es/topics/trafficking-in-persons.html"):
        _, listed = page_of(http, path)
        assert new_title in listed
        assert TITLE not in listed
    bulletin["corrected_url"] = url


def feed_link_path(bulletin: dict[str, Any]) -> str:
    from boletin.enrichment.text import slugify

    return f"/news/{slugify(TITLE)}-{bulletin['id']}.html"


def test_a_withdrawal_leaves_its_notice_and_leaves_every_list(
    stack: Any, http: Http, office: str, bulletin: dict[str, Any]
) -> None:
    # Given the corrected bulletin, When the office withdraws it
    reply = http.request(
        "DELETE", f"/bulletins/{bulletin['id']}", json_body={"reason": "Duplicado"}, key=office
    )
    assert reply.status == 200, reply.body
    stack.wait_until_idle(timeout=60)

    # Then its page is the withdrawn notice, without the text
    _, text = page_of(http, bulletin.get("corrected_url") or feed_link_path(bulletin))
    assert "Este boletín fue retirado" in text
    assert "Motivo: Duplicado" in text
    assert "capacitación" not in text
    # and so does the address it had before its title was corrected
    _, old_address = page_of(http, feed_link_path(bulletin))
    assert "Este boletín fue retirado" in old_address
    # and no list or feed holds it any more
    for path in ("/", "/es/index.html", "/es/countries/GT.html", "/en/countries/HN.html",
                 "/es/topics/trafficking-in-persons.html", "/en/languages/es.html",
                 "/es/countries/GT/2021-11.html"):  # fmt: skip
        listed = http.get(path)
        assert listed.status == 200
        assert bulletin["id"].encode() not in listed.body, path
    assert bulletin["id"] not in http.get("/feeds/all.json").body.decode()


def test_the_subscribe_form_works_without_javascript_and_answers_in_the_subscribers_language(
    stack: Any, http: Http, bulletin: dict[str, Any]
) -> None:
    from urllib.parse import urlencode

    from tests.support.outbox import emails_to, link
    from tests.support.subscribers import fresh_address

    # Given the Spanish subscribe page pre-filled for Guatemala, as a browser would submit it
    form_page = http.get("/es/subscribe/countries/GT.html").body.decode()
    action = re.search(r'<form method="post" action="([^"]+)"', form_page)
    assert action is not None
    address = fresh_address("form")
    fields = [("email", address), ("countries", "GT"), ("topics", "trafficking-in-persons"),
              ("frequency", "daily"), ("language", "es")]  # fmt: skip

    # When it is posted form-encoded
    reply = http.post(
        action.group(1),
        data=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    # Then the answer is an HTML page in Spanish, and the double opt-in email is on its way
    assert reply.status == 202
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    text = visible_text(assert_valid_html5(reply.body))
    assert "Revise su correo" in text
    stack.wait_until_idle(timeout=20)
    confirmations = emails_to(stack.outbox_dir, address)
    assert len(confirmations) == 1
    assert http.get(link(confirmations[0], "confirm")).status == 200


def test_a_bad_form_is_answered_with_a_page_naming_the_field(http: Http) -> None:
    from urllib.parse import urlencode

    reply = http.post(
        "/subscriptions",
        data=urlencode([("email", "not-an-address"), ("language", "es"), ("frequency", "daily")]).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert reply.status == 422
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    text = visible_text(assert_valid_html5(reply.body))
    assert "Revise el formulario" in text
    assert "Correo electrónico" in text


def test_the_manage_page_groups_countries_by_region_and_offers_to_unsubscribe(stack: Any, http: Http) -> None:
    import html

    from tests.support.subscribers import fresh_address, subscribe_and_confirm

    # Given a confirmed Spanish subscriber to Guatemala
    address = fresh_address("manage")
    confirmed = subscribe_and_confirm(stack, http, address, language="es", countries=["GT"])

    # When they follow the confirmation page's link to their preferences
    manage = re.search(r'href="([^"]+/subscriptions/manage\?token=[^"]+)"', confirmed.body.decode())
    assert manage is not None
    page = http.get(html.unescape(manage.group(1)))

    # Then the countries come in regional groups, theirs checked, with a way to unsubscribe
    assert page.status == 200
    tree = assert_valid_html5(page.body)
    regions = [f.find("legend").text for f in tree.iter("fieldset") if f.get("class") == "region"]
    assert regions == ["Centroamérica", "Norteamérica", "Caribe", "Sudamérica"]
    checked = [
        i.get("value") for i in tree.iter("input") if i.get("name") == "countries" and "checked" in i.attrib
    ]
    assert checked == ["GT"]
    unsubscribe = next(
        a.get("href") for a in tree.iter("a") if "/subscriptions/unsubscribe?token=" in a.get("href", "")
    )
    confirm_page = http.get(unsubscribe)
    assert confirm_page.status == 200
    assert b'name="List-Unsubscribe"' in confirm_page.body


def test_an_office_that_prefers_its_own_site_gets_feeds_linking_the_original(
    stack: Any, http: Http, office: str, bulletin: dict[str, Any]
) -> None:
    # Given a bulletin whose office asks feeds and emails to link its original
    submission = {
        "title": "Honduras abre un centro de atención para personas retornadas",
        "body": "Honduras abrió en San Pedro Sula un centro de atención para personas migrantes retornadas.",
        "published_on": "2021-12-01",
        "source_url": "https://oim.example.org/noticias/centro-retornados",
        "link": "source",
    }
    created = http.post("/bulletins", json_body=submission, key=office)
    assert created.status == 201, created.body
    stack.wait_until_idle(timeout=60)

    # Then its feed item links the original, while its page still exists on the site
    items = http.get("/feeds/countries/HN.json").json()["items"]
    item = next(i for i in items if i["id"].endswith(created.json()["id"]))
    assert item["url"] == "https://oim.example.org/noticias/centro-retornados"
    _, listed = page_of(http, "/es/countries/HN.html")
    assert "Honduras abre un centro" in listed


def test_linking_the_original_needs_one(http: Http, office: str) -> None:
    submission = {"title": "Un boletín sin enlace original", "body": "Texto.", "published_on": "2021-12-01"}
    reply = http.post("/bulletins", json_body={**submission, "link": "source"}, key=office)
    assert reply.status == 422
    assert "source_url" in reply.body.decode()


def test_an_emails_read_the_bulletin_link_opens_its_page(stack: Any, http: Http, office: str) -> None:
    from tests.support.outbox import emails_to, text_of
    from tests.support.subscribers import fresh_address, subscribe_and_confirm

    # Given a confirmed subscriber to Panama
    address = fresh_address("reader-link")
    subscribe_and_confirm(stack, http, address, language="es", countries=["PA"])

    # When a bulletin about Panama is published
    submission = {
        "title": "Panamá amplía la atención a personas migrantes en Darién",
        "body": "Panamá abrió en Darién nuevos puestos de atención de salud para personas migrantes.",
        "published_on": "2021-12-01",
        "countries": ["PA"],
    }
    created = http.post("/bulletins", json_body=submission, key=office)
    assert created.status == 201, created.body
    stack.wait_until_idle(timeout=60)

    # Then the email's link to the bulletin is its page on the site, which opens as HTML
    (email,) = [m for m in emails_to(stack.outbox_dir, address) if "Darién" in str(m["Subject"])]
    found = re.search(rf"https?://\S+/news/[a-z0-9-]+-{created.json()['id']}\.html", text_of(email))
    assert found is not None
    _, text = page_of(http, found.group(0))
    assert "Panamá amplía la atención" in text
