"""The driver's HTTP client: urllib against the stack, counting every status; it retries what never
reached a handler (a refused connection), never what a handler answered."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any

# Marks the driver's own looks (lists, feeds) so that their AWS calls are not counted as the cost of
# the bulletins (see metering.count_failures).
WATCHER_HEADER = "X-Load-Watcher"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.connection_errors = 0
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        key: str | None = None,
        attempts: int = 4,
    ) -> Reply:
        data = None
        all_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        url = path if path.startswith("http") else self.base_url + path
        for attempt in range(attempts):
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the local stack
                    reply = Reply(response.status, dict(response.headers), response.read())
            except urllib.error.HTTPError as error:
                reply = Reply(error.code, dict(error.headers), error.read())
            except (ConnectionError, TimeoutError, urllib.error.URLError):
                with self._lock:
                    self.connection_errors += 1
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * 2**attempt)
                continue
            with self._lock:
                self.statuses[reply.status] += 1
                if reply.status >= 500:
                    self.server_errors.append(f"{method} {path}: {reply.status} {reply.body[:300]!r}")
            return reply
        raise AssertionError("unreachable")

    def fetch_all(self, path: str, key: str | None = None, *, watcher: bool = False) -> list[dict[str, Any]]:
        """Every item of a paginated list, 100 at a time."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        headers = {WATCHER_HEADER: "1"} if watcher else None
        while True:
            query = (
                path + ("&" if "?" in path else "?") + "limit=100" + (f"&cursor={cursor}" if cursor else "")
            )
            reply = self.request("GET", query, key=key, headers=headers)
            if reply.status != 200:
                raise RuntimeError(f"GET {query}: {reply.status} {reply.body[:200]!r}")
            page = reply.json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items
