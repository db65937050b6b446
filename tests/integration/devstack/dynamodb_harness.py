"""Helpers for the DynamoDB engine's tests: the engine behind its own endpoint (to close and reopen on
the same file), and the same boto3 calls made to moto and to the engine (`Both`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from devstack.aws import AwsEndpoint
from devstack.aws.dynamodb import DynamoDbEngine


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


def table_spec(
    name: str,
    *,
    gsi: bool = False,
    sort_type: str = "S",
    stream: str | None = None,
    projection: str = "ALL",
) -> dict[str, Any]:
    """CreateTable arguments of a pk/sk table, optionally with the ByG (gpk, gsk) index and a stream."""
    attributes = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": sort_type},
    ]
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if gsi:
        attributes += [
            {"AttributeName": "gpk", "AttributeType": "S"},
            {"AttributeName": "gsk", "AttributeType": "S"},
        ]
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "ByG",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": projection},
            }
        ]
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    kwargs["AttributeDefinitions"] = attributes
    return kwargs


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


class MotoCalls:
    """The actions the engine handed to moto's handler, recorded from now on (an engine answers the
    plainly valid GetItem and UpdateItem itself: a test of that path checks it was taken)."""

    def __init__(self, engine: DynamoDbEngine) -> None:
        self.actions: list[str] = []
        answer = engine._moto

        def recorded(request: Any, body: dict[str, Any]) -> Any:
            self.actions.append(str(request.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1])
            return answer(request, body)

        engine._moto = recorded  # type: ignore[method-assign]


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
