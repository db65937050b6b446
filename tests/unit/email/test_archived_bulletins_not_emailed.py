"""An archived bulletin (notify false) is never emailed: the fan-out records nothing for it, and
the sender refuses it even if a line about it exists (immediate or digest)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from boletin.models.bulletins import BulletinRecord
from boletin.models.events import BULLETIN_PUBLISHED, BULLETIN_UPDATED, BulletinEventDetail
from boletin.models.submissions import BulletinSubmission
from boletin.services.email_delivery import EmailFanOut, Sender

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


class Subscriptions:
    def matching_entries(self, keys: Any) -> tuple[list[dict[str, Any]], int, int]:
        entries = [
            {"address_key": "a1", "frequency": "immediate", "subscription_id": "s1"},
            {"address_key": "a2", "frequency": "daily", "subscription_id": "s2"},
        ]
        return entries, len(entries), 1


class Ledger:
    def __init__(self) -> None:
        self.lines: list[Any] = []

    def record_or_get(self, delivery: Any, *, pending_digest: bool = False) -> None:
        self.lines.append(delivery)

    def of_bulletin(self, bulletin_id: str) -> list[Any]:
        return []


class Queue:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> int:
        self.sent.extend(messages)
        return 1


def detail(*, notify: bool) -> BulletinEventDetail:
    return BulletinEventDetail(
        id="b1", version=1, office="o", language="es", countries=["GT"], topics=["health"],
        published_on=date(2021, 11, 30), notify=notify,
    )  # fmt: skip


def fan_out() -> tuple[EmailFanOut, Ledger, Queue]:
    ledger, queue = Ledger(), Queue()
    return EmailFanOut(Subscriptions(), ledger, queue), ledger, queue  # type: ignore[arg-type]


def test_a_published_bulletin_reaches_both_matching_subscribers() -> None:
    # Given two matching subscribers (one immediate, one daily) / When a bulletin is published
    service, ledger, queue = fan_out()
    report = service.handle(BULLETIN_PUBLISHED, detail(notify=True), now=NOW)
    # Then both get a ledger line (one sent now, one held for the digest)
    assert report.matched == 2
    assert [line.status for line in ledger.lines] == ["queued", "pending_digest"]
    assert len(queue.sent) == 1


def test_an_archived_bulletin_gets_no_ledger_line_and_no_message_even_on_a_major_update() -> None:
    # Given the same subscribers / When an archived bulletin is published, then corrected
    service, ledger, queue = fan_out()
    published = service.handle(BULLETIN_PUBLISHED, detail(notify=False), now=NOW)
    updated = service.handle(BULLETIN_UPDATED, detail(notify=False).model_copy(update={"change": "major"}))
    # Then nothing is recorded or queued: no immediate email, nothing for a digest to hold
    assert published.matched == updated.matched == 0
    assert ledger.lines == []
    assert queue.sent == []


class Bulletins:
    def __init__(self, record: BulletinRecord) -> None:
        self.record = record

    def get(self, bulletin_id: str, **_: Any) -> BulletinRecord:
        return self.record


def record(*, notify: bool) -> BulletinRecord:
    return BulletinRecord(
        id="b1", office="o", office_name="O", status="published", version=1, title="An archived bulletin",
        body="Body.", published_on=date(2021, 11, 30), created_at=NOW, updated_at=NOW, content_hash="h",
        request_hash="r", notify=notify,
    )  # fmt: skip


def test_the_sender_never_builds_an_email_about_an_archived_bulletin() -> None:
    # Given a sender whose bulletin store holds an archived bulletin (a line made before it was archived)
    sender = Sender(None, None, Bulletins(record(notify=False)), None, None, None)  # type: ignore[arg-type]
    live = Sender(None, None, Bulletins(record(notify=True)), None, None, None)  # type: ignore[arg-type]
    # When it looks the bulletin up to build an immediate email or a digest
    # Then the archived one is not sendable (the line is dropped), the live one is
    assert sender._bulletin("b1") is None
    assert live._bulletin("b1") is not None


def test_notify_is_kept_but_leaves_existing_idempotency_hashes_unchanged() -> None:
    # Given the same submission with notify left out, true, and false
    base = {"title": "A bulletin from the archive", "body": "Body.", "published_on": "2021-11-30"}
    implicit = BulletinSubmission.model_validate_json(json.dumps(base))
    explicit = BulletinSubmission.model_validate_json(json.dumps({**base, "notify": True}))
    archived = BulletinSubmission.model_validate_json(json.dumps({**base, "notify": False}))
    # Then leaving it out means notify; a retry from before the field existed still replays
    assert implicit.notify is True
    assert implicit.request_hash() == explicit.request_hash()
    # And asking for no email is a different request (the same key cannot flip it silently)
    assert archived.request_hash() != implicit.request_hash()
    assert archived.notify is False
