"""The local stack's SNS Publish delivers what SNS (and moto) delivers to SQS subscriptions, into the
durable SQS engine: raw messages, SNS's envelope, filter policies, batch answers."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import Aws, drain, queue_arn

ATTRIBUTES = {
    "eventType": {"DataType": "String", "StringValue": "Bounce"},
    "attempt": {"DataType": "Number", "StringValue": "3"},
}


def _topic(aws: Aws, subscriptions: dict[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """A topic named per side, with one SQS subscription (and queue) per entry (name -> attributes)."""
    arn = aws.sns.create_topic(Name=f"{aws.label}-{uuid.uuid4().hex[:8]}")["TopicArn"]
    urls = {}
    for name, attributes in subscriptions.items():
        url = aws.sqs.create_queue(QueueName=f"{aws.label}-{name}")["QueueUrl"]
        urls[name] = url
        aws.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn(aws, url), Attributes=attributes)
    return arn, urls


def _envelope_view(body: str) -> dict[str, Any]:
    envelope = json.loads(body)
    return {
        "keys": sorted(envelope),
        **{
            key: envelope.get(key)
            for key in ("Type", "Subject", "Message", "MessageAttributes", "SignatureVersion")
        },
        "signed": bool(envelope["Signature"]) and envelope["SigningCertURL"].startswith("https://sns."),
    }


def test_raw_and_enveloped_deliveries_match_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a topic with a raw subscription (as the template's SES events) and an enveloped one
        arn, urls = _topic(aws, {"raw": {"RawMessageDelivery": "true"}, "wrapped": {}})
        # When a message with attributes and a subject is published
        message_id = aws.sns.publish(
            TopicArn=arn,
            Message='{"notificationType": "Bounce"}',
            Subject="SES",
            MessageAttributes=ATTRIBUTES,
        )["MessageId"]
        raw = drain(aws, urls["raw"], MessageAttributeNames=["All"])
        wrapped = drain(aws, urls["wrapped"])
        envelope = json.loads(wrapped[0]["Body"])
        observed.append(
            {
                "raw": [
                    (m["Body"], m.get("MessageAttributes"), m.get("MD5OfMessageAttributes")) for m in raw
                ],
                "wrapped": [_envelope_view(m["Body"]) for m in wrapped],
                "ids": envelope["MessageId"] == message_id and envelope["TopicArn"] == arn,
            }
        )
    # Then the raw queue gets the message itself with SQS attributes, the other SNS's envelope
    assert observed[0] == observed[1]
    assert observed[1]["raw"][0][0] == '{"notificationType": "Bounce"}'
    assert observed[1]["wrapped"][0]["MessageAttributes"] == {
        "eventType": {"Type": "String", "Value": "Bounce"},
        "attempt": {"Type": "Number", "Value": "3"},
    }
    assert observed[1]["ids"] is True


def test_filter_policies_filter_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given subscriptions filtering on an attribute and on the message body
        arn, urls = _topic(
            aws,
            {
                "bounces": {
                    "RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps({"eventType": ["Bounce"]}),
                },
                "complaints": {
                    "RawMessageDelivery": "true",
                    "FilterPolicyScope": "MessageBody",
                    "FilterPolicy": json.dumps({"notificationType": ["Complaint"]}),
                },
            },
        )
        # When a bounce and a complaint are published
        aws.sns.publish(TopicArn=arn, Message='{"notificationType": "Bounce"}', MessageAttributes=ATTRIBUTES)
        aws.sns.publish(TopicArn=arn, Message='{"notificationType": "Complaint"}')
        observed.append({name: [m["Body"] for m in drain(aws, url)] for name, url in urls.items()})
    # Then each subscription gets only what its policy lets through
    assert observed[0] == observed[1]
    assert observed[1] == {
        "bounces": ['{"notificationType": "Bounce"}'],
        "complaints": ['{"notificationType": "Complaint"}'],
    }


def test_publish_batch_answers_and_delivers_as_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a topic with a raw subscription
        arn, urls = _topic(aws, {"raw": {"RawMessageDelivery": "true"}})
        # When three messages are published in one batch
        answer = aws.sns.publish_batch(
            TopicArn=arn,
            PublishBatchRequestEntries=[
                {
                    "Id": f"e{n}",
                    "Message": f"message {n}",
                    "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(n)}},
                }
                for n in range(3)
            ],
        )
        received = drain(aws, urls["raw"], MessageAttributeNames=["All"])
        observed.append(
            {
                "successful": sorted(entry["Id"] for entry in answer["Successful"]),
                "failed": answer["Failed"],
                "received": sorted((m["Body"], m["MessageAttributes"]["n"]["StringValue"]) for m in received),
            }
        )
    # Then every entry succeeds and is delivered once
    assert observed[0] == observed[1]
    assert observed[1]["received"] == [("message 0", "0"), ("message 1", "1"), ("message 2", "2")]


def test_binary_attributes_reach_a_raw_subscription_as_bytes(engine: Aws) -> None:
    # Given a raw subscription
    arn, urls = _topic(engine, {"raw": {"RawMessageDelivery": "true"}})
    # When a message with a binary attribute is published
    engine.sns.publish(
        TopicArn=arn,
        Message="binary",
        MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}},
    )
    # Then the queue's consumer gets the same bytes
    [message] = drain(engine, urls["raw"], MessageAttributeNames=["All"])
    assert message["MessageAttributes"]["b"] == {"DataType": "Binary", "BinaryValue": b"\x00\xff"}


def test_bad_publishes_are_refused_with_sns_errors(engine: Aws) -> None:
    arn, urls = _topic(engine, {"raw": {"RawMessageDelivery": "true"}})
    # When a client publishes to a missing topic, an empty message, or too big a message
    cases = [
        {"TopicArn": arn + "-missing", "Message": "x"},
        {"TopicArn": arn, "Message": ""},
        {"TopicArn": arn, "Message": "x" * (256 * 1024 + 1)},
    ]
    codes = []
    for kwargs in cases:
        with pytest.raises(ClientError) as raised:
            engine.sns.publish(**kwargs)
        codes.append(
            (
                raised.value.response["Error"]["Code"],
                raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
            )
        )
    # Then SNS's error codes come back and nothing was delivered
    assert codes == [("NotFound", 404), ("InvalidParameter", 400), ("InvalidParameter", 400)]
    assert drain(engine, urls["raw"]) == []
    # and a batch keeps its good entries while reporting the bad one
    answer = engine.sns.publish_batch(
        TopicArn=arn,
        PublishBatchRequestEntries=[{"Id": "good", "Message": "kept"}, {"Id": "bad", "Message": ""}],
    )
    assert [entry["Id"] for entry in answer["Successful"]] == ["good"]
    assert [(entry["Id"], entry["Code"], entry["SenderFault"]) for entry in answer["Failed"]] == [
        ("bad", "InvalidParameter", True)
    ]
    assert [m["Body"] for m in drain(engine, urls["raw"])] == ["kept"]


def test_a_topic_given_as_target_arn_delivers_too(engine: Aws) -> None:
    # Given a topic with a raw subscription
    arn, urls = _topic(engine, {"raw": {"RawMessageDelivery": "true"}})
    # When a client publishes to it by TargetArn (which SNS accepts for topics)
    engine.sns.publish(TargetArn=arn, Message="by target")
    # Then the subscription's queue gets it from the durable engine
    assert [m["Body"] for m in drain(engine, urls["raw"])] == ["by target"]
