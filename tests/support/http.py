"""The tests' one HTTP client (urllib) and its reply: every status comes back as a Reply, never
raised; redirects are not followed, so a test sees what the server answered."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any


@dataclass
class Reply:
    status: int
    headers: Message  # case-insensitive, keeps repeated headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


def headers_of(pairs: list[tuple[str, str]]) -> Message:
    """Headers as urllib gives them (for a reply read some other way, e.g. from a raw socket)."""
    headers = Message()
    for name, value in pairs:
        headers[name] = value
    return headers


class _NoRedirect(urllib.request.HTTPErrorProcessor):
    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


_opener = urllib.request.build_opener(_NoRedirect)


class Http:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        key: str | None = None,
    ) -> Reply:
        """`path` under base_url (or a whole URL); `json_body` is sent as JSON, `key` as a bearer token."""
        all_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with _opener.open(request, timeout=30) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)


Fetch = Callable[..., Reply]  # Http.request bound to one stack: fetch("GET", "/path", ...)
