"""Small, self-contained HTML pages for the links in emails: confirm, unsubscribe, manage, errors.

Each page is one complete document: inline CSS, no scripts, images, fonts or other external
resources, every dynamic value HTML-escaped, ``noindex`` and ``no-referrer`` (the URLs carry tokens).
Serve them with :data:`PAGE_HEADERS`. Forms post ``application/x-www-form-urlencoded`` bodies:

* unsubscribe: ``List-Unsubscribe=One-Click``, the very body a mail client sends for RFC 8058
  one-click, so the handler can treat both the same way. GET must only show the page (link
  scanners prefetch GETs); only POST unsubscribes.
* manage: ``countries=<code>`` and ``topics=<slug>`` (repeated, none = all), ``frequency=`` and
  ``language=``; read it with :func:`parse_manage_form`.

Unknown or missing languages fall back to English (pages are reached from arbitrary URLs).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import parse_qs

from boletin.email._text import single_line, validate_url
from boletin.email.i18n import (
    FREQUENCIES,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    Frequency,
    Language,
    is_frequency,
    is_language,
    resolve_language,
    translate,
)
from boletin.email.tokens import CONFIRM_TTL

#: Response headers for every page. ``form-action 'self'`` assumes forms post to the page's origin.
PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

ONE_CLICK_FIELD: Final = "List-Unsubscribe"
ONE_CLICK_VALUE: Final = "One-Click"
MAX_FORM_BYTES: Final = 16_384

ConfirmState = Literal["confirmed", "invalid", "expired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagePreferences:
    """A subscriber's current (or submitted) choices. Empty ``countries``/``topics`` means all."""

    countries: Sequence[str] = field(default_factory=tuple)
    topics: Sequence[str] = field(default_factory=tuple)
    frequency: Frequency = "immediate"
    language: Language = "en"
    bulletin_languages: Sequence[str] = field(default_factory=tuple)  # empty: every language


class ManageFormError(ValueError):
    """The submitted preferences form is malformed or names an unknown option."""


_CSS: Final = (
    "body{margin:0;background:#f3f3f3;color:#1a1a1a;font:16px/1.5 Arial,Helvetica,sans-serif}"
    "main{max-width:640px;margin:0 auto;padding:24px;background:#fff}"
    ".brand{margin:0 0 16px;font-weight:bold;color:#1d4f91}"
    "h1{font-size:24px;line-height:1.3;margin:0 0 12px}"
    "a{color:#1d4f91}"
    "fieldset{border:1px solid #ccc;border-radius:4px;margin:0 0 16px;padding:8px 12px}"
    "legend{font-weight:bold;padding:0 4px}"
    "label{display:block;margin:4px 0}"
    ".hint{color:#555;font-size:14px;margin:0 0 4px}"
    ".notice{background:#e7f4e4;border-left:4px solid #2e7d32;padding:8px 12px}"
    "button{font:inherit;font-weight:bold;color:#fff;background:#1d4f91;border:0;border-radius:4px;"
    "padding:10px 16px;cursor:pointer}"
    "button:focus,a:focus,input:focus{outline:3px solid #ffbf47}"
    "fieldset.region{border:0;margin:4px 0;padding:0}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:0 12px}"
)


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _action_url(url: str) -> str:
    """A form target: an absolute https URL, or a same-origin absolute path ("/v1/...")."""
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        validate_url("https://origin.invalid" + url, field="action_url")
        return url
    return validate_url(url, field="action_url")


def _page(language: str, title: str, body: str) -> str:
    lang = resolve_language(language)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)} – Boletín</title><style>{_CSS}</style></head>"
        f'<body><main><p class="brand">Boletín</p><h1>{_e(title)}</h1>{body}</main></body></html>\n'
    )


