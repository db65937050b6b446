"""The subscribe page: a plain HTML form (no JavaScript) posting to ``POST /subscriptions``.

Fields, form-encoded: ``email``, ``language`` (of our emails), ``countries`` and ``topics``
(repeated; none = all), ``bulletin_languages`` (repeated; none = all) and ``frequency``. A scope's
page links a copy pre-filled with that scope.
"""

from __future__ import annotations

from collections.abc import Collection

from boletin.models.feeds import FeedScope
from boletin.pages.layout import Head, e, page
from boletin.pages.paths import SUBSCRIBE_LANGUAGES, site_url, subscribe_path
from boletin.pages.texts import LANGUAGES, REGIONS, region_label, text

FREQUENCIES = ("immediate", "daily", "weekly")


def _choice(kind: str, name: str, value: str, label: str, checked: bool, label_lang: str | None) -> str:
    """A labelled checkbox or radio input; the label's lang is set when it is not the page's."""
    ident = f"{name}-{value}"
    lang_attr = f' lang="{e(label_lang)}"' if label_lang else ""
    return (
        f'<label for="{e(ident)}"{lang_attr}><input type="{kind}" id="{e(ident)}" name="{e(name)}" '
        f'value="{e(value)}"{" checked" if checked else ""}> {e(label)}</label>'
    )


def _checkbox(name: str, value: str, label: str, checked: bool, label_lang: str | None = None) -> str:
    return _choice("checkbox", name, value, label, checked, label_lang)


def _radio(name: str, value: str, label: str, checked: bool, label_lang: str | None = None) -> str:
    return _choice("radio", name, value, label, checked, label_lang)


def country_groups(language: str, chosen: Collection[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """(region label, [(code, name)]) for the region's countries, plus any other already chosen."""
    from boletin.enrichment.taxonomy import country_name

    groups = [
        (
            region_label(region, language),
            sorted(((c, country_name(c, language)) for c in codes), key=lambda x: x[1]),
        )
        for region, codes in REGIONS
    ]
    known = {c for _, codes in REGIONS for c in codes}
    others = sorted(((c, country_name(c, language)) for c in set(chosen) - known), key=lambda x: x[1])
    if others:
        groups.append((region_label("other", language), others))
    return groups


def grouped_countries_html(language: str, chosen: Collection[str], *, legend: str, hint: str) -> str:
    """The countries fieldset, one group per region (shared with the preferences page)."""
    parts = [f'<fieldset class="countries"><legend>{e(legend)}</legend><p class="hint">{e(hint)}</p>']
    for label, countries in country_groups(language, chosen):
        parts.append(f'<fieldset class="region"><legend>{e(label)}</legend><div class="grid">')
        parts.extend(_checkbox("countries", code, name, code in chosen) for code, name in countries)
        parts.append("</div></fieldset>")
    parts.append("</fieldset>")
    return "".join(parts)


def render_subscribe(
    language: str,
    *,
    site_base_url: str,
    api_base_url: str,
    scope: FeedScope | None = None,
) -> bytes:
    """The form in ``language`` (en, es, fr or pt), pre-filled with ``scope`` when given."""
    from boletin.enrichment.taxonomy import list_topics

    lang = language if language in SUBSCRIBE_LANGUAGES else "en"
    countries = {scope.value} if scope and scope.kind == "country" and scope.value else set()
    topics = {scope.value} if scope and scope.kind == "topic" and scope.value else set()
    wanted = {scope.value} if scope and scope.kind == "language" and scope.value else set()
    action = f"{api_base_url.rstrip('/')}/subscriptions"
    parts = [
        f"<h1>{e(text(lang, 'subscribe'))}</h1><p>{e(text(lang, 'subscribe_intro'))}</p>",
        f'<form method="post" action="{e(action)}" enctype="application/x-www-form-urlencoded">',
        f'<p><label for="email" class="field">{e(text(lang, "email"))}</label>',
        '<input type="email" id="email" name="email" required autocomplete="email" maxlength="320" '
        'aria-describedby="email-hint">',
        f'<span class="hint" id="email-hint">{e(text(lang, "email_hint"))}</span></p>',
        grouped_countries_html(lang, countries, legend=text(lang, "countries"), hint=text(lang, "all_hint")),
        f"<fieldset><legend>{e(text(lang, 'topics'))}</legend>",
        f'<p class="hint">{e(text(lang, "all_hint"))}</p>',
        '<div class="grid">',
        *(_checkbox("topics", t.slug, t.label(lang), t.slug in topics) for t in list_topics()),
        "</div></fieldset>",
        f"<fieldset><legend>{e(text(lang, 'wanted_languages'))}</legend>",
        f'<p class="hint">{e(text(lang, "all_hint"))}</p><div class="grid">',
        *(
            _checkbox("bulletin_languages", code, text(lang, f"lang.{code}"), code in wanted)
            for code in LANGUAGES
        ),
        "</div></fieldset>",
        f"<fieldset><legend>{e(text(lang, 'frequency'))}</legend>",
        *(_radio("frequency", f, text(lang, f"freq.{f}"), f == "immediate") for f in FREQUENCIES),
        "</fieldset>",
        f"<fieldset><legend>{e(text(lang, 'interface'))}</legend>",
        *(_radio("language", code, text(code, "in_language"), code == lang, code) for code in LANGUAGES),
        "</fieldset>",
        f'<p><button type="submit">{e(text(lang, "submit"))}</button></p></form>',
    ]
    path = subscribe_path(lang, scope)
    head = Head(
        language=lang,
        title=f"{text(lang, 'subscribe')} – Boletín",
        description=text(lang, "subscribe_intro"),
        canonical=site_url(site_base_url, path),
        alternates=[
            (code, site_url(site_base_url, subscribe_path(code, scope))) for code in SUBSCRIBE_LANGUAGES
        ],
    )
    return page(head, "".join(parts), site_base_url=site_base_url)


def render_subscribe_answer(
    language: str,
    *,
    site_base_url: str,
    errors: list[tuple[str, str]] | None = None,
) -> bytes:
    """What a form post to ``POST /subscriptions`` answers, in the subscriber's language: the same
    "check your inbox" whatever the address (no one learns whether it is known), or each bad field."""
    lang = language if language in SUBSCRIBE_LANGUAGES else "en"
    back = site_url(site_base_url, subscribe_path(lang))
    if errors:
        title = text(lang, "sub.error_title")
        items = "".join(
            f"<li><strong>{e(_field_label(field, lang))}</strong>: {e(reason)}</li>"
            for field, reason in errors
        )
        main = f'<h1>{e(title)}</h1><ul role="alert">{items}</ul>'
    else:
        title = text(lang, "sub.sent_title")
        main = f'<h1>{e(title)}</h1><p role="status">{e(text(lang, "sub.sent_body"))}</p>'
    main += f'<p><a href="{e(back)}">{e(text(lang, "sub.back"))}</a></p>'
    head = Head(
        language=lang, title=f"{title} – Boletín", description=title, canonical=back, robots="noindex"
    )
    return page(head, main, site_base_url=site_base_url)


def _field_label(field: str, language: str) -> str:
    key = f"field.{field.split('.', 1)[0]}"
    return text(language, key) if key in _FIELDS else field


_FIELDS = frozenset(
    f"field.{name}" for name in ("email", "language", "countries", "topics", "frequency", "languages", "body")
)
