"""Putting bulletin events on the bus, resending exactly the entries that failed."""

from __future__ import annotations

import time
from typing import Any

from boletin.aws import LazyClient
from boletin.models.events import EVENT_SOURCE, BulletinEventDetail, DetailType


class EventPublishError(RuntimeError):
    """Some entries kept failing: the caller fails its record so the stream retries it."""


class EventPublisher:
    client = LazyClient("events")

    def __init__(self, bus_name: str, client: Any = None, *, attempts: int = 4) -> None:
        self._bus = bus_name
        self.client = client
        self._attempts = attempts

    def publish(self, events: list[tuple[DetailType, BulletinEventDetail]]) -> None:
        """Put every event; PutEvents can fail per entry while answering 200, so check each."""
        entries = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": str(detail_type),
                "Detail": detail.model_dump_json(exclude_none=True),
                "EventBusName": self._bus,
            }
            for detail_type, detail in events
        ]
        for start in range(0, len(entries), 10):  # PutEvents takes at most 10 entries
            self._put(entries[start : start + 10])

    def _put(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        for attempt in range(self._attempts):
            response = self.client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            # Results are positional: resend only the entries that carry an error code.
            pending = [
                entry
                for entry, result in zip(pending, response["Entries"], strict=False)
                if result.get("ErrorCode")
            ]
            if not pending:
                return
            time.sleep(min(0.1 * 2**attempt, 1.0))
        codes = sorted({str(r.get("ErrorCode")) for r in response["Entries"] if r.get("ErrorCode")})
        raise EventPublishError(f"{len(pending)} event(s) not accepted by the bus: {', '.join(codes)}")
