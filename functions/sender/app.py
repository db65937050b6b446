"""Queue consumer: sends each queued delivery once through SES and records it in the ledger."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.email import sender
from boletin.models.deliveries import parse_send_message
from boletin.observability import BusinessMetric, count

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    # A body that is no delivery raises UnreadableMessageError: this record fails (the others of
    # the batch go on), and after the queue's retries it waits in SendDLQ.
    message = parse_send_message(record.body)
    outcome = sender().send(message)
    if outcome.status == "sent":
        count(metrics, BusinessMetric.EMAILS_SENT)
    logger.info("delivery handled", kind=message.kind, status=outcome.status)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    sender().forget_bulletins()  # a bulletin withdrawn since the last batch must not be sent
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
