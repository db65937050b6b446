"""Fixtures for the local stack's own tests.

`machinery` runs the small template in fixtures/ (test handlers, no Boletín code); `boletin_stack` runs
the real template.yaml. Both are module-scoped: one stack per process at a time is what DevStack
supports (os.environ is process-wide), and pytest finishes a module's fixtures before the next module's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devstack import DevStack

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parents[2]


@dataclass
class Reply:
    status: int
    headers: Any  # email.message.Message: case-insensitive, keeps repeated headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


class _NoRedirect(urllib.request.HTTPErrorProcessor):
    def http_response(self, request: Any, response: Any) -> Any:
        return response


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    request = urllib.request.Request(base_url + path, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with _opener.open(request, timeout=30) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


Fetch = Callable[..., Reply]


@pytest.fixture(scope="module")
def machinery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with DevStack(
        FIXTURES,
        port=0,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        create_demo_office=False,
        name_prefix="machinery",
    ) as stack:
        yield stack


@pytest.fixture
def http(machinery: DevStack) -> Fetch:
    def call(method: str, path: str, **kwargs: Any) -> Reply:
        return fetch(machinery.url, method, path, **kwargs)

    return call


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "machinery" in request.fixturenames:
        request.getfixturevalue("machinery").clear_faults()
