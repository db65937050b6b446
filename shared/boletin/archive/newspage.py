"""The news-page text format: a date line, a title, one or more body paragraphs, repeated.

    30 November, 2021

    Key government officials from five countries participated in a regional exchange

    Over 35 government officials from Mexico, El Salvador, ...

A line that is only a date starts an item; the next line is its title; what follows, up to the
next date line, is its body (paragraphs kept apart by blank lines, as Markdown wants them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from boletin.archive.dates import parse_date
from boletin.archive.items import Archive, ArchiveItem, UnreadableItem


@dataclass
class _Entry:
    line: int
    published_on: date
    lines: list[str] = field(default_factory=list)  # after the date line, blank lines kept


def looks_like_news_page(text: str) -> bool:
    """At least one line that is only a date, and the first non-blank line is one or text leads to one."""
    return any(parse_date(line) is not None for line in text.splitlines())


def parse_news_page(text: str) -> Archive:
    archive = Archive(format="news-page")
    entries: list[_Entry] = []
    preamble: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        published_on = parse_date(line) if line else None
        if published_on is not None:
            entries.append(_Entry(number, published_on))
        elif entries:
            entries[-1].lines.append(line)
        elif line:
            preamble.append((number, line))
    if preamble:
        number, first = preamble[0]
        archive.unreadable.append(
            UnreadableItem(f"line {number}", first[:80], "text before the first date line", "published_on")
        )
    for entry in entries:
        item = _item(entry)
        if isinstance(item, UnreadableItem):
            archive.unreadable.append(item)
        else:
            archive.items.append(item)
    return archive


def _item(entry: _Entry) -> ArchiveItem | UnreadableItem:
    position = f"line {entry.line}"
    content = _trim(entry.lines)
    if not content:
        return UnreadableItem(position, "", "a date line with no title or body after it", "title")
    title, rest = content[0], _trim(content[1:])
    if not rest:
        return UnreadableItem(position, title[:80], "a title with no body after it", "body")
    return ArchiveItem(position, entry.published_on, title, _paragraphs(rest))


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def _paragraphs(lines: list[str]) -> str:
    """Body lines joined: a blank line (or several) between paragraphs, one newline inside one."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)
