"""End-to-end tests: the local stack (built from template.yaml, AWS emulated by moto) over HTTP.

One stack per test module: DevStack supports one running stack per process (the environment is
process-wide), and pytest finishes a module's fixtures before the next module's. xdist runs whole
files per worker (--dist loadfile), each worker on its own ports. Only fixtures live here; what the
tests import is in tests/support.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.stack import running_stack


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
    from boletin.composition.offices import office_service

    def make(name: str = "Test office") -> tuple[str, str]:
        office, key = office_service().create_office(f"{name} {uuid.uuid4().hex[:8]}")
        return office.id, key

    return make
