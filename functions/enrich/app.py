"""Stream consumer: enriches stored submissions, publishes them and announces them on the bus."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.publishing import publisher
from boletin.models.events import DetailType
from boletin.observability import BusinessMetric, count
from boletin.repositories.bulletins import record_from_image

logger = Logger()
metrics = EphemeralMetrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
_ANNOUNCED = {
    DetailType.PUBLISHED: BusinessMetric.BULLETINS_PUBLISHED,
    DetailType.UPDATED: BusinessMetric.BULLETINS_UPDATED,
    DetailType.WITHDRAWN: BusinessMetric.BULLETINS_WITHDRAWN,
}


def record_handler(record: DynamoDBRecord) -> None:
    raw = record.raw_event["dynamodb"]
    old = record_from_image(raw.get("OldImage"))
    new = record_from_image(raw.get("NewImage"))
    logger.set_correlation_id(new.correlation_id if new is not None else None)
    outcome = publisher().handle_change(old, new)
    for detail_type in outcome.announced:
        count(metrics, _ANNOUNCED[detail_type])
    if new is not None and (outcome.enriched or outcome.announced):
        logger.info(
            "bulletin processed",
            bulletin_id=new.id,
            version=new.version,
            enriched=outcome.enriched,
            announced=outcome.announced,
        )


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
