"""Embargoes: one-time EventBridge Scheduler schedules that release a bulletin at its publish_at."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from boletin.aws import LazyClient
from boletin.repositories.dynamo import refusal


class ReleaseScheduler:
    client = LazyClient("scheduler")

    def __init__(self, group: str, target_queue_arn: str, role_arn: str, client: Any = None) -> None:
        self.group = group
        self.target_queue_arn = target_queue_arn
        self.role_arn = role_arn
        self.client = client

    def schedule_release(self, bulletin_id: str, content_hash: str, when: datetime) -> None:
        """Idempotent: the schedule's name is derived from the bulletin and the content it releases,
        so a retry finds it already scheduled (ConflictException) and that is success."""
        at = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        refusal(
            self.client.create_schedule,
            refused_by=("ConflictException",),
            Name=f"release-{bulletin_id}-{content_hash[:12]}",
            GroupName=self.group,
            ScheduleExpression=f"at({at})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                "Arn": self.target_queue_arn,
                "RoleArn": self.role_arn,
                "Input": json.dumps({"bulletin_id": bulletin_id, "content_hash": content_hash}),
                "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 86400},
            },
        )
