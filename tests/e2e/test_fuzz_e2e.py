"""Schemathesis against the local stack: every operation of the committed OpenAPI description.

Each operation gets a few generated requests (valid and invalid data, with an office key): no answer
may be a 5xx, and every answer must be one the description declares (status code, content type and
body schema). `BOLETIN_FUZZ_EXAMPLES` sets the examples per operation (`make fuzz` runs more).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.http import Http
from tests.support.seed import seed_bulletins, submission_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# No TRACE/CONNECT probes: the local stack's HTTP server answers them itself (501), before any route.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"unexpected-methods": []}}}
)
SCHEMA = schemathesis.openapi.from_path(ROOT / "shared" / "boletin" / "data" / "openapi.json", config=CONFIG)
EXAMPLES = int(os.environ.get("BOLETIN_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def office(stack: Any, http: Http) -> dict[str, str]:
    """An office key, and one published bulletin of that office for the id routes to find."""
    from boletin.composition.offices import office_service

    _, key = office_service().create_office("Fuzz office")
    reply = http.post("/bulletins", json_body=submission_of(seed_bulletins()[0]), key=key)
    assert reply.status == 201, reply.body
    stack.wait_until_idle(timeout=30)
    return {"key": key, "bulletin": reply.json()["id"]}


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_described(case: Any, stack: Any, office: dict[str, str]) -> None:
    # Half the requests name a bulletin that exists, so they get past the 404.
    parameters = case.path_parameters or {}
    if "bulletin_id" in parameters and hash(str(parameters["bulletin_id"])) % 2 == 0:
        parameters["bulletin_id"] = office["bulletin"]
    case.call_and_validate(
        base_url=stack.url,
        headers={"Authorization": f"Bearer {office['key']}"},
        checks=CHECKS,
        timeout=30,
    )
