"""The delivery ledger's repository, built once per process: shared by the email path and by the
API's delivery report, without the services either alone needs."""

from __future__ import annotations

from boletin.built import built_once
from boletin.repositories.deliveries import DeliveryRepository
from boletin.settings import get_settings


@built_once
def delivery_repository() -> DeliveryRepository:
    return DeliveryRepository(get_settings().deliveries_table)
