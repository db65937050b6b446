"""Business metrics: their names, and the Powertools Metrics (CloudWatch EMF) each function writes them with.

The namespace comes from POWERTOOLS_METRICS_NAMESPACE (`Boletin/<stage>` in the template) and the
`service` dimension from POWERTOOLS_SERVICE_NAME, so the dashboard and alarms name them the same way.
"""

from __future__ import annotations

from enum import StrEnum

from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

__all__ = ["BusinessMetric", "count", "function_metrics"]


class BusinessMetric(StrEnum):
    BULLETINS_RECEIVED = "BulletinsReceived"  # new submissions stored by the API (not idempotent replays)
    BULLETINS_PUBLISHED = "BulletinsPublished"  # first publications announced on the bus
    BULLETINS_UPDATED = "BulletinsUpdated"  # corrections of published bulletins announced
    BULLETINS_WITHDRAWN = "BulletinsWithdrawn"  # withdrawals announced
    FEEDS_WRITTEN = "FeedsWritten"  # feed objects whose content changed and was written to S3
    EMAILS_QUEUED = "EmailsQueued"  # deliveries recorded in the ledger and handed to the send queue
    EMAILS_SENT = "EmailsSent"  # accepted by SES
    EMAILS_BOUNCED = "EmailsBounced"  # permanent bounces: the address is suppressed
    EMAILS_COMPLAINED = "EmailsComplained"  # complaints: the address is suppressed
    DIGESTS_QUEUED = "DigestsQueued"
    SUBSCRIPTIONS_REQUESTED = "SubscriptionsRequested"
    EMBARGOES_RELEASED = "EmbargoesReleased"
    OFFICE_KEYS_REFUSED = "OfficeKeysRefused"  # missing, unknown or revoked keys at the authorizer


def function_metrics() -> Metrics:
    """A function's metrics, with a metric set of its own.

    Powertools' Metrics instances share one class-level set per process. On Lambda a process runs one
    function, but the local stack runs them all in one process at once, where a shared set would let
    one function flush (or iterate) another's metrics mid-write.
    """
    return Metrics(provider=AmazonCloudWatchEMFProvider())


def count(metrics: Metrics, metric: BusinessMetric, value: int = 1) -> None:
    """Adds `value` occurrences of `metric` to this invocation's metrics (nothing when zero)."""
    if value:
        metrics.add_metric(name=metric.value, unit=MetricUnit.Count, value=value)
