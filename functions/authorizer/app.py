"""API Gateway TOKEN authorizer: lets through requests that carry an active office key."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from boletin.composition.offices import office_service
from boletin.errors import UnauthorizedError
from boletin.observability import BusinessMetric, count

logger = Logger()
metrics = EphemeralMetrics()


def _any_route_of(method_arn: str) -> str:
    """arn:...:api-id/stage/METHOD/path -> arn:...:api-id/stage/*/*: API Gateway caches the decision
    for the token, so it must cover every route the office may call, not only the first one."""
    prefix, _, rest = method_arn.partition(":execute-api:")
    parts = rest.split("/")
    return f"{prefix}:execute-api:{'/'.join(parts[:2])}/*/*"


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        caller = office_service().authenticate(event.get("authorizationToken"))
    except UnauthorizedError:
        logger.info("office key refused")
        count(metrics, BusinessMetric.OFFICE_KEYS_REFUSED)
        # API Gateway answers 401 (its UNAUTHORIZED gateway response) for exactly this message.
        raise Exception("Unauthorized") from None
    return {
        "principalId": caller.office,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": _any_route_of(event["methodArn"]),
                }
            ],
        },
        "context": {
            "office": caller.office,
            "office_name": caller.office_name,
            "key_id": caller.key_id,
            "key_hash": caller.key_hash,
        },
    }
