"""Corrections, withdrawals and history, over in-memory fakes: what an office sees when it changes
its bulletin, and the clear refusals when a change cannot be made."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from boletin.errors import (
    BulletinNotFoundError,
    BulletinWithdrawnError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RequestValidationError,
)
from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission, BulletinUpdate, BulletinWithdrawal
from tests.support.bulletin_fakes import BulletinDesk

OFFICE = Caller(office="iom-hn", office_name="OIM Honduras", key_id="k1")
OTHER = Caller(office="iom-sv", office_name="OIM El Salvador", key_id="k2")
TITLE = "Honduras refuerza la atención a personas migrantes retornadas"
BODY = "En San Pedro Sula, Honduras, abrió un centro de atención a personas migrantes retornadas."


def content(**fields: Any) -> dict[str, Any]:
    return {"title": TITLE, "body": BODY, "published_on": "2026-11-30", **fields}


def published(desk: BulletinDesk, **fields: Any) -> BulletinRecord:
    """A bulletin its office submitted and the pipeline published."""
    submission = BulletinSubmission.model_validate(content(**fields), strict=False)
    record = desk.service.submit(OFFICE, submission).record
    desk.settle()
    return desk.bulletins.items[record.id]


def update(**fields: Any) -> BulletinUpdate:
    return BulletinUpdate.model_validate(content(**fields), strict=False)


def field_of(error: pytest.ExceptionInfo[Any]) -> list[str]:
    return [e.field for e in error.value.errors]


def test_a_correction_is_a_new_version_and_the_history_keeps_the_one_it_replaced() -> None:
    # Given a published bulletin at version 1
    desk = BulletinDesk()
    bulletin = published(desk)
    # When its office corrects the title, naming version 1, a minute later
    desk.clock.advance(minutes=1)
    new, changed = desk.lifecycle.replace(
        OFFICE,
        bulletin.id,
        update(title=TITLE + " en 2026", change="major", change_note="Año"),
        if_match='"1"',
    )
    # Then it is version 2, with the new title, still published and enriched again from the stream
    assert changed
    assert (new.version, new.title) == (2, TITLE + " en 2026")
    desk.settle()
    assert desk.bulletins.items[bulletin.id].status == BulletinStatus.PUBLISHED
    # And anyone reading its history sees both versions, what changed and who replaced the first
    history = desk.lifecycle.versions(bulletin.id, None)
    assert [(h["version"], h["title"]) for h in history] == [(1, TITLE), (2, TITLE + " en 2026")]
    assert history[0]["changed_fields"] == ["title"]
    assert history[0]["replaced_by"] == OFFICE.office
    assert history[0]["replaced_at"] == desk.clock.now.isoformat().replace("+00:00", "Z")
    assert history[1]["change"] == "major"


def test_a_correction_that_changes_nothing_is_no_new_version() -> None:
    # Given a published bulletin / When the same content is sent again
    desk = BulletinDesk()
    bulletin = published(desk)
    same, changed = desk.lifecycle.replace(OFFICE, bulletin.id, update(), if_match='"1"')
    # Then nothing is written
    assert not changed
    assert same.version == 1
    assert desk.bulletins.snapshots == {}


def test_a_correction_without_if_match_or_with_a_stale_one_is_refused_and_changes_nothing() -> None:
    # Given a bulletin corrected once (version 2)
    desk = BulletinDesk()
    bulletin = published(desk)
    desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " (1)"), if_match="1")
    # When a correction comes without If-Match / Then 428, naming the header
    with pytest.raises(PreconditionRequiredError) as missing:
        desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " (2)"), if_match=None)
    assert field_of(missing) == ["If-Match"]
    # When one names version 1 / Then 412, saying which version is current
    with pytest.raises(PreconditionFailedError) as stale:
        desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " (2)"), if_match='"1"')
    assert "version 2" in stale.value.detail
    # And the bulletin is as the first correction left it
    assert desk.bulletins.items[bulletin.id].title == TITLE + " (1)"


def test_of_two_corrections_made_at_once_one_wins_and_the_other_is_told_to_reapply() -> None:
    # Given a bulletin two editors read at version 1, and editor A's correction stored first
    desk = BulletinDesk()
    bulletin = published(desk)
    read_by_b = desk.bulletins.items[bulletin.id]
    desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " (A)"), if_match="1")
    # When editor B's correction, checked against the version 1 B's request read, reaches the table
    desk.bulletins.get = lambda *_, **__: read_by_b  # type: ignore[method-assign]
    with pytest.raises(PreconditionFailedError) as lost:
        desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " (B)"), if_match="1")
    # Then B is told someone changed it at the same time, naming If-Match, and A's correction stands
    assert "same time" in lost.value.detail
    assert field_of(lost) == ["If-Match"]
    assert desk.bulletins.items[bulletin.id].title == TITLE + " (A)"


def test_a_published_bulletin_cannot_be_put_under_embargo() -> None:
    desk = BulletinDesk()
    bulletin = published(desk)
    later = (desk.clock.now + timedelta(days=1)).isoformat()
    with pytest.raises(RequestValidationError) as refused:
        desk.lifecycle.replace(OFFICE, bulletin.id, update(publish_at=later), if_match="1")
    assert field_of(refused) == ["publish_at"]
    assert desk.bulletins.items[bulletin.id].version == 1


def test_a_withdrawal_is_kept_with_its_reason_and_repeating_it_changes_nothing() -> None:
    # Given a published bulletin
    desk = BulletinDesk()
    bulletin = published(desk)
    # When its office withdraws it, and then withdraws it again
    reason = BulletinWithdrawal(reason="Publicado por error")
    first = desk.lifecycle.withdraw(OFFICE, bulletin.id, reason, if_match='"1"')
    again = desk.lifecycle.withdraw(OFFICE, bulletin.id, reason, if_match='"1"')
    # Then it is withdrawn once (version 2), never erased, and readers are told why (410)
    assert (first.status, first.version) == (BulletinStatus.WITHDRAWN, 2)
    assert again.version == 2
    assert desk.bulletins.items[bulletin.id].withdrawn_reason == "Publicado por error"
    with pytest.raises(BulletinWithdrawnError, match="Publicado por error"):
        desk.service.get(bulletin.id, None)


def test_a_withdrawn_bulletin_cannot_be_corrected() -> None:
    desk = BulletinDesk()
    bulletin = published(desk)
    desk.lifecycle.withdraw(OFFICE, bulletin.id, BulletinWithdrawal(reason="Duplicado"), if_match=None)
    with pytest.raises(PreconditionFailedError, match="withdrawn bulletin cannot be changed"):
        desk.lifecycle.replace(OFFICE, bulletin.id, update(title=TITLE + " otra vez"), if_match="2")


def test_another_office_cannot_correct_or_withdraw_a_bulletin_and_learns_nothing_of_it() -> None:
    desk = BulletinDesk()
    bulletin = published(desk)
    with pytest.raises(BulletinNotFoundError):
        desk.lifecycle.replace(OTHER, bulletin.id, update(title=TITLE + " ajeno"), if_match="1")
    with pytest.raises(BulletinNotFoundError):
        desk.lifecycle.withdraw(OTHER, bulletin.id, BulletinWithdrawal(reason="No es mío"), if_match=None)
    assert desk.bulletins.items[bulletin.id].status == BulletinStatus.PUBLISHED


def test_an_archived_bulletin_stays_archived_through_a_patch() -> None:
    # Given an archived bulletin (published, never emailed)
    desk = BulletinDesk()
    bulletin = published(desk, notify=False)
    # When its date is patched
    new, changed = desk.lifecycle.patch(OFFICE, bulletin.id, {"published_on": "2026-11-29"}, if_match="1")
    desk.settle()
    # Then it is a new version of the same archived bulletin, and its correction is announced as
    # never to be emailed
    assert changed
    assert new.published_on == date(2026, 11, 29)
    assert new.notify is False
    _, detail = desk.events.published[-1]
    assert detail.notify is False


def test_a_patch_that_breaks_a_field_is_refused_naming_it() -> None:
    desk = BulletinDesk()
    bulletin = published(desk)
    with pytest.raises(RequestValidationError) as refused:
        desk.lifecycle.patch(OFFICE, bulletin.id, {"title": "short"}, if_match="1")
    assert field_of(refused) == ["title"]
    assert desk.bulletins.items[bulletin.id].title == TITLE
