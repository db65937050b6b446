"""The real template.yaml, run by the local stack: what it creates, what the functions get, the
authorizer with the real office keys, and `python -m devstack` itself."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack import DevStack
from devstack.template import load_template
from tests.support.http import Http, Reply
from tests.support.paths import ROOT
from tests.support.stack import devstack_command, free_port

TEMPLATE = load_template(ROOT / "template.yaml")


@pytest.fixture(scope="module")
def boletin_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with DevStack(
        ROOT, port=0, outbox_dir=tmp_path_factory.mktemp("outbox"), name_prefix="boletin-it"
    ) as stack:
        yield stack


def _created(names: list[str], stack: DevStack) -> set[str]:
    """Logical ids of this stack's resources among moto's names (other stacks of the process differ)."""
    prefix = f"{stack.names.prefix}{stack.names.suffix}-"
    return {
        name[len(prefix) :] for name in names if name.startswith(prefix) and "-" not in name[len(prefix) :]
    }


def test_exactly_the_templates_tables_exist_with_their_keys_indexes_and_streams(
    boletin_stack: DevStack,
) -> None:
    ddb = boletin_stack.client("dynamodb")
    declared = TEMPLATE.of_type("AWS::DynamoDB::Table")
    assert _created(ddb.list_tables()["TableNames"], boletin_stack) == set(declared)
    for logical_id, resource in declared.items():
        props = resource["Properties"]
        table = ddb.describe_table(TableName=boletin_stack.ref(logical_id))["Table"]
        assert table["KeySchema"] == props["KeySchema"], logical_id
        gsis = {i["IndexName"]: i["KeySchema"] for i in table.get("GlobalSecondaryIndexes", [])}
        assert gsis == {i["IndexName"]: i["KeySchema"] for i in props.get("GlobalSecondaryIndexes", [])}
        stream = props.get("StreamSpecification")
        assert table.get("StreamSpecification", {}).get("StreamViewType") == (stream or {}).get(
            "StreamViewType"
        )


def test_exactly_the_templates_queues_exist_with_their_redrive(boletin_stack: DevStack) -> None:
    sqs = boletin_stack.client("sqs")
    declared = TEMPLATE.of_type("AWS::SQS::Queue")
    urls = sqs.list_queues(QueueNamePrefix=boletin_stack.names.prefix).get("QueueUrls", [])
    assert _created([url.rsplit("/", 1)[-1] for url in urls], boletin_stack) == set(declared)
    for logical_id, resource in declared.items():
        props = resource["Properties"]
        attributes = sqs.get_queue_attributes(QueueUrl=boletin_stack.ref(logical_id), AttributeNames=["All"])[
            "Attributes"
        ]
        if "VisibilityTimeout" in props:
            assert attributes["VisibilityTimeout"] == str(props["VisibilityTimeout"])
        if "RedrivePolicy" in props:
            redrive = json.loads(attributes["RedrivePolicy"])
            dlq = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert redrive["deadLetterTargetArn"] == boletin_stack.getatt(dlq, "Arn")
            assert int(redrive["maxReceiveCount"]) == props["RedrivePolicy"]["maxReceiveCount"]


def test_the_bus_and_its_rules_route_bulletin_events_to_both_queues(boletin_stack: DevStack) -> None:
    events = boletin_stack.client("events")
    bus = boletin_stack.ref("BulletinEventBus")
    assert bus == "boletin-dev" + boletin_stack.names.suffix
    rules = {r["Name"] for r in events.list_rules(EventBusName=bus)["Rules"]}
    assert _created(sorted(rules), boletin_stack) == set(TEMPLATE.of_type("AWS::Events::Rule"))
    targets = {
        t["Arn"]
        for rule in rules
        for t in events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]
    }
    assert targets == {boletin_stack.getatt("FeedsQueue", "Arn"), boletin_stack.getatt("EmailQueue", "Arn")}


def test_the_functions_settings_point_at_the_local_stack(boletin_stack: DevStack) -> None:
    env = boletin_stack.environment
    assert env["FEEDS_BASE_URL"] == f"{boletin_stack.url}/feeds"
    assert env["PUBLIC_BASE_URL"] == boletin_stack.url
    assert env["BULLETINS_TABLE"] == boletin_stack.ref("BulletinsTable")
    assert env["SEND_QUEUE_URL"] == boletin_stack.ref("SendQueue")
    assert os.environ["AWS_ENDPOINT_URL"] == boletin_stack.moto_url
    from boletin.settings import get_settings

    assert get_settings().feeds_base_url == f"{boletin_stack.url}/feeds"


def test_every_function_module_of_the_template_loads(boletin_stack: DevStack) -> None:
    for function in boletin_stack.functions.values():
        assert callable(function.handler_function()), function.logical_id


def call(stack: DevStack, method: str, path: str, key: str | None = None, body: bytes | None = None) -> Reply:
    return Http(stack.url).request(
        method, path, data=body, headers={"Content-Type": "application/json"}, key=key
    )


def test_the_office_key_authorizer_guards_submissions(boletin_stack: DevStack) -> None:
    submission = json.dumps(
        {
            "title": "IOM and Costa Rica meet",
            "body": "Officials met in San José.",
            "published_on": "2021-11-30",
        }
    ).encode()
    missing = call(boletin_stack, "POST", "/bulletins", body=submission)
    assert missing.status == 401
    assert missing.header("Content-Type") == "application/problem+json"
    assert missing.header("WWW-Authenticate") == "Bearer"
    before = boletin_stack.invocations["AuthorizerFunction"]
    assert call(boletin_stack, "POST", "/bulletins", key="short", body=submission).status == 401
    assert boletin_stack.invocations["AuthorizerFunction"] == before
    wrong = call(boletin_stack, "POST", "/bulletins", key="bol_" + "x" * 40, body=submission)
    assert wrong.status == 401
    assert boletin_stack.invocations["AuthorizerFunction"] == before + 1
    assert boletin_stack.demo_key
    accepted = call(boletin_stack, "POST", "/bulletins/preview", key=boletin_stack.demo_key, body=submission)
    assert accepted.status == 200, accepted.body


def test_a_submission_reaches_the_stream_consumer_within_two_seconds(boletin_stack: DevStack) -> None:
    before = boletin_stack.invocations["EnrichFunction"]
    submission = json.dumps(
        {"title": "A stream test", "body": "Officials met in San José.", "published_on": "2021-11-30"}
    ).encode()
    reply = call(boletin_stack, "POST", "/bulletins", key=boletin_stack.demo_key, body=submission)
    assert reply.status == 201, reply.body
    deadline = time.monotonic() + 2
    while boletin_stack.invocations["EnrichFunction"] == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert boletin_stack.invocations["EnrichFunction"] > before


def test_local_digest_runs_end_every_period_once_each_run_a_new_one(boletin_stack: DevStack) -> None:
    from datetime import datetime, timedelta

    def scheduled_hours() -> list[datetime]:
        reply = Http(boletin_stack.url).post("/_local/digests/run")
        assert reply.status == 200, reply.body
        calls = [c for c in boletin_stack.history if c.function == "DigestFunction"][-24:]
        assert {c.event["detail-type"] for c in calls} == {"Scheduled Event"}
        return [datetime.fromisoformat(c.event["time"]) for c in calls]

    # When the digests are run twice
    first, second = scheduled_hours(), scheduled_hours()
    # Then each run is DigestFunction's hourly schedule over 24 consecutive hours, in which Monday
    # 08:00 falls for every zone from UTC-10 to UTC+13 (each zone's 08:00 once: nothing twice)
    for hours in (first, second):
        assert [(b - a).total_seconds() for a, b in itertools.pairwise(hours)] == [3600.0] * 23
        for offset in range(-10, 14):
            at_eight = [t for t in (h + timedelta(hours=offset) for h in hours) if t.hour == 8]
            assert len(at_eight) == 1
            assert at_eight[0].weekday() == 0  # a Monday: weekly digests end too
    # And the second run is a later week: its digests are periods of their own
    assert (second[0] - first[0]).days == 7


def _ses_event(body: str) -> dict[str, object]:
    """The SES event in a queue message (raw SNS delivery, or wrapped in SNS's envelope)."""
    message = json.loads(body)
    if "Message" in message and "Type" in message:
        message = json.loads(message["Message"])
    return dict(message)


def test_an_email_sent_with_the_configuration_set_raises_ses_send_event(boletin_stack: DevStack) -> None:
    # Given the template's configuration set, which publishes Send events to SesEventsTopic
    ses = boletin_stack.client("ses")
    environment = boletin_stack.environment
    raw = f"From: {environment['SENDER_ADDRESS']}\r\nTo: reader@example.org\r\nSubject: hello\r\n\r\nhi\r\n"
    # When an email is sent with it, and tags, and another without the configuration set
    sent = ses.send_raw_email(
        RawMessage={"Data": raw.encode()},
        ConfigurationSetName=environment["SES_CONFIGURATION_SET"],
        Tags=[{"Name": "ledger_kind", "Value": "bulletin"}],
    )
    plain = ses.send_raw_email(RawMessage={"Data": raw.encode()})
    # What the previous test submitted is still being published (a first feed regeneration writes
    # every scope): wait on idleness with room for a loaded machine.
    boletin_stack.wait_until_idle(60)
    # Then SesEventsFunction got one Send event, for the first, with its message id and tags
    received = [
        _ses_event(record["body"])
        for call in list(boletin_stack.history)
        if call.function == "SesEventsFunction"
        for record in call.event["Records"]
    ]
    ids = (sent["MessageId"], plain["MessageId"])
    bodies = [b for b in received if b.get("mail", {}).get("messageId") in ids]
    assert [b["eventType"] for b in bodies] == ["Send"]
    assert bodies[0]["mail"]["messageId"] == sent["MessageId"]
    assert bodies[0]["mail"]["tags"]["ledger_kind"] == ["bulletin"]
    assert bodies[0]["mail"]["tags"]["ses:configuration-set"] == [environment["SES_CONFIGURATION_SET"]]


def test_python_m_boletin_local_prints_the_key_the_outbox_and_the_address_then_serves(tmp_path: Path) -> None:
    # Given a free port
    port = free_port()
    env = {**os.environ, "PORT": str(port), "OUTBOX_DIR": str(tmp_path / "outbox")}
    # as `make run` finds the package (installed in .venv), whatever installs it here
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "shared"), env.get("PYTHONPATH")]))
    for name in ("AWS_ENDPOINT_URL", "BULLETINS_TABLE"):
        env.pop(name, None)
    # When the command starts
    process = devstack_command(env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(3)]
        # Then it prints the three lines, in order, and serves
        assert lines[0].startswith("office key: bol_")
        assert lines[1] == f"outbox: {tmp_path / 'outbox'}"
        assert lines[2] == f"serving on http://127.0.0.1:{port}"
        key = lines[0].removeprefix("office key: ")
        reply = Http(f"http://127.0.0.1:{port}").get("/topics")
        assert reply.status == 200
        assert Http(f"http://127.0.0.1:{port}").post("/bulletins", key=key).status != 401
    finally:
        # And Ctrl-C stops it cleanly
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
