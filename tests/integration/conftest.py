"""Fixtures of the integration tier: one handler (or one repository) against moto, in process.
Only fixtures live here; what the tests import is in tests/support."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.template_in_moto import TemplateInMoto, template_in_moto


@pytest.fixture(scope="module")
def template_aws() -> Iterator[TemplateInMoto]:
    """The template's resources in moto and its functions' handlers, for one test module."""
    with template_in_moto() as resources:
        yield resources
