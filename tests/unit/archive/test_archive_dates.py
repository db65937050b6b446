"""Date lines as offices' news pages write them, in the four languages and ISO."""

from __future__ import annotations

from datetime import date

import pytest

from boletin.archive.dates import parse_any_date, parse_date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("30 November, 2021", date(2021, 11, 30)),
        ("November 30, 2021", date(2021, 11, 30)),
        ("9 Nov 2021", date(2021, 11, 9)),
        ("30 de noviembre de 2021", date(2021, 11, 30)),
        ("martes, 23 de noviembre de 2021", date(2021, 11, 23)),
        ("1º de octubre de 2021", date(2021, 10, 1)),
        ("30 novembre 2021", date(2021, 11, 30)),
        ("1er décembre 2021", date(2021, 12, 1)),
        ("lundi 6 décembre 2021", date(2021, 12, 6)),
        ("30 de novembro de 2021", date(2021, 11, 30)),
        ("Terça-feira, 3 de março de 2020", date(2020, 3, 3)),
        ("2021-11-30", date(2021, 11, 30)),
    ],
)
def test_a_date_line_in_any_of_the_four_languages_or_iso_gives_its_date(line: str, expected: date) -> None:
    # Given a line that is only a date / When it is read / Then it gives that day
    assert parse_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "IOM report of 30 November 2021",  # a title that mentions a date
        "30 November",  # no year
        "31 February 2021",  # no such day
        "30 Brumaire 2021",  # no such month
        "Key government officials from five countries participated in a regional exchange",
        "",
    ],
)
def test_a_line_that_is_not_only_a_real_date_is_not_a_date_line(line: str) -> None:
    # Given text that is not (only) a date / When read / Then it is not taken for a date line
    assert parse_date(line) is None


def test_a_field_may_also_hold_an_iso_date_time_and_keeps_its_own_day() -> None:
    # Given a CSV/JSON field with a time and an offset / When read / Then the office's own day is kept
    assert parse_any_date("2021-11-20T23:00:00-03:00") == date(2021, 11, 20)
    assert parse_any_date("no date") is None
