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
from boletin.models.submissions import BulletinSubmission
from boletin.repositories.messaging import SigningKeys
from boletin.repositories.office_guard import OfficeGuards
from boletin.services import bulletins, offices
from boletin.services.offices import OfficeService
from tests.support.bulletin_fakes import FakeBulletinRepository, FakeDeliveries, FakeOfficeRepository


def submission(title: str = "Costa Rica opens a new migrant service centre") -> BulletinSubmission:
    return BulletinSubmission(title=title, body="Body text.", published_on=date(2021, 11, 30))


ID_KEYS = SigningKeys("unused: the secret is given", secret=b"k" * 32)


@pytest.fixture
def office_repo() -> FakeOfficeRepository:
    return FakeOfficeRepository()


@pytest.fixture
def service(office_repo: FakeOfficeRepository) -> OfficeService:
    return OfficeService(office_repo)


def bulletin_service(repo: FakeBulletinRepository) -> bulletins.BulletinService:
    return bulletins.BulletinService(
        repo,
        FakeDeliveries(),
        OfficeGuards("offices"),
        ID_KEYS,
        feeds_base_url="https://feeds.example.org",  # type: ignore[arg-type]
    )


def test_a_new_office_gets_a_key_that_is_stored_only_as_a_hash(
    office_repo: FakeOfficeRepository, service: OfficeService
) -> None:
    office, key = service.create_office("IOM Costa Rica")
    assert office.id == "iom-costa-rica"
    stored = list(office_repo.keys.values())
    assert len(stored) == 1
    assert key not in repr(office_repo.keys)
    assert key not in repr(office_repo.offices)
    assert stored[0].key_hash == offices.hash_key(key)
    caller = service.authenticate(f"Bearer {key}")
    assert caller.office == "iom-costa-rica"


@pytest.mark.parametrize(
    "header", [None, "", "Basic abc", "Bearer", "Bearer not-a-key", "Bearer bol_AAAAAAAA_" + "x" * 43]
)
def test_missing_malformed_or_unknown_keys_are_refused(service: OfficeService, header: str | None) -> None:
    service.create_office("IOM Panama")
    with pytest.raises(UnauthorizedError):
        service.authenticate(header)


def test_rotation_issues_a_new_key_and_the_old_one_stops_working(
    office_repo: FakeOfficeRepository, service: OfficeService
) -> None:
    _, old_key = service.create_office("IOM Belize")
    new_key = service.rotate_key("iom-belize")
    assert service.authenticate(f"Bearer {new_key}").office == "iom-belize"
    with pytest.raises(UnauthorizedError):
        service.authenticate(f"Bearer {old_key}")
    service.revoke_keys("iom-belize")
    with pytest.raises(UnauthorizedError):
        service.authenticate(f"Bearer {new_key}")


def caller(office: str = "iom-cr") -> offices.Caller:
    return offices.Caller(office=office, office_name=office.upper(), key_id="k")


def test_a_disabled_offices_keys_are_refused_until_it_is_enabled_again(service: OfficeService) -> None:
    # Given an office with a key that works, and a second key issued while it is disabled
    _, key = service.create_office("IOM Honduras")
    caller = service.authenticate(f"Bearer {key}")
    # When the office is disabled
    service.set_office_status("iom-honduras", "disabled")
    rotated = service.rotate_key("iom-honduras", revoke_old=False)
    # Then authenticating any of its keys, or re-checking a caller a cache let through, is refused
    for header in (f"Bearer {key}", f"Bearer {rotated}"):
        with pytest.raises(UnauthorizedError, match="disabled"):
            service.authenticate(header)
    with pytest.raises(UnauthorizedError):
        service.verify_caller(caller)
    # And enabling it lets both keys in again
    service.set_office_status("iom-honduras", "active")
    assert service.authenticate(f"Bearer {rotated}").office == "iom-honduras"
    assert service.verify_caller(caller) == caller


def test_a_retry_with_the_same_idempotency_key_returns_the_original_bulletin() -> None:
    repo = FakeBulletinRepository()
    first = bulletin_service(repo).submit(caller(), submission(), idempotency_key="abc-1")
    again = bulletin_service(repo).submit(caller(), submission(), idempotency_key="abc-1")
    assert not first.replayed
    assert again.replayed
    assert again.record.id == first.record.id
    assert len(repo.items) == 1


def test_the_same_idempotency_key_with_another_body_is_refused_and_changes_nothing() -> None:
    repo = FakeBulletinRepository()
    first = bulletin_service(repo).submit(caller(), submission(), idempotency_key="abc-2")
    with pytest.raises(IdempotencyKeyReusedError):
        bulletin_service(repo).submit(
            caller(),
            submission("A different title for the same key"),
            idempotency_key="abc-2",
        )
    assert repo.items[first.record.id].title == first.record.title


def test_idempotency_keys_are_per_office() -> None:
    repo = FakeBulletinRepository()
    a = bulletin_service(repo).submit(caller("office-a"), submission(), idempotency_key="same")
    b = bulletin_service(repo).submit(caller("office-b"), submission(), idempotency_key="same")
    assert a.record.id != b.record.id


def test_a_malformed_idempotency_key_is_a_client_error() -> None:
    with pytest.raises(MalformedRequestError):
        bulletin_service(FakeBulletinRepository()).submit(caller(), submission(), idempotency_key="bad key\n")


def test_unpublished_bulletins_are_visible_to_their_office_only() -> None:
    repo = FakeBulletinRepository()
    record = bulletin_service(repo).submit(caller("office-a"), submission()).record
    assert bulletin_service(repo).get(record.id, caller("office-a")).id == record.id
    for someone_else in (None, caller("office-b")):
        with pytest.raises(BulletinNotFoundError):
            bulletin_service(repo).get(record.id, someone_else)
    with pytest.raises(BulletinNotFoundError):
        bulletin_service(repo).get("../etc/passwd", None)


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
