"""Landing pages for email links, read the way a browser would read them."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from boletin.email import (
    PAGE_HEADERS,
    ManageFormError,
    ManagePreferences,
    confirm_page,
    error_page,
    manage_page,
    parse_manage_form,
    unsubscribe_page,
    unsubscribed_page,
)
from tests.support.html_scan import TagsAndText, parsed

TOKEN_URL = "https://api.boletin.example.org/v1/unsubscribe/AQIAAAAAAAAAAHN1Yl8wMQ"
MANAGE_URL = "https://api.boletin.example.org/v1/manage/AQMAAAAAAAAAAHN1Yl8wMQ"
COUNTRIES = [("MX", "México"), ("GT", "Guatemala"), ("HN", "Honduras")]
TOPICS = [("asylum", "Asilo"), ("borders", "Fronteras"), ("work", "Trabajo")]


class _Browser(TagsAndText):
    """Collects what a browser would: forms, their successful controls, links, text and tags."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.controls: list[tuple[str, str]] = []  # (name, value) a submit would send
        self.links: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "form":
            self.forms.append(a)
        if tag == "a":
            self.links.append(a.get("href", ""))
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.controls.append((a["name"], a.get("value", "")))


def read(page: str) -> _Browser:
    return parsed(_Browser(), page)


def _no_external_resources(page: str, allowed_urls: set[str]) -> None:
    browser = read(page)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(browser.tags)
    urls = {v for k, v in browser.attributes if k in ("href", "src", "action") and v}
    assert urls <= allowed_urls


def test_given_the_unsubscribe_page_when_its_button_is_pressed_then_it_posts_the_one_click_body() -> None:
    page = unsubscribe_page("es", token_action_url=TOKEN_URL)
    browser = read(page)
    # Then one form, POST, to the same token URL, urlencoded
    assert len(browser.forms) == 1
    form = browser.forms[0]
    assert form["method"] == "post"
    assert form["action"] == TOKEN_URL
    assert form.get("enctype", "application/x-www-form-urlencoded") == "application/x-www-form-urlencoded"
    # And the submitted body is exactly what RFC 8058 mail clients send
    assert urlencode(browser.controls) == "List-Unsubscribe=One-Click"
    assert "Cancelar la suscripción" in "".join(browser.text)
    assert browser.lang == "es"
    _no_external_resources(page, {TOKEN_URL})


@pytest.mark.parametrize(
    ("state", "language", "title", "detail"),
    [
        ("confirmed", "es", "Suscripción confirmada", "A partir de ahora recibirás"),
        ("invalid", "fr", "Ce lien n'est pas valide", "copié le lien complet"),
        ("expired", "pt", "Este link expirou", "válidos por 7 dias"),
        ("expired", "en", "This link has expired", "valid for 7 days"),
    ],
)
def test_given_a_confirmation_outcome_then_the_page_says_so_in_the_subscribers_language(
    state: str, language: str, title: str, detail: str
) -> None:
    page = confirm_page(language, state=state)  # type: ignore[arg-type]
    browser = read(page)
    text = "".join(browser.text)
    assert title in text
    assert detail in text
    assert browser.lang == language
    _no_external_resources(page, set())


def test_given_an_expired_link_with_a_subscribe_url_then_the_page_offers_to_start_again() -> None:
    page = confirm_page("es", state="expired", subscribe_url="https://boletin.example.org/es/suscribirse")
    assert read(page).links == ["https://boletin.example.org/es/suscribirse"]
    assert "Volver a suscribirse" in page


def test_given_an_unknown_language_then_pages_fall_back_to_english() -> None:
    browser = read(unsubscribed_page("de-DE"))
    assert browser.lang == "en"
    assert "You have been unsubscribed" in "".join(browser.text)
    assert read(unsubscribed_page("pt-BR")).lang == "pt"


