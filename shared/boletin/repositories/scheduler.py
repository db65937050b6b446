"""Embargoes: one-time EventBridge Scheduler schedules that release a bulletin at its publish_at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boletin import aws
from boletin.repositories.dynamo import error_code


@dataclass
class ReleaseScheduler:
    group: str
    target_queue_arn: str
    role_arn: str
    _client: Any | None = None

    @classmethod
    def from_settings(cls) -> ReleaseScheduler:
        from boletin.settings import get_settings

        settings = get_settings()
        return cls(settings.schedule_group, settings.release_queue_arn, settings.scheduler_role_arn)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("scheduler")
        return self._client

    def schedule_release(self, bulletin_id: str, content_hash: str, when: datetime) -> None:
        """Idempotent: the schedule's name is derived from the bulletin and the content it releases."""
        at = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        try:
            self.client.create_schedule(
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
        except Exception as error:
            if error_code(error) != "ConflictException":  # already scheduled by an earlier try
                raise
