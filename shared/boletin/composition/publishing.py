"""What the enrich handler calls (the Publisher), built once per process from the settings; it imports
only what publishing needs, for the enrich function's cold start."""

from __future__ import annotations

from boletin.built import built_once
from boletin.composition.bulletin_store import bulletin_index, bulletin_repository
from boletin.repositories.events import EventPublisher
from boletin.repositories.offices import OfficeRepository
from boletin.repositories.scheduler import ReleaseScheduler
from boletin.services.enrich import Publisher
from boletin.settings import get_settings


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
