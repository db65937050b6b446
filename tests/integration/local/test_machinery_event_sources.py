"""Event sources as Lambda runs them: the DynamoDB stream (filters, partial failures, bisect, retries,
on-failure queue), SQS (partial batch failures, redrive), schedules and EventBridge Scheduler."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from devstack import DevStack
from tests.support.http import Fetch
from tests.support.machinery import (
    in_flight,
    one_time_schedule,
    put_item,
    queue_deliveries,
    receive_all,
    stream_deliveries,
)
from tests.support.waiting import wait_for


# ---------------------------------------------------------------------- DynamoDB stream
def test_a_stream_record_reaches_the_function_in_lambdas_shape(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    put_item(machinery, f"{run}-a")
    machinery.wait_until_idle(5)
    call = next(c for c in machinery.history if c.function == "StreamFunction" and run in json.dumps(c.event))
    [record] = call.event["Records"]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventVersion"] == "1.1"  # as DynamoDB Streams and the events/ samples say
    assert record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == machinery.getatt("ItemsTable", "StreamArn")
    assert record["dynamodb"]["Keys"] == {"pk": {"S": f"{run}-a"}, "sk": {"S": "CURRENT"}}
    assert record["dynamodb"]["NewImage"]["mode"] == {"S": "ok"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
    assert record["dynamodb"]["SequenceNumber"]
    assert call.error is None


def test_records_the_filter_criteria_reject_never_reach_the_function(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    put_item(machinery, f"{run}-version", sk="VERSION#1")
    put_item(machinery, f"{run}-current")
    machinery.wait_until_idle(5)
    assert stream_deliveries(machinery, run) == [[f"{run}-current"]]


def test_a_poison_record_is_bisected_out_retried_and_sent_to_the_on_failure_queue(
    machinery: DevStack,
) -> None:
    # Given four records in one batch, the third of which makes the function raise
    run = uuid.uuid4().hex[:8]
    names = [f"{run}-{i}" for i in range(4)]
    with machinery.paused():
        for i, name in enumerate(names):
            put_item(machinery, name, mode="raise" if i == 2 else "ok")
    machinery.wait_until_idle(10)

    # Then the batch was split until the poison record was alone; the good ones were processed once alone
    batches = stream_deliveries(machinery, run)
    assert (
        batches
        == [
            names,  # the whole batch fails
            names[:2],  # first half: fine
            names[2:],  # second half fails
            [names[2]],  # the poison record alone: 1 + MaximumRetryAttempts (2) tries (a split is no retry)
            [names[2]],
            [names[2]],
            [names[3]],  # the rest of the second half, after the poison record was given up
        ]
    )
    # ...and the on-failure queue got an invocation record for it
    [failure] = [json.loads(m["Body"]) for m in receive_all(machinery, "StreamFailures")]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["functionArn"] == machinery.functions["StreamFunction"].arn
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == machinery.getatt("ItemsTable", "StreamArn")
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == _sequence_of(machinery, names[2])
    # And later records still flow
    put_item(machinery, f"{run}-after")
    machinery.wait_until_idle(5)
    assert stream_deliveries(machinery, run)[-1] == [f"{run}-after"]


def test_a_reported_item_failure_retries_from_that_record(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    names = [f"{run}-{i}" for i in range(3)]
    with machinery.paused():
        put_item(machinery, names[0])
        put_item(machinery, names[1], mode="report")
        put_item(machinery, names[2])
    machinery.wait_until_idle(10)
    batches = stream_deliveries(machinery, run)
    # The first delivery had all three; each of the MaximumRetryAttempts (2) retries starts at the failed
    # record, so the first record is never delivered again
    assert batches == [names, names[1:], names[1:]]
    [failure] = [json.loads(m["Body"]) for m in receive_all(machinery, "StreamFailures")]
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == _sequence_of(machinery, names[1])
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2


def test_an_injected_failure_is_retried_and_then_succeeds(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    machinery.fail_next("StreamFunction", times=1)
    put_item(machinery, f"{run}-x")
    machinery.wait_until_idle(5)
    calls = [c for c in machinery.history if c.function == "StreamFunction" and run in json.dumps(c.event)]
    assert [c.error is None for c in calls] == [False, True]
    assert receive_all(machinery, "StreamFailures", wait=0.3) == []


def _sequence_of(stack: DevStack, pk: str) -> str:
    for call in stack.history:
        for record in call.event.get("Records", []) if isinstance(call.event, dict) else []:
            if record.get("dynamodb", {}).get("Keys", {}).get("pk", {}).get("S") == pk:
                return str(record["dynamodb"]["SequenceNumber"])
    raise AssertionError(f"no record for {pk}")


# ---------------------------------------------------------------------- SQS
def test_a_partial_batch_failure_leaves_only_the_failed_message_which_ends_in_the_dlq(
    machinery: DevStack,
) -> None:
    # Given three messages, one of which the function reports as failed
    sqs = machinery.client("sqs")
    run = uuid.uuid4().hex[:8]
    sqs.send_message_batch(
        QueueUrl=machinery.ref("WorkQueue"),
        Entries=[
            {"Id": "1", "MessageBody": f"{run} good 1"},
            {"Id": "2", "MessageBody": f"{run} fail"},
            {"Id": "3", "MessageBody": f"{run} good 2"},
        ],
    )
    # When the queue's consumer has run until the queue is empty
    machinery.wait_until_idle(15)
    # Then the good messages were delivered once, the failed one until maxReceiveCount (2), then the DLQ
    batches = queue_deliveries(machinery, "QueueFunction", run)
    bodies = [body for batch in batches for body in batch if body.startswith(run)]
    assert sorted(bodies) == sorted([f"{run} good 1", f"{run} good 2", f"{run} fail", f"{run} fail"])
    dead = receive_all(machinery, "WorkDLQ")
    assert [m["Body"] for m in dead] == [f"{run} fail"]


def test_sqs_records_have_lambdas_shape(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    machinery.client("sqs").send_message(
        QueueUrl=machinery.ref("WorkQueue"),
        MessageBody=f"{run} shape",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )
    machinery.wait_until_idle(5)
    record = next(
        r
        for c in machinery.history
        if c.function == "QueueFunction"
        for r in c.event["Records"]
        if r["body"] == f"{run} shape"
    )
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == machinery.getatt("WorkQueue", "Arn")
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "test"
    assert record["md5OfBody"]
    assert record["receiptHandle"]


def test_a_mapping_with_maximum_concurrency_2_runs_two_batches_at_once_in_two_environments(
    machinery: DevStack, tmp_path: Path
) -> None:
    # Given a batch of the WorkQueue (MaximumConcurrency 2) that holds its invocation until released
    sqs, run, release = machinery.client("sqs"), uuid.uuid4().hex[:8], tmp_path / "release"
    sqs.send_message(QueueUrl=machinery.ref("WorkQueue"), MessageBody=f"{run} hold {release}")
    wait_for(lambda: machinery.registry.in_flight >= 1)
    # When another message comes while it is held
    sqs.send_message(QueueUrl=machinery.ref("WorkQueue"), MessageBody=f"{run} quick")
    # Then it is delivered and answered while the first is still held
    quick = wait_for(lambda: _answered(machinery, f"{run} quick"))
    assert _answered(machinery, f"{run} hold {release}") is None
    # And once released, the first is answered too, by the other environment (its own module copy)
    release.touch()
    held = wait_for(lambda: _answered(machinery, f"{run} hold {release}"))
    assert held["environment"] != quick["environment"]
    machinery.wait_until_idle(10)
    assert receive_all(machinery, "WorkDLQ", wait=0.3) == []


def _answered(stack: DevStack, body: str) -> Any:
    """The answer of the QueueFunction invocation that carried `body` (None: none has answered)."""
    for call in list(stack.history):
        if call.function == "QueueFunction" and any(r["body"] == body for r in call.event["Records"]):
            return call.result
    return None


def test_a_raised_error_fails_the_whole_batch_which_is_delivered_again(machinery: DevStack) -> None:
    run = uuid.uuid4().hex[:8]
    before = machinery.invocations["QueueFunction"]
    machinery.fail_next("QueueFunction")
    machinery.client("sqs").send_message(QueueUrl=machinery.ref("WorkQueue"), MessageBody=f"{run} once")
    machinery.wait_until_idle(10)
    assert machinery.invocations["QueueFunction"] - before == 2
    assert receive_all(machinery, "WorkDLQ", wait=0.3) == []


def test_messages_arriving_within_the_batching_window_reach_the_function_as_one_batch(
    machinery: DevStack,
) -> None:
    # Given a mapping with MaximumBatchingWindowInSeconds 5, and a first message it has taken
    sqs, url = machinery.client("sqs"), machinery.ref("BurstQueue")
    run = uuid.uuid4().hex[:8]
    sqs.send_message(QueueUrl=url, MessageBody=f"{run} first")
    deadline = time.monotonic() + 10
    while in_flight(machinery, "BurstQueue") == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue_deliveries(machinery, "BurstFunction", run) == []  # taken, and still gathering
    # When more arrive inside the window
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"{run} then {i}"} for i in range(3)]
    )
    machinery.wait_until_idle(20)
    # Then the function ran once, with all four
    assert [sorted(b) for b in queue_deliveries(machinery, "BurstFunction", run)] == [
        sorted([f"{run} first", *(f"{run} then {i}" for i in range(3))])
    ]


def test_a_batch_holds_at_most_its_batch_size_even_inside_the_window(machinery: DevStack) -> None:
    # Given 30 messages waiting for a mapping whose BatchSize is 25
    sqs, url = machinery.client("sqs"), machinery.ref("BurstQueue")
    run = uuid.uuid4().hex[:8]
    with machinery.paused():
        for start in range(0, 30, 10):
            sqs.send_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "MessageBody": f"{run} {start + i}"} for i in range(10)],
            )
    # When the mapping has delivered them
    machinery.wait_until_idle(30)
    # Then the first batch was full (25, gathered from several ReceiveMessage calls) and none was lost
    batches = queue_deliveries(machinery, "BurstFunction", run)
    assert len(batches[0]) == 25
    assert sorted(body for batch in batches for body in batch) == sorted(f"{run} {n}" for n in range(30))


# ---------------------------------------------------------------------- schedules
def test_a_schedule_runs_on_demand_with_a_scheduled_event(http: Fetch) -> None:
    reply = http("POST", "/_local/schedules/ScheduledFunction")
    assert reply.status == 200
    assert reply.json()["results"] == [
        {"event": "Hourly", "result": {"ran": True, "detail_type": "Scheduled Event", "source": "aws.events"}}
    ]


def test_a_json_body_becomes_the_scheduled_events_detail(machinery: DevStack, http: Fetch) -> None:
    assert http("POST", "/_local/schedules/ScheduledFunction", data=b'{"force": true}').status == 200
    assert machinery.history[-1].event["detail"] == {"force": True}
    assert http("POST", "/_local/schedules/ScheduledFunction", data=b"[1]").status == 400


def test_a_function_without_schedules_is_404_and_the_route_is_post_only(http: Fetch) -> None:
    assert http("POST", "/_local/schedules/EchoFunction").status == 404
    assert http("POST", "/_local/digests/run").status == 404  # no DigestFunction in this template
    assert http("GET", "/_local/schedules/ScheduledFunction").status == 405


def test_a_one_time_scheduler_schedule_delivers_once_and_is_deleted(machinery: DevStack) -> None:
    # Given a due one-time schedule targeting a queue, and one in the future
    scheduler = machinery.client("scheduler")
    group = machinery.ref("ReleaseGroup")
    past = datetime.now(UTC) - timedelta(seconds=5)
    future = datetime.now(UTC) + timedelta(days=1)
    for name, at in (("due", past), ("later", future)):
        one_time_schedule(
            machinery,
            name,
            at,
            machinery.getatt("RuleQueue", "Arn"),
            ScheduleExpressionTimezone="UTC",
            Target={"Input": json.dumps({"schedule": name})},
        )
    # When the stack has caught up
    machinery.wait_until_idle(5)
    # Then only the due one delivered its input, once, and is gone
    assert [json.loads(m["Body"]) for m in receive_all(machinery, "RuleQueue")] == [{"schedule": "due"}]
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]]
    assert names == ["later"]


def test_a_one_time_schedule_can_invoke_a_function_of_the_template(machinery: DevStack) -> None:
    before = machinery.invocations["ScheduledFunction"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    one_time_schedule(
        machinery,
        "call-function",
        past,
        machinery.functions["ScheduledFunction"].arn,
        Target={"Input": json.dumps({"detail-type": "Release"})},
    )
    machinery.wait_until_idle(5)
    assert machinery.invocations["ScheduledFunction"] == before + 1
    assert machinery.history[-1].result == {"ran": True, "detail_type": "Release", "source": None}


def test_a_schedule_deleted_between_listing_and_reading_is_not_due(machinery: DevStack) -> None:
    # Given a scheduler poller whose schedule disappears after it is listed but before its detail
    # is read, as when the poller's own thread fires and deletes it while a caller asks whether the
    # stack is idle
    import boto3

    from devstack.pollers import SchedulerPoller

    group = machinery.ref("ReleaseGroup")
    scheduler = machinery.client("scheduler")
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.create_schedule(
        Name="vanishing",
        GroupName=group,
        ScheduleExpression=f"at({past})",
        FlexibleTimeWindow={"Mode": "OFF"},
        State="DISABLED",  # the stack's own poller leaves it alone
        Target={"Arn": machinery.getatt("RuleQueue", "Arn"), "RoleArn": "arn:aws:iam::123456789012:role/x"},
    )
    racing = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=machinery.region
    ).client("scheduler", endpoint_url=scheduler.meta.endpoint_url)

    def listed_as_enabled(parsed: dict[str, object], **_: object) -> None:
        for summary in parsed.get("Schedules", []):  # type: ignore[attr-defined]
            summary["State"] = "ENABLED"

    def deleted_first(params: dict[str, str], **_: object) -> None:
        scheduler.delete_schedule(Name=params["Name"], GroupName=params["GroupName"])

    racing.meta.events.register("after-call.scheduler.ListSchedules", listed_as_enabled)
    racing.meta.events.register("before-parameter-build.scheduler.GetSchedule", deleted_first)
    poller = SchedulerPoller(
        name="race", registry=machinery.registry, client=lambda _service: racing, groups=[group]
    )
    # When it is asked whether it is drained
    drained = poller.is_drained()
    # Then the schedule that vanished counts as not due, instead of raising
    assert drained is True
    assert scheduler.list_schedules(GroupName=group)["Schedules"] == []


def test_schedules_tick_on_their_own_when_asked_to(machinery: DevStack) -> None:
    # Given the runner LOCAL_SCHEDULE_SECONDS=0.1 would start, over the template's schedules
    from devstack.pollers import ScheduleRunner

    schedules = {
        "ScheduledFunction": {"Hourly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}}}
    }
    runner = ScheduleRunner(name="tick", registry=machinery.registry, schedules=schedules, every=0.1)
    before = machinery.invocations["ScheduledFunction"]
    # When it runs for half a second
    runner.start()
    time.sleep(0.55)
    runner.stop()
    # Then the function ran several times, with scheduled events
    assert machinery.invocations["ScheduledFunction"] - before >= 3
    assert machinery.history[-1].event["detail-type"] == "Scheduled Event"
