"""A bulletin's own page, its withdrawn notice (tombstone), and the page an old address leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from boletin.models.bulletins import BulletinRecord
from boletin.models.feeds import FeedScope, ScopeKind
from boletin.pages.layout import Head, e, page
from boletin.pages.paths import NEWS_LANGUAGES, bulletin_path, news_path, site_url, subscribe_path
from boletin.pages.texts import long_date, text


@dataclass(frozen=True)
class VersionLine:
    """One earlier version, as the history shows it."""

    version: int
    at: date  # when it was made (first publication or the correction)
    note: str | None


def bulletin_url(site_base_url: str, record: BulletinRecord) -> str:
    slug = record.enrichment.slug if record.enrichment else None
    return site_url(site_base_url, bulletin_path(record.id, slug))


def _sanitised_body(record: BulletinRecord) -> str:
    """The body exactly as feeds and emails carry it: Markdown rendered, then nh3 (again, so a page
    never trusts stored HTML more than a feed does)."""
    from boletin.enrichment.html import render_body_html, sanitize_html

    stored = record.enrichment.body_html if record.enrichment else None
    return sanitize_html(stored) if stored else render_body_html(record.body)


def _tag_links(kind: ScopeKind, values: list[str], label_of: dict[str, str], lang: str, base: str) -> str:
    items = []
    for value in values:
        try:
            href = site_url(base, news_path(lang, FeedScope(kind=kind, value=value)))
        except ValueError:
            continue  # not a vocabulary value: it has no page to link
        items.append(f'<li><a href="{e(href)}">{e(label_of[value])}</a></li>')
    return f'<ul class="tags">{"".join(items)}</ul>'


def _labels(kind: str, values: list[str], lang: str) -> dict[str, str]:
    from boletin.enrichment.taxonomy import country_name, topic_label

    labels: dict[str, str] = {}
    for value in values:
        try:
            labels[value] = country_name(value, lang) if kind == "country" else topic_label(value, lang)
        except KeyError:
            labels[value] = value
    return labels


def render_bulletin(
    record: BulletinRecord,
    history: list[VersionLine],
    *,
    site_base_url: str,
    corrected_on: datetime | None = None,
) -> bytes:
    """The page of a published bulletin, in its own language."""
    lang = record.language or "en"
    news_lang = lang if lang in NEWS_LANGUAGES else "en"
    e_ = record.enrichment
    summary = (e_.summary if e_ else None) or record.title
    canonical = bulletin_url(site_base_url, record)
    countries = record.countries
    topics = list(e_.topics) if e_ else []
    country_labels = _labels("country", countries, lang)
    topic_labels = _labels("topic", topics, lang)
    published = long_date(record.published_on, lang)
    parts = [
        f'<article lang="{e(lang)}"><h1>{e(record.title)}</h1>',
        '<p class="meta">',
        f'<time datetime="{record.published_on.isoformat()}">{e(published)}</time> · ',
        f"{e(text(lang, 'office'))} {e(record.office_name)}</p>",
    ]
    if record.version > 1 and record.last_change and corrected_on is not None:
        when = long_date(corrected_on.date(), lang)
        note = (
            text(lang, "corrected", date=when, note=record.last_change_note)
            if record.last_change_note
            else text(lang, "corrected_minor", date=when)
        )
        parts.append(f'<p class="notice" role="note">{e(note)}</p>')
    parts.append(f'<div class="body">{_sanitised_body(record)}</div>')
    if record.source_url:
        parts.append(
            f'<p class="source"><a href="{e(record.source_url)}" rel="noopener noreferrer nofollow">'
            f"{e(text(lang, 'source'))}</a></p>"
        )
    parts.append('<dl class="facets">')
    if countries:
        parts.append(f"<dt>{e(text(lang, 'countries'))}</dt><dd>")
        parts.append(_tag_links("country", countries, country_labels, news_lang, site_base_url) + "</dd>")
    if topics:
        parts.append(f"<dt>{e(text(lang, 'topics'))}</dt><dd>")
        parts.append(_tag_links("topic", topics, topic_labels, news_lang, site_base_url) + "</dd>")
    parts.append("</dl>")
    if history:
        lines = "".join(
            f"<li>{e(text(lang, 'version_line', n=v.version, date=long_date(v.at, lang)))}"
            + (f" — {e(v.note)}" if v.note else "")
            + "</li>"
            for v in history
        )
        parts.append(f"<section><h2>{e(text(lang, 'history'))}</h2><ol>{lines}</ol></section>")
    subscribe = site_url(site_base_url, subscribe_path(news_lang))
    parts.append(f'<p><a class="button" href="{e(subscribe)}">{e(text(lang, "subscribe"))}</a></p></article>')
    structured: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": record.title[:110],
        "description": summary,
        "datePublished": record.published_on.isoformat(),
        "inLanguage": lang,
        "mainEntityOfPage": canonical,
        "url": canonical,
        "author": {"@type": "Organization", "name": record.office_name},
        "publisher": {"@type": "Organization", "name": record.office_name},
        "keywords": [*country_labels.values(), *topic_labels.values()],
    }
    if corrected_on is not None and record.version > 1:
        structured["dateModified"] = corrected_on.isoformat()
    if record.source_url:
        structured["isBasedOn"] = record.source_url
    head = Head(
        language=lang,
        title=f"{record.title} – Boletín",
        description=summary,
        canonical=canonical,
        og_type="article",
        structured=structured,
        extra=(("article:published_time", record.published_on.isoformat()),),
    )
    return page(head, "".join(parts), site_base_url=site_base_url, chrome_language=lang)


def render_tombstone(record: BulletinRecord, *, site_base_url: str) -> bytes:
    """What stays at a withdrawn bulletin's address: its title, when and why it was withdrawn."""
    lang = record.language or "en"
    when = long_date((record.withdrawn_at or record.updated_at).date(), lang)
    main = (
        f'<article lang="{e(lang)}"><p class="withdrawn" role="alert"><strong>'
        f"{e(text(lang, 'withdrawn_title'))}</strong></p>"
        f"<h1><s>{e(record.title)}</s></h1>"
        f"<p>{e(text(lang, 'withdrawn_body', date=when))}</p>"
    )
    if record.withdrawn_reason:
        main += f"<p>{e(text(lang, 'reason'))}: {e(record.withdrawn_reason)}</p>"
    main += "</article>"
    head = Head(
        language=lang,
        title=f"{text(lang, 'withdrawn_title')} – Boletín",
        description=text(lang, "withdrawn_body", date=when),
        canonical=bulletin_url(site_base_url, record),
        robots="noindex",
    )
    return page(head, main, site_base_url=site_base_url, chrome_language=lang)


def render_moved(record: BulletinRecord, *, site_base_url: str) -> bytes:
    """An address the bulletin had under an earlier title: a link (and a refresh) to the current one."""
    lang = record.language or "en"
    target = bulletin_url(site_base_url, record)
    main = (
        f"<h1>{e(text(lang, 'moved'))}</h1><p>{e(text(lang, 'moved_body'))}</p>"
        f'<p><a href="{e(target)}">{e(record.title)}</a></p>'
    )
    head = Head(
        language=lang,
        title=f"{text(lang, 'moved')} – Boletín",
        description=text(lang, "moved_body"),
        canonical=target,
        robots="noindex",
        extra=(),
    )
    body = page(head, main, site_base_url=site_base_url, chrome_language=lang)
    refresh = f'<meta http-equiv="refresh" content="0; url={e(target)}">'
    return body.replace(b"</head>", refresh.encode() + b"</head>", 1)