def confirm_page(
    language: str,
    *,
    state: ConfirmState,
    manage_url: str | None = None,
    subscribe_url: str | None = None,
) -> str:
    """The page a confirm link opens: confirmed, or why not (invalid/expired) with a way forward."""
    lang = resolve_language(language)
    if state == "confirmed":
        title = translate(lang, "page.confirmed.title")
        body = f"<p>{_e(translate(lang, 'page.confirmed.body'))}</p>"
        if manage_url:
            body += _link(manage_url, translate(lang, "footer.manage"))
    elif state in ("invalid", "expired"):
        title = translate(lang, f"page.{state}.title")
        body = f"<p>{_e(translate(lang, f'page.{state}.body', days=CONFIRM_TTL.days))}</p>"
        if subscribe_url:
            body += _link(subscribe_url, translate(lang, "page.subscribe_again"))
    else:
        raise ValueError(f"unknown confirmation state {state!r}")
    return _page(lang, title, body)


def unsubscribe_page(language: str, *, token_action_url: str) -> str:
    """One button that POSTs ``List-Unsubscribe=One-Click`` to ``token_action_url`` (the same URL)."""
    lang = resolve_language(language)
    action = _action_url(token_action_url)
    body = (
        f"<p>{_e(translate(lang, 'page.unsubscribe.body'))}</p>"
        f'<form method="post" action="{_e(action)}" enctype="application/x-www-form-urlencoded">'
        f'<input type="hidden" name="{ONE_CLICK_FIELD}" value="{ONE_CLICK_VALUE}">'
        f'<button type="submit">{_e(translate(lang, "footer.unsubscribe"))}</button></form>'
    )
    return _page(lang, translate(lang, "page.unsubscribe.title"), body)


def unsubscribed_page(language: str) -> str:
    """Shown after a successful unsubscribe (also fine to show when already unsubscribed)."""
    lang = resolve_language(language)
    body = f"<p>{_e(translate(lang, 'page.unsubscribed.body'))}</p>"
    return _page(lang, translate(lang, "page.unsubscribed.title"), body)


