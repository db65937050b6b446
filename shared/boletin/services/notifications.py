"""Reading bulletin events out of SQS messages that EventBridge delivered."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from boletin.models.events import EVENT_SOURCE, BulletinEventDetail, DetailType


class UnreadableEventError(ValueError):
    """A message that is not a bulletin event: retrying cannot help, it goes to the DLQ."""


def bulletin_event(sqs_body: str) -> tuple[DetailType, BulletinEventDetail]:
    """(detail-type, detail) of an EventBridge envelope carried in an SQS message body."""
    try:
        envelope: Any = json.loads(sqs_body)
    except json.JSONDecodeError as error:
        raise UnreadableEventError(f"not JSON: {error.msg}") from None
    if not isinstance(envelope, dict) or envelope.get("source") != EVENT_SOURCE:
        raise UnreadableEventError("not a bulletin event")
    try:
        kind = DetailType(str(envelope.get("detail-type")))
    except ValueError:
        raise UnreadableEventError(f"not a kind of bulletin event: {envelope.get('detail-type')!r}") from None
    try:
        detail = BulletinEventDetail.model_validate(envelope.get("detail"))
    except ValidationError as error:
        raise UnreadableEventError(f"invalid detail: {error.error_count()} error(s)") from None
    return kind, detail
