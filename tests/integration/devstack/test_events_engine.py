"""The local stack's PutEvents delivers what EventBridge (and moto) delivers, into the durable SQS
engine: the template's rules filter, the envelope is EventBridge's, per-entry failures as AWS."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import Aws, drain, queue_arn

from devstack.template import load_template

ROOT = Path(__file__).resolve().parents[3]


def _template_patterns() -> dict[str, Any]:
    """The EventPattern of every rule of the real template, by logical id."""
    template = load_template(ROOT / "template.yaml")
    return {
        logical_id: template.resources[logical_id]["Properties"]["EventPattern"]
        for logical_id in template.of_type("AWS::Events::Rule")
        if "EventPattern" in (template.resources[logical_id].get("Properties") or {})
    }


def _bus_with_rules(aws: Aws, targets: dict[str, dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """A bus named per side with one rule and one queue per entry of `targets` (rule id -> pattern and
    target options); the queues' URLs by rule id."""
    bus = f"{aws.label}-{uuid.uuid4().hex[:8]}"  # moto's backends outlive a test
    aws.events.create_event_bus(Name=bus)
    urls = {}
    for rule_id, spec in targets.items():
        url = aws.sqs.create_queue(QueueName=f"{aws.label}-{rule_id}")["QueueUrl"]
        urls[rule_id] = url
        aws.events.put_rule(Name=rule_id, EventBusName=bus, EventPattern=json.dumps(spec["pattern"]))
        target = {"Id": "queue", "Arn": queue_arn(aws, url), **spec.get("options", {})}
        aws.events.put_targets(Rule=rule_id, EventBusName=bus, Targets=[target])
    return bus, urls


def _entry(bus: str, detail_type: str, detail: Any, source: str = "boletin.bulletins") -> dict[str, Any]:
    return {
        "EventBusName": bus,
        "Source": source,
        "DetailType": detail_type,
        "Detail": detail if isinstance(detail, str) else json.dumps(detail),
        "Resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/bulletins"],
    }


def test_the_template_rules_route_and_envelope_events_as_moto_does(sides: list[Aws]) -> None:
    patterns = _template_patterns()
    assert {"BulletinEventsToFeedsRule", "BulletinEventsToEmailRule"} <= set(patterns)
    observed = []
    for aws in sides:
        # Given the template's two bulletin rules, each to its own queue
        bus, urls = _bus_with_rules(aws, {rule: {"pattern": pattern} for rule, pattern in patterns.items()})
        # When events are put: matching ones, a foreign source, an unknown detail type, bad details
        answer = aws.events.put_events(
            Entries=[
                _entry(bus, "Bulletin Published", {"bulletin_id": "b-1", "countries": ["GT"]}),
                _entry(bus, "Bulletin Withdrawn", {"bulletin_id": "b-2"}),
                _entry(bus, "Bulletin Published", {"bulletin_id": "b-3"}, source="someone.else"),
                _entry(bus, "Bulletin Drafted", {"bulletin_id": "b-4"}),
                _entry(bus, "Bulletin Published", "{not json"),
                {"EventBusName": bus, "DetailType": "Bulletin Published", "Detail": "{}"},
            ]
        )
        delivered = {rule: [json.loads(m["Body"]) for m in drain(aws, url)] for rule, url in urls.items()}
        event_ids = [entry.get("EventId") for entry in answer["Entries"]]
        observed.append(
            {
                "failed": answer["FailedEntryCount"],
                "errors": [entry.get("ErrorCode") for entry in answer["Entries"]],
                "routed": {
                    rule: sorted(
                        (
                            event["detail"]["bulletin_id"],
                            event["detail-type"],
                            event["source"],
                            event["version"],
                            event["region"],
                            tuple(event["resources"]),
                            event["id"] == event_ids[int(event["detail"]["bulletin_id"][-1]) - 1],
                            len(event["time"]) == len("2026-01-01T00:00:00Z") and event["time"].endswith("Z"),
                        )
                        for event in events
                    )
                    for rule, events in delivered.items()
                },
                "keys": {
                    rule: sorted({key for event in events for key in event} - {"account"})
                    for rule, events in delivered.items()
                },
            }
        )
        last = delivered
    # Then both route the same events to the same queues, with the same envelope
    assert observed[0] == observed[1]
    assert observed[1]["errors"] == [None, None, None, None, "MalformedDetail", "InvalidArgument"]
    assert observed[1]["routed"]["BulletinEventsToFeedsRule"][0][:2] == ("b-1", "Bulletin Published")
    # and the engine's envelope carries the account, as EventBridge's does (moto's omits it)
    assert {event["account"] for events in last.values() for event in events} == {"123456789012"}


