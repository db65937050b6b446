"""boto3 clients handed to the AWS endpoint in-process (devstack.aws.inprocess) get the answers they get
over HTTP: bodies (streamed S3 objects, JSON, XML), errors with their codes, for each engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.aws import AwsEndpoint
from devstack.aws.dynamodb import DynamoDbEngine
from devstack.aws.inprocess import InProcessTransport
from devstack.aws.s3 import S3Engine
from devstack.aws.sqs import SqsEngine


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[AwsEndpoint]:
    sqs = SqsEngine(tmp_path / "sqs.sqlite3", account="123456789012", region="us-east-1")
    started = AwsEndpoint([DynamoDbEngine(tmp_path / "dynamodb.sqlite3"), sqs, S3Engine(tmp_path / "s3")])
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _clients(endpoint: AwsEndpoint, service: str) -> tuple[Any, Any, InProcessTransport]:
    """(over HTTP, in-process, the transport) clients of `service`."""
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    over_http = session.client(service, endpoint_url=endpoint.url)
    in_process = session.client(service, endpoint_url=endpoint.url)
    transport = InProcessTransport(endpoint.url, endpoint.app)
    in_process.meta.events.register("before-send", transport)
    return over_http, in_process, transport


def _plain(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_dynamodb_answers_and_errors_are_the_same_in_process(endpoint: AwsEndpoint) -> None:
    # Given a table, and a client of each kind
    http, local, transport = _clients(endpoint, "dynamodb")
    local.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # When an item is written in-process and read by both
    local.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"S": "é"}]}})
    key = {"pk": {"S": "a"}}
    # Then both read the same item
    assert _plain(local.get_item(TableName="t", Key=key)) == _plain(http.get_item(TableName="t", Key=key))
    assert local.get_item(TableName="t", Key=key)["Item"]["l"] == {"L": [{"S": "é"}]}
    # And a failed condition is the same ClientError, with its code, either way
    codes = []
    for client in (local, http):
        with pytest.raises(ClientError) as failed:
            client.put_item(
                TableName="t", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"
            )
        codes.append(failed.value.response["Error"]["Code"])
    assert codes == ["ConditionalCheckFailedException"] * 2
    # And the in-process client did go in-process
    assert transport.calls >= 4


def test_s3_objects_stream_and_sqs_messages_round_trip_in_process(endpoint: AwsEndpoint) -> None:
    # Given a bucket and a queue, and clients of each kind
    s3_http, s3_local, s3_transport = _clients(endpoint, "s3")
    sqs_http, sqs_local, _ = _clients(endpoint, "sqs")
    s3_http.create_bucket(Bucket="feeds")
    url = sqs_local.create_queue(QueueName="q")["QueueUrl"]
    # When an object with an encoded key is written in-process and read by both
    body = b"<rss>" + b"x" * 100_000 + b"</rss>"
    s3_local.put_object(
        Bucket="feeds", Key="feeds/c=CR&t=health.xml", Body=body, ContentType="application/rss+xml"
    )
    got = s3_local.get_object(Bucket="feeds", Key="feeds/c=CR&t=health.xml")
    # Then its bytes stream back whole, with its headers, as over HTTP
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/rss+xml"
    assert s3_http.get_object(Bucket="feeds", Key="feeds/c=CR&t=health.xml")["Body"].read() == body
    # And a missing key is the same NoSuchKey error
    with pytest.raises(ClientError) as missing:
        s3_local.get_object(Bucket="feeds", Key="feeds/none.xml")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    assert s3_transport.calls >= 3
    # And a message sent in-process is received over HTTP with its attributes
    sqs_local.send_message(
        QueueUrl=url, MessageBody="héllo", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    received = sqs_http.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1)
    assert received["Messages"][0]["Body"] == "héllo"
    assert received["Messages"][0]["MessageAttributes"]["k"]["StringValue"] == "v"
