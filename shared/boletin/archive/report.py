"""What an import did, item by item: the summary on screen and the `--report` file (CSV or JSON)."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from boletin.archive.items import ArchiveItem, UnreadableItem

Outcome = Literal["imported", "already there", "rejected", "unreadable", "previewed"]
REPORT_SUFFIXES = (".csv", ".json")


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str


@dataclass(frozen=True)
class ItemResult:
    position: str
    title: str
    published_on: str
    outcome: Outcome
    bulletin_id: str = ""
    status: int = 0  # the API's HTTP status (0: never sent)
    problems: tuple[FieldProblem, ...] = ()
    language: str = ""
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass
class ImportReport:
    source: str
    format: str
    dry_run: bool = False
    results: list[ItemResult] = field(default_factory=list)
    stopped: str = ""  # why the import stopped before the end, if it did

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if r.outcome in ("rejected", "unreadable")]

    def summary_lines(self) -> list[str]:
        if self.dry_run:
            head = f"previewed {self.count('previewed')}, nothing stored"
        else:
            head = f"imported {self.count('imported')}, already there {self.count('already there')}"
        lines = [f"{head}, rejected {len(self.failures)} ({self.format}, {self.source})"]
        for result in self.failures:
            for problem in result.problems or (FieldProblem("", "rejected"),):
                where = f" {problem.field}:" if problem.field else ""
                lines.append(f"  {result.position} {_quoted(result.title)}{where} {problem.reason}")
        if self.stopped:
            lines.append(self.stopped)
        return lines


def unreadable_result(item: UnreadableItem) -> ItemResult:
    return ItemResult(
        item.position, item.title, "", "unreadable", problems=(FieldProblem(item.field, item.reason),)
    )


def problems_from(status: int, document: Any) -> tuple[FieldProblem, ...]:
    """Each field and reason of the API's RFC 9457 problem document."""
    if not isinstance(document, dict):
        return (FieldProblem("", f"the API answered {status}"),)
    errors = document.get("errors")
    found = tuple(
        FieldProblem(str(e.get("field", "")), str(e.get("detail") or e.get("reason") or ""))
        for e in errors or []
        if isinstance(e, dict)
    )
    if found:
        return found
    return (FieldProblem("", str(document.get("detail") or document.get("title") or f"HTTP {status}")),)


def item_result(item: ArchiveItem, outcome: Outcome, **kwargs: Any) -> ItemResult:
    return ItemResult(item.position, item.title, item.published_on.isoformat(), outcome, **kwargs)


def check_report_path(path: str) -> None:
    if Path(path).suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError(f"--report must end in .csv or .json, not {path!r}")


def write_report(report: ImportReport, path: str) -> None:
    target = Path(path)
    if target.suffix.lower() == ".json":
        document = {
            "source": report.source,
            "format": report.format,
            "dry_run": report.dry_run,
            "imported": report.count("imported"),
            "already_there": report.count("already there"),
            "rejected": len(report.failures),
            "stopped": report.stopped or None,
            "items": [asdict(r) for r in report.results],
        }
        target.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    with target.open("w", newline="", encoding="utf-8") as handle:
        _write_csv(report, handle)


def _write_csv(report: ImportReport, handle: TextIO) -> None:
    writer = csv.writer(handle)
    writer.writerow(
        ["position", "published_on", "title", "outcome", "bulletin_id", "status", "field", "reason"]
    )
    for r in report.results:
        common = [r.position, r.published_on, r.title, r.outcome, r.bulletin_id, r.status or ""]
        for problem in r.problems or (FieldProblem("", ""),):
            writer.writerow([*common, problem.field, problem.reason])


def preview_table(report: ImportReport) -> list[str]:
    """The dry run's table: one line per item, what enrichment would tag it with."""
    rows = [("position", "date", "title", "lang", "countries", "topics")]
    for r in report.results:
        if r.outcome == "previewed":
            rows.append(
                (
                    r.position,
                    r.published_on,
                    _cut(r.title, 48),
                    r.language,
                    ",".join(r.countries),
                    ",".join(r.topics),
                )
            )
        else:
            reason = "; ".join(f"{p.field}: {p.reason}" if p.field else p.reason for p in r.problems)
            rows.append((r.position, r.published_on, _cut(r.title, 48), "-", "REJECTED", _cut(reason, 60)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _quoted(title: str) -> str:
    return f'"{_cut(title, 60)}"' if title else "(no title)"
