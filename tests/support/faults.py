"""Fault injection into AWS calls made in this process (the handlers of the local stack included).

Registered once on botocore's before-call event of every client `boletin.aws` creates: a fault can
raise a ClientError (throttling, failures) or answer in AWS's place (a PutEvents 200 with failed
entries), for the next N matching calls.

A crash (`Crash`) stands for the function dying right after a matching call succeeded: AWS did it,
the caller never sees the answer. It needs botocore's after-call event too (`hook_after_calls`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from boletin import aws
from devstack.hooks import hooked_once


@dataclass
class Fault:
    service: str  # botocore service name, e.g. "dynamodb", "events", "ses"
    operation: str  # e.g. "UpdateItem", "PutEvents", "SendRawEmail"
    times: int
    error_code: str | None = "InternalFailure"
    response: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    when: Callable[[dict[str, Any]], bool] = lambda params: True
    fired: int = 0


class InjectedCrash(RuntimeError):  # noqa: N818 - named for what it stands for
    """Raised where a Lambda would have died: no AWS error code, so no code path expects it."""


@dataclass
class Crash:
    """The process dies right after a matching call succeeded (the call's effect stays in AWS)."""

    service: str
    operation: str
    times: int = 1
    when: Callable[[dict[str, Any]], bool] = lambda params: True
    fired: int = 0


_PARAMS = "tests.support.faults.params"  # the request, kept in botocore's request context for after-call


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    crashes: list[Crash] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, model: Any, params: dict[str, Any], **kwargs: Any) -> Any:
        service = model.service_model.service_name
        name = model.name
        context = kwargs.get("context")
        if isinstance(context, dict):
            context[_PARAMS] = params
        with self._lock:
            self.calls.append((service, name))
            for fault in self.faults:
                if fault.fired < fault.times and fault.service == service and fault.operation == name:
                    request = _request_params(params)
                    if not fault.when(request):
                        continue
                    fault.fired += 1
                    if fault.response is not None:
                        return (_Http200(), fault.response(request))
                    raise ClientError({"Error": {"Code": fault.error_code, "Message": "injected"}}, name)
        return None

    def after_call(self, model: Any, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        """botocore's after-call: crash after a matching call that succeeded."""
        if not self.crashes or getattr(http_response, "status_code", 500) >= 300:
            return
        service = model.service_model.service_name
        with self._lock:
            for crash in self.crashes:
                if crash.fired < crash.times and (crash.service, crash.operation) == (service, model.name):
                    if not crash.when(_request_params(context.get(_PARAMS) or {})):
                        continue
                    crash.fired += 1
                    raise InjectedCrash(f"crashed after {service} {model.name}")

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def add_crash(self, crash: Crash) -> Crash:
        with self._lock:
            self.crashes.append(crash)
        return crash

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.crashes.clear()
            self.calls.clear()

    def count(self, service: str, operation: str) -> int:
        with self._lock:
            return sum(1 for c in self.calls if c == (service, operation))


def _request_params(params: dict[str, Any]) -> dict[str, Any]:
    """The operation's parameters from the serialised request (JSON body or query form)."""
    import json

    body = params.get("body")
    if isinstance(body, bytes | str) and body:
        try:
            loaded = json.loads(body)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return body if isinstance(body, dict) else {}


class _Http200:
    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012
    content = b""


injector = hooked_once(FaultInjector)


def hook_after_calls(*services: str) -> FaultInjector:
    """Let crashes fire on these services' `boletin.aws` clients (again after `aws.reset_clients()`)."""
    active = injector()
    for service in services:
        aws.client(service).meta.events.register(
            "after-call", active.after_call, unique_id="tests.support.faults.after-call"
        )
    return active


@contextmanager
def faults(*items: Fault | Crash) -> Iterator[FaultInjector]:
    active = injector()
    for item in items:
        if isinstance(item, Crash):
            active.add_crash(item)
        else:
            active.add(item)
    try:
        yield active
    finally:
        active.clear()


def put_events_rejecting_all(request: dict[str, Any]) -> dict[str, Any]:
    """PutEvents answering 200 with every entry failed, as EventBridge does under load."""
    entries = request.get("Entries", [])
    assert entries, "a PutEvents request carries entries"
    return {
        "FailedEntryCount": len(entries),
        "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"} for _ in entries],
    }
