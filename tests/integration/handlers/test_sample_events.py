"""Every sample event in events/ through its real handler, against moto in this process (the
template's tables, queues, bus, buckets and secret; no HTTP, no local stack).

Good events succeed; bad ones get a clear 4xx (never a 5xx), or a partial batch failure for the one
bad record, never an exception that would fail a whole batch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.paths import EVENTS
from tests.support.template_in_moto import TemplateInMoto


def sample(path: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / path).read_text()))


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ("api/submit_bulletin.json", 201),
        ("api/submit_bulletin_invalid.json", 422),
        ("api/submit_bulletin_malformed.json", 400),
        ("api/preview_bulletin.json", 200),
        ("api/get_bulletin.json", 404),
        ("api/list_bulletins.json", 200),
        ("api/list_bulletins_invalid.json", 422),
        ("api/list_topics.json", 200),
        ("api/list_feeds.json", 200),
        ("api/replace_bulletin.json", 404),
        ("api/replace_bulletin_without_if_match.json", 428),
        ("api/patch_bulletin.json", 404),
        ("api/withdraw_bulletin.json", 404),
        ("api/list_versions.json", 404),
    ],
)
def test_api_sample_events(template_aws: TemplateInMoto, event: str, status: int) -> None:
    reply = template_aws.invoke("ApiFunction", sample(event))
    assert reply["statusCode"] == status, reply["body"]
    headers = {
        **{k: v[-1] for k, v in (reply.get("multiValueHeaders") or {}).items()},
        **(reply.get("headers") or {}),
    }
    content_type = headers["Content-Type"]
    assert content_type == ("application/problem+json" if status >= 400 else "application/json")
    if status == 422:
        problem = json.loads(reply["body"])
        assert problem["errors"]
        assert all(e["field"] and e["detail"] for e in problem["errors"])


def test_the_lifecycle_sample_events_act_on_an_existing_bulletin(template_aws: TemplateInMoto) -> None:
    from boletin.composition.offices import office_service

    office, _ = office_service().create_office("Lifecycle sample office")
    context = {"office": office.id, "office_name": office.name, "key_id": "sample"}
    created = template_aws.invoke(
        "ApiFunction",
        {
            **sample("api/submit_bulletin.json"),
            "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {},
            "requestContext": {**sample("api/submit_bulletin.json")["requestContext"], "authorizer": context},
        },
    )
    bulletin_id = json.loads(created["body"])["id"]

    def on_it(name: str) -> dict[str, Any]:
        event = sample(name)
        event["pathParameters"] = {"id": bulletin_id}
        event["path"] = event["path"].replace("6f0c1c52-3f5a-4c9e-8d0e-0b7f1a2b3c4d", bulletin_id)
        event["requestContext"]["authorizer"] = context
        return event

    same = template_aws.invoke("ApiFunction", on_it("api/replace_bulletin.json"))
    assert same["statusCode"] == 200
    assert json.loads(same["body"])["version"] == 1  # the same content: a no-op
    patched = template_aws.invoke("ApiFunction", on_it("api/patch_bulletin.json"))
    assert patched["statusCode"] == 200
    assert json.loads(patched["body"])["version"] == 2
    assert (
        template_aws.invoke("ApiFunction", on_it("api/replace_bulletin.json"))["statusCode"] == 412
    )  # If-Match 1 is stale
    assert template_aws.invoke("ApiFunction", on_it("api/withdraw_bulletin.json"))["statusCode"] == 200


def test_an_invalid_submission_names_every_bad_field(template_aws: TemplateInMoto) -> None:
    reply = template_aws.invoke("ApiFunction", sample("api/submit_bulletin_invalid.json"))
    fields = {e["field"] for e in json.loads(reply["body"])["errors"]}
    assert fields == {"title", "body", "published_on", "language", "source_url", "countries", "colour"}


@pytest.mark.parametrize("event", ["authorizer/token.json", "authorizer/token_malformed.json"])
def test_the_authorizer_refuses_unknown_and_malformed_keys(template_aws: TemplateInMoto, event: str) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        template_aws.invoke("AuthorizerFunction", sample(event))


def test_the_authorizer_allows_a_real_key_on_every_route_with_the_office_in_context(
    template_aws: TemplateInMoto,
) -> None:
    from boletin.composition.offices import office_service

    office, key = office_service().create_office("Authorizer sample office")
    event = {**sample("authorizer/token.json"), "authorizationToken": f"Bearer {key}"}
    policy = template_aws.invoke("AuthorizerFunction", event)
    assert policy["principalId"] == office.id
    assert policy["context"]["office"] == office.id
    statement = policy["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"].endswith("/dev/*/*")


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ("subscriptions/subscribe.json", 202),
        ("subscriptions/subscribe_invalid.json", 422),
        ("subscriptions/confirm.json", 404),
        ("subscriptions/unsubscribe_page.json", 404),
        ("subscriptions/unsubscribe_one_click.json", 404),
        ("subscriptions/manage_page.json", 404),
        ("subscriptions/manage_submit.json", 404),
    ],
)
def test_subscription_sample_events(template_aws: TemplateInMoto, event: str, status: int) -> None:
    reply = template_aws.invoke("SubscriptionsFunction", sample(event))
    assert reply["statusCode"] == status, reply["body"]


@pytest.mark.parametrize(
    ("function", "event"),
    [
        ("RssNotifierFunction", "rss_notifier/sqs_bulletin_published.json"),
        ("EmailNotifierFunction", "email_notifier/sqs_bulletin_published.json"),
        ("SenderFunction", "sender/sqs_confirmation.json"),
        ("SenderFunction", "sender/sqs_bulletin.json"),
        ("SesEventsFunction", "ses_events/sqs_permanent_bounce.json"),
        ("SesEventsFunction", "ses_events/sqs_complaint.json"),
        ("SesEventsFunction", "ses_events/sqs_send.json"),
        ("EnrichFunction", "enrich/stream_insert_received.json"),
        ("ReleaseFunction", "release/sqs_release.json"),
    ],
)
def test_queue_and_stream_sample_events_are_consumed_without_failures(
    template_aws: TemplateInMoto, function: str, event: str
) -> None:
    assert template_aws.invoke(function, sample(event)) == {"batchItemFailures": []}


def test_an_unreadable_message_fails_alone(template_aws: TemplateInMoto) -> None:
    good = sample("rss_notifier/sqs_bulletin_published.json")["Records"][0]
    bad = {**sample("rss_notifier/sqs_unreadable.json")["Records"][0], "messageId": "bad-one"}
    result = template_aws.invoke("RssNotifierFunction", {"Records": [good, bad]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-one"}]}


def test_the_hourly_digest_run_outside_08_00_queues_nothing(template_aws: TemplateInMoto) -> None:
    result = template_aws.invoke("DigestFunction", sample("digest/scheduled.json"))
    assert result == {"queued": 0}


def test_an_archived_bulletin_event_records_no_delivery_for_a_matching_subscriber(
    template_aws: TemplateInMoto,
) -> None:
    """The email notifier fed the same Published event for a bulletin, archived (notify false) or not."""
    from datetime import UTC, datetime

    from boletin.models.subscriptions import SubscriptionRecord
    from boletin.repositories.deliveries import DeliveryRepository
    from boletin.repositories.subscriptions import SubscriptionRepository
    from boletin.settings import get_settings

    # Given an active immediate subscriber to Costa Rica
    settings = get_settings()
    subscriber = SubscriptionRecord(
        id="sub-archived-sample", address="cr-reader@example.org", address_key="addr-archived-sample",
        language="en", countries=["CR"], frequency="immediate", status="active", created_at=datetime.now(UTC),
    )  # fmt: skip
    SubscriptionRepository(settings.subscriptions_table).list_under_keys(subscriber)
    ledger = DeliveryRepository(settings.deliveries_table)
    archived = sample("email_notifier/sqs_bulletin_published_archived.json")
    archived_id = json.loads(archived["Records"][0]["body"])["detail"]["id"]
    live = sample("email_notifier/sqs_bulletin_published.json")
    live_id = json.loads(live["Records"][0]["body"])["detail"]["id"]
    # When the notifier gets the archived bulletin's event, and the ordinary one's
    assert template_aws.invoke("EmailNotifierFunction", archived) == {"batchItemFailures": []}
    assert template_aws.invoke("EmailNotifierFunction", live) == {"batchItemFailures": []}
    # Then the subscriber has a delivery for the ordinary bulletin only
    assert [d.address_key for d in ledger.of_bulletin(live_id)] == ["addr-archived-sample"]
    assert ledger.of_bulletin(archived_id) == []
