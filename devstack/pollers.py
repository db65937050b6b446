"""Event sources, as Lambda's event source mappings and the schedulers run them, in background threads.

Every poller is built from a function's `Events` in the template (`Type: DynamoDB`, `SQS`, `Schedule`,
`ScheduleV2`), so a new consumer in the template is polled with no change here. Each one can say
whether it is drained (`is_drained`), which `DevStack.wait_until_idle` relies on.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from devstack.aws.scheduler import at_time
from devstack.functions import FunctionRegistry

__all__ = [
    "AsyncInvocation",
    "Poller",
    "ScheduleRunner",
    "SchedulerPoller",
    "SesEventPublisher",
    "SqsPoller",
    "StreamPoller",
]

logger = logging.getLogger("local_stack")

Client = Callable[[str], Any]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _pattern_matcher(filter_criteria: Any) -> Callable[[dict[str, Any]], bool] | None:
    """Lambda's FilterCriteria with moto's EventBridge pattern matcher (a record passes if any filter
    matches)."""
    filters = (filter_criteria or {}).get("Filters") or []
    if not filters:
        return None
    from moto.events.models import EventPattern

    patterns = [
        EventPattern.load(f["Pattern"] if isinstance(f["Pattern"], str) else json.dumps(f["Pattern"]))
        for f in filters
    ]
    return lambda record: any(pattern.matches_event(cast(Any, record)) for pattern in patterns)


@dataclass
class Poller:
    """A background loop: `poll_once()` returns True when it did work (then it polls again at once)."""

    name: str
    interval: float = 0.2
    busy: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _paused: bool = False
    _poll_lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"local-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def pause(self) -> None:
        """Stop polling after the current poll (returns once it is over)."""
        self._paused = True
        with self._poll_lock:
            pass

    def resume(self) -> None:
        self._paused = False

    def _run(self) -> None:
        while not self._stop.is_set():
            did_work = False
            with self._poll_lock:
                if not self._paused:
                    try:
                        did_work = self.poll_once()
                    except Exception:
                        logger.exception("%s: poll failed", self.name)
            if not did_work:
                self._stop.wait(0.02 if self._paused else self.interval)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def is_drained(self) -> bool:
        raise NotImplementedError


# ---------------------------------------------------------------------- event source mappings
@dataclass
class EventSourcePoller(Poller):
    """What every event source mapping knows: the function it feeds and the template's properties."""

    registry: FunctionRegistry = field(default_factory=FunctionRegistry)
    function: str = ""
    client: Client = field(default=lambda _service: None)
    region: str = "us-east-1"
    properties: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------- DynamoDB streams
