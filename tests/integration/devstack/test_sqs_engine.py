"""The local stack's durable SQS engine answers as SQS (and as moto, which the handlers were proven
against), keeps what it accepted across a restart and a SIGKILL, and stays correct under concurrency."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.aws import sqs_store
from tests.integration.devstack.messaging_harness import Aws, drain, queue_arn, start_engines
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[3]
ATTRIBUTES = {
    "kind": {"DataType": "String", "StringValue": "bulletin.published"},
    "count": {"DataType": "Number", "StringValue": "42"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"},
    "lang.es": {"DataType": "String.custom", "StringValue": "¡sí, señor!"},
}


def _error(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return (
        error["Code"],
        error.get("QueryErrorCode", ""),
        raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _shape(message: dict[str, Any]) -> dict[str, Any]:
    """What a consumer observes of a received message, without the ids and clocks that differ by run."""
    attributes = {
        key: value
        for key, value in (message.get("Attributes") or {}).items()
        if key not in ("SentTimestamp", "ApproximateFirstReceiveTimestamp")
    }
    return {
        "Body": message["Body"],
        "MD5OfBody": message["MD5OfBody"],
        "MD5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "MessageAttributes": message.get("MessageAttributes"),
        "Attributes": attributes,
        "timestamps": sorted(key for key in message.get("Attributes") or {} if key.endswith("Timestamp")),
    }


# ---------------------------------------------------------------------- differential: moto vs engine
def test_send_and_receive_give_the_same_md5s_attributes_and_bodies_as_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a queue
        url = aws.sqs.create_queue(QueueName="orders")["QueueUrl"]
        # When messages with every attribute type are sent, alone and in a batch
        sent = aws.sqs.send_message(QueueUrl=url, MessageBody='{"id": "ñandú"}', MessageAttributes=ATTRIBUTES)
        batch = aws.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": "plain", "MessageBody": "plain body"},
                {"Id": "tagged", "MessageBody": "tagged", "MessageAttributes": {"k": ATTRIBUTES["kind"]}},
            ],
        )
        # Then the answers carry the same MD5s, and a receive of everything gives the same messages
        received = drain(aws, url, AttributeNames=["All"], MessageAttributeNames=["All"])
        observed.append(
            {
                "sent": (sent["MD5OfMessageBody"], sent["MD5OfMessageAttributes"]),
                "batch": sorted(
                    (e["Id"], e["MD5OfMessageBody"], e.get("MD5OfMessageAttributes"))
                    for e in batch["Successful"]
                ),
                "failed": batch.get("Failed", []),
                "received": sorted((_shape(m) for m in received), key=lambda m: m["Body"]),
                "ids": {m["MessageId"] for m in received}
                == {sent["MessageId"], *(e["MessageId"] for e in batch["Successful"])},
            }
        )
    assert observed[0] == observed[1]
    assert observed[1]["ids"] is True


def test_message_attribute_names_filter_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a message with four attributes
        url = aws.sqs.create_queue(QueueName="filtered", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        aws.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
        # When it is received asking for some of them by name and by prefix
        shapes = []
        for names in (["kind"], ["lang.*"], ["All"], []):
            message = aws.sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"][0]
            shapes.append((message.get("MessageAttributes"), message.get("MD5OfMessageAttributes")))
        observed.append(shapes)
    # Then only those come back, with the MD5 of what came back
    assert observed[0] == observed[1]
    assert observed[1][3] == (None, None)


def test_redrive_to_the_dead_letter_queue_after_max_receive_count_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a queue whose messages go to a DLQ after 2 receives
        dlq = aws.sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
        policy = {"deadLetterTargetArn": queue_arn(aws, dlq), "maxReceiveCount": 2}
        url = aws.sqs.create_queue(
            QueueName="work", Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(policy)}
        )["QueueUrl"]
        aws.sqs.send_message(QueueUrl=url, MessageBody="poison")
        # When a consumer receives it and never deletes it, three times
        counts = []
        for _ in range(3):
            messages = aws.sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])
            counts.append([m["Attributes"]["ApproximateReceiveCount"] for m in messages.get("Messages", [])])
        # Then the third receive finds nothing: the message is in the DLQ, with its receive count
        in_dlq = drain(aws, dlq, AttributeNames=["ApproximateReceiveCount"])
        attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        observed.append(
            {
                "counts": counts,
                "dlq": [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in in_dlq],
                "source_left": attributes["ApproximateNumberOfMessages"],
                "policy": json.loads(attributes["RedrivePolicy"]),
            }
        )
    assert observed[0] == observed[1]
    assert observed[1]["counts"] == [["1"], ["2"], []]


def test_delays_and_visibility_show_in_the_counts_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    for aws in sides:

        def counts(url: str, aws: Aws = aws) -> list[str]:
            attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
            return [attributes[name] for name in names]

        # Given a queue with one delayed and two ready messages
        url = aws.sqs.create_queue(QueueName="timing", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        aws.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
        aws.sqs.send_message(QueueUrl=url, MessageBody="now-1")
        aws.sqs.send_message(QueueUrl=url, MessageBody="now-2")
        before = counts(url)
        # When one is received (in flight for the queue's 60 s)
        first = aws.sqs.receive_message(QueueUrl=url)["Messages"][0]
        during = counts(url)
        # and its visibility is changed to 0, so it is received again
        aws.sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0
        )
        again = drain(aws, url, AttributeNames=["ApproximateReceiveCount"], VisibilityTimeout=60)
        # and a long poll waits for the delayed one
        late = aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        observed.append(
            {
                "before": before,
                "during": during,
                "again": sorted((m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in again),
                "late": [m["Body"] for m in late],
                "after": counts(url),
            }
        )
    # Then the counts move between ready, in flight and delayed alike on both
    assert observed[0] == observed[1]
    assert observed[1]["before"] == ["2", "0", "1"]
    assert observed[1]["after"] == ["0", "3", "0"]


def test_queue_management_answers_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a queue created with attributes and tags
        attributes = {"VisibilityTimeout": "45", "MessageRetentionPeriod": "1209600", "DelaySeconds": "0"}
        url = aws.sqs.create_queue(QueueName="managed", Attributes=attributes, tags={"team": "feeds"})[
            "QueueUrl"
        ]
        aws.sqs.create_queue(QueueName="other")
        # When it is created again, changed, listed, tagged and looked up
        same = aws.sqs.create_queue(QueueName="managed", Attributes=attributes)["QueueUrl"] == url
        conflict = _error(aws.sqs.create_queue, QueueName="managed", Attributes={"VisibilityTimeout": "46"})
        aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "50"})
        aws.sqs.tag_queue(QueueUrl=url, Tags={"stage": "local"})
        all_attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        listed = [
            u.rsplit("/", 1)[-1] for u in aws.sqs.list_queues(QueueNamePrefix="man").get("QueueUrls", [])
        ]
        aws.sqs.delete_queue(QueueUrl=url)
        observed.append(
            {
                "same_url": same,
                "conflict": conflict,
                "attributes": {k: v for k, v in all_attributes.items() if not k.endswith("Timestamp")},
                "timestamps": sorted(k for k in all_attributes if k.endswith("Timestamp")),
                "tags": aws.sqs.list_queue_tags(
                    QueueUrl=aws.sqs.get_queue_url(QueueName="other")["QueueUrl"]
                ).get("Tags"),
                "listed": listed,
                "gone": _error(aws.sqs.get_queue_url, QueueName="managed"),
            }
        )
    assert observed[0] == observed[1]
    assert observed[1]["conflict"] == ("QueueAlreadyExists", "QueueNameExists", 400)
    assert observed[1]["gone"] == ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", 400)


def test_bad_requests_get_the_same_error_codes_as_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a queue
        url = aws.sqs.create_queue(QueueName="strict")["QueueUrl"]
        # When a client sends what SQS refuses
        observed.append(
            [
                _error(aws.sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11),
                _error(aws.sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901),
                _error(aws.sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-handle"),
                _error(aws.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Bogus"]),
                _error(
                    aws.sqs.send_message_batch,
                    QueueUrl=url,
                    Entries=[{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}],
                ),
                _error(aws.sqs.send_message, QueueUrl=url.replace("strict", "missing"), MessageBody="x"),
            ]
        )
    # Then botocore raises the same error codes from both
    assert observed[0] == observed[1]
    assert observed[1][2][0] == "ReceiptHandleIsInvalid"


# ---------------------------------------------------------------------- SQS semantics moto lacks
def test_a_batch_keeps_its_good_entries_and_reports_the_bad_one(engine: Aws) -> None:
    # Given a queue
    url = engine.sqs.create_queue(QueueName="batch")["QueueUrl"]
    # When a batch has one entry SQS refuses (an attribute with no value)
    answer = engine.sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "good", "MessageBody": "kept"},
            {
                "Id": "bad",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": ""}},
            },
        ],
    )
    # Then the good one is stored and the bad one is reported, as a sender fault
    assert [e["Id"] for e in answer["Successful"]] == ["good"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in answer["Failed"]] == [
        ("bad", "InvalidParameterValue", True)
    ]
    assert [m["Body"] for m in drain(engine, url)] == ["kept"]


def test_stale_receipt_handles_are_answered_as_sqs_answers(engine: Aws) -> None:
    # Given a message received twice (the first handle is stale) and then deleted
    url = engine.sqs.create_queue(QueueName="stale", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    engine.sqs.send_message(QueueUrl=url, MessageBody="once")
    first = engine.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    second = engine.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert first != second
    # When the stale handle deletes: SQS accepts it but the message, held by its newer receipt, stays
    engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=first)
    assert engine.engine.store.message_count() == 1
    # When the current handle deletes, and deletes again
    engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
    engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
    answer = engine.sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": second}])
    # Then the message is gone from storage, and a repeated delete succeeds as on SQS
    assert engine.engine.store.message_count() == 0
    assert [e["Id"] for e in answer["Successful"]] == ["a"]
    # and changing the visibility of a deleted message is refused as SQS refuses it
    code = _error(
        engine.sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=second, VisibilityTimeout=5
    )
    assert code[0] == "InvalidParameterValue"


def test_a_long_poll_is_woken_by_a_send(engine: Aws) -> None:
    # Given a consumer long-polling an empty queue for up to 20 s
    url = engine.sqs.create_queue(QueueName="wake")["QueueUrl"]
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(
            engine.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages")
        )
    )
    poller.start()
    wait_for(lambda: engine.engine.store.waiting == 1)
    # When a message is sent
    engine.sqs.send_message(QueueUrl=url, MessageBody="wake up")
    # Then the waiting receive returns it at once, long before its 20 s are over
    poller.join(10)
    assert not poller.is_alive()
    assert [m["Body"] for m in got[0]] == ["wake up"]


def test_retention_drops_messages_older_than_the_retention_period(
    engine: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queue keeping messages 60 s, with one message in it
    url = engine.sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    engine.sqs.send_message(QueueUrl=url, MessageBody="old news")
    # When 61 s have passed
    now = sqs_store._now_ms()
    monkeypatch.setattr(sqs_store, "_now_ms", lambda: now + 61_000)
    # Then it is neither counted nor received, and it is gone from storage
    attributes = engine.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert engine.sqs.receive_message(QueueUrl=url).get("Messages") is None
    assert engine.engine.store.message_count() == 0


def test_the_cost_of_a_call_does_not_depend_on_other_queues_or_past_messages(engine: Aws) -> None:
    # Given the queries a receive and a count run
    store = engine.engine.store
    db = store._db
    plans = []
    for sql in (
        "SELECT * FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?",
        "SELECT count(*) FROM messages WHERE queue = ? AND visible_at <= ?",
        "SELECT count(*) FROM messages WHERE queue = ? AND visible_at > ?",
        "DELETE FROM messages WHERE queue = ? AND sent_ms <= ?",
        "SELECT min(visible_at) FROM messages WHERE queue = ?",
    ):
        # When SQLite plans them
        params = (("q", 0, 1) if sql.count("?") == 3 else ("q", 0)) if "min" not in sql else ("q",)
        plans.append(" ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)))
    # Then each reads one queue's range of an index, never the whole table
    for plan in plans:
        assert "USING INDEX messages_" in plan or "USING COVERING INDEX messages_" in plan, plan
        assert "SCAN messages" not in plan, plan


def test_deleted_messages_leave_storage(engine: Aws) -> None:
    # Given 50 messages sent, received and deleted
    url = engine.sqs.create_queue(QueueName="bounded")["QueueUrl"]
    for start in range(0, 50, 10):
        engine.sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)]
        )
    for message in drain(engine, url):
        engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    # Then nothing of them is kept
    assert engine.engine.store.message_count() == 0


# ---------------------------------------------------------------------- durability
def test_a_restart_keeps_queues_and_messages_and_releases_those_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "sqs.sqlite3"
    endpoint = start_engines(path)
    aws = Aws("engine", endpoint.url, endpoint)
    # Given a queue with three messages: one received (in flight for 10 minutes), one deleted, one waiting
    url = aws.sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
    for body in ("in-flight", "deleted", "waiting"):
        aws.sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={"k": ATTRIBUTES["kind"]})
    held = {m["Body"]: m for m in drain(aws, url)}
    aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=held["deleted"]["ReceiptHandle"])
    aws.sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=held["waiting"]["ReceiptHandle"], VisibilityTimeout=0
    )
    endpoint.stop()
    # When the stack starts again on the same file
    endpoint = start_engines(path)
    aws = Aws("engine", endpoint.url, endpoint)
    try:
        url = aws.sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        again = drain(aws, url, AttributeNames=["ApproximateReceiveCount"], MessageAttributeNames=["All"])
        # Then the queue is there with its attributes, the message in flight is back at once (its
        # consumer died with the process), the deleted one is not, and nothing else changed
        assert sorted((m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in again) == [
            ("in-flight", "2"),
            ("waiting", "2"),
        ]
        assert all(m["MessageAttributes"] == {"k": ATTRIBUTES["kind"]} for m in again)
        attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        assert attributes["Attributes"]["VisibilityTimeout"] == "600"
        # and the receipt handle from before the restart no longer deletes the message
        aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=held["in-flight"]["ReceiptHandle"])
        assert aws.engine.store.message_count() == 2
    finally:
        endpoint.stop()


def test_an_accepted_message_survives_a_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "sqs.sqlite3"
    script = f"""
