"""Hourly schedule: queues the daily and weekly digests due at 08:00 in subscribers' time zones."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.services.email_delivery import DigestScheduler

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Only the local stack's `POST /_local/digests/run` sets "force": scheduled events never do.
    force = bool((event.get("detail") or {}).get("force"))
    queued = DigestScheduler.from_settings().run(force=force)
    logger.info("digests queued", queued=queued, forced=force)
    return {"queued": queued}