@dataclass
class StreamPoller(EventSourcePoller):
    """One function's DynamoDB stream event source mapping, with Lambda's error handling: partial batch
    responses (retry from the first failed record), BisectBatchOnFunctionError, MaximumRetryAttempts per
    record, MaximumRecordAgeInSeconds and an SQS on-failure destination."""

    stream_arn: str = ""
    retry_delay: float = 0.05
    _iterators: dict[str, str | None] = field(default_factory=dict)
    _buffer: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _attempts: dict[str, int] = field(default_factory=dict)
    _last_sequence: dict[str, str] = field(default_factory=dict)
    _matches: Callable[[dict[str, Any]], bool] | None = None
    # Where the mapping's position is kept across restarts (None: not kept, StartingPosition applies),
    # and who is told after each checkpoint (the stack trims what every consumer has passed).
    checkpoint_path: Path | None = None
    on_checkpoint: Callable[[StreamPoller], None] | None = None
    checkpoints: dict[str, str] = field(default_factory=dict)
    _interrupted: bool = False

    def __post_init__(self) -> None:
        self.batch_size = int(self.properties.get("BatchSize", 100))
        self.max_retries = int(self.properties.get("MaximumRetryAttempts", -1))
        self.max_age = int(self.properties.get("MaximumRecordAgeInSeconds", -1))
        self.bisect = bool(self.properties.get("BisectBatchOnFunctionError", False))
        self.partial = "ReportBatchItemFailures" in (self.properties.get("FunctionResponseTypes") or [])
        self.starting_position = str(self.properties.get("StartingPosition", "LATEST"))
        on_failure = ((self.properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        self.on_failure: str | None = on_failure
        self._matches = _pattern_matcher(self.properties.get("FilterCriteria"))
        if self.properties.get("Enabled") is False:
            self.interval = 3600.0
        self._streams = self.client("dynamodbstreams")
        self._init_iterators()

    def _init_iterators(self) -> None:
        """Resume after the checkpoint when there is one; a kept mapping without one (a new stack)
        starts at TRIM_HORIZON, so nothing written before the poller started is missed."""
        if self.checkpoint_path is not None:
            self.checkpoints = self._read_checkpoint()
            self.starting_position = "TRIM_HORIZON"
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            kind = "TRIM_HORIZON" if self.starting_position == "TRIM_HORIZON" else "LATEST"
            if shard_id in self.checkpoints:
                try:
                    self._iterators[shard_id] = self._iterator_after(shard_id, self.checkpoints[shard_id])
                    self._last_sequence[shard_id] = self.checkpoints[shard_id]
                    continue
                except self._streams.exceptions.TrimmedDataAccessException:
                    logger.warning("%s: records past the checkpoint were trimmed (24 h)", self.function)
            self._iterators[shard_id] = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind
            )["ShardIterator"]

    def _read_checkpoint(self) -> dict[str, str]:
        assert self.checkpoint_path is not None
        try:
            saved = json.loads(self.checkpoint_path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(saved, dict) or saved.get("stream_arn") != self.stream_arn:
            return {}  # another stream (the table was recreated): start afresh
        return {str(k): str(v) for k, v in (saved.get("shards") or {}).items()}

    def _checkpoint(self, shard_id: str, sequence: str) -> None:
        """Keep `sequence` as passed (its batch succeeded, was filtered out or sent on failure)."""
        self.checkpoints[shard_id] = sequence
        if self.checkpoint_path is None:
            return
        self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.checkpoint_path.with_suffix(".tmp")
        with temporary.open("w") as out:
            json.dump({"stream_arn": self.stream_arn, "shards": self.checkpoints}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.checkpoint_path)
        if self.on_checkpoint is not None:
            self.on_checkpoint(self)

    def _fetch(self) -> None:
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = response.get("NextShardIterator")
            if not response.get("Records") and shard_id in self._last_sequence:
                # moto can hand out a NextShardIterator past a record that a concurrent write (a
                # transaction) was still appending; re-anchoring on the last sequence read loses nothing.
                self._iterators[shard_id] = self._iterator_after(shard_id, self._last_sequence[shard_id])
            for record in response.get("Records", []):
                self._last_sequence[shard_id] = record["dynamodb"]["SequenceNumber"]
                self._buffer.append((shard_id, self._lambda_record(record)))

    def _iterator_after(self, shard_id: str, sequence: str) -> str:
        """A shard iterator that starts just after the record `sequence` names."""
        return str(
            self._streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=sequence,
            )["ShardIterator"]
        )

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as Lambda delivers it: epoch-seconds creation time and the eventSourceARN."""
        shaped: dict[str, Any] = json.loads(json.dumps(record, default=str))
        created = record["dynamodb"].get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            shaped["dynamodb"]["ApproximateCreationDateTime"] = float(int(created.timestamp()))
        shaped.setdefault("awsRegion", self.region)
        shaped["eventSourceARN"] = self.stream_arn
        return shaped

    def is_drained(self) -> bool:
        if self.busy or self._buffer:
            return False
        for shard_id in self._iterators:
            kind, sequence = (
                ("AFTER_SEQUENCE_NUMBER", self._last_sequence[shard_id])
                if shard_id in self._last_sequence
                else ("TRIM_HORIZON", None)
            )
            if kind == "TRIM_HORIZON" and self.starting_position != "TRIM_HORIZON":
                continue  # LATEST with nothing read yet: nothing to wait for
            kwargs: dict[str, Any] = {
                "StreamArn": self.stream_arn,
                "ShardId": shard_id,
                "ShardIteratorType": kind,
            }
            if sequence:
                kwargs["SequenceNumber"] = sequence
            probe = self._streams.get_shard_iterator(**kwargs)["ShardIterator"]
            if self._streams.get_records(ShardIterator=probe, Limit=1).get("Records"):
                return False
        return True

    def poll_once(self) -> bool:
        self.busy = True
        try:
            self._fetch()
            if not self._buffer:
                return False
            self.registry.touch()
            shard_id = self._buffer[0][0]
            batch = [record for shard, record in self._buffer[: self.batch_size] if shard == shard_id]
            del self._buffer[: len(batch)]
            last = batch[-1]["dynamodb"]["SequenceNumber"]
            self._interrupted = False
            batch = self._drop_old(shard_id, batch)
            if self._matches is not None:
                batch = [record for record in batch if self._matches(record)]
            if batch:
                self._run_batch(shard_id, batch)
            if not self._interrupted:
                self._checkpoint(shard_id, last)
            return True
        finally:
            self.busy = False

    def _drop_old(self, shard_id: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.max_age < 0:
            return batch
        now = time.time()
        fresh = [
            r
            for r in batch
            if now - float(r["dynamodb"].get("ApproximateCreationDateTime", now)) <= self.max_age
        ]
        old = [r for r in batch if r not in fresh]
        if old:
            self._give_up(shard_id, old, "RecordAgeExceeded", None)
        return fresh

    def _run_batch(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        """Deliver `batch` until every record succeeded or was given up."""
        while batch and not self._stop.is_set():
            error: str | None = None
            failed_from: int | None = None
            try:
                result = self.registry.invoke(self.function, {"Records": batch}, source="dynamodb stream")
            except Exception as raised:
                error = f"{type(raised).__name__}: {raised}"
            else:
                if self.partial:
                    failed_from = self._first_failure(batch, result)
                    if failed_from == -1:
                        failed_from, error = None, "invalid batchItemFailures response"
                if failed_from is None and error is None:
                    self._forget(batch)
                    return
            if error is not None and self.bisect and len(batch) > 1:
                half = len(batch) // 2  # a split does not count as a retry
                self._run_batch(shard_id, batch[:half])
                self._run_batch(shard_id, batch[half:])
                return
            if failed_from:
                self._forget(batch[:failed_from])
                batch = batch[failed_from:]
            head = batch[0]["dynamodb"]["SequenceNumber"]
            self._attempts[head] = self._attempts.get(head, 0) + 1
            if 0 <= self.max_retries < self._attempts[head]:
                self._give_up(shard_id, batch, "RetryAttemptsExhausted", error or "partial batch failure")
                return
            self._stop.wait(self.retry_delay)
        if batch:
            self._interrupted = True  # stopped mid-batch: not passed, delivered again after a restart

    @staticmethod
    def _listed_failures(result: Any) -> list[Any]:
        return list((result or {}).get("batchItemFailures") or []) if isinstance(result, dict) else []

    def _first_failure(self, batch: list[dict[str, Any]], result: Any) -> int | None:
        """Index of the first failed record, -1 for an invalid response (a failure of the whole batch, as
        in Lambda), None if everything succeeded."""
        failures = self._listed_failures(result)
        if not failures:
            return None
        sequences = [record["dynamodb"]["SequenceNumber"] for record in batch]
        indexes = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in sequences:
                return -1
            indexes.append(sequences.index(identifier))
        return min(indexes)

    def _forget(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self._attempts.pop(record["dynamodb"]["SequenceNumber"], None)

    def _give_up(self, shard_id: str, batch: list[dict[str, Any]], condition: str, error: str | None) -> None:
        first, last = batch[0], batch[-1]
        logger.warning(
            "%s: giving up %d stream record(s) %s..%s (%s)",
            self.function,
            len(batch),
            first["dynamodb"]["SequenceNumber"],
            last["dynamodb"]["SequenceNumber"],
            condition,
        )
        self._forget(batch)
        if not self.on_failure:
            return
        function = self.registry.get(self.function)

        def arrival(record: dict[str, Any]) -> str:
            created = float(record["dynamodb"].get("ApproximateCreationDateTime", time.time()))
            return datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        invocation_record = _invocation_record(
            function.arn,
            condition,
            attempts=self._attempts.get(first["dynamodb"]["SequenceNumber"], 0) + 1,
            failed=bool(error),
        )
        invocation_record["DDBStreamBatchInfo"] = {
            "shardId": shard_id,
            "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": arrival(first),
            "approximateArrivalOfLastRecord": arrival(last),
            "batchSize": len(batch),
            "streamArn": self.stream_arn,
        }
        _send_to_arn(self.client, self.on_failure, json.dumps(invocation_record))


def _invocation_record(function_arn: str, condition: str, *, attempts: int, failed: bool) -> dict[str, Any]:
    """The common part of the record Lambda sends to an on-failure destination."""
    return {
        "version": "1.0",
        "timestamp": _iso(datetime.now(UTC)),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled" if failed else None,
        },
    }


def _queue_url(client: Client, arn: str) -> str:
    name = arn.rsplit(":", 1)[-1]
    account = arn.split(":")[4]
    return str(client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def _send_to_arn(client: Client, arn: str, body: str) -> None:
    if ":sqs:" in arn:
        client("sqs").send_message(QueueUrl=_queue_url(client, arn), MessageBody=body)
    elif ":sns:" in arn:
        client("sns").publish(TopicArn=arn, Message=body)
    else:
        logger.error("destination %s is not an SQS queue or SNS topic: dropped %s", arn, body[:200])


# ---------------------------------------------------------------------- SQS
@dataclass
class SqsPoller(EventSourcePoller):
    """One function's SQS event source mapping. Failed messages are made visible again after
    `retry_visibility` seconds (1 s locally, instead of the queue's full visibility timeout), so their
    retries and the queue's redrive to its DLQ after maxReceiveCount happen at local speed."""

    queue_arn: str = ""
    retry_visibility: int = 1
    wait_seconds: int = 1
    environment: int = 0  # the function's execution environment this poller invokes (one each)

    def __post_init__(self) -> None:
        self.batch_size = int(self.properties.get("BatchSize", 10))
        self.batching_window = float(self.properties.get("MaximumBatchingWindowInSeconds", 0))
        self.partial = "ReportBatchItemFailures" in (self.properties.get("FunctionResponseTypes") or [])
        self._matches = _pattern_matcher(self.properties.get("FilterCriteria"))
        self._sqs = self.client("sqs")
        self.queue_url = _queue_url(self.client, self.queue_arn)
        if self.properties.get("Enabled") is False:
            self.interval = 3600.0

    def is_drained(self) -> bool:
        if self.busy:
            return False
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attributes = self._sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)[
            "Attributes"
        ]
        return not any(int(attributes.get(name, 0)) for name in names)

    def _receive(self) -> list[dict[str, Any]]:
        """One batch, as Lambda's poller gathers it: up to BatchSize messages, 10 per ReceiveMessage;
        with MaximumBatchingWindowInSeconds it keeps gathering that long after the first message
        (a burst then costs one invocation, not one per message); without, it takes what is there."""
        messages: list[dict[str, Any]] = []
        deadline = 0.0
        while len(messages) < self.batch_size and not self._stop.is_set():
            if not messages:
                wait = self.wait_seconds
            else:
                remaining = deadline - time.monotonic()
                if self.batching_window > 0 and remaining <= 0:
                    break
                # Long polls are whole seconds, and short enough for a stop to be seen at once.
                wait = min(1, int(remaining)) if self.batching_window > 0 else 0
            response = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
            )
            received = response.get("Messages", [])
            if received:
                if not messages:
                    deadline = time.monotonic() + self.batching_window
                messages.extend(received)
            elif not messages or self.batching_window <= 0:
                break
            elif wait == 0:  # under a second of the window left: look again shortly
                self._stop.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return messages

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {}
        for name, value in (message.get("MessageAttributes") or {}).items():
            attribute: dict[str, Any] = {
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
            if "StringValue" in value:
                attribute["stringValue"] = value["StringValue"]
            if "BinaryValue" in value:
                attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
            attributes[name] = attribute
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes") or {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    def _filtered(self, record: dict[str, Any]) -> bool:
        if self._matches is None:
            return True
        probe = dict(record)
        with contextlib.suppress(ValueError):
            probe["body"] = json.loads(record["body"])
        return self._matches(probe)

    def poll_once(self) -> bool:
        messages = self._receive()
        if not messages:
            return False
        self.busy = True
        try:
            self.registry.touch()
            records = [self._record(message) for message in messages]
            dropped = [record for record in records if not self._filtered(record)]
            records = [record for record in records if record not in dropped]
            self._delete(dropped)
            if not records:
                return True
            failed: list[dict[str, Any]]
            try:
                result = self.registry.invoke(
                    self.function, {"Records": records}, source="sqs", environment=self.environment
                )
            except Exception:
                failed = records
            else:
                failed = self._failures(records, result) if self.partial else []
            self._delete([record for record in records if record not in failed])
            self._retry_soon(failed)
            return True
        finally:
            self.busy = False

    @staticmethod
    def _failures(records: list[dict[str, Any]], result: Any) -> list[dict[str, Any]]:
        listed = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
        if not listed:
            return []
        by_id = {record["messageId"]: record for record in records}
        failed = []
        for failure in listed:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in by_id:
                return records  # an invalid response fails the whole batch, as in Lambda
            failed.append(by_id[identifier])
        return failed

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )

    def _retry_soon(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": r["receiptHandle"],
                        "VisibilityTimeout": self.retry_visibility,
                    }
                    for i, r in enumerate(chunk)
                ],
            )


