"""What an email shows of a bulletin and of a subscription, in the subscriber's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from boletin.email.parts import BulletinDigestItem

if TYPE_CHECKING:
    from boletin.models.bulletins import BulletinRecord
    from boletin.models.subscriptions import SubscriptionRecord


def bulletin_item(bulletin: BulletinRecord, language: str, *, site_base_url: str) -> BulletinDigestItem:
    """A bulletin as an email lists it; its link is its public page, or the office's original when
    the office asked for that. ValueError/TypeError when a stored value cannot be shown."""
    from boletin.enrichment.taxonomy import country_name, topic_label
    from boletin.pages import bulletin_url

    e = bulletin.enrichment
    return BulletinDigestItem(
        id=bulletin.id,
        title=bulletin.title,
        published_on=bulletin.published_on,
        url=(
            bulletin.source_url
            if bulletin.link == "source" and bulletin.source_url
            else bulletin_url(site_base_url, bulletin)
        ),
        countries=[country_name(c, language) for c in bulletin.countries],
        topics=[topic_label(t, language) for t in (e.topics if e else [])],
        summary=e.summary if e else "",
    )


def subscription_choices(record: SubscriptionRecord) -> list[str]:
    """The countries and topics a subscription asked for, by name (the confirmation email lists them)."""
    from boletin.enrichment.taxonomy import country_name, topic_label

    return [country_name(c, record.language) for c in record.countries] + [
        topic_label(t, record.language) for t in record.topics
    ]
