"""Creating a pending subscription when DynamoDB cancels the transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from boletin.errors import ConflictError
from boletin.models.subscriptions import SubscriptionRecord
from boletin.repositories.dynamo import to_item
from boletin.repositories.subscriptions import SubscriptionRepository

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
RECORD = SubscriptionRecord(
    id="3f1d5c1e-0000-4000-8000-000000000001",
    address="ana@example.org",
    address_key="k" * 20,
    language="es",
    countries=["GT"],
    topics=[],
    frequency="immediate",
    timezone="UTC",
    status="pending",
    created_at=NOW,
)


class CancellingClient:
    """A DynamoDB client whose transaction is cancelled; the item may be there already or not."""

    def __init__(self, *, committed: bool) -> None:
        self.committed = committed

    def transact_write_items(self, **_: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                "CancellationReasons": [{"Code": "TransactionConflict"}],
            },
            "TransactWriteItems",
        )

    def get_item(self, **_: Any) -> dict[str, Any]:
        if not self.committed:
            return {}
        return {"Item": to_item({"pk": f"SUB#{RECORD.id}", "sk": "SUB", **RECORD.model_dump(mode="json")})}


def test_a_retried_transaction_that_had_committed_counts_as_done() -> None:
    # Given DynamoDB cancels a retry whose first attempt stored the subscription (its answer was lost)
    repository = SubscriptionRepository("subscriptions", client=CancellingClient(committed=True))
    # When the pending subscription is created, Then it is simply there: no error
    repository.create_pending(RECORD, [NOW])


def test_a_transaction_cancelled_by_a_concurrent_request_is_a_conflict_to_retry() -> None:
    # Given another request for the same address holds its items, so nothing was stored
    repository = SubscriptionRepository("subscriptions", client=CancellingClient(committed=False))
    # When the pending subscription is created, Then a 409 problem asks to try again (not a 500)
    with pytest.raises(ConflictError) as raised:
        repository.create_pending(RECORD, [NOW])
    assert raised.value.status == 409
