"""The email path's services, built once per process from the settings: subscriptions, fan-out,
sending, digests and SES events. Only handlers call these (and the local stack, after
`forget_built()`)."""

from __future__ import annotations

from datetime import UTC, datetime

from boletin.built import built_once
from boletin.composition.ledger import delivery_repository
from boletin.repositories.messaging import Mailer, SendQueue, SigningKeys
from boletin.repositories.subscriptions import SubscriptionRepository
from boletin.services.digests import DigestScheduler
from boletin.services.email_fan_out import EmailFanOut
from boletin.services.email_sender import Sender
from boletin.services.ses_events import SesEventHandler
from boletin.services.subscriber_links import SubscriberLinks
from boletin.services.subscriptions import ConfirmationLimits, SubscriptionService
from boletin.settings import get_settings


def utc_now() -> datetime:
    """The services' clock."""
    return datetime.now(UTC)


@built_once
def signing_keys() -> SigningKeys:
    """One per process: the signing secret is read once (and again only for a key id it lacks)."""
    return SigningKeys(get_settings().signing_secret_arn)


@built_once
def subscriber_links() -> SubscriberLinks:
    return SubscriberLinks(signing_keys(), get_settings().public_base_url)


@built_once
def subscription_repository() -> SubscriptionRepository:
    return SubscriptionRepository(get_settings().subscriptions_table)


@built_once
def send_queue() -> SendQueue:
    return SendQueue(get_settings().send_queue_url)


@built_once
def subscription_service() -> SubscriptionService:
    settings = get_settings()
    return SubscriptionService(
        subscription_repository(),
        send_queue(),
        signing_keys(),
        subscriber_links(),
        ConfirmationLimits(
            per_source_ip=settings.subscribe_limit_per_source_ip, per_hour=settings.subscribe_limit_per_hour
        ),
        clock=utc_now,
    )


@built_once
def email_fan_out() -> EmailFanOut:
    return EmailFanOut(subscription_repository(), delivery_repository(), send_queue(), clock=utc_now)


@built_once
def sender() -> Sender:
    from boletin.composition.bulletin_store import bulletin_repository
    from boletin.email import SenderConfig

    settings = get_settings()
    address = settings.sender_address
    return Sender(
        ledger=delivery_repository(),
        subscriptions=subscription_repository(),
        bulletins=bulletin_repository(),
        mailer=Mailer(configuration_set=settings.ses_configuration_set),
        links=subscriber_links(),
        send_queue=send_queue(),
        identity=SenderConfig(address=address, list_id=f"bulletins.{address.rsplit('@', 1)[-1]}"),
        site_base_url=settings.site_base_url,
        lease_seconds=settings.sending_lease_seconds,
        clock=utc_now,
    )


@built_once
def digest_scheduler() -> DigestScheduler:
    return DigestScheduler(subscription_repository(), delivery_repository(), send_queue(), clock=utc_now)


@built_once
def ses_event_handler() -> SesEventHandler:
    return SesEventHandler(subscription_repository(), delivery_repository(), signing_keys(), clock=utc_now)
