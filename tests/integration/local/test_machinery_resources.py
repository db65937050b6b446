"""The resources a template declares exist in moto with the template's properties, and work."""

from __future__ import annotations

import json
from email import message_from_bytes
from typing import Any

import pytest

from devstack import DevStack
from devstack.template import TemplateError
from tests.support.machinery import receive_all
from tests.support.paths import MACHINERY_TEMPLATE_DIR


def test_the_table_has_the_templates_keys_indexes_stream_and_ttl(machinery: DevStack) -> None:
    ddb = machinery.client("dynamodb")
    table = ddb.describe_table(TableName=machinery.ref("ItemsTable"))["Table"]
    assert machinery.ref("ItemsTable") == machinery.names.physical("ItemsTable")  # machinery[-N]-ItemsTable
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["ByG"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert machinery.getatt("ItemsTable", "StreamArn") == table["LatestStreamArn"]
    ttl = ddb.describe_time_to_live(TableName=machinery.ref("ItemsTable"))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_queues_have_their_visibility_and_redrive_to_their_dead_letter_queue(machinery: DevStack) -> None:
    attributes = machinery.client("sqs").get_queue_attributes(
        QueueUrl=machinery.ref("WorkQueue"), AttributeNames=["All"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "60"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == machinery.getatt("WorkDLQ", "Arn")
    assert int(redrive["maxReceiveCount"]) == 2


def test_an_event_on_the_bus_reaches_only_the_queue_whose_rule_matches(machinery: DevStack) -> None:
    # Given the bus and its two rules
    events = machinery.client("events")
    assert machinery.ref("Bus") == machinery.names.explicit("machinery-test")  # the template's Name
    rules = {rule["Name"] for rule in events.list_rules(EventBusName=machinery.ref("Bus"))["Rules"]}
    assert rules == {machinery.names.physical("ThingsRule"), machinery.names.physical("OtherRule")}

    # When an event that only ThingsRule matches is put on the bus
    result = events.put_events(
        Entries=[
            {
                "EventBusName": machinery.ref("Bus"),
                "Source": "test.app",
                "DetailType": "Thing Happened",
                "Detail": json.dumps({"n": 1}),
            }
        ]
    )
    assert result["FailedEntryCount"] == 0

    # Then its queue gets the event envelope, and the other queue nothing
    delivered = receive_all(machinery, "RuleQueue")
    assert [json.loads(m["Body"])["detail"] for m in delivered] == [{"n": 1}]
    assert receive_all(machinery, "OtherRuleQueue", wait=0.3) == []


def test_a_topic_delivers_raw_messages_to_its_subscribed_queue(machinery: DevStack) -> None:
    machinery.client("sns").publish(TopicArn=machinery.ref("Topic"), Message='{"bounce": true}')
    assert [m["Body"] for m in receive_all(machinery, "TopicQueue")] == ['{"bounce": true}']


def test_the_secret_is_generated_as_the_template_asks(machinery: DevStack) -> None:
    value = machinery.client("secretsmanager").get_secret_value(SecretId=machinery.ref("Secret"))[
        "SecretString"
    ]
    assert len(value) == 40
    assert value.isalnum()


def test_functions_get_the_resolved_environment_with_local_addresses(machinery: DevStack) -> None:
    env = machinery.environment
    assert env["ITEMS_TABLE"] == machinery.names.physical("ItemsTable")
    assert env["WORK_QUEUE_URL"].endswith("/" + machinery.names.physical("WorkQueue"))
    assert env["FEEDS_BASE_URL"] == f"{machinery.url}/feeds"
    assert env["PUBLIC_BASE_URL"] == machinery.url
    assert env["WHERE"] == "us-east-1/123456789012/test/${Literal}"
    assert env["JOINED"] == "a-test-y"
    assert env["MODE"] == "testing"
    assert env["SCHEDULE_GROUP"] == machinery.names.explicit("machinery-releases-test")
    assert env["SECRET_ARN"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:")


def test_every_function_has_its_own_settings_from_the_template(machinery: DevStack) -> None:
    echo = machinery.functions["EchoFunction"]
    assert (echo.timeout, echo.memory, echo.handler) == (7, 256, "app.lambda_handler")
    name = machinery.names.physical("EchoFunction")
    assert echo.arn == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def test_sent_email_lands_in_the_outbox_as_the_raw_mime(machinery: DevStack) -> None:
    # Given the template's sender address (verified by the stack) and a raw message
    raw = (
        b"From: sender@example.org\r\nTo: reader@example.net\r\nSubject: Hola\r\n"
        b"List-Unsubscribe: <https://example.org/u>\r\n\r\nBody\r\n"
    )
    # When SES accepts it
    message_id = machinery.client("ses").send_raw_email(RawMessage={"Data": raw})["MessageId"]
    machinery.wait_until_idle(5)
    # Then the outbox has it, byte for byte, named after its id
    [path] = list(machinery.outbox_dir.glob(f"*-{message_id}.eml"))
    assert path.read_bytes() == raw
    assert message_from_bytes(path.read_bytes())["List-Unsubscribe"] == "<https://example.org/u>"


def test_an_unverified_sender_is_rejected_like_ses_does(machinery: DevStack) -> None:
    with pytest.raises(Exception, match="Email address is not verified"):
        machinery.client("ses").send_raw_email(RawMessage={"Data": b"From: someone@else.org\r\n\r\nx"})


def test_functions_that_disagree_on_a_variable_cannot_run_in_one_process(tmp_path: Any) -> None:
    # Given a template whose two functions give one variable different values
    template = (
        (MACHINERY_TEMPLATE_DIR / "template.yaml")
        .read_text()
        .replace(
            "      CodeUri: functions/queue/\n",
            "      CodeUri: functions/queue/\n      Environment: {Variables: {MODE: different}}\n",
        )
    )
    path = tmp_path / "template.yaml"
    path.write_text(template)
    stack = DevStack(
        MACHINERY_TEMPLATE_DIR, template=path, port=0, outbox_dir=tmp_path / "o", create_demo_office=False
    )
    # Then the stack refuses to start, naming the variable
    with pytest.raises(TemplateError, match="MODE"):
        stack.start()
