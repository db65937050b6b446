"""enrich(): everything derived from a bulletin's title and body. Pure CPU, no I/O beyond reading the
shipped data files once per process."""

from __future__ import annotations

from boletin.enrichment.countries import find_countries, find_regions
from boletin.enrichment.html import render_body_html
from boletin.enrichment.language import detect_language
from boletin.enrichment.organizations import find_acronyms, find_organizations
from boletin.enrichment.text import plain_text, reading_minutes, slugify, summary, words
from boletin.enrichment.topics import find_topics
from boletin.models.enrichment import SUPPORTED_LANGUAGES, Enrichment, LanguageCode


def _language(hint: str | None, text: str) -> LanguageCode:
    if hint is not None:
        code = hint.strip().lower().replace("_", "-").split("-")[0]
        for supported in SUPPORTED_LANGUAGES:
            if code == supported:
                return supported
    return detect_language(text)


def enrich(title: str, body: str, language: str | None = None) -> Enrichment:
    """Enrich one bulletin. ``language`` (the submitter's hint) wins when it is en, es, fr or pt
    ("es-MX" counts as es). ``word_count`` counts the words of the body's plain text (not the title)."""
    body_html = render_body_html(body)
    text = plain_text(body_html)
    both = f"{title}\n{text}"
    title_countries = find_countries(title)
    body_countries = find_countries(text)
    firsts = title_countries or body_countries
    primary = firsts[0] if firsts else None
    count = len(words(text))
    detected = _language(language, both)
    return Enrichment(
        language=detected,
        countries=sorted(set(title_countries) | set(body_countries)),
        primary_country=primary,
        regions=find_regions(both),
        organizations=find_organizations(both),
        acronyms=find_acronyms(both),
        topics=find_topics(title, text, detected),
        summary=summary(text),
        slug=slugify(title),
        word_count=count,
        reading_minutes=reading_minutes(count),
        body_html=body_html,
    )
