"""Fixtures for the durable engines (devstack.aws.sqs / events / sns, and dynamodb).

`engine` serves boto3 clients from the engines behind an AwsEndpoint (as the local stack does), with
its SQLite file under the test's tmp_path; `moto` serves the same clients from a moto server, for the
differential tests: the same calls on both, the same observable answers. Both share moto's in-process
backends (the engines read EventBridge rules and SNS subscriptions from them), so each test names its
resources per side.
"""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.aws import AwsEndpoint
from devstack.aws.dynamodb import DynamoDbEngine
from devstack.aws.events import EventsEngine
from devstack.aws.sns import SnsEngine
from devstack.aws.sqs import SqsEngine

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass
class Aws:
    """boto3 clients of one side (engine or moto)."""

    label: str
    url: str
    endpoint: AwsEndpoint | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return self._clients[service]

    @property
    def sqs(self) -> Any:
        return self.client("sqs")

    @property
    def events(self) -> Any:
        return self.client("events")

    @property
    def sns(self) -> Any:
        return self.client("sns")

    @property
    def engine(self) -> SqsEngine:
        assert self.endpoint is not None
        engine = self.endpoint.engines[0]
        assert isinstance(engine, SqsEngine)
        return engine


def start_engines(path: Path) -> AwsEndpoint:
    sqs = SqsEngine(path, account=ACCOUNT, region=REGION)
    endpoint = AwsEndpoint(
        [
            sqs,
            EventsEngine(sqs.store, account=ACCOUNT, region=REGION),
            SnsEngine(sqs.store, account=ACCOUNT, region=REGION),
        ]
    )
    endpoint.start()
    return endpoint


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


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Block until `condition()` holds (checked every few ms); AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        threading.Event().wait(0.005)


def queue_arn(aws: Aws, url: str) -> str:
    return str(
        aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    )


def drain(aws: Aws, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every message visible in the queue now (received, not deleted)."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


# ---------------------------------------------------------------------- DynamoDB (devstack.aws.dynamodb)
# Two DynamoDB endpoints side by side: moto (the reference the local stack used to run on) and the
# durable engine, both over HTTP through an AwsEndpoint, so the same boto3 calls can be made to both
# and their answers compared (`both`); `ddb` is the engine alone, which a test may close and reopen.
def client_of(url: str, service: str = "dynamodb") -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).client(service, endpoint_url=url)


@dataclass
class DdbEngine:
    """The engine behind its own endpoint, which a test may close and reopen on the same file."""

    path: Path
    engine: DynamoDbEngine
    endpoint: AwsEndpoint

    @classmethod
    def open(cls, path: Path) -> DdbEngine:
        engine = DynamoDbEngine(path)
        endpoint = AwsEndpoint([engine])
        endpoint.start()
        return cls(path, engine, endpoint)

    def client(self, service: str = "dynamodb") -> Any:
        return client_of(self.endpoint.url, service)

    def reopen(self) -> DdbEngine:
        self.endpoint.stop()  # closes the engine
        return DdbEngine.open(self.path)


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


def _plain(answer: Any) -> Any:
    if isinstance(answer, dict):
        return {k: _plain(v) for k, v in answer.items() if k != "ResponseMetadata"}
    if isinstance(answer, list):
        return [_plain(v) for v in answer]
    return answer


@dataclass
class Both:
    """The same calls made to moto and to the engine; table names are unique per test."""

    moto: Any
    ours: Any
    suffix: str

    def name(self, base: str) -> str:
        return f"{base}-{self.suffix}"

    def call(self, method: str, **kwargs: Any) -> tuple[Any, Any]:
        """(moto's answer, the engine's answer): the response without metadata, or for an error
        ("error", code, message-less details)."""
        answers = []
        for client in (self.moto, self.ours):
            try:
                answers.append(_plain(getattr(client, method)(**kwargs)))
            except ClientError as raised:
                error = raised.response
                answers.append(
                    (
                        "error",
                        error["Error"]["Code"],
                        _plain(error.get("Item")),
                        _plain(error.get("CancellationReasons")),
                    )
                )
        return answers[0], answers[1]

    def same(self, method: str, **kwargs: Any) -> Any:
        theirs, ours = self.call(method, **kwargs)
        assert ours == theirs, f"{method}: the engine answered {ours!r}, moto {theirs!r}"
        return ours


@pytest.fixture
def both(moto_endpoint: AwsEndpoint, ddb: DdbEngine) -> Both:
    return Both(client_of(moto_endpoint.url), ddb.client(), uuid.uuid4().hex[:8])
