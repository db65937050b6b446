"""The public API over HTTP, paced, with 429 and 5xx retried with backoff honouring Retry-After.

Only the public API: the same command works against AWS and the local stack. Every request
carries an Idempotency-Key (submissions) or stores nothing (previews), so retrying is safe.
"""

from __future__ import annotations

import http.client
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_RATE = 10.0  # requests/s: a tenth of the API stage's throttle (100/s), room for other offices


class ApiUnavailableError(Exception):
    """The API did not answer usefully after every retry: the import stops, a rerun resumes it."""


class KeyRefusedError(Exception):
    """401/403: the key is wrong, revoked or of a disabled office; no item can go in."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: Any  # the decoded JSON document, or None

    @property
    def replayed(self) -> bool:
        return self.headers.get("idempotent-replayed", "").lower() == "true"


@dataclass
class Pacer:
    """At most `rate` request starts per second (0: unpaced)."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: float = 0.0

    def wait(self) -> None:
        if self.rate <= 0:
            return
        now = self.clock()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate


@dataclass
class ApiClient:
    base_url: str
    key: str
    rate: float = DEFAULT_RATE
    max_attempts: int = 8
    max_backoff: float = 30.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    on_retry: Callable[[int, float], None] | None = None  # (status or 0, seconds waited)
    retries: int = field(default=0, init=False)
    _connection: http.client.HTTPConnection | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--api must be an http(s) URL, not {self.base_url!r}")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._prefix = parts.path
        self._pacer = Pacer(self.rate, sleep=self.sleep)

    def submit(self, payload: dict[str, Any], idempotency_key: str) -> Response:
        return self.post("/bulletins", payload, {"Idempotency-Key": idempotency_key})

    def preview(self, payload: dict[str, Any]) -> Response:
        return self.post("/bulletins/preview", payload, {})

    def post(self, path: str, payload: dict[str, Any], headers: dict[str, str]) -> Response:
        body = json.dumps(payload).encode()
        request_headers = {
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
            "Accept": "application/json, application/problem+json",
            "User-Agent": "boletin-import",
            **headers,
        }
        failure = ""
        for attempt in range(1, self.max_attempts + 1):
            self._pacer.wait()
            try:
                response = self._send("POST", self._prefix + path, body, request_headers)
            except (OSError, http.client.HTTPException) as error:
                self._close()
                failure, status, retry_after = f"could not reach the API ({error})", 0, None
            else:
                if response.status in (401, 403):
                    raise KeyRefusedError(_detail(response) or f"the API answered {response.status}")
                if response.status not in RETRIED_STATUSES:
                    return response
                status, retry_after = response.status, response.headers.get("retry-after")
                failure = f"the API answered {response.status} ({_detail(response) or 'no detail'})"
            if attempt == self.max_attempts:
                break
            delay = self._delay(attempt, retry_after)
            self.retries += 1
            if self.on_retry is not None:
                self.on_retry(status, delay)
            self.sleep(delay)
        raise ApiUnavailableError(f"{failure}, after {self.max_attempts} tries")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when the API gives one; otherwise exponential backoff with full jitter."""
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_backoff * 4)
        return random.uniform(0, min(self.max_backoff, 0.5 * 2**attempt))  # noqa: S311 (jitter)

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Response:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            self._connection = kind(self._host, self._port, timeout=self.timeout)
        self._connection.request(method, path, body=body, headers=headers)
        raw = self._connection.getresponse()
        data = raw.read()
        response_headers = {k.lower(): v for k, v in raw.getheaders()}
        if response_headers.get("connection", "").lower() == "close":
            self._close()
        try:
            document = json.loads(data) if data else None
        except ValueError:
            document = None
        return Response(raw.status, response_headers, document)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self._close()


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (RFC 9110: delay-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _detail(response: Response) -> str:
    if isinstance(response.body, dict):
        return str(response.body.get("detail") or response.body.get("title") or "")
    return ""
