"""Helpers for the tests of the durable messaging engines (devstack.aws.sqs / events / sns).

`engine` serves boto3 clients from the engines behind an AwsEndpoint (as the local stack does), with
its SQLite file under the test's tmp_path; `moto` serves the same clients from a moto server, for the
differential tests: the same calls on both, the same observable answers. Both share moto's in-process
backends (the engines read EventBridge rules and SNS subscriptions from them), so each test names its
resources per side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from devstack.aws import AwsEndpoint
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
