"""What the run measures of the stack itself: every AWS call its functions make (by function and
operation, through `boletin.aws.on_call`), what each function raised or reported failed, the
process's resident memory, and a progress line every few seconds."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from devstack.hooks import hooked_once
from devstack.load.client import WATCHER_HEADER


class CallCounter:
    """boletin.aws.on_call hook: every AWS call of the functions, by function and operation; calls made
    while a function serves one of the driver's own looks (WATCHER_HEADER) are not counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.active = False
        self.watching = threading.local()

    def __call__(self, model: Any, **_: Any) -> None:
        if not self.active or getattr(self.watching, "on", False):
            return
        from devstack.functions import running_function

        function = running_function() or "(outside the functions)"
        operation = f"{model.service_model.service_name}:{model.name}"
        with self.lock:
            self.calls[(function, operation)] += 1

    def take(self) -> Counter[tuple[str, str]]:
        with self.lock:
            taken, self.calls = self.calls, Counter()
        return taken


# One hook per process (boletin.aws keeps hooks for good): registered once, switched on and off.
call_counter = hooked_once(CallCounter)


@dataclass
class FunctionStats:
    errors: Counter[str] = field(default_factory=Counter)  # raised
    partial: Counter[str] = field(default_factory=Counter)  # batch items reported failed
    lock: threading.Lock = field(default_factory=threading.Lock)


def _from_watcher(event: Any) -> bool:
    headers = event.get("headers") if isinstance(event, dict) else None
    return isinstance(headers, dict) and any(k.lower() == WATCHER_HEADER.lower() for k in headers)


def count_failures(stack: Any, stats: FunctionStats, counter: CallCounter) -> list[Callable[[], None]]:
    """Wrap every function's handler: what it raises and the batch items it reports failed are counted;
    returns the undo of each wrapping."""
    undo = []
    for logical_id in list(stack.functions):

        def wrapper(handler: Any, name: str = logical_id) -> Any:
            def counted(event: Any, context: Any) -> Any:
                watching = _from_watcher(event)
                counter.watching.on = watching
                try:
                    result = handler(event, context)
                except BaseException:
                    with stats.lock:
                        stats.errors[name] += 1
                    raise
                finally:
                    if watching:
                        counter.watching.on = False
                failures = result.get("batchItemFailures") if isinstance(result, dict) else None
                if failures:
                    with stats.lock:
                        stats.partial[name] += len(failures)
                return result

            return counted

        undo.append(stack.wrap_handler(logical_id, wrapper))
    return undo


def memory_mb() -> tuple[float, float]:
    """(resident now, resident at its peak) of this process, in MB: VmRSS and VmHWM of
    /proc/self/status (nan where there is no /proc)."""
    values = {"VmRSS": float("nan"), "VmHWM": float("nan")}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0]) / 1024  # kB
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


class Progress:
    """A line every `every` seconds (or when forced), with the time since the start and the memory."""

    def __init__(self, every: float, stream: TextIO) -> None:
        self.every = every
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every:
            self.last = now
            rss, _ = memory_mb()
            print(f"[load {now - self.started:7.1f} s, {rss:,.0f} MB] {text}", file=self.stream, flush=True)


def wait_idle(stack: Any, deadline: float) -> bool:
    """Wait until the stack is idle (every source drained); False if it is not by `deadline`."""
    while time.monotonic() < deadline:
        try:
            stack.wait_until_idle(timeout=min(30.0, max(1.0, deadline - time.monotonic())))
            return True
        except TimeoutError:
            continue
    return False
