"""The local stack's IAM check: what each operation needs, on which resource, against a policy."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.iam import PolicyChecker

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Deliveries"
QUEUE_URL = f"http://127.0.0.1:5000/{ACCOUNT}/SendQueue"


def checker(*statements: dict[str, Any]) -> PolicyChecker:
    return PolicyChecker.from_policies(REGION, ACCOUNT, {"Fn": [{"Statement": list(statements)}]})


def allow(actions: list[str], resources: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def test_an_action_the_policy_lacks_is_refused_and_recorded() -> None:
    # Given a policy that may update the ledger but not read it in batches
    policy = checker(allow(["dynamodb:UpdateItem"], TABLE))
    # When the function makes both calls
    update = policy.check("Fn", "dynamodb", "UpdateItem", {"TableName": "Deliveries"})
    batch = policy.check("Fn", "dynamodb", "BatchGetItem", {"RequestItems": {"Deliveries": {}}})
    # Then only the batch read is refused, naming the action and the table
    assert update is None
    assert batch is not None
    assert (batch.action, batch.resource) == ("dynamodb:BatchGetItem", TABLE)
    assert [str(d) for d in policy.denied] == [f"Fn is not allowed dynamodb:BatchGetItem on {TABLE}"]


def test_a_query_on_an_index_needs_the_index_in_the_resource() -> None:
    table_only = checker(allow(["dynamodb:Query"], TABLE))
    with_index = checker(allow(["dynamodb:Query"], [TABLE, f"{TABLE}/index/*"]))
    query = {"TableName": "Deliveries", "IndexName": "PendingDigest"}
    assert table_only.check("Fn", "dynamodb", "Query", query) is not None
    assert with_index.check("Fn", "dynamodb", "Query", query) is None


def test_a_transaction_is_authorised_item_by_item() -> None:
    # Given a policy that may put items but not check conditions on them
    policy = checker(allow(["dynamodb:PutItem"], TABLE))
    put = {"Put": {"TableName": "Deliveries", "Item": {}}}
    check = {"ConditionCheck": {"TableName": "Deliveries", "Key": {}}}
    # Then a transaction of puts passes and one with a condition check is refused for that item
    assert policy.check("Fn", "dynamodb", "TransactWriteItems", {"TransactItems": [put]}) is None
    refused = policy.check("Fn", "dynamodb", "TransactWriteItems", {"TransactItems": [put, check]})
    assert refused is not None
    assert refused.action == "dynamodb:ConditionCheckItem"


@pytest.mark.parametrize(
    ("service", "operation", "params", "action", "resource"),
    [
        ("sqs", "SendMessageBatch", {"QueueUrl": QUEUE_URL}, "sqs:SendMessage", "SendQueue"),
        ("s3", "PutObject", {"Bucket": "feeds", "Key": "feeds/all.xml"}, "s3:PutObject", "feeds/all.xml"),
        ("s3", "ListObjectsV2", {"Bucket": "feeds"}, "s3:ListBucket", "arn:aws:s3:::feeds"),
        ("events", "PutEvents", {"Entries": [{"EventBusName": "bus"}]}, "events:PutEvents", "event-bus/bus"),
    ],
)
def test_each_operation_needs_its_iam_action_on_the_resource_it_names(
    service: str, operation: str, params: dict[str, Any], action: str, resource: str
) -> None:
    nothing = checker()
    denial = nothing.check("Fn", service, operation, params)
    assert denial is not None
    assert denial.action == action
    assert denial.resource.endswith(resource)


def test_the_sender_address_condition_is_held() -> None:
    # Given SES sending allowed only from the bulletin address
    policy = checker(
        allow(
            ["ses:SendRawEmail"],
            "*",
            Condition={"StringEquals": {"ses:FromAddress": "boletin@example.org"}},
        )
    )
    # Then sending from it passes and from any other address is refused
    ok = {"Source": "Boletín <boletin@example.org>", "RawMessage": {"Data": b""}}
    other = {"Source": "mallory@example.org", "RawMessage": {"Data": b""}}
    assert policy.check("Fn", "ses", "SendRawEmail", ok) is None
    assert policy.check("Fn", "ses", "SendRawEmail", other) is not None


def test_calls_outside_any_function_of_the_template_are_not_checked() -> None:
    assert checker().check("NotAFunction", "dynamodb", "GetItem", {"TableName": "Deliveries"}) is None
