"""Progress of a long import: a bar on a terminal (done/total, rate, ETA), plain lines otherwise.

The bar is rich's, imported only when a terminal shows it; plain lines are printed at most every
`every` seconds and at the end, so a log of a 10,000-item import stays readable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def start(self, total: int, label: str) -> None: ...
    def advance(self) -> None: ...
    def note(self, message: str) -> None: ...
    def close(self) -> None: ...


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PlainProgress:
    """`importing 120/1000 (9.8/s, ETA 1:30)` lines, for logs and pipes."""

    def __init__(self, stream: TextIO, *, every: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self._stream, self._every, self._clock = stream, every, clock
        self._total = self._done = 0
        self._label = ""
        self._started = self._last = 0.0

    def start(self, total: int, label: str) -> None:
        self._total, self._label, self._done = total, label, 0
        self._started = self._last = self._clock()
        self._line()

    def advance(self) -> None:
        self._done += 1
        now = self._clock()
        if self._done == self._total or now - self._last >= self._every:
            self._last = now
            self._line()

    def note(self, message: str) -> None:
        print(message, file=self._stream, flush=True)

    def close(self) -> None:
        pass

    def _line(self) -> None:
        elapsed = self._clock() - self._started
        rate = self._done / elapsed if elapsed > 0 and self._done else None
        eta = (self._total - self._done) / rate if rate else None
        rate_text = f"{rate:.1f}/s" if rate else "-/s"
        print(
            f"{self._label} {self._done}/{self._total} ({rate_text}, ETA {eta_text(eta)})",
            file=self._stream,
            flush=True,
        )


class BarProgress:
    """rich's progress bar on the terminal: label, bar, done/total, items per second, ETA."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self._console = Console(file=stream)
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self._console,
            transient=False,
        )
        self._task: Any = None

    def start(self, total: int, label: str) -> None:
        self._bar.start()
        self._task = self._bar.add_task(label, total=total, rate="-/s")

    def advance(self) -> None:
        task = self._bar.tasks[0]
        speed = task.speed
        self._bar.update(self._task, advance=1, rate=f"{speed:.1f}/s" if speed else "-/s")

    def note(self, message: str) -> None:
        self._bar.console.print(message, markup=False, highlight=False)

    def close(self) -> None:
        self._bar.stop()


def progress_for(stream: TextIO) -> Progress:
    return BarProgress(stream) if stream.isatty() else PlainProgress(stream)
