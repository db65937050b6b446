"""A hook on every boto3 client of the product (`boletin.aws`), installed once for the process.

boletin.aws keeps its hooks for the process's life, so the hook is installed once and what it consults
(`active`) is swapped freely; with nothing active the hook does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ProcessHook(Generic[T]):
    def __init__(self, event: str, handler: Callable[..., Any]) -> None:
        self.event = event
        self.active: T | None = None
        self._handler = handler
        self._installed = False
        self._lock = threading.Lock()

    def use(self, value: T | None) -> None:
        """Make `value` the one the hook consults (None: none), installing the hook the first time."""
        self.active = value
        with self._lock:
            if not self._installed:
                from boletin import aws

                aws.on_call(self._handler, event=self.event)
                self._installed = True


H = TypeVar("H", bound=Callable[..., Any])


def hooked_once(make: Callable[[], H], *, event: str = "before-call") -> Callable[[], H]:
    """A getter of the one hook `make` builds, registered on boletin.aws when first asked for."""
    made: list[H] = []
    lock = threading.Lock()

    def get() -> H:
        with lock:
            if not made:
                from boletin import aws

                made.append(make())
                aws.on_call(made[0], event=event)
            return made[0]

    return get
