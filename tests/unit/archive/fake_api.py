"""A scripted stand-in for the API on 127.0.0.1: answers in order, records every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    url: str = ""
    script: list[Answer] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    answer: Callable[[Recorded], Answer] | None = None  # when the script is used up


@contextmanager
def fake_api(*script: Answer, answer: Callable[[Recorded], Answer] | None = None) -> Iterator[FakeApi]:
    api = FakeApi(script=list(script), answer=answer)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
            api.requests.append(recorded)
            if api.script:
                status, headers, body = api.script.pop(0)
            elif api.answer is not None:
                status, headers, body = api.answer(recorded)
            else:
                status, headers, body = 500, {}, {"title": "script exhausted"}
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def created(recorded: Recorded) -> Answer:
    """What the API answers a first submission."""
    return 201, {}, {"id": "id-" + recorded.headers.get("idempotency-key", "")[-8:], "status": "received"}


def problem(field_name: str, detail: str, status: int = 422) -> Answer:
    return (
        status,
        {"Content-Type": "application/problem+json"},
        {
            "type": "https://boletin.example/problems/validation",
            "title": "Unprocessable",
            "status": status,
            "detail": f"The request has invalid fields: {field_name} {detail}.",
            "errors": [{"field": field_name, "pointer": f"/{field_name}", "detail": detail}],
        },
    )
