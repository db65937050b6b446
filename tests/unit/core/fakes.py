"""In-memory stand-ins for the repositories, for unit tests of the services (no AWS, no network)."""

from __future__ import annotations

from boletin.errors import OfficeExistsError, OfficeNotFoundError
from boletin.models.bulletins import BulletinRecord
from boletin.models.offices import ApiKeyRecord, OfficeRecord


class FakeOfficeRepository:
    def __init__(self) -> None:
        self.offices: dict[str, OfficeRecord] = {}
        self.keys: dict[str, ApiKeyRecord] = {}

    def create_office(self, office: OfficeRecord, key: ApiKeyRecord) -> None:
        if office.id in self.offices:
            raise OfficeExistsError("exists")
        self.offices[office.id] = office
        self.keys[key.key_hash] = key

    def get_office(self, office_id: str) -> OfficeRecord:
        if office_id not in self.offices:
            raise OfficeNotFoundError(office_id)
        return self.offices[office_id]

    def get_key(self, key_hash: str) -> ApiKeyRecord | None:
        return self.keys.get(key_hash)

    def add_key(self, key: ApiKeyRecord) -> None:
        self.keys[key.key_hash] = key
        office = self.offices[key.office]
        self.offices[key.office] = office.model_copy(
            update={"key_hashes": [*office.key_hashes, key.key_hash]}
        )

    def revoke_key(self, key_hash: str) -> None:
        self.keys[key_hash] = self.keys[key_hash].model_copy(update={"status": "revoked"})

    def set_status(self, office_id: str, status: str, key_hashes: list[str]) -> None:
        self.offices[office_id] = self.offices[office_id].model_copy(update={"status": status})
        for key_hash in key_hashes:
            self.keys[key_hash] = self.keys[key_hash].model_copy(update={"office_status": status})


class FakeBulletinRepository:
    def __init__(self) -> None:
        self.items: dict[str, BulletinRecord] = {}
        self.writes = 0

    def create(self, record: BulletinRecord, *, guard: object = None) -> BulletinRecord | None:
        self.writes += 1
        if record.id in self.items:
            return self.items[record.id]
        self.items[record.id] = record
        return None

    def get(self, bulletin_id: str, *, consistent: bool = False) -> BulletinRecord | None:
        return self.items.get(bulletin_id)
