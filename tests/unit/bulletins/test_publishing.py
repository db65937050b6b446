"""The Publisher, fed the bulletins table's stream over in-memory fakes: what readers and
subscribers notice — a bulletin goes out once, a failure comes back for a retry, an embargo holds,
a bulletin about another office's countries is held, and a withdrawal takes it off every list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from boletin.models.bulletins import BulletinStatus
from boletin.models.events import DetailType
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission, BulletinUpdate, BulletinWithdrawal
from boletin.repositories.scopes import ALL, scope_key
from tests.support.bulletin_fakes import BulletinDesk, BusUnavailableError

OFFICE = Caller(office="iom-gt", office_name="OIM Guatemala", key_id="k1")
TITLE = "Guatemala abre un centro de atención para personas migrantes retornadas"
BODY = "Las autoridades de Guatemala inauguraron en la Ciudad de Guatemala un centro de atención."


def submission(**fields: object) -> BulletinSubmission:
    values: dict[str, object] = {"title": TITLE, "body": BODY, "published_on": date(2026, 11, 30), **fields}
    return BulletinSubmission.model_validate(values, strict=False)


def test_a_submission_is_published_listed_and_announced_once_even_when_its_record_is_retried() -> None:
    # Given a submitted bulletin, published and announced once the stream settled
    desk = BulletinDesk()
    bulletin = desk.service.submit(OFFICE, submission(), idempotency_key="gt-1").record
    desk.settle()
    published = desk.bulletins.items[bulletin.id]
    # When the stream gives its submission's record again (the function timed out after enriching)
    desk.redeliver(0)
    # Then it is published, with its enrichment, as first published (same time, same version)
    stored = desk.bulletins.items[bulletin.id]
    assert stored.status == BulletinStatus.PUBLISHED
    assert stored.enrichment is not None
    assert "GT" in stored.enrichment.countries
    assert (stored.version, stored.published_at) == (published.version, published.published_at)
    # And it was announced once, and is listed once in the whole list and in Guatemala's
    assert desk.events.kinds() == [DetailType.PUBLISHED]
    assert desk.index.listed(ALL) == [bulletin.id]
    assert desk.index.listed(scope_key(country="GT")) == [bulletin.id]


def test_a_retried_announcement_repeats_the_same_event_and_nothing_else() -> None:
    # Given a published, announced bulletin
    desk = BulletinDesk()
    bulletin = desk.service.submit(OFFICE, submission()).record
    desk.settle()
    # When the record that announced it is given again (the function died after the put)
    desk.redeliver(1)
    # Then the bus gets the very same event again (its consumers key on id and version), never an
    # update, and the lists are unchanged
    assert desk.events.kinds() == [DetailType.PUBLISHED, DetailType.PUBLISHED]
    first, again = (detail for _, detail in desk.events.published)
    assert again == first
    assert (again.id, again.version) == (bulletin.id, 1)
    assert desk.index.listed(ALL) == [bulletin.id]


def test_a_retry_of_the_same_submission_is_one_bulletin() -> None:
    # Given a submission sent twice with the same Idempotency-Key (a client retrying a timeout)
    desk = BulletinDesk()
    first = desk.service.submit(OFFICE, submission(), idempotency_key="gt-2")
    again = desk.service.submit(OFFICE, submission(), idempotency_key="gt-2")
    # When the stream settles
    desk.settle()
    # Then there is one bulletin, announced once
    assert again.replayed
    assert again.record.id == first.record.id
    assert len(desk.bulletins.items) == 1
    assert desk.events.kinds() == [DetailType.PUBLISHED]


def test_when_the_bus_fails_the_record_fails_and_its_retry_announces_it_once() -> None:
    # Given a submitted bulletin, and a bus that refuses the next put
    desk = BulletinDesk()
    bulletin = desk.service.submit(OFFICE, submission()).record
    desk.events.failures = 1
    # When the stream delivers its records
    # Then the record that announces it fails, so the batch reports it and the stream gives it again
    with pytest.raises(BusUnavailableError):
        desk.settle()
    assert desk.events.published == []
    # When the stream gives it again (the bus is back)
    desk.settle()
    # Then it is announced once, and it was enriched and written once
    assert desk.events.kinds() == [DetailType.PUBLISHED]
    assert desk.bulletins.items[bulletin.id].status == BulletinStatus.PUBLISHED
    assert sum(1 for _, new in desk.bulletins.stream if new and new.status == "published") == 1


def test_an_embargoed_bulletin_waits_for_its_release_and_is_announced_when_released() -> None:
    # Given a bulletin to be published in two hours
    desk = BulletinDesk()
    publish_at = desk.clock.now + timedelta(hours=2)
    bulletin = desk.service.submit(OFFICE, submission(publish_at=publish_at.isoformat())).record
    # When the stream settles
    desk.settle()
    # Then it is scheduled, its release is booked for that time, and nothing is public or announced
    assert desk.bulletins.items[bulletin.id].status == BulletinStatus.SCHEDULED
    assert [when for _, _, when in desk.scheduler.scheduled.values()] == [publish_at]
    assert desk.events.published == []
    assert desk.index.listed(ALL) == []
    # When its schedule fires (twice: EventBridge Scheduler delivers at least once)
    desk.clock.advance(hours=2)
    assert desk.bulletins.release(bulletin.id, bulletin.content_hash, now=desk.clock.now)
    assert not desk.bulletins.release(bulletin.id, bulletin.content_hash, now=desk.clock.now)
    desk.settle()
    # Then it is published and announced once
    assert desk.bulletins.items[bulletin.id].status == BulletinStatus.PUBLISHED
    assert desk.events.kinds() == [DetailType.PUBLISHED]


def test_a_bulletin_only_about_countries_outside_its_offices_is_held_not_published() -> None:
    # Given an office that publishes for Costa Rica only
    desk = BulletinDesk()
    office, _ = desk.office_service.create_office("OIM Costa Rica", countries=["CR"])
    caller = Caller(office=office.id, office_name=office.name, key_id="k")
    # When it submits a bulletin enrichment finds to be about Guatemala only
    bulletin = desk.service.submit(caller, submission()).record
    desk.settle()
    # Then it is held, saying why, and neither listed nor announced
    stored = desk.bulletins.items[bulletin.id]
    assert stored.status == BulletinStatus.HELD
    assert stored.held_reason is not None
    assert "CR" in stored.held_reason
    assert desk.events.published == []
    assert desk.index.listed(ALL) == []


def test_a_correction_is_announced_as_an_update_naming_the_countries_it_had() -> None:
    # Given a published bulletin about Guatemala
    desk = BulletinDesk()
    bulletin = desk.service.submit(OFFICE, submission()).record
    desk.settle()
    # When its office corrects it to be about Honduras
    update = BulletinUpdate.model_validate(
        {"title": TITLE, "body": BODY, "published_on": "2026-11-30", "countries": ["HN"], "change": "major",
         "change_note": "El centro está en Honduras"},
        strict=False,
    )  # fmt: skip
    desk.lifecycle.replace(OFFICE, bulletin.id, update, if_match='"1"')
    desk.settle()
    # Then an update is announced with the countries it had, and the lists follow it
    assert desk.events.kinds() == [DetailType.PUBLISHED, DetailType.UPDATED]
    _, detail = desk.events.published[-1]
    assert detail.countries == ["HN"]
    assert "GT" in detail.previous_countries
    assert detail.change == "major"
    assert desk.index.listed(scope_key(country="HN")) == [bulletin.id]
    assert desk.index.listed(scope_key(country="GT")) == []


def test_a_withdrawal_takes_a_published_bulletin_off_every_list_and_is_announced() -> None:
    # Given a published bulletin
    desk = BulletinDesk()
    bulletin = desk.service.submit(OFFICE, submission()).record
    desk.settle()
    # When its office withdraws it and the stream settles, giving the withdrawal's record twice
    desk.lifecycle.withdraw(
        OFFICE, bulletin.id, BulletinWithdrawal(reason="Published by mistake"), if_match=None
    )
    desk.settle()
    desk.redeliver(len(desk.bulletins.stream) - 1)
    # Then it is on no list, and its withdrawal was announced (the same event each time)
    assert desk.index.entries == {}
    kinds = desk.events.kinds()
    assert kinds[0] == DetailType.PUBLISHED
    assert set(kinds[1:]) == {DetailType.WITHDRAWN}
    withdrawals = [detail for _, detail in desk.events.published[1:]]
    assert all(detail == withdrawals[0] for detail in withdrawals)


def test_a_bulletin_withdrawn_before_it_was_public_is_never_announced() -> None:
    # Given an embargoed bulletin
    desk = BulletinDesk()
    publish_at = desk.clock.now + timedelta(days=1)
    bulletin = desk.service.submit(OFFICE, submission(publish_at=publish_at.isoformat())).record
    desk.settle()
    # When it is withdrawn before its release
    desk.lifecycle.withdraw(OFFICE, bulletin.id, BulletinWithdrawal(reason="Cancelled event"), if_match=None)
    desk.settle()
    # Then nothing ever went out about it, and its late release publishes nothing
    assert desk.events.published == []
    assert not desk.bulletins.release(bulletin.id, bulletin.content_hash, now=publish_at)
