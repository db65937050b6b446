"""Queue consumer: sends each queued delivery once through SES and records it in the ledger."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.observability import BusinessMetric, count
from boletin.services.email_delivery import Sender

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.SQS)
_sender: Sender | None = None


def _get_sender() -> Sender:
    global _sender
    if _sender is None:
        _sender = Sender.from_settings()
    return _sender


def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    outcome = _get_sender().send(message)
    if outcome.status == "sent":
        count(metrics, BusinessMetric.EMAILS_SENT)
    logger.info("delivery handled", kind=message.get("kind"), status=outcome.status)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    sender = _get_sender()
    sender.forget_bulletins()  # a bulletin withdrawn since the last batch must not be sent
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