def test_given_the_manage_page_when_submitted_unchanged_then_the_same_preferences_come_back() -> None:
    # Given a subscriber's current choices
    current = ManagePreferences(countries=["GT", "MX"], topics=["work"], frequency="weekly", language="pt")
    page = manage_page(
        "pt", action_url=MANAGE_URL, current=current, topic_options=TOPICS, country_options=COUNTRIES
    )
    browser = read(page)
    assert [f["action"] for f in browser.forms] == [MANAGE_URL]
    assert browser.forms[0]["method"] == "post"
    # When the browser submits the form as it is
    body = urlencode(browser.controls)
    submitted = parse_manage_form(body, country_options=dict(COUNTRIES), topic_options=dict(TOPICS))
    # Then the handler reads back exactly the current choices
    assert set(submitted.countries) == {"GT", "MX"}
    assert list(submitted.topics) == ["work"]
    assert submitted.frequency == "weekly"
    assert submitted.language == "pt"
    # And the page speaks Portuguese and names each language in itself
    text = "".join(browser.text)
    for expected in ("Gerenciar suas preferências", "Uma vez por semana", "Español", "Français", "Salvar"):
        assert expected in text
    _no_external_resources(page, {MANAGE_URL})


def test_given_a_saved_change_then_the_manage_page_confirms_it() -> None:
    page = manage_page(
        "en", action_url=MANAGE_URL, current=ManagePreferences(), topic_options=TOPICS, saved=True
    )
    assert "Your preferences have been saved." in page
    unsaved = manage_page("en", action_url=MANAGE_URL, current=ManagePreferences(), topic_options=TOPICS)
    assert "Your preferences have been saved." not in unsaved


def test_given_hostile_option_labels_and_values_then_the_manage_page_escapes_them() -> None:
    hostile = [('x" onclick="alert(1)', "<script>alert(1)</script>")]
    page = manage_page(
        "en",
        action_url=MANAGE_URL,
        current=ManagePreferences(),
        topic_options=hostile,
        country_options=hostile,
    )
    browser = read(page)
    assert "script" not in browser.tags
    assert not any(name.startswith("on") for name, _ in browser.attributes)
    assert "<script>alert(1)</script>" in "".join(browser.text)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("countries=XX&frequency=daily&language=es", "unknown countries"),
        ("topics=weather&frequency=daily&language=es", "unknown topics"),
        ("frequency=hourly&language=es", "unknown frequency"),
        ("frequency=daily&language=de", "unknown language"),
        ("language=es", "exactly one frequency"),
        ("frequency=daily&frequency=weekly&language=es", "exactly one frequency"),
        ("frequency=daily&language=es&admin=1", "unknown form fields"),
        ("countries=MX&" * 200 + "frequency=daily&language=es", "too many"),
        (b"frequency=daily&language=\xff", "UTF-8"),
    ],
)
def test_given_a_tampered_preferences_form_then_it_is_refused(body: str | bytes, problem: str) -> None:
    with pytest.raises(ManageFormError, match=problem):
        parse_manage_form(body, country_options=dict(COUNTRIES), topic_options=dict(TOPICS))


def test_given_no_countries_or_topics_checked_then_the_form_means_all() -> None:
    prefs = parse_manage_form(
        b"frequency=immediate&language=es", country_options=dict(COUNTRIES), topic_options=dict(TOPICS)
    )
    assert (tuple(prefs.countries), tuple(prefs.topics), prefs.frequency) == ((), (), "immediate")


def test_given_an_error_message_with_markup_then_the_error_page_shows_it_as_text() -> None:
    page = error_page("fr", '<img src=x onerror="alert(1)">\r\nInjected')
    browser = read(page)
    assert "img" not in browser.tags
    assert "Une erreur s'est produite" in "".join(browser.text)
    assert '<img src=x onerror="alert(1)"> Injected' in "".join(browser.text)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example.org/x", "https://a.example.org/\r\nx"]
)
def test_given_an_unsafe_form_action_then_the_page_is_not_built(url: str) -> None:
    with pytest.raises(ValueError, match="action_url"):
        unsubscribe_page("en", token_action_url=url)


def test_given_a_same_origin_path_as_action_then_it_is_used_as_is() -> None:
    page = unsubscribe_page("en", token_action_url="/v1/unsubscribe/AQIA")
    assert read(page).forms[0]["action"] == "/v1/unsubscribe/AQIA"


def test_page_headers_forbid_scripts_framing_and_referrer_leaks() -> None:
    csp = PAGE_HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert PAGE_HEADERS["Referrer-Policy"] == "no-referrer"
    assert PAGE_HEADERS["Cache-Control"] == "no-store"
