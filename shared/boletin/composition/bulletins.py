"""What the bulletin handlers call (the API, enrich, release), built once per process from the settings."""

from __future__ import annotations

from boletin.built import built_once
from boletin.composition.offices import office_service
from boletin.repositories.bulletin_index import BulletinIndexRepository
from boletin.repositories.bulletins import BulletinRepository
from boletin.repositories.deliveries import DeliveryRepository
from boletin.repositories.events import EventPublisher
from boletin.repositories.messaging import SigningKeys
from boletin.repositories.office_guard import OfficeGuards
from boletin.repositories.offices import OfficeRepository
from boletin.repositories.scheduler import ReleaseScheduler
from boletin.services.bulletin_lists import BulletinLists
from boletin.services.bulletins import BulletinService
from boletin.services.enrich import Publisher
from boletin.services.lifecycle import BulletinLifecycle
from boletin.settings import get_settings


@built_once
def bulletin_repository() -> BulletinRepository:
    return BulletinRepository(get_settings().bulletins_table)


@built_once
def bulletin_index() -> BulletinIndexRepository:
    return BulletinIndexRepository(get_settings().bulletin_index_table)


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
        DeliveryRepository(settings.deliveries_table),
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


@built_once
def publisher() -> Publisher:
    settings = get_settings()
    return Publisher(
        bulletin_repository(),
        bulletin_index(),
        EventPublisher(settings.event_bus_name),
        ReleaseScheduler(settings.schedule_group, settings.release_queue_arn, settings.scheduler_role_arn),
        OfficeRepository(settings.offices_table),
        public_base_url=settings.public_base_url,
    )
