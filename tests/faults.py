"""Fault injection into AWS calls made in this process (the handlers of the local stack included).

Registered once on botocore's before-call event of every client `boletin.aws` creates: a fault can
raise a ClientError (throttling, failures) or answer in AWS's place (a PutEvents 200 with failed
entries), for the next N matching calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from boletin import aws


@dataclass
class Fault:
    service: str  # botocore service name, e.g. "dynamodb", "events", "ses"
    operation: str  # e.g. "UpdateItem", "PutEvents", "SendRawEmail"
    times: int
    error_code: str | None = "InternalFailure"
    response: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    when: Callable[[dict[str, Any]], bool] = lambda params: True
    fired: int = 0


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        service = model.service_model.service_name
        name = model.name
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

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
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


_injector: FaultInjector | None = None


def injector() -> FaultInjector:
    global _injector
    if _injector is None:
        _injector = FaultInjector()
        aws.on_call(_injector)
    return _injector


@contextmanager
def faults(*items: Fault) -> Iterator[FaultInjector]:
    active = injector()
    for item in items:
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
