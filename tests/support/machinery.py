"""Helpers for the local stack's own tests on the machinery template (tests/integration/local/fixtures):
its items table's stream, its queues."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from devstack import DevStack


def receive_all(stack: DevStack, queue_logical_id: str, wait: float = 2.0) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    url = stack.ref(queue_logical_id)
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(got)
        if messages and not got:
            break
        time.sleep(0.05)
    return messages


def put_item(stack: DevStack, pk: str, sk: str = "CURRENT", mode: str = "ok") -> None:
    stack.client("dynamodb").put_item(
        TableName=stack.ref("ItemsTable"), Item={"pk": {"S": pk}, "sk": {"S": sk}, "mode": {"S": mode}}
    )


def stream_deliveries(stack: DevStack, run: str) -> list[list[str]]:
    """The pks of each StreamFunction invocation's records that belong to this test run."""
    batches = []
    for call in stack.history:
        if call.function == "StreamFunction":
            pks = [r["dynamodb"]["Keys"]["pk"]["S"] for r in call.event["Records"]]
            mine = [pk for pk in pks if pk.startswith(run)]
            if mine:
                batches.append(mine)
    return batches


def queue_deliveries(stack: DevStack, function: str, run: str) -> list[list[str]]:
    """The bodies of each SQS invocation of `function` that carried a message of this test run."""
    return [
        [r["body"] for r in call.event["Records"]]
        for call in stack.history
        if call.function == function and any(r["body"].startswith(run) for r in call.event["Records"])
    ]


def in_flight(stack: DevStack, queue_logical_id: str) -> int:
    """Messages of the queue received and not yet deleted (ApproximateNumberOfMessagesNotVisible)."""
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.ref(queue_logical_id), AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesNotVisible"])


def one_time_schedule(stack: DevStack, name: str, at: datetime, target_arn: str, **options: Any) -> None:
    """An EventBridge Scheduler one-time schedule in the template's ReleaseGroup, deleted once it ran
    (`options`: more create_schedule parameters, e.g. the target's Input)."""
    stack.client("scheduler").create_schedule(
        Name=name,
        GroupName=stack.ref("ReleaseGroup"),
        ScheduleExpression=f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": target_arn,
            "RoleArn": "arn:aws:iam::123456789012:role/x",
            **options.pop("Target", {}),
        },
        **options,
    )
