"""The send queue's messages: typed, the same JSON the queue has always carried (messages queued
before still parse), and a body that is no delivery fails clearly, toward SendDLQ."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from boletin.models.deliveries import (
    BulletinMessage,
    ConfirmationMessage,
    CorrectionMessage,
    DigestMessage,
    UnreadableMessageError,
    parse_send_message,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"kind":"confirmation","subscription_id":"s1"}', ConfirmationMessage(subscription_id="s1")),
        ('{"kind":"bulletin","pk":"BULLETIN#b1","sk":"SUBSCRIBER#a1"}', BulletinMessage(pk="BULLETIN#b1", sk="SUBSCRIBER#a1")),
        ('{"kind":"digest","pk":"DIGEST#s1","sk":"2026-W48"}', DigestMessage(pk="DIGEST#s1", sk="2026-W48")),
        ('{"kind":"correction","pk":"CORRECTION#b1#v2","sk":"SUBSCRIBER#a1"}', CorrectionMessage(pk="CORRECTION#b1#v2", sk="SUBSCRIBER#a1")),
    ],
)  # fmt: skip
def test_a_message_queued_before_the_types_reads_as_its_kind_and_writes_back_the_same(
    body: str, expected: object
) -> None:
    # Given a message as the queue has carried it / When it is parsed
    message = parse_send_message(body)
    # Then it is the typed message of its kind, and its JSON is what was queued
    assert message == expected
    assert message.model_dump(mode="json") == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"kind":"sms","pk":"a","sk":"b"}',
        '{"kind":"bulletin","pk":"BULLETIN#b1"}',
        '{"pk":"BULLETIN#b1","sk":"SUBSCRIBER#a1"}',
        '{"kind":"confirmation","subscription_id":""}',
    ],
)
def test_a_body_that_is_no_delivery_is_refused_with_the_reason(body: str) -> None:
    with pytest.raises(UnreadableMessageError, match="not a send-queue message"):
        parse_send_message(body)


def sender_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sender_app", ROOT / "functions" / "sender" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id, "receiptHandle": "r", "body": body, "attributes": {},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:send", "awsRegion": "us-east-1",
    }  # fmt: skip


def test_the_sender_fails_an_unreadable_message_so_the_queue_dead_letters_it() -> None:
    # Given the sender's batch processor and a batch of messages that are no delivery
    app = sender_app()
    event = {"Records": [sqs_record("m-bad", '{"kind":"sms"}'), sqs_record("m-worse", "{")]}
    # When the batch is processed (they are refused before any AWS call or setting is read)
    # Then the invocation fails naming why: SQS keeps them, and after maxReceiveCount they go to SendDLQ
    with pytest.raises(BatchProcessingError) as failed:
        process_partial_response(event=event, record_handler=app.record_handler, processor=app.processor)
    assert [type(e[1]) for e in failed.value.child_exceptions] == [UnreadableMessageError] * 2
    assert "does not match any of the expected tags" in str(failed.value.child_exceptions[0][1])
