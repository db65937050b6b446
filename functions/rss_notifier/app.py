"""Queue consumer: regenerates, once per batch, every feed and public page the batch's bulletin
events touch."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.models.events import BulletinEventDetail
from boletin.observability import BusinessMetric, count, function_metrics
from boletin.services.feeds import FeedRegenerator, scopes_touched
from boletin.services.notifications import UnreadableEventError, bulletin_event
from boletin.services.site import SiteRegenerator

logger = Logger()
metrics = function_metrics()
_regenerator: FeedRegenerator | None = None
_site: SiteRegenerator | None = None


def _get_regenerator() -> FeedRegenerator:
    global _regenerator
    if _regenerator is None:
        _regenerator = FeedRegenerator.from_settings()
    return _regenerator


def _get_site() -> SiteRegenerator:
    global _site
    if _site is None:
        _site = SiteRegenerator.from_settings()
    return _site


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
            report = _get_regenerator().regenerate(scopes)
            site = _get_site().regenerate(details, scopes)
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
