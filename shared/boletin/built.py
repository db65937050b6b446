"""Things a process builds once and keeps: settings, clients, the services its handler calls.

Each handler asks a builder decorated with `built_once` for its collaborators; the first call builds
them (from the settings, which only handlers read), later calls reuse them, as Lambda reuses a warm
process. `forget_built()` is the one public reset, for a process whose environment changes (the local
stack runs every function in one process and starts stacks one after another).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")

_forgetters: list[Callable[[], None]] = []


def built_once(factory: Callable[[], T]) -> Callable[[], T]:
    """`factory()` the first time (once, even when threads race), the same object afterwards."""
    lock = threading.Lock()
    made: list[T] = []

    @wraps(factory)
    def built() -> T:
        if not made:
            with lock:
                if not made:
                    made.append(factory())
        return made[0]

    _forgetters.append(made.clear)
    return built


def forget_built() -> None:
    """Drops everything built so far; the next call of each builder builds anew."""
    for forget in _forgetters:
        forget()
