"""The SES engine answers as moto does (where moto is faithful), writes each accepted email to the
outbox before it answers, publishes SES's Send event to the configuration set's topic, and keeps
identities and unpublished events across a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from devstack.aws.ses import SesEngine
from devstack.pollers import SesEventPublisher
from tests.integration.devstack.engine_harness import (
    client,
    error_of,
    served_client,
    serving,
    unique,
)
from tests.support.waiting import wait_for

RAW = (
    b"From: Boletin <boletin@example.org>\r\nTo: reader@example.net\r\nSubject: Hola\r\n"
    b"List-Unsubscribe: <https://example.org/u>\r\n\r\nCuerpo\r\n"
)


@pytest.fixture
def engine(tmp_path: Path) -> SesEngine:
    return SesEngine(tmp_path / "ses", tmp_path / "outbox")


@pytest.fixture
def endpoint(engine: SesEngine) -> Iterator[Any]:
    with serving(engine) as served:
        yield served


@pytest.fixture
def engine_ses(endpoint: Any) -> Any:
    return client(endpoint, "ses")


@pytest.fixture(scope="module")
def moto_ses() -> Iterator[Any]:
    yield from served_client("ses")


def identities_and_sends(ses: Any, sender: str) -> dict[str, Any]:
    ses.verify_email_identity(EmailAddress=sender)
    ses.verify_email_identity(EmailAddress=sender)  # idempotent
    listed = ses.list_identities(IdentityType="EmailAddress")["Identities"]
    attributes = ses.get_identity_verification_attributes(Identities=[sender, "never@example.org"])
    sent = ses.send_raw_email(Source=sender, Destinations=["reader@example.net"], RawMessage={"Data": RAW})
    return {
        "listed": sender in listed,
        # moto also gives an email address a VerificationToken; SES gives one only to a domain
        "attributes": {
            identity: value["VerificationStatus"]
            for identity, value in attributes["VerificationAttributes"].items()
        },
        "message id": bool(sent["MessageId"]),
        "unverified": error_of(
            lambda: ses.send_raw_email(Source=unique("x") + "@else.org", RawMessage={"Data": RAW})
        ),
    }


def test_identities_and_sending_answer_as_moto_does(engine_ses: Any, moto_ses: Any) -> None:
    # Given a sender verified on the engine and on moto
    sender = unique("sender") + "@example.org"
    # When it sends, and an unverified address tries to
    ours, theirs = identities_and_sends(engine_ses, sender), identities_and_sends(moto_ses, sender)
    # Then the answers agree: listed, verified, accepted; the unverified one rejected
    assert ours == theirs
    assert ours["unverified"] == ("MessageRejected", 400)
    assert ours["attributes"] == {sender: "Success"}


def test_an_accepted_email_is_in_the_outbox_when_the_call_returns(engine: SesEngine, engine_ses: Any) -> None:
    # Given a verified domain (its addresses may send)
    engine_ses.verify_domain_identity(Domain="example.org")
    # When a raw email is sent with no Source (SES reads the From header)
    message_id = engine_ses.send_raw_email(RawMessage={"Data": RAW})["MessageId"]
    # Then, with no waiting, the outbox has it byte for byte, named after its id
    [path] = list(engine.outbox.glob(f"*-{message_id}.eml"))
    assert path.read_bytes() == RAW
    assert message_from_bytes(path.read_bytes())["List-Unsubscribe"] == "<https://example.org/u>"
    assert list(engine.outbox.glob("*.tmp")) == []


def test_send_email_builds_the_mime_ses_would(engine: SesEngine, engine_ses: Any) -> None:
    engine_ses.verify_email_identity(EmailAddress="boletin@example.org")
    message_id = engine_ses.send_email(
        Source="boletin@example.org",
        Destination={"ToAddresses": ["a@example.net"], "CcAddresses": ["b@example.net"]},
        Message={
            "Subject": {"Data": "Asunto"},
            "Body": {"Text": {"Data": "texto"}, "Html": {"Data": "<p>h</p>"}},
        },
    )["MessageId"]
    [path] = list(engine.outbox.glob(f"*-{message_id}.eml"))
    email = message_from_bytes(path.read_bytes())
    assert (email["Subject"], email["To"], email["Cc"]) == ("Asunto", "a@example.net", "b@example.net")
    assert sorted(part.get_content_type() for part in email.walk() if not part.is_multipart()) == [
        "text/html",
        "text/plain",
    ]


def test_the_quota_is_a_production_accounts(engine_ses: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the stack's send rate, and two emails sent
    monkeypatch.setenv("LOCAL_SES_MAX_SEND_RATE", "14")
    engine_ses.verify_email_identity(EmailAddress="boletin@example.org")
    for _ in range(2):
        engine_ses.send_raw_email(RawMessage={"Data": RAW})
    # When the quota is read, then it is production's (not the sandbox's 1 a second) and counts them
    quota = engine_ses.get_send_quota()
    assert (quota["MaxSendRate"], quota["Max24HourSend"], quota["SentLast24Hours"]) == (14.0, 50000.0, 2.0)


def test_the_send_event_reaches_the_configuration_sets_topic(engine: SesEngine, endpoint: Any) -> None:
    # Given a topic with a queue subscribed (moto, behind the same endpoint) for configuration set "cs"
    ses, sns, sqs = (client(endpoint, service) for service in ("ses", "sns", "sqs"))
    topic = sns.create_topic(Name=unique("ses-events"))["TopicArn"]
    queue = sqs.create_queue(QueueName=unique("ses-events"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    ses.verify_email_identity(EmailAddress="boletin@example.org")
    publisher = SesEventPublisher(
        name="ses-events",
        engine=engine,
        client=lambda service: client(endpoint, service),
        send_event_topics={"cs": [topic]},
    )
    # When an email is sent with the configuration set and tags, and one without
    message_id = ses.send_raw_email(
        Source="boletin@example.org",
        Destinations=["reader@example.net"],
        RawMessage={"Data": RAW},
        ConfigurationSetName="cs",
        Tags=[{"Name": "line", "Value": "abc"}],
    )["MessageId"]
    ses.send_raw_email(RawMessage={"Data": RAW})
    assert not publisher.is_drained()
    publisher.start()
    try:
        wait_for(publisher.is_drained)
        messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages"))
    finally:
        publisher.stop()
    # Then one Send event, as SES's, carrying the message id, destination, tags and configuration set
    [event] = [json.loads(m["Body"]) for m in messages]
    assert event["eventType"] == "Send"
    assert event["mail"]["messageId"] == message_id
    assert event["mail"]["destination"] == ["reader@example.net"]
    assert event["mail"]["tags"] == {"ses:configuration-set": ["cs"], "line": ["abc"]}
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages") is None


def test_identities_and_unpublished_events_survive_a_restart(tmp_path: Path) -> None:
    # Given a verified sender and an email whose Send event is not yet published, then a stop
    with serving(SesEngine(tmp_path / "ses", tmp_path / "outbox")) as endpoint:
        ses = client(endpoint, "ses")
        ses.verify_email_identity(EmailAddress="boletin@example.org")
        message_id = ses.send_raw_email(RawMessage={"Data": RAW}, ConfigurationSetName="cs")["MessageId"]
    # When a new engine opens the same folders
    reopened = SesEngine(tmp_path / "ses", tmp_path / "outbox")
    with serving(reopened) as endpoint:
        ses = client(endpoint, "ses")
        # Then the sender may still send, the email is in the outbox and its event is still to publish
        assert "boletin@example.org" in ses.list_identities()["Identities"]
        ses.send_raw_email(RawMessage={"Data": RAW})
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
        [(_, configuration_set, event)] = reopened.pending_events()
        assert (configuration_set, event["mail"]["messageId"]) == ("cs", message_id)
