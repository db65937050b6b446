"""CSV and JSON Lines archives: `published_on,title,body[,language,countries,topics,source_url]`.

CSV follows RFC 4180 (quoted fields may hold commas, quotes and line breaks); lists (countries,
topics) are separated by commas, semicolons or spaces in CSV and are arrays or such strings in
JSON Lines. A row that is not a bulletin is reported by its line and skipped.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from boletin.archive.dates import parse_any_date
from boletin.archive.items import Archive, ArchiveError, ArchiveItem, UnreadableItem

REQUIRED = ("published_on", "title", "body")
OPTIONAL = ("language", "countries", "topics", "source_url")


def looks_like_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    columns = {c.strip().strip('"').lower() for c in first.split(",")}
    return all(name in columns for name in REQUIRED)


def looks_like_jsonl(text: str) -> bool:
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    return first.lstrip().startswith("{")


def parse_csv(text: str) -> Archive:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ArchiveError(f"the CSV header lacks the column(s) {', '.join(missing)}")
    reader.fieldnames = columns
    archive = Archive(format="csv")
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            archive.unreadable.append(UnreadableItem(f"line {start}", "", f"not valid CSV: {error}"))
            break
        position = f"line {start}"
        start = reader.line_num + 1
        if None in row:  # more fields than the header names
            archive.unreadable.append(
                UnreadableItem(position, _short(row.get("title")), "more fields than the header has")
            )
            continue
        _add(archive, position, row)
    return archive


def parse_jsonl(text: str) -> Archive:
    archive = Archive(format="jsonl")
    objects = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            value = json.loads(line)
        except ValueError as error:
            archive.unreadable.append(UnreadableItem(position, "", f"not valid JSON: {error}"))
            continue
        if not isinstance(value, dict):
            archive.unreadable.append(UnreadableItem(position, "", "not a JSON object"))
            continue
        objects += 1
        _add(archive, position, value)
    if not objects:
        raise ArchiveError("no line is a JSON object with published_on, title and body")
    return archive


def _add(archive: Archive, position: str, row: dict[str, Any]) -> None:
    item = _item(position, row)
    if isinstance(item, UnreadableItem):
        archive.unreadable.append(item)
    else:
        archive.items.append(item)


def _item(position: str, row: dict[str, Any]) -> ArchiveItem | UnreadableItem:
    title = " ".join(str(row.get("title") or "").split())
    for name in REQUIRED:
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            return UnreadableItem(position, title[:80], f"{name} is missing or empty", name)
    published_on = parse_any_date(str(row["published_on"]))
    if published_on is None:
        return UnreadableItem(
            position, title[:80], f"not a date: {str(row['published_on'])[:40]!r}", "published_on"
        )
    lists: dict[str, list[str] | None] = {}
    for name in ("countries", "topics"):
        try:
            lists[name] = _list(row.get(name), upper=name == "countries")
        except ValueError as error:
            return UnreadableItem(position, title[:80], str(error), name)
    language = str(row.get("language") or "").strip().lower() or None
    source_url = str(row.get("source_url") or "").strip() or None
    body = str(row["body"]).replace("\r\n", "\n").strip()
    return ArchiveItem(
        position, published_on, title, body, language, lists["countries"], lists["topics"], source_url
    )


def _list(value: Any, *, upper: bool) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parts = value.replace(";", ",").replace(" ", ",").split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise ValueError("must be a list of codes or a comma-separated string")
    cleaned = [p.strip().upper() if upper else p.strip().lower() for p in parts if p.strip()]
    return cleaned or None


def _short(value: Any) -> str:
    return " ".join(str(value or "").split())[:80]
