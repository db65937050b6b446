"""The string catalogue and localised dates."""

from __future__ import annotations

from datetime import date
from string import Formatter

import pytest

from boletin.email.i18n import (
    SUPPORTED_LANGUAGES,
    catalogue_keys,
    format_date,
    format_date_range,
    resolve_language,
    translate,
)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("key", catalogue_keys())
def test_every_catalogue_string_exists_in_all_languages_with_the_same_placeholders(key: str) -> None:
    english = translate("en", key)
    for language in SUPPORTED_LANGUAGES:
        text = translate(language, key)
        assert text.strip(), (key, language)
        assert _placeholders(text) == _placeholders(english), (key, language)


def test_translations_are_not_english_copies() -> None:
    # A forgotten translation usually shows up as the English text pasted in
    same = [
        k
        for k in catalogue_keys()
        if translate("es", k) == translate("en", k) and _placeholders(translate("en", k)) == set()
    ]
    assert same == []


@pytest.mark.parametrize(
    ("language", "expected_first", "expected_other"),
    [
        ("en", "1 March 2025", "15 August 2025"),
        ("es", "1 de marzo de 2025", "15 de agosto de 2025"),
        ("fr", "1er mars 2025", "15 août 2025"),
        ("pt", "1 de março de 2025", "15 de agosto de 2025"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(
    language: str, expected_first: str, expected_other: str
) -> None:
    assert format_date(date(2025, 3, 1), language) == expected_first  # type: ignore[arg-type]
    assert format_date(date(2025, 8, 15), language) == expected_other  # type: ignore[arg-type]


def test_a_one_day_period_is_one_date_and_a_week_is_a_range() -> None:
    assert format_date_range(date(2025, 3, 9), date(2025, 3, 9), "en") == "9 March 2025"
    assert format_date_range(date(2025, 3, 3), date(2025, 3, 9), "en") == "3 March 2025 – 9 March 2025"


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es-MX", "es"), ("PT_br", "pt"), ("fr", "fr"), ("de", "en"), ("", "en"), (None, "en")],
)
def test_language_tags_resolve_to_supported_languages(tag: str | None, language: str) -> None:
    assert resolve_language(tag) == language
