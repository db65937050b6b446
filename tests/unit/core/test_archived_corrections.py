"""Corrections of an archived bulletin: a PATCH keeps it archived, a PUT replaces the flag too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from boletin.models.bulletins import BulletinRecord
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinUpdate, content_hash
from boletin.repositories.office_guard import OfficeGuards
from boletin.services.lifecycle import BulletinLifecycle
from boletin.services.offices import OfficeService
from tests.support.bulletin_fakes import Clock, FakeBulletinRepository, FakeOfficeRepository

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
CALLER = Caller(office="iom-cr", office_name="IOM Costa Rica", key_id="k1")


def lifecycle_over(record: BulletinRecord) -> BulletinLifecycle:
    bulletins = FakeBulletinRepository()
    bulletins.items[record.id] = record
    offices = OfficeService(FakeOfficeRepository())  # type: ignore[arg-type]
    return BulletinLifecycle(bulletins, offices, OfficeGuards("offices"), clock=Clock(NOW))  # type: ignore[arg-type]


def archived() -> BulletinRecord:
    record = BulletinRecord(
        id="b1", office="iom-cr", office_name="IOM Costa Rica", status="published", version=1,
        title="An archived bulletin of 2021", body="Body.", published_on=date(2021, 11, 30),
        created_at=NOW, updated_at=NOW, content_hash="", request_hash="r", notify=False,
    )  # fmt: skip
    return record.model_copy(update={"content_hash": content_hash(record.submission())})


def test_a_patch_of_an_archived_bulletin_keeps_it_archived() -> None:
    # Given an archived bulletin / When its title is patched
    lifecycle = lifecycle_over(archived())
    new, changed = lifecycle.patch(
        CALLER,
        "b1",
        {"title": "An archived bulletin of 2021, corrected"},
        if_match='"1"',
    )
    # Then it is a new version, still never emailed
    assert changed
    assert new.version == 2
    assert new.notify is False


def test_a_put_that_changes_only_notify_is_a_change_and_one_that_repeats_it_is_not() -> None:
    lifecycle = lifecycle_over(archived())
    base = json.loads(archived().submission().model_dump_json())
    # When the same content is PUT again with notify false / Then nothing changes
    same = BulletinUpdate.model_validate_json(json.dumps(base))
    _, changed = lifecycle.replace(CALLER, "b1", same, if_match="1")
    assert not changed
    # When it is PUT with notify true / Then that is a new version with the flag replaced
    live = BulletinUpdate.model_validate_json(json.dumps({**base, "notify": True}))
    new, changed = lifecycle.replace(CALLER, "b1", live, if_match="1")
    assert changed
    assert new.notify is True
    # And the content hash (what enrichment keys on) did not change: nothing is enriched again
    assert new.content_hash == archived().content_hash
