"""What the authorizer and the offices CLI call, built once per process from the settings."""

from __future__ import annotations

from boletin.built import built_once
from boletin.repositories.offices import OfficeRepository
from boletin.services.offices import OfficeService
from boletin.settings import get_settings


@built_once
def office_service() -> OfficeService:
    return OfficeService(OfficeRepository(get_settings().offices_table))