def test_input_transformer_targets_deliver_as_moto_does(sides: list[Aws]) -> None:
    pattern = {"source": ["boletin.bulletins"]}
    transformer = {
        "InputPathsMap": {"id": "$.detail.bulletin_id", "kind": "$.detail-type"},
        "InputTemplate": '{"bulletin": "<id>", "what": "<kind>"}',
    }
    observed = []
    for aws in sides:
        # Given a rule whose target transforms the event
        bus, urls = _bus_with_rules(
            aws, {"transformed": {"pattern": pattern, "options": {"InputTransformer": transformer}}}
        )
        # When a matching event is put
        aws.events.put_events(Entries=[_entry(bus, "Bulletin Updated", {"bulletin_id": "b-9"})])
        # Then the queue gets the template filled from the event
        observed.append([json.loads(m["Body"]) for m in drain(aws, urls["transformed"])])
    assert observed[0] == observed[1]
    assert observed[1] == [{"bulletin": "b-9", "what": "Bulletin Updated"}]


def test_input_and_input_path_targets_deliver_what_eventbridge_delivers(engine: Aws) -> None:
    # Given a target with a constant Input and one with an InputPath (moto ignores both)
    pattern = {"source": ["boletin.bulletins"]}
    bus, urls = _bus_with_rules(
        engine,
        {
            "constant": {"pattern": pattern, "options": {"Input": '{"fixed": true}'}},
            "path": {"pattern": pattern, "options": {"InputPath": "$.detail"}},
        },
    )
    # When a matching event is put
    engine.events.put_events(Entries=[_entry(bus, "Bulletin Updated", {"bulletin_id": "b-9"})])
    # Then one queue gets the constant, the other the selected part of the event
    assert [json.loads(m["Body"]) for m in drain(engine, urls["constant"])] == [{"fixed": True}]
    assert [json.loads(m["Body"]) for m in drain(engine, urls["path"])] == [{"bulletin_id": "b-9"}]


def test_more_than_ten_entries_are_refused_as_moto_does(sides: list[Aws]) -> None:
    codes = []
    for aws in sides:
        # Given a bus; When 11 entries are put at once
        with pytest.raises(ClientError) as raised:
            aws.events.put_events(
                Entries=[_entry("default", "Bulletin Published", {"n": n}) for n in range(11)]
            )
        codes.append(raised.value.response["Error"]["Code"])
    # Then the whole request is refused
    assert codes == ["ValidationException", "ValidationException"]


def test_entries_over_256_kb_are_refused_and_nothing_is_delivered(engine: Aws) -> None:
    # Given a rule to a queue
    bus, urls = _bus_with_rules(engine, {"all": {"pattern": {"source": ["boletin.bulletins"]}}})
    # When the entries of a request weigh more than 256 KB in all
    big = {"text": "x" * (200 * 1024)}
    with pytest.raises(ClientError) as raised:
        engine.events.put_events(Entries=[_entry(bus, "Bulletin Published", big) for _ in range(2)])
    # Then EventBridge's ValidationException, and no event reached the queue
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert drain(engine, urls["all"]) == []
    # while one of them alone is accepted and delivered whole
    answer = engine.events.put_events(Entries=[_entry(bus, "Bulletin Published", big)])
    assert answer["FailedEntryCount"] == 0
    assert [json.loads(m["Body"])["detail"] for m in drain(engine, urls["all"])] == [big]


def test_a_disabled_rule_delivers_nothing(engine: Aws) -> None:
    # Given a rule that is disabled
    bus, urls = _bus_with_rules(engine, {"off": {"pattern": {"source": ["boletin.bulletins"]}}})
    engine.events.disable_rule(Name="off", EventBusName=bus)
    # When a matching event is put
    answer = engine.events.put_events(Entries=[_entry(bus, "Bulletin Published", {"bulletin_id": "b-1"})])
    # Then it is accepted but not delivered, as on EventBridge
    assert answer["FailedEntryCount"] == 0
    assert drain(engine, urls["off"]) == []


def test_an_accepted_event_is_stored_before_the_answer(engine: Aws) -> None:
    # Given a rule to a queue
    bus, urls = _bus_with_rules(engine, {"all": {"pattern": {"source": ["boletin.bulletins"]}}})
    # When an event is accepted
    engine.events.put_events(Entries=[_entry(bus, "Bulletin Published", {"bulletin_id": "b-1"})])
    # Then it is already in the engine's SQLite file, without any wait
    assert engine.engine.store.message_count() == 1
    assert [json.loads(m["Body"])["detail"] for m in drain(engine, urls["all"])] == [{"bulletin_id": "b-1"}]
