"""Languages and frequencies of emails and pages, their dates, and the strings of the catalogue
(boletin.email.catalogue) in each language."""

from __future__ import annotations

from datetime import date
from typing import Final, Literal, TypeGuard, get_args

from boletin.email.catalogue import CATALOGUE

Language = Literal["en", "es", "fr", "pt"]
SUPPORTED_LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"

#: How often a subscriber gets email: one email per bulletin, or a daily/weekly digest.
Frequency = Literal["immediate", "daily", "weekly"]
FREQUENCIES: Final[tuple[Frequency, ...]] = get_args(Frequency)

#: How each language names itself (for the language choice on the preferences page).
LANGUAGE_NAMES: Final[dict[Language, str]] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
}


def is_language(value: object) -> TypeGuard[Language]:
    return isinstance(value, str) and value in SUPPORTED_LANGUAGES


def is_frequency(value: object) -> TypeGuard[Frequency]:
    return isinstance(value, str) and value in FREQUENCIES


def resolve_language(value: str | None) -> Language:
    """Map a tag such as ``"es-MX"`` or ``"PT_br"`` to a supported language; unknown -> English."""
    if not value:
        return DEFAULT_LANGUAGE
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if is_language(primary) else DEFAULT_LANGUAGE


_MONTHS: Final[dict[Language, tuple[str, ...]]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "pt": (
        "janeiro", "fevereiro", "março", "abril", "maio", "junho",
        "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
    ),
}  # fmt: skip


def format_date(value: date, language: Language) -> str:
    """``5 March 2025`` / ``5 de marzo de 2025`` / ``1er mars 2025`` / ``5 de março de 2025``."""
    month = _MONTHS[language][value.month - 1]
    if language == "en":
        return f"{value.day} {month} {value.year}"
    if language == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{value.day} de {month} de {value.year}"


def format_date_range(start: date, end: date, language: Language) -> str:
    """A period for subjects and headings: one date if both ends are the same day."""
    if start == end:
        return format_date(start, language)
    return f"{format_date(start, language)} – {format_date(end, language)}"


def catalogue_keys() -> tuple[str, ...]:
    return tuple(CATALOGUE)


def translate(language: Language, key: str, **values: object) -> str:
    """The catalogue string ``key`` in ``language``, formatted with ``values``.

    Values are inserted as plain text: callers escape the result for HTML themselves.
    """
    template = CATALOGUE[key][language]
    return template.format(**values) if values else template
