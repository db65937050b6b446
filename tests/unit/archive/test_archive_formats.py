"""Each archive format read into items, with the items that cannot be bulletins reported, not lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from boletin.archive.formats import Source, detect_format, parse_source, read_source
from boletin.archive.items import ArchiveError

DATA = Path(__file__).resolve().parents[2] / "data" / "archive"


def archive_of(name: str, fmt: str | None = None):  # type: ignore[no-untyped-def]
    return parse_source(read_source(str(DATA / name)), fmt)


def test_the_sample_news_page_gives_its_ten_bulletins_with_dates_titles_and_bodies() -> None:
    # Given the office's news page as text / When it is read
    archive = archive_of("archive-news-page.txt")
    # Then it is a news page of 10 items, in the page's order, each complete
    assert archive.format == "news-page"
    assert len(archive.items) == 10
    assert archive.unreadable == []
    first = archive.items[0]
    assert first.published_on == date(2021, 11, 30)
    assert first.title.startswith("Key government officials from five countries")
    assert first.body.startswith("Over 35 government officials from Mexico")
    assert [i.published_on.day for i in archive.items] == [30, 25, 23, 18, 9, 9, 8, 8, 8, 8]
    assert all(i.title and i.body and i.title not in i.body for i in archive.items)


def test_a_spanish_news_page_keeps_paragraphs_and_reports_what_is_not_a_bulletin() -> None:
    # Given a Spanish page with a heading, a two-paragraph item and a date line with nothing after it
    archive = archive_of("noticias-es.txt")
    # Then the three bulletins are read with Spanish dates, paragraphs kept apart (Markdown)
    assert [(i.position, i.published_on) for i in archive.items] == [
        ("line 3", date(2021, 11, 30)),
        ("line 11", date(2021, 11, 23)),
        ("line 19", date(2021, 10, 1)),
    ]
    assert archive.items[0].body.count("\n\n") == 1
    assert "OIM" in archive.items[0].body.split("\n\n")[1]
    # And the heading and the empty date are reported by their lines, not silently dropped
    assert [(u.position, u.field) for u in archive.unreadable] == [
        ("line 1", "published_on"),
        ("line 17", "title"),
    ]


def test_a_wordpress_rss_export_becomes_markdown_without_scripts_and_with_the_local_date() -> None:
    # Given a WordPress RSS export with HTML bodies, entities, a script and an undated draft
    archive = archive_of("wordpress-export.xml")
    assert archive.format == "rss"
    first, second = archive.items
    # Then HTML became Markdown (bold, links, lists, headings), the script is gone
    assert "**Guatemala**" in first.body
    assert "[Organización Internacional para las Migraciones](https://www.iom.int/)" in first.body
    assert "- Protocolos de recepción" in first.body
    assert "alert" not in first.body
    assert "<" not in first.body
    assert second.body.startswith("## Datos para decidir")
    # And the date is the office's own (20:30 -06:00 is still the 30th), entities decoded, tags gone
    assert first.published_on == date(2021, 11, 30)
    assert first.title.endswith("“retornadas”")
    assert second.title == "Taller sobre datos migratorios en Quetzaltenango"
    # And the feed's language is carried; only https links become source_url
    assert first.language == second.language == "es"
    assert first.source_url is not None
    assert first.source_url.startswith("https://")
    assert second.source_url is None
    # And the undated draft is reported by its entry number
    assert [(u.position, u.field) for u in archive.unreadable] == [("entry 3", "published_on")]


def test_an_atom_feed_gives_its_entries_in_french_from_content_or_summary() -> None:
    # Given an Atom feed (xml:lang fr), one entry with html content, one with only a summary
    archive = archive_of("atom-fr.xml")
    assert archive.format == "atom"
    first, second = archive.items
    # Then titles are plain text, bodies Markdown, dates the published (else updated) day
    assert first.title == "Haïti : l’OIM soutient les migrants retournés"
    assert "**300 migrants**" in first.body
    assert first.published_on == date(2021, 11, 29)
    assert second.published_on == date(2021, 10, 4)
    assert second.body.startswith("Quarante agents")
    assert first.language == "fr"


def test_csv_with_quoted_commas_quotes_and_line_breaks_and_a_bad_row() -> None:
    # Given a CSV whose first body spans three lines with quotes, and two bad rows
    archive = archive_of("archive.csv")
    first, second = archive.items
    # Then quoting is honoured and optional columns become lists and codes
    assert first.title == "IOM and Costa Rica strengthen labour migration, again"
    assert first.body.endswith('They said: "Labour migration must be safe."')
    assert first.countries == ["CR", "PA"]
    assert first.topics == ["labour-migration"]
    assert first.source_url == "https://costarica.example.org/news/1"
    # And a Spanish date line in a cell is read; the second row starts on line 5 (after the line breaks)
    assert (second.position, second.published_on, second.countries) == (
        "line 5",
        date(2021, 11, 30),
        ["PA", "CO"],
    )
    # And each bad row is reported with its line, title and field
    assert [(u.position, u.title, u.field) for u in archive.unreadable] == [
        ("line 6", "A row whose date cannot be read", "published_on"),
        ("line 7", "", "title"),
    ]


def test_json_lines_with_lists_and_strings_and_broken_lines() -> None:
    # Given JSON Lines with arrays, a date-time, a truncated line and a non-object
    archive = archive_of("archive.jsonl")
    assert [i.position for i in archive.items] == ["line 1", "line 2", "line 6"]
    assert archive.items[0].countries == ["BR", "VE"]
    assert archive.items[0].language == "pt"
    assert archive.items[1].published_on == date(2021, 11, 20)
    assert archive.items[2].published_on == date(2021, 11, 19)  # "19 de novembro de 2021"
    assert [u.position for u in archive.unreadable] == ["line 3", "line 4"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"just some notes\nwithout any date line\n", "is not an archive"),
        (b"name,email\nana,ana@example.org\n", "is not an archive"),
        (b"<html><body><p>Hello</p></body></html>", "is not an archive"),
    ],
)
def test_a_file_that_is_not_an_archive_is_refused_with_one_clear_message(data: bytes, message: str) -> None:
    # Given bytes that are no archive at all / When read / Then one clear error, naming the source
    with pytest.raises(ArchiveError, match=message) as raised:
        parse_source(Source("notes.bin", "notes.bin", data))
    assert "notes.bin" in str(raised.value)


def test_a_forced_format_that_does_not_fit_is_refused() -> None:
    # Given a news page forced to be read as CSV / Then it is refused for its missing columns
    with pytest.raises(ArchiveError, match="lacks the column"):
        archive_of("noticias-es.txt", "csv")


def test_a_missing_file_is_one_clear_error() -> None:
    with pytest.raises(ArchiveError, match="No such file"):
        read_source(str(DATA / "nope.txt"))


def test_detection_tells_each_fixture_apart() -> None:
    found = {
        name: detect_format(read_source(str(DATA / name))) for name in sorted(p.name for p in DATA.iterdir())
    }
    assert found == {
        "archive-news-page.txt": "news-page",
        "archive.csv": "csv",
        "archive.jsonl": "jsonl",
        "atom-fr.xml": "rss",  # feedparser then tells Atom from RSS
        "noticias-es.txt": "news-page",
        "wordpress-export.xml": "rss",
    }


def test_the_idempotency_key_is_stable_and_depends_on_source_date_and_title_only() -> None:
    # Given the same page read twice, and the same item under another source name
    once = archive_of("archive-news-page.txt").items
    again = archive_of("archive-news-page.txt").items
    keys = [i.idempotency_key("archive-news-page.txt") for i in once]
    # Then keys are the same on every run, distinct per item, valid header values
    assert keys == [i.idempotency_key("archive-news-page.txt") for i in again]
    assert len(set(keys)) == 10
    assert all(k.isascii() and len(k) <= 255 for k in keys)
    assert once[0].idempotency_key("other.txt") != keys[0]
    # And every submission asks not to be emailed
    assert all(i.submission()["notify"] is False for i in once)
