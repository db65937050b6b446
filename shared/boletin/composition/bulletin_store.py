"""The bulletin tables' repositories, built once per process: shared by the API, publishing, release
and the site, without the services each of them alone needs (a handler imports only its own)."""

from __future__ import annotations

from boletin.built import built_once
from boletin.repositories.bulletin_index import BulletinIndexRepository
from boletin.repositories.bulletins import BulletinRepository
from boletin.settings import get_settings


@built_once
def bulletin_repository() -> BulletinRepository:
    return BulletinRepository(get_settings().bulletins_table)


@built_once
def bulletin_index() -> BulletinIndexRepository:
    return BulletinIndexRepository(get_settings().bulletin_index_table)
