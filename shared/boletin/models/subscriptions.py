"""Subscribers, subscriptions and deliveries (after GOV.UK's email-alert-api)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from boletin.models.enrichment import LanguageCode

Frequency = Literal["immediate", "daily", "weekly"]
SubscriptionStatus = Literal["pending", "active", "ended"]
# Why a subscription ended: the subscriber asked, or the address cannot receive mail.
EndReason = Literal["unsubscribed", "bounced", "complained", "replaced"]
MAX_FILTER_VALUES = 50


class SubscriptionRequest(BaseModel):
    """The JSON body of `POST /subscriptions`."""

    model_config = ConfigDict(defer_build=True, extra="forbid", strict=True, frozen=True)

    email: str = Field(max_length=320)
    language: LanguageCode = Field(description="The subscriber's language: emails, pages and answers.")
    bulletin_languages: list[LanguageCode] = Field(
        default_factory=list, max_length=4, description="Languages of the bulletins wanted (none: all)."
    )
    countries: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    topics: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    frequency: Frequency
    timezone: str | None = Field(default=None, description="IANA time zone for digests (UTC if absent).")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        from boletin.email import InvalidEmailAddressError, normalize_address

        try:
            return normalize_address(value)
        except InvalidEmailAddressError as error:
            raise ValueError(error.reason) from None

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        from boletin.enrichment.taxonomy import is_country_code

        bad = [c for c in value if not is_country_code(c)]
        if bad:
            raise ValueError(f"must be ISO 3166-1 alpha-2 codes in upper case; not: {', '.join(bad[:5])}")
        return sorted(set(value))

    @field_validator("bulletin_languages")
    @classmethod
    def _bulletin_languages(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str]) -> list[str]:
        from boletin.enrichment.taxonomy import list_topics

        known = {t.slug for t in list_topics()}
        bad = [t for t in value if t not in known]
        if bad:
            raise ValueError(f"must be topic slugs from GET /topics; not: {', '.join(bad[:5])}")
        return sorted(set(value))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return valid_timezone(value)


def valid_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if len(value) > 64 or ".." in value or value.startswith("/"):
        raise ValueError("must be an IANA time zone such as America/Costa_Rica")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as America/Costa_Rica") from None
    return value


class SubscriptionRecord(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    id: str
    address: str
    address_key: str
    language: LanguageCode  # the subscriber's own: the language of emails and pages
    bulletin_languages: list[LanguageCode] = []  # the bulletins wanted; empty: every language
    countries: list[str] = []
    topics: list[str] = []
    frequency: Frequency
    timezone: str = "UTC"
    status: SubscriptionStatus
    created_at: datetime
    confirmed_at: datetime | None = None
    ended_at: datetime | None = None
    ended_reason: EndReason | None = None


class SubscriberRecord(BaseModel):
    """One address: whether it is suppressed, and its recent confirmation emails (rate limit)."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    address_key: str
    suppressed: bool = False
    suppressed_reason: EndReason | None = None
    confirmations_sent: list[datetime] = []


class MatchEntry(BaseModel):
    """What a subscriber list (one per match criterion) holds of each active subscription."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    subscription_id: str
    address_key: str
    frequency: Frequency
    language: LanguageCode = "en"
    bulletin_languages: list[LanguageCode] = []  # empty: every language

    @classmethod
    def of(cls, record: SubscriptionRecord) -> MatchEntry:
        return cls(
            subscription_id=record.id,
            address_key=record.address_key,
            frequency=record.frequency,
            language=record.language,
            bulletin_languages=record.bulletin_languages,
        )

    def wants(self, language: str) -> bool:
        """Whether a bulletin in this language is for this subscriber."""
        return not self.bulletin_languages or language in self.bulletin_languages
