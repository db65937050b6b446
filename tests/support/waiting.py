"""Waiting on a condition, never on a fixed sleep (tests stay right on a busy machine)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(
    condition: Callable[[], Any], timeout: float = 10.0, *, what: str = "the condition", every: float = 0.02
) -> Any:
    """`condition()`'s first truthy value, looked for `every` s; AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(every)
