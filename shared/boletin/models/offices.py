"""Offices and their API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class OfficeStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class KeyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class OfficeRecord(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    id: str
    name: str
    status: OfficeStatus = OfficeStatus.ACTIVE
    countries: list[str] = []  # the countries it may publish for; empty means any
    created_at: datetime
    key_hashes: list[str] = []


class ApiKeyRecord(BaseModel):
    """An office key as stored: its SHA-256 hash, never the key itself."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    key_hash: str
    key_id: str  # the key's public prefix, shown in listings to tell keys apart
    office: str
    office_name: str
    status: KeyStatus = KeyStatus.ACTIVE
    # The office's status copied onto each of its keys (set_status writes both in one transaction),
    # so one GetItem of the key tells whether the request may go on.
    office_status: OfficeStatus = OfficeStatus.ACTIVE
    created_at: datetime
    revoked_at: datetime | None = None


class Caller(BaseModel):
    """The office an authenticated request acts for."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    office: str
    office_name: str
    key_id: str
    # Lets each write re-check, in the same DynamoDB call, that the key and its office are still
    # allowed: API Gateway caches the authorizer's decision, revocation must not wait for it.
    key_hash: str = ""
    request_id: str = ""  # the API request acting: the correlation id that events carry onwards
