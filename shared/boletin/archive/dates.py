"""Dates as news pages write them, in English, Spanish, French and Portuguese, and ISO 8601.

"30 November, 2021", "November 30, 2021", "30 de noviembre de 2021", "1er décembre 2021",
"30 de novembro de 2021", "martes, 30 de noviembre de 2021", "2021-11-30". A line is a date only
when it is nothing else: a title that starts with a date is not one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan enero ene janvier janv janeiro",
        "february feb febrero fevrier fevr fev fevereiro",
        "march mar marzo mars marco",
        "april apr abril abr avril avr",
        "may mayo mai maio",
        "june jun junio juin junho",
        "july jul julio juillet juil julho",
        "august aug agosto ago aout",
        "september sept sep septiembre setiembre set septembre setembro",
        "october oct octubre octobre outubro out",
        "november nov noviembre novembre novembro",
        "december dec diciembre dic decembre dezembro dez",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# Weekdays and joining words a date line may carry; they say nothing about the date.
_FILLER = frozenset(
    " ".join(
        (
            "monday tuesday wednesday thursday friday saturday sunday",
            "lunes martes miercoles jueves viernes sabado domingo",
            "lundi mardi mercredi jeudi vendredi samedi dimanche",
            "segunda terca quarta quinta sexta feira sabado domingo",
            "de del of le the",
        )
    ).split()
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|o|º|°)?$")
_YEAR = re.compile(r"^(\d{4})$")
_SEPARATORS = re.compile(r"[\s,./]+")
_MAX_DATE_LINE = 48  # a date line is short; a sentence that mentions a date is not one


def _fold(text: str) -> str:
    """Lower case without accents: "décembre" and "decembre" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_date(text: str) -> date | None:
    """The date a whole line states, or None when the line is not (only) a date."""
    line = text.strip()
    if not line or len(line) > _MAX_DATE_LINE:
        return None
    iso = _ISO.match(line)
    if iso:
        return _date(int(iso[1]), int(iso[2]), int(iso[3]))
    words = [w for w in _SEPARATORS.split(_fold(line).replace("-", " ")) if w and w not in _FILLER]
    if len(words) != 3:
        return None
    day = month = year = None
    for word in words:
        if word in _MONTHS and month is None:
            month = _MONTHS[word]
        elif (y := _YEAR.match(word)) and year is None:
            year = int(y[1])
        elif (d := _DAY.match(word)) and day is None:
            day = int(d[1])
        else:
            return None
    if day is None or month is None or year is None:
        return None
    return _date(year, month, day)


def parse_any_date(value: str) -> date | None:
    """A date from a CSV/JSON field: a date line, or an ISO 8601 date-time."""
    found = parse_date(value)
    if found is not None:
        return found
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
