"""Batch writes to DynamoDB and SQS answer 200 while leaving some entries out: those are sent again,
and what is never taken is an error, never a silent loss (fake clients; backoff not waited out)."""

from __future__ import annotations

from typing import Any

import pytest

from boletin.repositories.dynamo import batch_write
from boletin.repositories.messaging import SendQueue


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("boletin.aws.time.sleep", lambda _: None)


class FlakyQueue:
    """SQS that fails message Id "1" of each batch `failures` times, then takes everything."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.taken: list[str] = []
        self.calls = 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        failed = [e for e in Entries if e["Id"] == "1" and self.failures > 0]
        if failed:
            self.failures -= 1
        self.taken += [e["MessageBody"] for e in Entries if e not in failed]
        return {"Failed": [{"Id": e["Id"]} for e in failed]}


def test_a_message_the_queue_did_not_take_is_sent_again_once_and_only_it() -> None:
    # Given a queue that leaves one message of the batch out once
    queue = FlakyQueue(failures=1)
    # When three messages are sent
    calls = SendQueue("https://sqs/send", client=queue).send([{"n": 1}, {"n": 2}, {"n": 3}])
    # Then each is taken exactly once, in two calls
    assert sorted(queue.taken) == ['{"n":1}', '{"n":2}', '{"n":3}']
    assert calls == queue.calls == 2


def test_a_message_the_queue_never_takes_is_an_error() -> None:
    queue = FlakyQueue(failures=99)
    with pytest.raises(RuntimeError, match="1 message"):
        SendQueue("https://sqs/send", client=queue).send([{"n": 1}, {"n": 2}])
    assert queue.calls == 5


class ThrottledTable:
    """DynamoDB that leaves the last item of each batch unprocessed `failures` times."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: list[dict[str, Any]] = []

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:  # noqa: N803
        ((table, batch),) = RequestItems.items()
        left = batch[-1:] if self.failures > 0 else []
        self.failures -= bool(left)
        self.written += [r for r in batch if r not in left]
        return {"UnprocessedItems": {table: left}} if left else {}


def test_unprocessed_writes_are_resent_in_batches_of_25() -> None:
    # Given 30 writes and a table that throttles the last of each batch twice
    table = ThrottledTable(failures=2)
    requests = [{"PutRequest": {"Item": {"pk": {"S": str(n)}}}} for n in range(30)]
    # When they are written / Then every one is written once: 25 + 5, each batch's straggler resent
    calls = batch_write(table, "index", requests)
    assert sorted(r["PutRequest"]["Item"]["pk"]["S"] for r in table.written) == sorted(
        str(n) for n in range(30)
    )
    assert calls == 4


def test_writes_that_stay_unprocessed_are_an_error() -> None:
    with pytest.raises(RuntimeError, match="stayed unprocessed"):
        batch_write(ThrottledTable(failures=99), "index", [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}])
