"""Queue consumer: turns bulletin events into ledger lines and send messages for subscribers."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.email import email_fan_out
from boletin.observability import BusinessMetric, count
from boletin.services.notifications import bulletin_event

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    detail_type, detail = bulletin_event(record.body)
    logger.set_correlation_id(detail.correlation_id)
    report = email_fan_out().handle(detail_type, detail)
    count(metrics, BusinessMetric.EMAILS_QUEUED, report.queued)
    logger.info(
        "bulletin event handled",
        detail_type=detail_type,
        bulletin_id=detail.id,
        matched=report.matched,
        queued=report.queued,
        dropped=report.dropped,
    )


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
