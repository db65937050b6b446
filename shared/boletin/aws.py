"""Lazily created, shared boto3 clients.

boto3 is imported on first use, never at import time, so a handler's cold start pays for it only
when it really talks to AWS. Repositories take a client in their constructor (tests inject fakes or
moto-backed clients) and fall back to these through `LazyClient`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_call_hooks: list[tuple[str, Any]] = []
# A send is never retried by botocore: after a read timeout SES may already have taken the email, and
# a retry would send it twice. The delivery ledger settles an ambiguous send instead (its lease, and
# SES's Send event); everything else is safe to retry.
_RETRIES: dict[str, dict[str, Any]] = {"ses": {"mode": "standard", "total_max_attempts": 1}}


def client(service: str) -> Any:
    """One client per service and process; honours AWS_ENDPOINT_URL like every boto3 client."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            config = Config(
                retries=_RETRIES.get(service, {"mode": "standard", "max_attempts": 4}),  # type: ignore[arg-type]
                connect_timeout=2,
                read_timeout=5,
            )
            created = boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]
            for event, hook in _call_hooks:
                created.meta.events.register(event, hook)
            _clients[service] = created
        return _clients[service]


def on_call(hook: Any, *, event: str = "before-call") -> None:
    """Run `hook(**kwargs)` on botocore's `event` for every AWS call of every client (before-call:
    the request as sent; before-parameter-build: the parameters as passed): how the benchmarks count
    calls and the local stack checks them, with no change to the code they watch."""
    with _lock:
        _call_hooks.append((event, hook))
        for existing in _clients.values():
            existing.meta.events.register(event, hook)


def reset_clients() -> None:
    """Forget every client (tests that switch endpoints or credentials)."""
    with _lock:
        _clients.clear()


class LazyClient:
    """A repository's boto3 client for `service`, as a class attribute: the client given to the
    repository (tests pass fakes or moto-backed clients), else this process's shared one, made on
    first use, so constructing a repository touches nothing.

        class FeedStore:
            client = LazyClient("s3")

            def __init__(self, bucket: str, client: Any = None) -> None:
                self.client = client
    """

    def __init__(self, service: str) -> None:
        self._service = service
        self._slot = "_client_given"

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_given"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        given = instance.__dict__.get(self._slot)
        return given if given is not None else client(self._service)

    def __set__(self, instance: object, value: Any) -> None:
        instance.__dict__[self._slot] = value


def resend(
    send: Callable[[list[T]], list[T]], batch: list[T], *, attempts: int, pause: float
) -> tuple[list[T], int]:
    """Send a batch, then again what the service reports it did not take (batch APIs answer 200 and
    list those), backing off from `pause` seconds up to 1 s: (what it never took, calls made)."""
    calls = 0
    for attempt in range(attempts):
        batch = send(batch)
        calls += 1
        if not batch:
            break
        time.sleep(min(pause * 2**attempt, 1.0))
    return batch, calls
