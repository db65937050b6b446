"""Lists of bulletins over in-memory fakes: pages newest first with a cursor that only its own query
accepts, and an office's own view at any status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from boletin.errors import MalformedRequestError
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission
from boletin.services.bulletin_lists import BulletinLists, ListQuery
from tests.support.bulletin_fakes import BulletinDesk

OFFICE = Caller(office="iom-gt", office_name="OIM Guatemala", key_id="k1")


def lists_of(desk: BulletinDesk) -> BulletinLists:
    return BulletinLists(desk.bulletins, desk.index, "https://api.example.org")  # type: ignore[arg-type]


def three_published(desk: BulletinDesk) -> list[str]:
    """Three Guatemala bulletins, a day apart, published; their ids oldest first."""
    ids = []
    for n in range(3):
        submission = BulletinSubmission.model_validate(
            {
                "title": f"Guatemala atiende a personas migrantes retornadas, día {n + 1}",
                "body": "En la Ciudad de Guatemala se atendió a personas migrantes retornadas.",
                "published_on": (date(2026, 11, 1) + timedelta(days=n)).isoformat(),
            },
            strict=False,
        )
        ids.append(desk.service.submit(OFFICE, submission).record.id)
    desk.settle()
    return ids


def test_a_list_pages_newest_first_and_its_cursor_leads_to_the_rest() -> None:
    # Given three published bulletins about Guatemala
    desk = BulletinDesk()
    oldest, middle, newest = three_published(desk)
    lists = lists_of(desk)
    # When the public asks for Guatemala's, two at a time, following the cursor
    first, _ = lists.page(ListQuery.model_validate({"country": "GT", "limit": "2"}), None)
    assert first.next_cursor is not None
    rest, _ = lists.page(
        ListQuery.model_validate({"country": "GT", "limit": "2", "cursor": first.next_cursor}), None
    )
    # Then it sees every one once, newest first, and the last page says nothing follows
    assert [v.id for v in first.items] == [newest, middle]
    assert [v.id for v in rest.items] == [oldest]
    assert rest.next_cursor is None


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJrIjoiMjAyNi0xMS0wMSMiLCJxIjoiIn0"])
def test_a_cursor_that_is_not_this_querys_is_refused_naming_the_cursor(cursor: str) -> None:
    # Given published bulletins, and a cursor made up or made for another query
    desk = BulletinDesk()
    three_published(desk)
    # When it is passed back / Then the request is refused, naming the cursor
    with pytest.raises(MalformedRequestError) as refused:
        lists_of(desk).page(ListQuery.model_validate({"country": "GT", "cursor": cursor}), None)
    assert [e.field for e in refused.value.errors] == ["cursor"]


def test_a_cursor_from_one_filter_does_not_page_another() -> None:
    desk = BulletinDesk()
    three_published(desk)
    lists = lists_of(desk)
    first, _ = lists.page(ListQuery.model_validate({"country": "GT", "limit": "1"}), None)
    assert first.next_cursor is not None
    with pytest.raises(MalformedRequestError):
        lists.page(ListQuery.model_validate({"language": "es", "cursor": first.next_cursor}), None)


def test_an_office_sees_its_own_bulletins_at_any_status_and_no_one_else_may_filter_by_status() -> None:
    # Given a published bulletin and one under embargo, of one office
    desk = BulletinDesk()
    three_published(desk)
    embargoed = BulletinSubmission.model_validate(
        {
            "title": "Guatemala anunciará un nuevo centro de atención a migrantes",
            "body": "El anuncio se hará en la Ciudad de Guatemala.",
            "published_on": "2026-11-30",
            "publish_at": (desk.clock.now + timedelta(days=1)).isoformat(),
        },
        strict=False,
    )
    scheduled = desk.service.submit(OFFICE, embargoed).record.id
    desk.settle()
    lists = lists_of(desk)
    # When the office lists its own scheduled bulletins
    own, _ = lists.page(ListQuery.model_validate({"office": OFFICE.office, "status": "scheduled"}), OFFICE)
    # Then it sees the embargoed one only; and the public may not ask by status
    assert [v.id for v in own.items] == [scheduled]
    with pytest.raises(MalformedRequestError) as refused:
        lists.page(ListQuery.model_validate({"office": OFFICE.office, "status": "scheduled"}), None)
    assert [e.field for e in refused.value.errors] == ["status"]
