"""Helpers for the local stack's own tests on the machinery template (tests/integration/local/fixtures):
its items table's stream, its queues."""

from __future__ import annotations

import time
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
