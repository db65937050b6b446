"""The HTML pages behind the links in emails: each maps a token and a form to a page."""

from __future__ import annotations

from dataclasses import dataclass, field

from boletin.services.subscriptions import SubscriptionService


@dataclass(frozen=True)
class Page:
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def _page(status: int, html: str) -> Page:
    from boletin.email import PAGE_HEADERS

    return Page(status, html, dict(PAGE_HEADERS))


_INVALID_LINK = {
    "en": "This link is not valid. Please use the latest link from our emails.",
    "es": "Este enlace no es válido. Use el enlace más reciente de nuestros correos.",
    "fr": "Ce lien n'est pas valide. Utilisez le lien le plus récent de nos courriels.",
    "pt": "Este link não é válido. Use o link mais recente dos nossos e-mails.",
}


def _invalid(language: str = "en") -> Page:
    from boletin.email import error_page

    return _page(404, error_page(language, _INVALID_LINK.get(language, _INVALID_LINK["en"])))


def confirm(service: SubscriptionService, token: str) -> Page:
    from boletin.email import confirm_page

    state, record = service.confirm(token)
    language = record.language if record else "en"
    if state != "confirmed" or record is None:
        return _page(404 if state == "invalid" else 410, confirm_page(language, state=state))
    links = service.links.of(record.id, now=service.clock())
    return _page(200, confirm_page(language, state="confirmed", manage_url=links.manage))


def unsubscribe_form(service: SubscriptionService, token: str, path: str) -> Page:
    from boletin.email import unsubscribe_page

    record = service.record_for(token, "unsubscribe")
    if record is None:
        return _invalid()
    return _page(200, unsubscribe_page(record.language, token_action_url=f"{path}?token={token}"))


def unsubscribe(service: SubscriptionService, token: str) -> Page:
    """RFC 8058: a POST ends the subscription at once, whatever the body (no cookie, no page)."""
    from boletin.email import unsubscribed_page

    record = service.record_for(token, "unsubscribe")
    if record is None:
        return _invalid()
    service.unsubscribe(record)
    return _page(200, unsubscribed_page(record.language))


def _options(language: str, chosen: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Countries of the region plus any the subscriber already chose; every topic."""
    from boletin.enrichment.taxonomy import country_name, list_topics, topic_label

    countries = [(c, country_name(c, language)) for c in {*_PICKER_COUNTRIES, *chosen}]
    topics = [(t.slug, topic_label(t.slug, language)) for t in list_topics()]
    return sorted(countries, key=lambda x: x[1]), topics


# The countries offered on the preferences page: the region the offices publish about.
_PICKER_COUNTRIES = frozenset(
    {"AG", "BS", "BB", "BZ", "BR", "CA", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV", "GD", "GT"}
    | {"GY", "HT", "HN", "JM", "MX", "NI", "PA", "PE", "KN", "LC", "VC", "SR", "TT", "US", "UY", "VE"}
)


def manage_form(service: SubscriptionService, token: str, path: str, *, saved: bool = False) -> Page:
    from boletin.email import ManagePreferences, manage_page
    from boletin.pages.subscribe import country_groups

    record = service.record_for(token, "manage")
    if record is None or record.status != "active":
        return _invalid(record.language if record else "en")
    countries, topics = _options(record.language, record.countries)
    current = ManagePreferences(
        countries=record.countries,
        topics=record.topics,
        frequency=record.frequency,
        language=record.language,
        bulletin_languages=record.bulletin_languages,
    )
    return _page(
        200,
        manage_page(
            record.language,
            action_url=f"{path}?token={token}",
            current=current,
            topic_options=topics,
            country_options=countries,
            saved=saved,
            country_groups=country_groups(record.language, record.countries),
            unsubscribe_url=service.links.of(record.id, now=service.clock()).unsubscribe,
        ),
    )


def manage_submit(service: SubscriptionService, token: str, path: str, body: bytes) -> Page:
    from boletin.email import ManageFormError, error_page, parse_manage_form

    record = service.record_for(token, "manage")
    if record is None or record.status != "active":
        return _invalid(record.language if record else "en")
    countries, topics = _options(record.language, record.countries)
    try:
        choice = parse_manage_form(body, country_options=dict(countries), topic_options=dict(topics))
    except ManageFormError as error:
        return _page(422, error_page(record.language, str(error)))
    service.update_preferences(
        record,
        countries=sorted(choice.countries),
        topics=sorted(choice.topics),
        frequency=choice.frequency,
        language=choice.language,
        bulletin_languages=list(choice.bulletin_languages),
    )
    return manage_form(service, token, path, saved=True)


MAX_SUBSCRIBE_FORM_BYTES = 16_384


def subscribe_form(service: SubscriptionService, body: bytes, *, site_base_url: str) -> Page:
    """The subscribe page's form (``application/x-www-form-urlencoded``): the same double opt-in
    as the JSON route, answered with an HTML page in the subscriber's language."""
    from urllib.parse import parse_qs

    from pydantic import ValidationError

    from boletin.http import field_errors
    from boletin.models.subscriptions import SubscriptionRequest
    from boletin.pages.subscribe import render_subscribe_answer

    def answer(status: int, language: str, errors: list[tuple[str, str]] | None = None) -> Page:
        html = render_subscribe_answer(language, site_base_url=site_base_url, errors=errors).decode()
        headers = dict(_site_page_headers(site_base_url))
        return Page(status, html, headers)

    if len(body) > MAX_SUBSCRIBE_FORM_BYTES:
        return answer(413, "en", [("body", f"is over {MAX_SUBSCRIBE_FORM_BYTES:,} bytes")])
    try:
        form = parse_qs(body.decode("utf-8"), max_num_fields=300, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return answer(400, "en", [("body", "is not a form in UTF-8")])
    language = (form.get("language") or ["en"])[0]
    language = language if language in ("en", "es", "fr", "pt") else "en"
    values: dict[str, object] = {
        "email": (form.get("email") or [""])[0],
        "language": (form.get("language") or [language])[0],
        "countries": form.get("countries", []),
        "topics": form.get("topics", []),
        "frequency": (form.get("frequency") or ["immediate"])[0],
    }
    # Bulletin languages go through once the request model takes them (issue #16 adds that field).
    if "languages" in SubscriptionRequest.model_fields and form.get("bulletin_languages"):
        values["languages"] = form["bulletin_languages"]
    try:
        request = SubscriptionRequest.model_validate(values)
    except ValidationError as error:
        return answer(422, language, [(f.field, f.reason) for f in field_errors(error)])
    service.subscribe(request)
    return answer(202, language)


def _site_page_headers(site_base_url: str) -> dict[str, str]:
    """The pages' headers, allowing the site's stylesheet (the answer looks like the site)."""
    from urllib.parse import urlsplit

    from boletin.email import PAGE_HEADERS

    parts = urlsplit(site_base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    headers = dict(PAGE_HEADERS)
    headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {origin}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return headers
