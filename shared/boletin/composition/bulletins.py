"""What the API's bulletin routes call, built once per process from the settings."""

from __future__ import annotations

from boletin.built import built_once
from boletin.composition.bulletin_store import bulletin_index, bulletin_repository
from boletin.composition.ledger import delivery_repository
from boletin.composition.offices import office_service
from boletin.repositories.messaging import SigningKeys
from boletin.repositories.office_guard import OfficeGuards
from boletin.services.bulletin_lists import BulletinLists
from boletin.services.bulletins import BulletinService
from boletin.services.lifecycle import BulletinLifecycle
from boletin.settings import get_settings


@built_once
def bulletin_id_keys() -> SigningKeys:
    """The secret bulletin ids are derived with: read once per process, on first use."""
    return SigningKeys(get_settings().bulletin_id_secret_arn)


def _guards() -> OfficeGuards:
    return OfficeGuards(get_settings().offices_table)


@built_once
def bulletin_service() -> BulletinService:
    settings = get_settings()
    return BulletinService(
        bulletin_repository(),
        delivery_repository(),
        _guards(),
        bulletin_id_keys(),
        feeds_base_url=settings.feeds_base_url,
    )


@built_once
def bulletin_lists() -> BulletinLists:
    return BulletinLists(bulletin_repository(), bulletin_index(), get_settings().public_base_url)


@built_once
def bulletin_lifecycle() -> BulletinLifecycle:
    return BulletinLifecycle(bulletin_repository(), office_service(), _guards())
