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
    in_process.meta.events.register("choose-signer", transport.choose_signer)
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


def test_in_process_requests_skip_sigv4_but_keep_their_scope_and_s3_stays_signed(
    endpoint: AwsEndpoint,
) -> None:
    # Given in-process clients whose requests the endpoint's application sees
    _, dynamodb, dynamodb_transport = _clients(endpoint, "dynamodb")
    _, s3, s3_transport = _clients(endpoint, "s3")
    dynamodb.meta.events.unregister("before-send", dynamodb_transport)
    s3.meta.events.unregister("before-send", s3_transport)
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ.get("HTTP_AUTHORIZATION", ""))
        return endpoint.app(environ, start_response)

    watched = InProcessTransport(endpoint.url, app)
    for client in (dynamodb, s3):
        client.meta.events.register("before-send", watched)
    # When a table is listed and a bucket made in-process
    assert dynamodb.list_tables()["TableNames"] == []
    s3.create_bucket(Bucket="signed")
    # Then the DynamoDB call carried only its scope, not a computed signature, and was answered
    assert seen[0].startswith("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request")
    assert "Signature=not-signed-in-process" in seen[0]
    # and S3 (whose payload hash shapes the request) was signed as for the wire
    assert len(seen) == 2
    assert "/s3/aws4_request" in seen[1]
    assert "not-signed" not in seen[1]


def test_a_request_left_unsigned_never_goes_anywhere_but_the_endpoint(endpoint: AwsEndpoint) -> None:
    # Given an in-process client whose transport then stops answering for its endpoint
    _, dynamodb, transport = _clients(endpoint, "dynamodb")
    transport.base_url = "http://elsewhere.invalid"
    # When it makes a call its signer skipped
    # Then the call fails in the process rather than go out unsigned
    with pytest.raises(RuntimeError, match="unsigned request"):
        dynamodb.list_tables()
