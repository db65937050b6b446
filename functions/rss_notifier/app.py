"""Queue consumer: regenerates, once per batch, every feed and public page the batch's bulletin
events touch."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.site import feed_regenerator, site_regenerator
from boletin.models.events import BulletinEventDetail
from boletin.observability import BusinessMetric, count
from boletin.services.feeds import scopes_touched
from boletin.services.notifications import UnreadableEventError, bulletin_event

logger = Logger()
metrics = EphemeralMetrics()


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    scopes: set[str] = set()
    details: list[BulletinEventDetail] = []
    readable: list[str] = []
    for record in event.get("Records", []):
        try:
            _, detail = bulletin_event(record["body"])
        except UnreadableEventError as error:
            logger.error("unreadable message", message_id=record.get("messageId"), reason=str(error))
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        scopes |= scopes_touched(detail)
        details.append(detail)
        readable.append(record["messageId"])
    if scopes:
        try:
            report = feed_regenerator().regenerate(scopes)
            site = site_regenerator().regenerate(details, scopes)
        except Exception:
            # Nothing is lost: every message of the batch comes back and the feeds and pages are
            # rebuilt from the tables, so a later success writes the current truth.
            logger.exception("feed regeneration failed", scopes=len(scopes))
            failures.extend({"itemIdentifier": m} for m in readable)
        else:
            logger.info(
                "feeds regenerated",
                written=len(report.written),
                unchanged=len(report.unchanged),
                pages_written=len(site.written),
                pages_unchanged=len(site.unchanged),
            )
            count(metrics, BusinessMetric.FEEDS_WRITTEN, len(report.written))
    return {"batchItemFailures": failures}
