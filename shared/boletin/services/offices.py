"""Offices and their keys: create, authenticate, rotate, revoke."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from boletin.clock import Clock, utc_now
from boletin.errors import OfficeNotFoundError, UnauthorizedError
from boletin.models.offices import ApiKeyRecord, Caller, KeyStatus, OfficeRecord, OfficeStatus
from boletin.repositories.offices import OfficeRepository

KEY_PREFIX = "bol"
# "bol_" + 8-character public id + "_" + 43-character secret (256 random bits).
_KEY_SHAPE = re.compile(r"^bol_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$")


def hash_key(key: str) -> str:
    """Keys are 256-bit random secrets, so a fast hash is safe: no one can brute-force them."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key and its public id."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    key_id = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}", key_id


def office_id_from_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        raise ValueError("an office name needs at least one letter or digit")
    return slug[:60].rstrip("-")


def _caller_of(record: ApiKeyRecord | None) -> Caller:
    if record is None or record.status != KeyStatus.ACTIVE:
        raise UnauthorizedError("This office key is not valid.")
    if record.office_status != OfficeStatus.ACTIVE:
        raise UnauthorizedError("This office is disabled.")
    return Caller(
        office=record.office, office_name=record.office_name, key_id=record.key_id, key_hash=record.key_hash
    )


@dataclass(frozen=True)
class OfficeService:
    """Offices and their keys, over the offices table."""

    offices: OfficeRepository
    clock: Clock = utc_now

    def create_office(
        self, name: str, *, office_id: str | None = None, countries: list[str] | None = None
    ) -> tuple[OfficeRecord, str]:
        """Create an office with its first key; the key is returned once and stored only as a hash."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("an office needs a name")
        created = self.clock()
        key, key_id = new_key()
        office = OfficeRecord(
            id=office_id or office_id_from_name(name),
            name=name,
            countries=sorted(set(countries or [])),
            created_at=created,
            key_hashes=[hash_key(key)],
        )
        record = ApiKeyRecord(
            key_hash=hash_key(key),
            key_id=key_id,
            office=office.id,
            office_name=office.name,
            created_at=created,
        )
        self.offices.create_office(office, record)
        return office, key

    def authenticate(self, authorization: str | None) -> Caller:
        """The office behind an `Authorization: Bearer <key>` header, or UnauthorizedError."""
        if not authorization:
            raise UnauthorizedError("A valid office key is required: Authorization: Bearer <key>.")
        scheme, _, key = authorization.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not _KEY_SHAPE.match(key):
            raise UnauthorizedError("The Authorization header must be 'Bearer <office key>'.")
        return _caller_of(self.offices.get_key(hash_key(key)))

    def verify_caller(self, caller: Caller) -> Caller:
        """Re-check, with one read, a caller API Gateway's authorizer cache let through: a key revoked
        or an office disabled since the cached decision stops here, on routes without a guarded write."""
        if not caller.key_hash:
            # As guard_for: only this stack's authorizer puts a caller in the context, always with the
            # key's hash; one without (a hand-made test event) has nothing to re-check.
            return caller
        checked = _caller_of(self.offices.get_key(caller.key_hash))
        if checked.office != caller.office:
            raise UnauthorizedError("This office key is not valid.")
        return caller

    def rotate_key(self, office_id: str, *, revoke_old: bool = True) -> str:
        """Issue a new key for an office; by default every older key stops working."""
        office = self.offices.get_office(office_id)
        key, key_id = new_key()
        self.offices.add_key(
            ApiKeyRecord(
                key_hash=hash_key(key),
                key_id=key_id,
                office=office.id,
                office_name=office.name,
                office_status=office.status,
                created_at=self.clock(),
            )
        )
        if revoke_old:
            for old in office.key_hashes:
                self.offices.revoke_key(old, now=self.clock())
        return key

    def revoke_keys(self, office_id: str) -> int:
        """Revoke every key of an office; returns how many."""
        office = self.offices.get_office(office_id)
        for key_hash in office.key_hashes:
            self.offices.revoke_key(key_hash, now=self.clock())
        return len(office.key_hashes)

    def revoke_key(self, key: str) -> str:
        """Revoke one key given in full; returns its office."""
        record = self.offices.get_key(hash_key(key.strip()))
        if record is None:
            raise OfficeNotFoundError("No such key.")
        self.offices.revoke_key(record.key_hash, now=self.clock())
        return record.office

    def set_office_status(self, office_id: str, status: OfficeStatus) -> None:
        """Disable (every key stops at its next request, whatever API Gateway cached) or enable."""
        if status not in tuple(OfficeStatus):  # a CLI or test may pass the plain value
            raise ValueError("status is active or disabled")
        office = self.offices.get_office(office_id)
        self.offices.set_status(office_id, OfficeStatus(status), office.key_hashes)

    def set_office_countries(self, office_id: str, countries: list[str]) -> None:
        """The countries an office may publish for (none: any)."""
        from boletin.enrichment.taxonomy import is_country_code

        bad = [c for c in countries if not is_country_code(c)]
        if bad:
            raise ValueError(f"not ISO 3166-1 alpha-2 codes: {', '.join(bad)}")
        self.offices.set_countries(office_id, sorted(set(countries)))
