"""Fixtures for the local stack's own tests.

`machinery` runs the small template in fixtures/ (test handlers, no Boletín code); `boletin_stack` runs
the real template.yaml. Both are module-scoped: one stack per process at a time is what DevStack
supports (os.environ is process-wide), and pytest finishes a module's fixtures before the next module's.
Only fixtures live here; what the tests import is in tests/support.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack import DevStack
from tests.support.http import Fetch, Http
from tests.support.paths import MACHINERY_TEMPLATE_DIR


@pytest.fixture(scope="module")
def machinery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with DevStack(
        MACHINERY_TEMPLATE_DIR,
        port=0,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        create_demo_office=False,
        name_prefix="machinery",
    ) as stack:
        yield stack


@pytest.fixture
def http(machinery: DevStack) -> Fetch:
    return Http(machinery.url).request


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "machinery" in request.fixturenames:
        request.getfixturevalue("machinery").clear_faults()
