"""Topics and queues that AWS services publish to must be encrypted with a key those services may use.

moto ignores KMS, so no local test can see this: an SNS topic or SQS queue encrypted with an AWS
managed key (alias/aws/sns, alias/aws/sqs) silently refuses every message CloudWatch, SES, EventBridge,
SNS or Scheduler tries to publish, because that key's policy cannot be changed to let them in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import load

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE: dict[str, Any] = load(str(ROOT / "template.yaml"))
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def _refs(value: Any) -> set[str]:
    """Every logical id a value points at (Ref / GetAtt), however deep."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) else str(item).split(".")[0]
                found.add(str(target))
            else:
                found |= _refs(item)
        return found
    if isinstance(value, list):
        return {ref for item in value for ref in _refs(item)}
    return set()


def _service_publishers() -> dict[str, set[str]]:
    """Topic or queue logical id -> the service principals that publish to it, read from the template."""
    publishers: dict[str, set[str]] = {}

    def add(targets: set[str], service: str) -> None:
        for target in targets:
            if RESOURCES.get(target, {}).get("Type") in ("AWS::SNS::Topic", "AWS::SQS::Queue"):
                publishers.setdefault(target, set()).add(service)

    for resource in RESOURCES.values():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::CloudWatch::Alarm":
            add(
                _refs([props.get(k, []) for k in ("AlarmActions", "OKActions", "InsufficientDataActions")]),
                "cloudwatch.amazonaws.com",
            )
        elif kind == "AWS::SES::ConfigurationSetEventDestination":
            add(_refs(props["EventDestination"].get("SnsDestination", {})), "ses.amazonaws.com")
        elif kind == "AWS::Events::Rule":
            add(_refs([t.get("Arn") for t in props.get("Targets", [])]), "events.amazonaws.com")
            add(_refs([t.get("DeadLetterConfig") for t in props.get("Targets", [])]), "events.amazonaws.com")
        elif kind == "AWS::SNS::Subscription":
            add(_refs([props.get("Endpoint"), props.get("RedrivePolicy")]), "sns.amazonaws.com")
        elif kind in ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            for statement in props["PolicyDocument"]["Statement"]:
                service = (
                    statement.get("Principal", {}).get("Service") if statement["Effect"] == "Allow" else None
                )
                if isinstance(service, str):
                    add(_refs(statement.get("Resource")), service)
        elif kind == "AWS::S3::Bucket":
            notifications = props.get("NotificationConfiguration", {})
            add(_refs(notifications), "s3.amazonaws.com")
    return publishers


PUBLISHED_TO = _service_publishers()


def _key_of(resource: dict[str, Any]) -> Any:
    return resource.get("Properties", {}).get("KmsMasterKeyId")


def test_the_template_has_topics_and_queues_that_services_publish_to() -> None:
    # Given the template: CloudWatch alarms and SES events go to SNS topics, EventBridge to queues
    assert "cloudwatch.amazonaws.com" in PUBLISHED_TO["AlarmTopic"]
    assert "ses.amazonaws.com" in PUBLISHED_TO["SesEventsTopic"]
    assert "events.amazonaws.com" in PUBLISHED_TO["FeedsQueue"]


@pytest.mark.parametrize("logical_id", sorted(PUBLISHED_TO))
def test_no_topic_or_queue_a_service_publishes_to_uses_an_aws_managed_key(logical_id: str) -> None:
    # Given a topic or queue an AWS service publishes to
    key = _key_of(RESOURCES[logical_id])
    # Then it is not encrypted with an AWS managed key, which that service could never use
    if isinstance(key, str):
        assert not key.startswith("alias/aws/"), f"{logical_id} uses the AWS managed key {key}"
        assert ":alias/aws/" not in key, f"{logical_id} uses an AWS managed key {key}"
    if key is None and RESOURCES[logical_id]["Type"] == "AWS::SNS::Topic":
        pytest.fail(f"{logical_id} is not encrypted at rest")
    if key is None:  # a queue: SSE-SQS is a key SQS holds, which every publishing service may use
        assert RESOURCES[logical_id]["Properties"].get("SqsManagedSseEnabled") is True, logical_id


@pytest.mark.parametrize(
    "logical_id", sorted(t for t in PUBLISHED_TO if isinstance(_key_of(RESOURCES[t]), dict))
)
def test_a_customer_managed_key_lets_in_exactly_its_publishing_services_scoped_to_their_sources(
    logical_id: str,
) -> None:
    # Given a topic or queue encrypted with a key of this template
    (key_id,) = _refs(_key_of(RESOURCES[logical_id]))
    key = RESOURCES[key_id]
    assert key["Type"] == "AWS::KMS::Key"
    props = key["Properties"]
    # Then the key rotates
    assert props["EnableKeyRotation"] is True
    statements = props["KeyPolicy"]["Statement"]
    granted = {
        s["Principal"]["Service"]: s
        for s in statements
        if isinstance(s.get("Principal", {}).get("Service"), str)
    }
    # And every service that publishes to it may generate data keys and decrypt ...
    for service in PUBLISHED_TO[logical_id]:
        assert service in granted, f"{key_id} does not let {service} publish to {logical_id}"
        actions = set(granted[service]["Action"])
        assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= actions, service
    # ... only from this account's own resources
    for service, statement in granted.items():
        conditions = {name for test in statement["Condition"].values() for name in test}
        assert {"aws:SourceAccount", "aws:SourceArn"} <= conditions, f"{key_id}: {service} is not scoped"
        assert set(statement["Action"]) <= {"kms:Decrypt", "kms:GenerateDataKey*"}, service
