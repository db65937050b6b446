"""Business metrics: their names, and how a handler counts them (Powertools, CloudWatch EMF).

The namespace comes from POWERTOOLS_METRICS_NAMESPACE (`Boletin/<stage>` in the template) and the
`service` dimension from POWERTOOLS_SERVICE_NAME, so the dashboard and alarms name them the same way.
Each handler module keeps its own `EphemeralMetrics()`: Powertools' `Metrics()` instances share one
metric set per process, so any process hosting several handlers (pytest, a local run of the stack)
would flush one handler's metrics with another's; nothing else adds metrics outside a handler, so
nothing needs the shared set.
"""

from __future__ import annotations

from enum import StrEnum

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

__all__ = ["BusinessMetric", "count"]


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


def count(metrics: EphemeralMetrics, metric: BusinessMetric, value: int = 1) -> None:
    """Adds `value` occurrences of `metric` to this invocation's metrics (nothing when zero)."""
    if value:
        metrics.add_metric(name=metric.value, unit=MetricUnit.Count, value=value)
