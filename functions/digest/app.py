"""Hourly schedule: queues the daily and weekly digests due at 08:00 in subscribers' time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.email import digest_scheduler
from boletin.observability import BusinessMetric, count

logger = Logger()
metrics = EphemeralMetrics()


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The hour is the event's, not the clock's: a retried or replayed (dead-lettered) run queues the
    # digests of the hour it was scheduled for, and the ledger keeps any from going out twice.
    scheduled_for = _scheduled_time(event)
    queued = digest_scheduler().run(scheduled_for)
    logger.info(
        "digests queued",
        queued=queued,
        scheduled_for=scheduled_for.isoformat() if scheduled_for else None,
    )
    count(metrics, BusinessMetric.DIGESTS_QUEUED, queued)
    return {"queued": queued}


def _scheduled_time(event: dict[str, Any]) -> datetime | None:
    """The Scheduled Event's `time` (UTC); None (the scheduler's clock) for an event without one."""
    try:
        return datetime.fromisoformat(str(event["time"])).astimezone(UTC)
    except (KeyError, ValueError):
        return None
