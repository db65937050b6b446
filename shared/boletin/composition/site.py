"""What the feeds-and-pages handler (rss_notifier) calls, built once per process from the settings."""

from __future__ import annotations

from boletin.built import built_once
from boletin.composition.bulletin_store import bulletin_index, bulletin_repository
from boletin.repositories.feed_store import FEEDS_PREFIX, SITE_PREFIX, FeedStore
from boletin.services.feeds import FeedRegenerator
from boletin.services.site import SiteRegenerator
from boletin.settings import get_settings


@built_once
def feed_regenerator() -> FeedRegenerator:
    settings = get_settings()
    return FeedRegenerator(
        bulletin_index(),
        FeedStore(settings.feeds_bucket, prefix=FEEDS_PREFIX),
        public_base_url=settings.public_base_url,
        feeds_base_url=settings.feeds_base_url,
        site_base_url=settings.site_base_url,
    )


@built_once
def site_regenerator() -> SiteRegenerator:
    settings = get_settings()
    return SiteRegenerator(
        bulletin_repository(),
        bulletin_index(),
        FeedStore(settings.feeds_bucket, prefix=SITE_PREFIX),
        public_base_url=settings.public_base_url,
        feeds_base_url=settings.feeds_base_url,
        site_base_url=settings.site_base_url,
    )
