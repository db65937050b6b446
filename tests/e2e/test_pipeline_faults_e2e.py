"""The outbox under faults: events are announced once per publication, failures retried or kept."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from tests.support.faults import Fault, faults, put_events_rejecting_all
from tests.support.http import Http
from tests.support.seed import seed_bulletins, submission_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def observer(stack: Any) -> Any:
    """A queue subscribed to the bus, as any downstream consumer would be."""
    sqs = boto3.client("sqs")
    events = boto3.client("events")
    bus = stack.environment["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName="e2e-observer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="e2e-observer", EventBusName=bus, EventPattern=json.dumps({"source": ["boletin.bulletins"]})
    )
    events.put_targets(Rule="e2e-observer", EventBusName=bus, Targets=[{"Id": "observer", "Arn": arn}])

    def drain() -> list[dict[str, Any]]:
        seen = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not batch:
                return seen
            for message in batch:
                seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    drain()
    return drain


def replay_stream_records(stack: Any, bulletin_id: str) -> int:
    """Hand the enrich function, again, every stream record of one bulletin it was given (as a retry
    would). They are taken from what it was delivered: the stream itself no longer holds the records
    every consumer has passed (the local stack trims them, as DynamoDB does after 24 hours)."""
    records = [
        record
        for call in list(stack.history)
        if call.function == "EnrichFunction"
        for record in call.event.get("Records", [])
        if bulletin_id in json.dumps(record["dynamodb"]["Keys"])
    ]
    for record in records:
        stack.invoke(
            "EnrichFunction",
            {"Records": [{**record, "dynamodb": {**record["dynamodb"], "ApproximateCreationDateTime": 0}}]},
        )
    return len(records)


def published_events_for(events: list[dict[str, Any]], bulletin_id: str) -> list[dict[str, Any]]:
    return [
        e for e in events if e["detail"]["id"] == bulletin_id and e["detail-type"] == "Bulletin Published"
    ]


def test_a_publication_is_announced_once_with_the_filter_fields_and_no_body(
    stack: Any, http: Http, new_office: Any, observer: Any
) -> None:
    _, key = new_office()
    seed = seed_bulletins()[0]
    bulletin = http.post("/bulletins", json_body=submission_of(seed), key=key).json()
    stack.wait_until_idle(timeout=20)
    events = published_events_for(observer(), bulletin["id"])
    assert len(events) == 1
    detail = events[0]["detail"]
    assert detail["countries"] == seed["expected"]["countries"]
    assert detail["version"] == 1
    assert detail["correlation_id"]  # the API request id, carried on for the consumers' logs
    assert "body" not in detail
    assert "title" not in detail


@pytest.mark.parametrize(
    ("fault", "seed", "settle_seconds"),
    [
        pytest.param(
            # the bus rejects the next entries it is sent (a 200 answer with FailedEntryCount)
            Fault("events", "PutEvents", times=2, response=put_events_rejecting_all),
            1,
            30,
            id="putevents-partial-failure-is-resent-until-accepted",
        ),
        pytest.param(
            # the bus is unreachable for the first attempts (the consumer fails after indexing)
            Fault("events", "PutEvents", times=5, error_code="ServiceUnavailable"),
            2,
            60,
            id="a-crash-between-stored-and-announced-loses-nothing-and-duplicates-nothing",
        ),
    ],
)
def test_a_bus_that_fails_at_first_still_gets_each_bulletin_announced_once(
    stack: Any, http: Http, new_office: Any, observer: Any, fault: Fault, seed: int, settle_seconds: int
) -> None:
    # Given the bus fails the first times it is sent a bulletin's event
    _, key = new_office()
    with faults(fault):
        bulletin = http.post("/bulletins", json_body=submission_of(seed_bulletins()[seed]), key=key).json()
        stack.wait_until_idle(timeout=settle_seconds)
    assert fault.fired == fault.times
    # Then the bulletin is still published and announced exactly once
    assert http.get(f"/bulletins/{bulletin['id']}").json()["status"] == "published"
    assert len(published_events_for(observer(), bulletin["id"])) == 1


def test_a_replayed_stream_record_has_no_second_side_effect(
    stack: Any, http: Http, new_office: Any, observer: Any
) -> None:
    _, key = new_office()
    bulletin = http.post("/bulletins", json_body=submission_of(seed_bulletins()[3]), key=key).json()
    stack.wait_until_idle(timeout=20)
    observer()
    # When the stream delivers every record of that bulletin again
    replayed = replay_stream_records(stack, bulletin["id"])
    assert replayed >= 2
    stack.wait_until_idle(timeout=20)
    # Then downstream holds it once: one bulletin, one version, one feed entry, one list entry
    assert http.get(f"/bulletins/{bulletin['id']}").json()["version"] == 1
    feed = json.loads(http.get("/feeds/all.json").body)
    assert [i["id"] for i in feed["items"]].count(f"urn:boletin:bulletin:{bulletin['id']}") == 1
    listed = http.get("/bulletins?limit=100").json()["items"]
    assert [i["id"] for i in listed].count(bulletin["id"]) == 1


def test_a_poison_record_goes_to_the_on_failure_queue_and_the_rest_flow(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given a stored bulletin item that enrichment cannot read
    table = stack.environment["BULLETINS_TABLE"]
    boto3.client("dynamodb").put_item(
        TableName=table,
        Item={"pk": {"S": "BULLETIN#poison"}, "sk": {"S": "CURRENT"}, "status": {"S": "received"}},
    )
    _, key = new_office()
    good = http.post("/bulletins", json_body=submission_of(seed_bulletins()[4]), key=key).json()
    deadline = time.monotonic() + 60
    dlq_messages: list[Any] = []
    sqs = boto3.client("sqs")
    dlq = stack.ref("EnrichDLQ")
    while time.monotonic() < deadline and not dlq_messages:
        stack.wait_until_idle(timeout=5)
        dlq_messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    # Then the poison record ends on the on-failure queue, and the good bulletin is published
    assert dlq_messages
    info = json.loads(dlq_messages[0]["Body"])
    assert "DDBStreamBatchInfo" in info
    stack.wait_until_idle(timeout=30)  # the good one may still be on its way when the poison lands
    assert http.get(f"/bulletins/{good['id']}").json()["status"] == "published"