def manage_page(
    language: str,
    *,
    action_url: str,
    current: ManagePreferences,
    topic_options: Sequence[tuple[str, str]],
    country_options: Sequence[tuple[str, str]] = (),
    saved: bool = False,
    unsubscribe_url: str | None = None,
    country_groups: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> str:
    """The preferences form: countries, topics, frequency and language, posted to ``action_url``.

    Options are ``(value, label)`` pairs; labels are already localised by the caller. Values that
    ``current`` selects are checked. ``saved`` shows a "preferences saved" notice.
    """
    lang = resolve_language(language)
    action = _action_url(action_url)
    parts: list[str] = []
    if saved:
        parts.append(f'<p class="notice" role="status">{_e(translate(lang, "page.manage.saved"))}</p>')
    parts.append(f'<form method="post" action="{_e(action)}" enctype="application/x-www-form-urlencoded">')
    if country_groups:  # (region label, options): one group per region, not one long column
        groups = "".join(
            f'<fieldset class="region"><legend>{_e(region)}</legend><div class="grid">'
            + _boxes("countries", options, current.countries)
            + "</div></fieldset>"
            for region, options in country_groups
        )
        parts.append(
            f"<fieldset><legend>{_e(translate(lang, 'bulletin.countries'))}</legend>"
            f'<p class="hint">{_e(translate(lang, "page.manage.countries_hint"))}</p>{groups}</fieldset>'
        )
    elif country_options:
        parts.append(
            _checkboxes(
                "countries",
                translate(lang, "bulletin.countries"),
                translate(lang, "page.manage.countries_hint"),
                country_options,
                current.countries,
            )
        )
    if topic_options:
        parts.append(
            _checkboxes(
                "topics",
                translate(lang, "bulletin.topics"),
                translate(lang, "page.manage.topics_hint"),
                topic_options,
                current.topics,
            )
        )
    parts.append(
        _radios(
            "frequency",
            translate(lang, "page.manage.frequency"),
            [(f, translate(lang, f"frequency.{f}"), None) for f in FREQUENCIES],
            current.frequency,
        )
    )
    parts.append(
        _radios(
            "language",
            translate(lang, "page.manage.language"),
            [(code, LANGUAGE_NAMES[code], code) for code in SUPPORTED_LANGUAGES],
            current.language,
        )
    )
    parts.append(
        _checkboxes(
            "bulletin_languages",
            translate(lang, "page.manage.bulletin_languages"),
            translate(lang, "page.manage.bulletin_languages_hint"),
            [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
            current.bulletin_languages,
        )
    )
    parts.append(f'<button type="submit">{_e(translate(lang, "page.manage.save"))}</button></form>')
    if unsubscribe_url:
        parts.append(_link(unsubscribe_url, translate(lang, "footer.unsubscribe")))
    return _page(lang, translate(lang, "footer.manage"), "".join(parts))


def error_page(language: str, message: str) -> str:
    """A generic error page; ``message`` is shown as escaped text (one line)."""
    lang = resolve_language(language)
    return _page(
        lang, translate(lang, "page.error.title"), f"<p>{_e(single_line(message, max_length=500))}</p>"
    )


def parse_manage_form(
    body: str | bytes,
    *,
    country_options: Iterable[str],
    topic_options: Iterable[str],
) -> ManagePreferences:
    """Read a posted preferences form (``application/x-www-form-urlencoded``) strictly.

    Repeated ``countries``/``topics`` values are de-duplicated in order; unknown values, a missing or
    unknown ``frequency``/``language``, unknown fields or an oversized body raise
    :class:`ManageFormError`.
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ManageFormError("the form body is not UTF-8") from None
    if len(body) > MAX_FORM_BYTES:
        raise ManageFormError("the form body is too large")
    countries_allowed = set(country_options)
    topics_allowed = set(topic_options)
    try:
        fields = parse_qs(
            body,
            keep_blank_values=False,
            strict_parsing=False,
            max_num_fields=len(countries_allowed) + len(topics_allowed) + len(SUPPORTED_LANGUAGES) + 8,
        )
    except ValueError:
        raise ManageFormError("the form has too many fields") from None
    unknown = set(fields) - {"countries", "topics", "frequency", "language", "bulletin_languages"}
    if unknown:
        raise ManageFormError(f"unknown form fields: {', '.join(sorted(unknown))}")

    def chosen(name: str, allowed: set[str]) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(fields.get(name, [])))
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ManageFormError(f"unknown {name}: {', '.join(sorted(bad))}")
        return values

    def one(name: str) -> str:
        values = fields.get(name, [])
        if len(values) != 1:
            raise ManageFormError(f"exactly one {name} is required")
        return values[0]

    frequency = one("frequency")
    language = one("language")
    if not is_frequency(frequency):
        raise ManageFormError("unknown frequency")
    if not is_language(language):
        raise ManageFormError("unknown language")
    return ManagePreferences(
        countries=chosen("countries", countries_allowed),
        topics=chosen("topics", topics_allowed),
        frequency=frequency,
        language=language,
        bulletin_languages=chosen("bulletin_languages", set(SUPPORTED_LANGUAGES)),
    )


def _link(url: str, label: str) -> str:
    return f'<p><a href="{_e(validate_url(url))}">{_e(label)}</a></p>'


def _boxes(name: str, options: Sequence[tuple[str, str]], selected: Iterable[str]) -> str:
    chosen = set(selected)
    return "".join(
        f'<label><input type="checkbox" name="{name}" value="{_e(value)}"'
        f"{' checked' if value in chosen else ''}> {_e(label)}</label>"
        for value, label in options
    )


def _checkboxes(
    name: str, legend: str, hint: str, options: Sequence[tuple[str, str]], selected: Iterable[str]
) -> str:
    boxes = _boxes(name, options, selected)
    return f'<fieldset><legend>{_e(legend)}</legend><p class="hint">{_e(hint)}</p>{boxes}</fieldset>'


def _radios(name: str, legend: str, options: Sequence[tuple[str, str, str | None]], selected: str) -> str:
    radios = "".join(
        f'<label{f" lang={_q(lang)}" if lang else ""}><input type="radio" name="{name}" value="{_e(value)}"'
        f"{' checked' if value == selected else ''}> {_e(label)}</label>"
        for value, label, lang in options
    )
    return f"<fieldset><legend>{_e(legend)}</legend>{radios}</fieldset>"


def _q(value: str) -> str:
    return f'"{_e(value)}"'
