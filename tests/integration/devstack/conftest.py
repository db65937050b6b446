"""Fixtures for the durable engines' tests (helpers in messaging_harness and dynamodb_harness)."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.aws import AwsEndpoint
from tests.integration.devstack.dynamodb_harness import Both, DdbEngine, client_of
from tests.integration.devstack.messaging_harness import Aws, start_engines


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Aws]:
    endpoint = start_engines(tmp_path / "sqs.sqlite3")
    try:
        yield Aws("engine", endpoint.url, endpoint)
    finally:
        endpoint.stop()


@pytest.fixture(scope="module")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto(_moto_server: str) -> Aws:
    urllib.request.urlopen(urllib.request.Request(_moto_server + "/moto-api/reset", method="POST"))  # noqa: S310
    return Aws("moto", _moto_server)


@pytest.fixture
def sides(moto: Aws, engine: Aws) -> list[Aws]:
    return [moto, engine]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[AwsEndpoint]:
    endpoint = AwsEndpoint([])
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def ddb(tmp_path: Path) -> Iterator[DdbEngine]:
    opened = DdbEngine.open(tmp_path / "dynamodb.sqlite3")
    yield opened
    opened.endpoint.stop()


@pytest.fixture
def both(moto_endpoint: AwsEndpoint, ddb: DdbEngine) -> Both:
    return Both(client_of(moto_endpoint.url), ddb.client(), uuid.uuid4().hex[:8])
