"""End-to-end tests: the local stack (built from template.yaml, AWS emulated by moto) over HTTP.

One stack per test module: DevStack supports one running stack per process (the environment is
process-wide), and pytest finishes a module's fixtures before the next module's. xdist runs whole
files per worker (--dist loadfile), each worker on its own ports.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The team's own bulletins (tests/data/bulletins.json); the kit's seed is for `make eval` only.
SEED = ROOT / "tests" / "data" / "bulletins.json"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())


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
        all_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local stack
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)


@contextmanager
def running_stack(outbox: Path, **options: Any) -> Iterator[Any]:
    """The real template's local stack (DevStack `options` aside). Clients and settings are per
    process, so the previous stack's are forgotten before and this one's after. On the way out, every
    AWS call the handlers made must have been allowed by their policy in the template (the stack
    enforces the policies; a refused call may have been retried into a DLQ or swallowed)."""
    from boletin import aws
    from boletin.built import forget_built
    from devstack import DevStack

    aws.reset_clients()
    forget_built()
    with DevStack(ROOT, outbox_dir=outbox, **{"port": 0, **options}) as running:
        yield running
        refused = [str(denial) for denial in running.policies.denied]
        assert refused == [], f"AWS calls the template's IAM policies refuse: {refused}"
    aws.reset_clients()
    forget_built()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with running_stack(tmp_path_factory.mktemp("outbox")) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: Any) -> Http:
    return Http(stack.url)


@pytest.fixture
def new_office(stack: Any) -> Any:
    """A fresh office per test: (office id, key)."""
    import uuid

    from boletin.composition.offices import office_service

    def make(name: str = "Test office") -> tuple[str, str]:
        office, key = office_service().create_office(f"{name} {uuid.uuid4().hex[:8]}")
        return office.id, key

    return make


def seed_bulletins() -> list[dict[str, Any]]:
    return list(json.loads(SEED.read_text())["bulletins"])


def submission_of(seed: dict[str, Any]) -> dict[str, Any]:
    return {"title": seed["title"], "body": seed["body"], "published_on": seed["published_on"]}


def read_outbox(outbox: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def emails_to(outbox: Path, address: str) -> list[EmailMessage]:
    return [m for m in read_outbox(outbox) if address in str(m["To"])]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, purpose: str) -> str:
    """The /subscriptions/<purpose>?token=... link in an email's text part."""
    found = re.search(rf"https?://\S+/subscriptions/{purpose}\?token=[A-Za-z0-9_\-=.]+", text_of(message))
    assert found, f"no {purpose} link in the email"
    return found.group(0)


def fresh_address(prefix: str = "reader") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def subscribe_and_confirm(stack: Any, http: Http, address: str, **prefs: Any) -> Reply:
    """Subscribe (immediate, Spanish unless `prefs` say otherwise), confirm from the email; the page."""
    body = {"email": address, "language": "es", "frequency": "immediate", **prefs}
    assert http.post("/subscriptions", json_body=body).status == 202
    stack.wait_until_idle(timeout=20)
    confirmations = emails_to(stack.outbox_dir, address)
    assert len(confirmations) == 1
    page = http.get(link(confirmations[0], "confirm"))
    assert page.status == 200
    assert "text/html" in str(page.header("Content-Type"))
    return page