import sys, threading
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "tests" / "integration" / "devstack")!r}]
from tests.integration.devstack.messaging_harness import Aws, start_engines
endpoint = start_engines({str(path)!r})
aws = Aws("engine", endpoint.url, endpoint)
url = aws.sqs.create_queue(QueueName="crash")["QueueUrl"]
answer = aws.sqs.send_message(QueueUrl=url, MessageBody="accepted just before the crash")
print(answer["MessageId"], flush=True)
threading.Event().wait()
"""
    # Given a stack process that answered a SendMessage and is still running
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        message_id = process.stdout.readline().strip()
        assert message_id
        # When it is killed with SIGKILL (no clean shutdown)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    # Then a new stack on the same file delivers the accepted message
    endpoint = start_engines(path)
    try:
        aws = Aws("engine", endpoint.url, endpoint)
        url = aws.sqs.get_queue_url(QueueName="crash")["QueueUrl"]
        assert [(m["MessageId"], m["Body"]) for m in drain(aws, url)] == [
            (message_id, "accepted just before the crash")
        ]
    finally:
        endpoint.stop()


# ---------------------------------------------------------------------- concurrency
def test_concurrent_producers_and_consumers_get_every_message_once(engine: Aws) -> None:
    # Given a queue, 4 producers of 60 messages each and 4 consumers that delete what they get
    url = engine.sqs.create_queue(QueueName="busy", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    expected = {f"p{p}-m{m}" for p in range(4) for m in range(60)}
    seen: list[str] = []
    seen_lock = threading.Lock()
    producing = threading.Event()

    def produce(p: int) -> None:
        for m in range(0, 60, 6):
            if m % 12:
                for i in range(m, m + 6):
                    engine.sqs.send_message(QueueUrl=url, MessageBody=f"p{p}-m{i}")
            else:
                entries = [{"Id": str(i), "MessageBody": f"p{p}-m{i}"} for i in range(m, m + 6)]
                engine.sqs.send_message_batch(QueueUrl=url, Entries=entries)

    def consume() -> None:
        while True:
            with seen_lock:
                if len(seen) >= len(expected):
                    return
            messages = engine.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in messages.get("Messages", []):
                engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                with seen_lock:
                    seen.append(message["Body"])
            if not messages.get("Messages") and producing.is_set():
                with seen_lock:
                    if len(seen) >= len(expected):
                        return

    # When they all run at once
    producers = [threading.Thread(target=produce, args=(p,)) for p in range(4)]
    consumers = [threading.Thread(target=consume) for _ in range(4)]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join(60)
    producing.set()
    for thread in consumers:
        thread.join(60)
    # Then every message was delivered exactly once and nothing is left
    assert not any(thread.is_alive() for thread in consumers)
    assert sorted(seen) == sorted(expected)
    assert engine.engine.store.message_count() == 0


def test_a_visibility_of_zero_gives_each_message_once_per_receive_as_in_moto(sides: list[Aws]) -> None:
    observed = []
    for aws in sides:
        # Given a queue whose messages become visible again at once, holding two messages
        url = aws.sqs.create_queue(QueueName="instant", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        aws.sqs.send_message(QueueUrl=url, MessageBody="one")
        aws.sqs.send_message(QueueUrl=url, MessageBody="two")
        # When a consumer asks for up to ten, twice
        first = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        second = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        observed.append((sorted(m["Body"] for m in first), sorted(m["Body"] for m in second)))
    # Then each receive gives each message once
    assert observed[0] == observed[1]
    assert observed[1] == (["one", "two"], ["one", "two"])
