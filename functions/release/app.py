"""Queue consumer: an embargo's schedule fired, so its bulletin is published (once)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.bulletin_store import bulletin_repository
from boletin.observability import BusinessMetric, count

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    released = bulletin_repository().release(
        str(message["bulletin_id"]), str(message["content_hash"]), now=datetime.now(UTC)
    )
    # Not released: changed, withdrawn or already published since - nothing to do, by design.
    logger.info("embargo ended", bulletin_id=message["bulletin_id"], released=released)
    if released:
        count(metrics, BusinessMetric.EMBARGOES_RELEASED)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
