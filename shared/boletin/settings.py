"""The one typed model of the settings every function reads from its environment.

Read lazily (never at import time) and once per process: `get_settings()`.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

from boletin.built import built_once


class Settings(BaseModel):
    """Names of the resources and the public addresses, as template.yaml's Globals give them."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    bulletins_table: str = Field(alias="BULLETINS_TABLE")
    bulletin_index_table: str = Field(alias="BULLETIN_INDEX_TABLE")
    offices_table: str = Field(alias="OFFICES_TABLE")
    subscriptions_table: str = Field(alias="SUBSCRIPTIONS_TABLE")
    deliveries_table: str = Field(alias="DELIVERIES_TABLE")
    event_bus_name: str = Field(alias="EVENT_BUS_NAME")
    feeds_bucket: str = Field(alias="FEEDS_BUCKET")
    send_queue_url: str = Field(alias="SEND_QUEUE_URL")
    signing_secret_arn: str = Field(alias="SIGNING_SECRET_ARN")
    bulletin_id_secret_arn: str = Field(alias="BULLETIN_ID_SECRET_ARN")
    public_base_url: str = Field(alias="PUBLIC_BASE_URL")
    feeds_base_url: str = Field(alias="FEEDS_BASE_URL")
    site_base_url: str = Field(alias="SITE_BASE_URL")  # the public pages (CloudFront), no trailing slash
    sender_address: str = Field(alias="SENDER_ADDRESS")
    ses_configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    schedule_group: str = Field(alias="SCHEDULE_GROUP")
    release_queue_arn: str = Field(alias="RELEASE_QUEUE_ARN")
    scheduler_role_arn: str = Field(alias="SCHEDULER_ROLE_ARN")
    # How long a sender's claim on a ledger line holds: longer than the sender can run, shorter than
    # the send queue's visibility timeout (the template's tests hold it to both).
    sending_lease_seconds: float = Field(alias="SENDING_LEASE_SECONDS", gt=0)
    # Confirmation emails POST /subscriptions may trigger per hour from one source IP, and in all
    # (0: no limit); each mailbox also gets at most 3 a UTC day (boletin.services.subscriptions).
    subscribe_limit_per_source_ip: int = Field(default=30, alias="SUBSCRIBE_LIMIT_PER_SOURCE_IP", ge=0)
    subscribe_limit_per_hour: int = Field(default=500, alias="SUBSCRIBE_LIMIT_PER_HOUR", ge=0)

    @classmethod
    def env_names(cls) -> list[str]:
        """The environment variables this model reads (the template must give them all)."""
        return [field.alias for field in cls.model_fields.values() if field.alias]


@built_once
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    values = {name: os.environ[name] for name in Settings.env_names() if name in os.environ}
    return Settings.model_validate(values)
