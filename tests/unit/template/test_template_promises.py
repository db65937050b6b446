"""What no scanner checks in template.yaml: the delivery guarantees and the settings contract."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import load

from boletin.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE: dict[str, Any] = load(str(ROOT / "template.yaml"))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
GLOBAL_TIMEOUT = TEMPLATE["Globals"]["Function"]["Timeout"]


def events_of(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (fn, name, event["Properties"])
        for fn, resource in FUNCTIONS.items()
        for name, event in resource["Properties"].get("Events", {}).items()
        if event["Type"] == kind
    ]


def ref_name(value: Any) -> str:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    raise AssertionError(f"not a reference: {value!r}")


def test_every_stream_mapping_retries_finitely_bisects_and_keeps_what_fails() -> None:
    streams = events_of("DynamoDB")
    assert streams, "the enrich function must consume the bulletins stream"
    for fn, name, props in streams:
        where = f"{fn}.{name}"
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], where
        assert props["BisectBatchOnFunctionError"] is True, where
        assert 0 <= props["MaximumRetryAttempts"] <= 10, where
        assert 60 <= props["MaximumRecordAgeInSeconds"] <= 86_400, where
        destination = props["DestinationConfig"]["OnFailure"]
        assert destination["Type"] == "SQS", where
        assert RESOURCES[ref_name(destination["Destination"])]["Type"] == "AWS::SQS::Queue", where


def test_every_queue_mapping_reports_partial_failures_and_has_a_dlq() -> None:
    queues = events_of("SQS")
    assert len(queues) >= 4
    for fn, name, props in queues:
        where = f"{fn}.{name}"
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], where
        queue = RESOURCES[ref_name(props["Queue"])]["Properties"]
        redrive = queue["RedrivePolicy"]
        assert 1 <= redrive["maxReceiveCount"] <= 10, where
        assert RESOURCES[ref_name(redrive["deadLetterTargetArn"])]["Type"] == "AWS::SQS::Queue", where
        timeout = FUNCTIONS[fn]["Properties"].get("Timeout", GLOBAL_TIMEOUT)
        assert queue["VisibilityTimeout"] >= 6 * timeout, f"{where}: visibility < 6x timeout"


def test_every_bus_rule_target_retries_and_has_a_dead_letter_queue() -> None:
    rules = [r for r in RESOURCES.values() if r["Type"] == "AWS::Events::Rule"]
    assert rules
    for rule in rules:
        for target in rule["Properties"]["Targets"]:
            assert "DeadLetterConfig" in target
            assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0


def test_data_is_kept_recoverable_and_encrypted() -> None:
    tables = {n: r for n, r in RESOURCES.items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert len(tables) == 5
    for name, table in tables.items():
        assert table["DeletionPolicy"] == "Retain", name
        assert table["UpdateReplacePolicy"] == "Retain", name
        assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["Properties"]["SSESpecification"]["SSEEnabled"] is True
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::SQS::Queue":
            assert resource["Properties"].get("SqsManagedSseEnabled") is True, name


def test_the_bulletins_stream_carries_both_images_for_the_outbox() -> None:
    spec = RESOURCES["BulletinsTable"]["Properties"]["StreamSpecification"]
    assert spec["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_every_setting_the_code_reads_is_given_by_the_template() -> None:
    given = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    for fn in FUNCTIONS.values():
        given |= set(fn["Properties"].get("Environment", {}).get("Variables", {}))
    assert set(Settings.env_names()) <= given
    # And no handler reads the environment behind the settings model's back.
    for path in (ROOT / "functions").glob("*/app.py"):
        source = path.read_text()
        assert "os.environ" not in source, path
        assert "getenv" not in source, path


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_its_handler_module(name: str) -> None:
    props = FUNCTIONS[name]["Properties"]
    module, _, handler = props["Handler"].partition(".")
    source = ROOT / props["CodeUri"] / f"{module}.py"
    tree = ast.parse(source.read_text())
    assert handler in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_policies_grant_no_wildcard_actions_on_data() -> None:
    for name, fn in FUNCTIONS.items():
        for policy in fn["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []):
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                for action in actions:
                    assert not action.endswith(":*"), f"{name}: {action}"
                    assert action != "*", f"{name}: {action}"


def test_every_dead_letter_queue_and_every_function_raises_an_alarm() -> None:
    alarms = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = {
        (alarm["MetricName"], ref_name(dimension["Value"]))
        for alarm in alarms
        for dimension in alarm.get("Dimensions", [])
        if isinstance(dimension["Value"], dict)
        and ("Ref" in dimension["Value"] or "Fn::GetAtt" in dimension["Value"])
    }
    dlqs = [n for n, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue" and n.endswith("DLQ")]
    assert dlqs
    for dlq in dlqs:
        assert ("ApproximateNumberOfMessagesVisible", dlq) in watched, dlq
    for fn in FUNCTIONS:
        assert ("Errors", fn) in watched, fn
        assert ("Throttles", fn) in watched, fn
    metrics = {alarm["MetricName"] for alarm in alarms}
    assert {"5XXError", "Reputation.BounceRate", "Reputation.ComplaintRate"} <= metrics
    assert all(alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}] for alarm in alarms)


def test_every_scheduled_function_retries_finitely_and_dead_letters_what_fails() -> None:
    scheduled = events_of("Schedule") + events_of("ScheduleV2")
    assert scheduled, "the digests run on a schedule"
    for fn, name, props in scheduled:
        where = f"{fn}.{name}"
        # The schedule's own delivery: finite retries, then a queue we alarm on (not one SAM invents)
        assert props["RetryPolicy"]["MaximumRetryAttempts"] <= 185, where
        assert RESOURCES[ref_name(props["DeadLetterConfig"]["Arn"])]["Type"] == "AWS::SQS::Queue", where
        # The function's asynchronous invocation: finite retries, then an on-failure destination
        config = FUNCTIONS[fn]["Properties"]["EventInvokeConfig"]
        assert 0 <= config["MaximumRetryAttempts"] <= 2, where
        on_failure = config["DestinationConfig"]["OnFailure"]
        assert on_failure["Type"] == "SQS", where
        assert RESOURCES[ref_name(on_failure["Destination"])]["Type"] == "AWS::SQS::Queue", where


def test_the_dashboard_shows_every_business_metric_and_every_dead_letter_queue() -> None:
    from boletin.observability import BusinessMetric

    body = RESOURCES["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for metric in BusinessMetric:
        assert f'"Boletin/${{Stage}}", "{metric.value}", "service", "boletin"' in body, metric
    namespace = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    assert namespace == {"Fn::Sub": "Boletin/${Stage}"}
    dlqs = [n for n, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue" and n.endswith("DLQ")]
    for dlq in dlqs:
        assert f'"QueueName", "${{{dlq}.QueueName}}"' in body, dlq


def test_every_sns_subscription_to_a_queue_keeps_what_it_cannot_deliver() -> None:
    subscriptions = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::SNS::Subscription"]
    to_queues = [s for s in subscriptions if s["Protocol"] == "sqs"]
    assert to_queues, "SES notifications reach their consumer through SNS and SQS"
    for subscription in to_queues:
        target = subscription["RedrivePolicy"]["deadLetterTargetArn"]
        assert RESOURCES[ref_name(target)]["Type"] == "AWS::SQS::Queue"


def test_a_sending_lease_outlasts_the_sender_and_ends_before_the_queue_retries() -> None:
    # The lease must outlive any sender run (else two senders could both send), and end before
    # the send queue shows a failed message again (else the retry would have to wait for it).
    lease = TEMPLATE["Parameters"]["SendingLeaseSeconds"]
    mapping = FUNCTIONS["SenderFunction"]["Properties"]["Events"]["SendQueueEvent"]["Properties"]
    queue = RESOURCES[ref_name(mapping["Queue"])]["Properties"]
    sender_timeout = FUNCTIONS["SenderFunction"]["Properties"].get("Timeout", GLOBAL_TIMEOUT)
    for seconds in (lease["Default"], lease["MinValue"], lease["MaxValue"]):
        assert sender_timeout < seconds < queue["VisibilityTimeout"]
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["SENDING_LEASE_SECONDS"] == {"Ref": "SendingLeaseSeconds"}


def test_ses_send_events_reach_the_function_that_settles_the_ledger() -> None:
    # A sender that dies after SES took an email leaves its line 'sending'; SES's Send event is the
    # only witness that it went, so the configuration set must publish it where SesEventsFunction reads.
    destinations = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SES::ConfigurationSetEventDestination"
    ]
    publishing_sends = [
        d["EventDestination"]["SnsDestination"]["TopicARN"]
        for d in destinations
        if "send" in d["EventDestination"]["MatchingEventTypes"] and d["EventDestination"]["Enabled"]
    ]
    assert [ref_name(topic) for topic in publishing_sends] == ["SesEventsTopic"]
    queues = {
        ref_name(r["Properties"]["Endpoint"])
        for r in RESOURCES.values()
        if r["Type"] == "AWS::SNS::Subscription" and ref_name(r["Properties"]["TopicArn"]) == "SesEventsTopic"
    }
    consumers = {fn for fn, _, props in events_of("SQS") if ref_name(props["Queue"]) in queues}
    assert consumers == {"SesEventsFunction"}
