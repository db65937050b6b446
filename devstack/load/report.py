"""The report of a load run: its figures (throughput, latency percentiles, memory, AWS calls per
bulletin, the issue's goals) and its invariants, PASS or FAIL."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from devstack.load.bulletins import Planned
from devstack.load.config import LoadConfig
from devstack.load.metering import FunctionStats
from devstack.load.watchers import Email

# Issue #11's goals: resident memory at most 250 MB + 0.35 MB per bulletin held; every bulletin
# published and listed within 120 s of the last one accepted.
MEMORY_BASE_MB = 250.0
MEMORY_PER_BULLETIN_MB = 0.35
CATCH_UP_SECONDS = 120.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class LoadReport:
    config: LoadConfig
    lines: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    goals: list[Check] = field(default_factory=list)  # reported; they fail the run only when asked
    figures: dict[str, Any] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    calls_per_bulletin: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def goals_met(self) -> bool:
        return all(g.ok for g in self.goals)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def render(self) -> str:
        out = list(self.lines)
        if self.goals:
            out.append("\nGoals (issue #11)")
            out += [f"  {'MET   ' if g.ok else 'MISSED'}  {g.name}: {g.detail}" for g in self.goals]
        out.append("\nInvariants")
        out += [f"  {'PASS' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        out.append(f"\nRESULT: {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(out)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_row(name: str, values: Sequence[float]) -> str:
    if not values:
        return f"  {name:44s} {0:>7,}  (none observed)"
    cells = " ".join(f"{percentile(values, q):8.2f}" for q in (50, 90, 99)) + f" {max(values):8.2f}"
    return f"  {name:44s} {len(values):>7,} {cells}"


@dataclass
class Observed:
    """What the run saw, for the figures."""

    planned: list[Planned]
    states: dict[str, dict[str, Any]]  # GET /bulletins/{id} of each accepted bulletin, at the end
    emails: list[Email]
    first_in_feed: dict[str, float]
    first_listed: dict[str, float]
    load_started: float  # wall clock of the first submission
    drained_at: float
    idle: bool
    immediate_subscribers: int
    memory_before_mb: float  # resident, before the first bulletin
    memory_end_mb: float
    memory_peak_mb: float

    @property
    def accepted(self) -> list[Planned]:
        return [b for b in self.planned if b.status == 201]

    @property
    def by_id(self) -> dict[str, Planned]:
        return {b.id: b for b in self.accepted}

    @property
    def published_at(self) -> dict[str, float]:
        from datetime import datetime

        return {
            i: datetime.fromisoformat(v["published_at"].replace("Z", "+00:00")).timestamp()
            for i, v in self.states.items()
            if v.get("published_at")
        }

    @property
    def bulletin_emails(self) -> list[Email]:
        by_id = self.by_id
        return [e for e in self.emails if e.kind == "bulletin" and e.bulletin_id in by_id]


def latencies(seen: Observed) -> dict[str, list[float]]:
    by_id = seen.by_id
    last_email: dict[str, float] = {}
    for e in seen.bulletin_emails:
        last_email[e.bulletin_id] = max(last_email.get(e.bulletin_id, 0.0), e.written_at)

    def since_submitted(times: dict[str, float]) -> list[float]:
        return [t - by_id[i].submitted_at for i, t in times.items() if i in by_id]

    return {
        "submit → accepted (201)": [b.accepted_at - b.submitted_at for b in seen.accepted],
        "submit → published (published_at)": since_submitted(seen.published_at),
        "submit → listed (first seen in GET /bulletins)": since_submitted(seen.first_listed),
        "submit → in a feed (first seen)": since_submitted(seen.first_in_feed),
        "submit → email in the outbox (every email)": [
            e.written_at - by_id[e.bulletin_id].submitted_at for e in seen.bulletin_emails
        ],
        "submit → last email of its bulletin": since_submitted(last_email),
    }


def throughput(seen: Observed) -> list[str]:
    accepted = seen.accepted
    lines = []
    if accepted:
        span = max(b.accepted_at for b in accepted) - min(b.submitted_at for b in accepted)
        lines.append(
            f"  accepted  {len(accepted):>7,}/{len(seen.planned):,} in {span:7.1f} s: "
            f"{len(accepted) / max(span, 1e-9):7.1f}/s ({sum(b.attempts - 1 for b in seen.planned)} retried)"
        )
    published = seen.published_at
    if published:
        span = max(published.values()) - seen.load_started
        lines.append(
            f"  published {len(published):>7,} in {span:7.1f} s: {len(published) / max(span, 1e-9):7.1f}/s "
            "(from the first submission to the last published_at)"
        )
    emails = seen.bulletin_emails
    if emails:
        times = [e.written_at for e in emails]
        span = max(times) - seen.load_started
        lines.append(
            f"  emails    {len(emails):>7,} in {span:7.1f} s: {len(emails) / max(span, 1e-9):7.1f}/s "
            f"(to {seen.immediate_subscribers:,} immediate subscribers, "
            f"{len(emails) / max(1, len(accepted)):.1f} per bulletin; "
            f"{len(emails) / max(max(times) - min(times), 1e-9):.1f}/s between the first and the last)"
        )
        garbled = [e for e in emails if e.garbled]
        if garbled:
            lines.append(
                f"  NOTE {len(garbled):,} emails ({len({e.bulletin_id for e in garbled}):,} bulletins) "
                f"have a subject that does not read as the title once decoded, e.g. {garbled[0].subject!r}"
            )
    lines.append(
        f"  everything delivered and the stack idle {seen.drained_at - seen.load_started:.1f} s after the "
        f"first submission{'' if seen.idle else ' (NOT idle by the timeout)'}"
    )
    return lines


def catch_up(seen: Observed) -> tuple[float | None, float | None]:
    """Seconds from the last bulletin accepted to the last published, and to the last listed (None if
    some accepted bulletin never was)."""
    accepted = seen.accepted
    if not accepted:
        return None, None
    last_accepted = max(b.accepted_at for b in accepted)
    published, listed = seen.published_at, seen.first_listed
    ids = [b.id for b in accepted]
    to_published = (
        max(published[i] for i in ids) - last_accepted if all(i in published for i in ids) else None
    )
    to_listed = max(listed[i] for i in ids) - last_accepted if all(i in listed for i in ids) else None
    return to_published, to_listed


def memory_lines(seen: Observed) -> list[str]:
    held = len(seen.accepted)
    grown = seen.memory_end_mb - seen.memory_before_mb
    return [
        f"  resident at the end {seen.memory_end_mb:,.0f} MB, peak {seen.memory_peak_mb:,.0f} MB (VmRSS, "
        f"VmHWM of the one process: stack, AWS engines and driver); {seen.memory_before_mb:,.0f} MB "
        f"before the first bulletin",
        f"  {held:,} bulletins held: {seen.memory_end_mb / max(1, held):.3f} MB per bulletin in all, "
        f"{grown / max(1, held):.3f} MB per bulletin grown since the first",
    ]


def set_goals(report: LoadReport, seen: Observed) -> None:
    held = len(seen.accepted)
    limit = MEMORY_BASE_MB + MEMORY_PER_BULLETIN_MB * held
    for name, memory in (("at the end", seen.memory_end_mb), ("at its peak", seen.memory_peak_mb)):
        report.goals.append(
            Check(
                f"resident memory {name} ≤ {MEMORY_BASE_MB:g} MB"
                f" + {MEMORY_PER_BULLETIN_MB:g} MB per bulletin",
                memory <= limit,
                f"{memory:,.0f} MB for {held:,} bulletins held (limit {limit:,.0f} MB)",
            )
        )
    to_published, to_listed = catch_up(seen)
    for what, value in (("published", to_published), ("listed", to_listed)):
        report.goals.append(
            Check(
                f"all {what} within {CATCH_UP_SECONDS:g} s of the last one accepted",
                value is not None and value <= CATCH_UP_SECONDS,
                f"{value:.1f} s" if value is not None else "not all of them were",
            )
        )


def call_lines(calls: Counter[tuple[str, str]], bulletins: int, emails: int) -> list[str]:
    n = max(1, bulletins)
    lines = [
        f"\nAWS calls per bulletin (the functions' own calls, from the first submission until idle, "
        f"divided by {n:,} bulletins; {emails:,} emails among them; the driver's own looks not counted)"
    ]
    by_function: dict[str, Counter[str]] = defaultdict(Counter)
    for (function, operation), count in calls.items():
        by_function[function][operation] += count
    for function, operations in sorted(by_function.items(), key=lambda kv: -sum(kv[1].values())):
        lines.append(f"  {function:32s} {sum(operations.values()) / n:8.2f}")
        lines += [f"    {operation:40s} {count / n:8.3f}" for operation, count in operations.most_common()]
    lines.append(f"  {'total':32s} {sum(calls.values()) / n:8.2f}")
    if emails:
        sends = sum(v for (f, _o), v in calls.items() if f == "SenderFunction")
        lines.append(f"  (SenderFunction per email sent: {sends / emails:.2f})")
    return lines


def invocation_line(invocations: Counter[str], stats: FunctionStats) -> str:
    return "\nInvocations (the whole run, setup and checks included): " + ", ".join(
        f"{name} {count:,}"
        + (f" ({stats.errors[name]} raised)" if stats.errors[name] else "")
        + (f" ({stats.partial[name]} batch items failed)" if stats.partial[name] else "")
        for name, count in sorted(invocations.items())
    )
