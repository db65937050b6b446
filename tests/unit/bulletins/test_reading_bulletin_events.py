"""What the feeds and email consumers read out of their queues: a bulletin event and its kind, or
an unreadable message they send to their DLQ (retrying it could not help)."""

from __future__ import annotations

import json

import pytest

from boletin.models.events import EVENT_SOURCE, DetailType
from boletin.services.notifications import UnreadableEventError, bulletin_event

DETAIL = {
    "id": "0f0e6c52-5c6b-4f7e-9a38-1d2c3b4a5f60",
    "version": 1,
    "office": "iom-gt",
    "language": "es",
    "countries": ["GT"],
    "topics": [],
    "published_on": "2026-11-30",
}


def envelope(**fields: object) -> str:
    return json.dumps(
        {"source": EVENT_SOURCE, "detail-type": "Bulletin Published", "detail": DETAIL, **fields}
    )


def test_a_bulletin_event_is_read_with_its_kind() -> None:
    # Given the body EventBridge delivers for a publication / When it is read
    kind, detail = bulletin_event(envelope())
    # Then its kind and its bulletin are known
    assert kind is DetailType.PUBLISHED
    assert (detail.id, detail.countries) == (DETAIL["id"], ["GT"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not JSON"),
        (json.dumps({"source": "aws.s3", "detail": DETAIL}), "not a bulletin event"),
        (envelope(**{"detail-type": "Bulletin Deleted"}), "not a kind of bulletin event"),
        (envelope(detail={"id": "x"}), "invalid detail"),
    ],
)
def test_anything_else_is_unreadable_and_says_why(body: str, reason: str) -> None:
    # Given a message that is not a readable bulletin event / When it is read / Then it is refused, saying why
    with pytest.raises(UnreadableEventError, match=reason):
        bulletin_event(body)
