"""Offices and their keys: create, authenticate, rotate, revoke."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import UTC, datetime

from boletin.errors import OfficeNotFoundError, UnauthorizedError
from boletin.models.offices import ApiKeyRecord, Caller, OfficeRecord
from boletin.repositories.offices import OfficeRepository
from boletin.settings import get_settings

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


def _repository(repository: OfficeRepository | None) -> OfficeRepository:
    return repository or OfficeRepository(get_settings().offices_table)


def create_office(
    name: str,
    *,
    office_id: str | None = None,
    countries: list[str] | None = None,
    repository: OfficeRepository | None = None,
    now: datetime | None = None,
) -> tuple[OfficeRecord, str]:
    """Create an office with its first key; the key is returned once and stored only as a hash."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("an office needs a name")
    created = now or datetime.now(UTC)
    key, key_id = new_key()
    office = OfficeRecord(
        id=office_id or office_id_from_name(name),
        name=name,
        countries=sorted(set(countries or [])),
        created_at=created,
        key_hashes=[hash_key(key)],
    )
    record = ApiKeyRecord(
        key_hash=hash_key(key), key_id=key_id, office=office.id, office_name=office.name, created_at=created
    )
    _repository(repository).create_office(office, record)
    return office, key


def authenticate(authorization: str | None, *, repository: OfficeRepository | None = None) -> Caller:
    """The office behind an `Authorization: Bearer <key>` header, or UnauthorizedError."""
    if not authorization:
        raise UnauthorizedError("A valid office key is required: Authorization: Bearer <key>.")
    scheme, _, key = authorization.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not _KEY_SHAPE.match(key):
        raise UnauthorizedError("The Authorization header must be 'Bearer <office key>'.")
    return _caller_of(_repository(repository).get_key(hash_key(key)))


def _caller_of(record: ApiKeyRecord | None) -> Caller:
    if record is None or record.status != "active":
        raise UnauthorizedError("This office key is not valid.")
    if record.office_status != "active":
        raise UnauthorizedError("This office is disabled.")
    return Caller(
        office=record.office, office_name=record.office_name, key_id=record.key_id, key_hash=record.key_hash
    )


def verify_caller(caller: Caller, *, repository: OfficeRepository | None = None) -> Caller:
    """Re-check, with one read, a caller API Gateway's authorizer cache let through: a key revoked or
    an office disabled since the cached decision stops here, on routes without a guarded write."""
    if not caller.key_hash:
        # As guard_for: only this stack's authorizer puts a caller in the context, always with the
        # key's hash; one without (a hand-made test event) has nothing to re-check.
        return caller
    checked = _caller_of(_repository(repository).get_key(caller.key_hash))
    if checked.office != caller.office:
        raise UnauthorizedError("This office key is not valid.")
    return caller


def rotate_key(office_id: str, *, revoke_old: bool = True, repository: OfficeRepository | None = None) -> str:
    """Issue a new key for an office; by default every older key stops working."""
    repo = _repository(repository)
    office = repo.get_office(office_id)
    key, key_id = new_key()
    repo.add_key(
        ApiKeyRecord(
            key_hash=hash_key(key),
            key_id=key_id,
            office=office.id,
            office_name=office.name,
            office_status=office.status,
            created_at=datetime.now(UTC),
        )
    )
    if revoke_old:
        for old in office.key_hashes:
            repo.revoke_key(old)
    return key


def revoke_keys(office_id: str, *, repository: OfficeRepository | None = None) -> int:
    """Revoke every key of an office; returns how many."""
    repo = _repository(repository)
    office = repo.get_office(office_id)
    for key_hash in office.key_hashes:
        repo.revoke_key(key_hash)
    return len(office.key_hashes)


def revoke_key(key: str, *, repository: OfficeRepository | None = None) -> str:
    """Revoke one key given in full; returns its office."""
    repo = _repository(repository)
    record = repo.get_key(hash_key(key.strip()))
    if record is None:
        raise OfficeNotFoundError("No such key.")
    repo.revoke_key(record.key_hash)
    return record.office


def set_office_status(office_id: str, status: str, *, repository: OfficeRepository | None = None) -> None:
    """Disable (every key stops at its next request, whatever API Gateway cached) or enable."""
    if status not in ("active", "disabled"):
        raise ValueError("status is active or disabled")
    repo = _repository(repository)
    office = repo.get_office(office_id)
    repo.set_status(office_id, status, office.key_hashes)


def set_office_countries(
    office_id: str, countries: list[str], *, repository: OfficeRepository | None = None
) -> None:
    """The countries an office may publish for (none: any)."""
    from boletin.enrichment.taxonomy import is_country_code

    bad = [c for c in countries if not is_country_code(c)]
    if bad:
        raise ValueError(f"not ISO 3166-1 alpha-2 codes: {', '.join(bad)}")
    _repository(repository).set_countries(office_id, sorted(set(countries)))
