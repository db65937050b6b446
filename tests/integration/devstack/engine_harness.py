"""Endpoints for the durable engines' tests: the same boto3 calls against moto alone and against an
engine behind an AwsEndpoint (moto behind it for what the engine does not handle), so answers can be
compared, and an engine can be closed and reopened on the same folder (a restart)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from devstack.aws import AwsEndpoint, Engine

REGION = "us-east-1"


def client(endpoint: AwsEndpoint | str, service: str) -> Any:
    """A boto3 client of `endpoint` (an AwsEndpoint, or its URL)."""
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    )
    return session.client(
        service,
        endpoint_url=endpoint if isinstance(endpoint, str) else endpoint.url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@contextmanager
def serving(*engines: Engine) -> Iterator[AwsEndpoint]:
    """An endpoint in front of `engines` (none: moto alone), stopped (engines closed) afterwards."""
    endpoint = AwsEndpoint(engines)
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def served_client(service: str, *engines: Engine) -> Iterator[Any]:
    """For a fixture to `yield from`: a client of `service` on an endpoint serving `engines` (none:
    moto alone), the endpoint stopped afterwards."""
    with serving(*engines) as endpoint:
        yield client(endpoint, service)


def unique(prefix: str) -> str:
    """moto's state is process-wide: every test names its resources afresh."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(call: Callable[..., Any], *args: Any) -> tuple[str, int]:
    """(error code, HTTP status) of `call(*args)`, which must fail."""
    try:
        call(*args)
    except Exception as error:
        response = getattr(error, "response", None)
        if response is None:
            raise
        return str(response["Error"].get("Code")), int(response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError("the call succeeded")
