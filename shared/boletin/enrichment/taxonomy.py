"""The editorial vocabulary (TAXONOMY.md) as an API: topics with labels, countries with names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from boletin.enrichment._data import countries_data, taxonomy_data

LANGUAGES = ("en", "es", "fr", "pt")


@dataclass(frozen=True)
class Topic:
    slug: str
    label_en: str
    label_es: str
    label_fr: str
    label_pt: str

    def label(self, language: str) -> str:
        return {"es": self.label_es, "fr": self.label_fr, "pt": self.label_pt}.get(language, self.label_en)


@cache
def _topics() -> tuple[Topic, ...]:
    return tuple(
        Topic(t["slug"], t["labels"]["en"], t["labels"]["es"], t["labels"]["fr"], t["labels"]["pt"])
        for t in taxonomy_data()["topics"]
    )


def list_topics() -> list[Topic]:
    return list(_topics())


def topic_slugs() -> frozenset[str]:
    return frozenset(t.slug for t in _topics())


def topic_label(slug: str, language: str = "en") -> str:
    """The topic's label in en/es/fr/pt (English for other languages). KeyError for an unknown slug."""
    for topic in _topics():
        if topic.slug == slug:
            return topic.label(language)
    raise KeyError(slug)


def _codes() -> frozenset[str]:
    return frozenset(countries_data()["countries"])


def __getattr__(name: str) -> frozenset[str]:
    # ALL_COUNTRY_CODES is computed on first access so that importing this module reads no file.
    if name == "ALL_COUNTRY_CODES":
        return _codes()
    raise AttributeError(name)


def is_country_code(code: str) -> bool:
    """True for every ISO 3166-1 alpha-2 code (upper case)."""
    return code in _codes()


def country_name(code: str, language: str = "en") -> str:
    """The country's usual name in en/es/fr/pt (English for other languages). KeyError if unknown."""
    display = countries_data()["countries"][code.upper()]["display"]
    return str(display.get(language) or display["en"])
