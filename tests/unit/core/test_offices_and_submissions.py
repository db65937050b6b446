"""Office keys and submissions, with in-memory repositories."""

from __future__ import annotations

from datetime import date

import pytest

from boletin.errors import (
    BulletinNotFoundError,
    IdempotencyKeyReusedError,
    MalformedRequestError,
    UnauthorizedError,
)
from boletin.models.bulletins import BulletinSubmission
from boletin.services import bulletins, offices
from tests.unit.core.fakes import FakeBulletinRepository, FakeOfficeRepository


def submission(title: str = "Costa Rica opens a new migrant service centre") -> BulletinSubmission:
    return BulletinSubmission(title=title, body="Body text.", published_on=date(2021, 11, 30))


ID_KEY = b"k" * 32


@pytest.fixture
def office_repo() -> FakeOfficeRepository:
    return FakeOfficeRepository()


def test_a_new_office_gets_a_key_that_is_stored_only_as_a_hash(office_repo: FakeOfficeRepository) -> None:
    office, key = offices.create_office("IOM Costa Rica", repository=office_repo)
    assert office.id == "iom-costa-rica"
    stored = list(office_repo.keys.values())
    assert len(stored) == 1
    assert key not in repr(office_repo.keys)
    assert key not in repr(office_repo.offices)
    assert stored[0].key_hash == offices.hash_key(key)
    caller = offices.authenticate(f"Bearer {key}", repository=office_repo)
    assert caller.office == "iom-costa-rica"


@pytest.mark.parametrize(
    "header", [None, "", "Basic abc", "Bearer", "Bearer not-a-key", "Bearer bol_AAAAAAAA_" + "x" * 43]
)
def test_missing_malformed_or_unknown_keys_are_refused(
    office_repo: FakeOfficeRepository, header: str | None
) -> None:
    offices.create_office("IOM Panama", repository=office_repo)
    with pytest.raises(UnauthorizedError):
        offices.authenticate(header, repository=office_repo)


def test_rotation_issues_a_new_key_and_the_old_one_stops_working(office_repo: FakeOfficeRepository) -> None:
    _, old_key = offices.create_office("IOM Belize", repository=office_repo)
    new_key = offices.rotate_key("iom-belize", repository=office_repo)
    assert offices.authenticate(f"Bearer {new_key}", repository=office_repo).office == "iom-belize"
    with pytest.raises(UnauthorizedError):
        offices.authenticate(f"Bearer {old_key}", repository=office_repo)
    offices.revoke_keys("iom-belize", repository=office_repo)
    with pytest.raises(UnauthorizedError):
        offices.authenticate(f"Bearer {new_key}", repository=office_repo)


def caller(office: str = "iom-cr") -> offices.Caller:
    return offices.Caller(office=office, office_name=office.upper(), key_id="k")


def test_a_disabled_offices_keys_are_refused_until_it_is_enabled_again(
    office_repo: FakeOfficeRepository,
) -> None:
    # Given an office with a key that works, and a second key issued while it is disabled
    _, key = offices.create_office("IOM Honduras", repository=office_repo)
    caller = offices.authenticate(f"Bearer {key}", repository=office_repo)
    # When the office is disabled
    offices.set_office_status("iom-honduras", "disabled", repository=office_repo)
    rotated = offices.rotate_key("iom-honduras", revoke_old=False, repository=office_repo)
    # Then authenticating any of its keys, or re-checking a caller a cache let through, is refused
    for header in (f"Bearer {key}", f"Bearer {rotated}"):
        with pytest.raises(UnauthorizedError, match="disabled"):
            offices.authenticate(header, repository=office_repo)
    with pytest.raises(UnauthorizedError):
        offices.verify_caller(caller, repository=office_repo)
    # And enabling it lets both keys in again
    offices.set_office_status("iom-honduras", "active", repository=office_repo)
    assert offices.authenticate(f"Bearer {rotated}", repository=office_repo).office == "iom-honduras"
    assert offices.verify_caller(caller, repository=office_repo) == caller


def test_a_retry_with_the_same_idempotency_key_returns_the_original_bulletin() -> None:
    repo = FakeBulletinRepository()
    first = bulletins.submit_bulletin(
        caller(), submission(), idempotency_key="abc-1", repository=repo, id_key=ID_KEY
    )
    again = bulletins.submit_bulletin(
        caller(), submission(), idempotency_key="abc-1", repository=repo, id_key=ID_KEY
    )
    assert not first.replayed
    assert again.replayed
    assert again.record.id == first.record.id
    assert len(repo.items) == 1


def test_the_same_idempotency_key_with_another_body_is_refused_and_changes_nothing() -> None:
    repo = FakeBulletinRepository()
    first = bulletins.submit_bulletin(
        caller(), submission(), idempotency_key="abc-2", repository=repo, id_key=ID_KEY
    )
    with pytest.raises(IdempotencyKeyReusedError):
        bulletins.submit_bulletin(
            caller(),
            submission("A different title for the same key"),
            idempotency_key="abc-2",
            repository=repo,
            id_key=ID_KEY,
        )
    assert repo.items[first.record.id].title == first.record.title


def test_idempotency_keys_are_per_office() -> None:
    repo = FakeBulletinRepository()
    a = bulletins.submit_bulletin(
        caller("office-a"), submission(), idempotency_key="same", repository=repo, id_key=ID_KEY
    )
    b = bulletins.submit_bulletin(
        caller("office-b"), submission(), idempotency_key="same", repository=repo, id_key=ID_KEY
    )
    assert a.record.id != b.record.id


def test_a_malformed_idempotency_key_is_a_client_error() -> None:
    with pytest.raises(MalformedRequestError):
        bulletins.submit_bulletin(
            caller(), submission(), idempotency_key="bad key\n", repository=FakeBulletinRepository()
        )


def test_unpublished_bulletins_are_visible_to_their_office_only() -> None:
    repo = FakeBulletinRepository()
    record = bulletins.submit_bulletin(caller("office-a"), submission(), repository=repo).record
    assert bulletins.get_bulletin(record.id, caller("office-a"), repository=repo).id == record.id
    for someone_else in (None, caller("office-b")):
        with pytest.raises(BulletinNotFoundError):
            bulletins.get_bulletin(record.id, someone_else, repository=repo)
    with pytest.raises(BulletinNotFoundError):
        bulletins.get_bulletin("../etc/passwd", None, repository=repo)


def test_bulletin_ids_cannot_be_computed_without_the_stacks_secret() -> None:
    import uuid

    # Given the office and Idempotency-Key an outsider might know or guess
    office, key = "iom-gt", "bulletin-2026-12-01"
    # When the id is derived with the stack's secret
    ours = bulletins.bulletin_id_for(office, key, b"s" * 32)
    # Then a replay finds it again, another secret gives another id, and no public namespace gives it
    assert bulletins.bulletin_id_for(office, key, b"s" * 32) == ours
    assert bulletins.bulletin_id_for(office, key, b"t" * 32) != ours
    assert uuid.UUID(ours).version == 4  # looks like any random id
    old_namespace = uuid.UUID("7f1d7a38-4c55-4b0e-9a4f-3b8d2f6c1e90")  # what the source used to fix
    assert ours != str(uuid.uuid5(old_namespace, f"{office}\x00{key}"))