# ---------------------------------------------------------------------- schedules
@dataclass(frozen=True)
class AsyncInvocation:
    """A function's asynchronous invocation config (EventInvokeConfig): `retries` more attempts, then
    an invocation record goes to its on-failure destination, if it has one."""

    retries: int = 2
    on_failure_arn: str | None = None


@dataclass
class ScheduleRunner(Poller):
    """The template's `Schedule`/`ScheduleV2` events: run on demand (`run(function)`, behind
    `POST /_local/schedules/<id>`), or every `every` seconds when LOCAL_SCHEDULE_SECONDS is set.

    Scheduled invocations are asynchronous, as on Lambda: a failed one is retried with the same event,
    and when the retries are spent an invocation record goes to the function's on-failure
    destination. (Lambda waits a minute or two between attempts; here they follow at once.)"""

    registry: FunctionRegistry = field(default_factory=FunctionRegistry)
    schedules: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # function -> event -> spec
    asynchronous: dict[str, AsyncInvocation] = field(default_factory=dict)  # function -> its config
    client: Client = field(default=lambda _service: None)
    region: str = "us-east-1"
    account: str = "123456789012"
    rule_prefix: str = "boletin-local"
    every: float = 0.0
    _last: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.interval = min(self.every, 1.0) if self.every > 0 else 3600.0

    def event_for(
        self,
        function: str,
        event_name: str,
        spec: dict[str, Any],
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Any:
        properties = spec.get("Properties") or {}
        if "Input" in properties:
            raw = properties["Input"]
            return json.loads(raw) if isinstance(raw, str) else raw
        if spec.get("Type") == "ScheduleV2":
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account,
            "time": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [
                f"arn:aws:events:{self.region}:{self.account}:rule/{self.rule_prefix}-{function}{event_name}"
            ],
            "detail": dict(detail or {}),
        }

    def run(
        self, function: str, detail: dict[str, Any] | None = None, *, at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Run every schedule of `function` now; each result (or error) in order. `detail` goes into the
        Scheduled Event's detail (local runs only: AWS always sends `{}`); `at` is its time (now if None)."""
        if function not in self.schedules:
            raise KeyError(function)
        config = self.asynchronous.get(function, AsyncInvocation())
        outcomes = []
        for event_name, spec in self.schedules[function].items():
            event = self.event_for(function, event_name, spec, detail, at)
            attempts = 1 + config.retries
            for attempt in range(attempts):
                try:
                    result = self.registry.invoke(function, event, source=f"schedule {event_name}")
                except Exception as error:
                    failure = error
                    logger.warning("%s.%s: attempt %d failed: %s", function, event_name, attempt + 1, error)
                else:
                    outcomes.append({"event": event_name, "result": result})
                    break
            else:
                sent = self._on_failure(function, config, event, failure, attempts)
                reason = f"{type(failure).__name__}: {failure}"
                outcomes.append({"event": event_name, "error": reason, "dead_lettered": sent})
        return outcomes

    def _on_failure(
        self, function: str, config: AsyncInvocation, event: Any, error: Exception, attempts: int
    ) -> bool:
        """Lambda's invocation record for an asynchronous invocation that failed for good."""
        if config.on_failure_arn is None:
            return False
        record = _invocation_record(
            self.registry.get(function).arn, "RetriesExhausted", attempts=attempts, failed=True
        )
        record["requestPayload"] = event
        record["responsePayload"] = {"errorMessage": str(error), "errorType": type(error).__name__}
        _send_to_arn(self.client, config.on_failure_arn, json.dumps(record))
        return True

    def poll_once(self) -> bool:
        if self.every <= 0 or time.monotonic() - self._last < self.every:
            return False
        self._last = time.monotonic()
        for function in self.schedules:
            self.run(function)
        return False

    def is_drained(self) -> bool:
        return True


@dataclass
class SchedulerPoller(Poller):
    """EventBridge Scheduler one-time schedules (`at(...)`) created at run time: when one is due, its
    target (a function of the template, an SQS queue or an event bus) gets its Input once; then the
    schedule is deleted if its ActionAfterCompletion is DELETE."""

    registry: FunctionRegistry = field(default_factory=FunctionRegistry)
    client: Client = field(default=lambda _service: None)
    groups: list[str] = field(default_factory=list)
    # The local Scheduler engine (devstack.aws.scheduler): when given, due schedules come from its
    # index on their moment, so a poll costs what is due, not what is scheduled.
    engine: Any = None
    interval: float = 0.25
    _details: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    _fired: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._scheduler = self.client("scheduler")

    def _due(self) -> list[dict[str, Any]]:
        if self.engine is not None:
            return [
                schedule
                for schedule in self.engine.due(datetime.now(UTC))
                if (not self.groups or schedule.get("GroupName") in self.groups)
                and (schedule.get("GroupName") or "default", schedule["Name"]) not in self._fired
            ]
        due = []
        summaries: list[dict[str, Any]] = []
        paginator = self._scheduler.get_paginator("list_schedules")
        for page in paginator.paginate():
            summaries.extend(page.get("Schedules", []))
        now = datetime.now(UTC)
        for summary in summaries:
            group, name = summary.get("GroupName") or "default", summary["Name"]
            if self.groups and group not in self.groups:
                continue
            key = (group, name)
            if key in self._fired or summary.get("State") == "DISABLED":
                continue
            cached = self._details.get(key)
            if cached is None or cached[0] != summary.get("LastModificationDate"):
                try:
                    detail = self._scheduler.get_schedule(Name=name, GroupName=group)
                except self._scheduler.exceptions.ResourceNotFoundException:
                    # Listed, then deleted by the poller's own thread after it fired (is_drained
                    # runs on the caller's thread): nothing is due any more.
                    continue
                cached = (summary.get("LastModificationDate"), detail)
                self._details[key] = cached
            detail = cached[1]
            at = at_time(str(detail.get("ScheduleExpression", "")), detail.get("ScheduleExpressionTimezone"))
            if at is not None and at <= now:
                due.append(detail)
        return due

    def poll_once(self) -> bool:
        due = self._due()
        if not due:
            return False
        self.busy = True
        try:
            for schedule in due:
                self._fire(schedule)
            return True
        finally:
            self.busy = False

    def _fire(self, schedule: dict[str, Any]) -> None:
        group, name = schedule.get("GroupName") or "default", schedule["Name"]
        target = schedule.get("Target") or {}
        arn = str(target.get("Arn", ""))
        payload = target.get("Input") or "{}"
        self._fired.add((group, name))
        self.registry.touch()
        logger.info("schedule %s/%s is due: delivering to %s", group, name, arn)
        try:
            if ":lambda:" in arn:
                function = self.registry.by_arn(arn)
                if function is None:
                    raise LookupError(f"no function of the template has the ARN {arn}")
                self.registry.invoke(function.logical_id, json.loads(payload), source=f"schedule {name}")
            elif ":events:" in arn:
                parameters = target.get("EventBridgeParameters") or {}
                self.client("events").put_events(
                    Entries=[
                        {
                            "EventBusName": arn,
                            "Source": parameters.get("Source", "aws.scheduler"),
                            "DetailType": parameters.get("DetailType", "Scheduled Event"),
                            "Detail": payload,
                        }
                    ]
                )
            else:
                kwargs: dict[str, Any] = {}
                group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
                if group_id:
                    kwargs["MessageGroupId"] = group_id
                self.client("sqs").send_message(
                    QueueUrl=_queue_url(self.client, arn), MessageBody=payload, **kwargs
                )
        except Exception:
            logger.exception("schedule %s/%s: delivery to %s failed", group, name, arn)
        if schedule.get("ActionAfterCompletion") != "DELETE" and self.engine is not None:
            self.engine.mark_fired(group, name)  # a one-time schedule fires once, restarts included
        if schedule.get("ActionAfterCompletion") == "DELETE":
            try:
                self._scheduler.delete_schedule(Name=name, GroupName=group)
            except Exception:
                logger.exception("schedule %s/%s: could not delete it", group, name)
            self._fired.discard((group, name))
            self._details.pop((group, name), None)

    def is_drained(self) -> bool:
        # busy is read after the listing: a schedule the poller's thread is firing meanwhile is
        # skipped by _due (it is in _fired) but the poller is busy until it has been delivered.
        due = self._due()
        return not due and not self.busy


# ---------------------------------------------------------------------- SES events
@dataclass
class SesEventPublisher(Poller):
    """Publishes SES's Send events, which the SES engine journals as it accepts each email (its
    outbox file is written by then), to the SNS topics of the email's configuration set, as AWS
    does a moment after the send; a restart publishes what was journalled and not yet published."""

    engine: Any = None  # devstack.aws.ses.SesEngine
    client: Client = field(default=lambda _service: None)
    send_event_topics: dict[str, list[str]] = field(default_factory=dict)

    def poll_once(self) -> bool:
        pending = self.engine.pending_events()
        for event_id, configuration_set, event in pending:
            for topic in self.send_event_topics.get(configuration_set, []):
                self.client("sns").publish(TopicArn=topic, Message=json.dumps(event))
            self.engine.published(event_id)
        return bool(pending)

    def is_drained(self) -> bool:
        return not self.engine.has_pending_events()
