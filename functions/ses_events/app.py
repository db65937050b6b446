"""Queue consumer: SES events (via SNS). A Send settles a ledger line; a permanent bounce or a complaint
suppresses the address."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.email import ses_event_handler
from boletin.observability import BusinessMetric, count

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.SQS)
_METRIC_OF = {"bounced": BusinessMetric.EMAILS_BOUNCED, "complained": BusinessMetric.EMAILS_COMPLAINED}


def record_handler(record: SQSRecord) -> None:
    body: Any = json.loads(record.body)
    # Raw SNS delivery gives the SES notification itself; without it, SNS wraps it in "Message".
    if isinstance(body, dict) and "Message" in body and "Type" in body:
        body = json.loads(body["Message"])
    outcome = ses_event_handler().handle(body)
    logger.info(
        "ses notification handled",
        reason=outcome.reason,
        suppressed=outcome.suppressed,
        settled=outcome.settled,
    )
    if outcome.reason is not None:
        count(metrics, _METRIC_OF[outcome.reason])
    if outcome.settled:
        # The sender died before it could count this email; SES's Send event says it went.
        count(metrics, BusinessMetric.EMAILS_SENT)


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
