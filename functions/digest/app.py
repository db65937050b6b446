"""Hourly schedule: queues the daily and weekly digests due at 08:00 in subscribers' time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.observability import BusinessMetric, count
from boletin.services.email_delivery import DigestScheduler

logger = Logger()
metrics = EphemeralMetrics()


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The hour is the event's, not the clock's: a retried or replayed (dead-lettered) run queues the
    # digests of the hour it was scheduled for, and the ledger keeps any from going out twice.
    scheduled_for = _scheduled_time(event)
    # Only the local stack's `POST /_local/digests/run` sets "force" (every digest now, each run its
    # own period by the clock): scheduled events never do.
    force = bool((event.get("detail") or {}).get("force"))
    queued = DigestScheduler.from_settings().run(now=None if force else scheduled_for, force=force)
    logger.info("digests queued", queued=queued, forced=force, scheduled_for=scheduled_for.isoformat())
    count(metrics, BusinessMetric.DIGESTS_QUEUED, queued)
    return {"queued": queued}


def _scheduled_time(event: dict[str, Any]) -> datetime:
    """The Scheduled Event's `time` (UTC); the clock only for an event without one."""
    try:
        return datetime.fromisoformat(str(event["time"])).astimezone(UTC)
    except (KeyError, ValueError):
        return datetime.now(UTC)
