"""The personal links in a subscriber's emails and pages: confirm, unsubscribe, manage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boletin.repositories.messaging import SigningKeys


@dataclass(frozen=True)
class PersonalLinks:
    confirm: str
    unsubscribe: str
    manage: str


@dataclass(frozen=True)
class SubscriberLinks:
    """Signs a subscription's links with the current key of the signing secret."""

    keys: SigningKeys
    public_base_url: str  # where the subscriptions API answers (https)

    def of(self, subscription_id: str, *, now: datetime) -> PersonalLinks:
        from boletin.email import DEFAULT_TTLS, TokenPurpose, issue_token

        def url(purpose: TokenPurpose) -> str:
            token = issue_token(
                self.keys.tokens,
                purpose,
                subscription_id,
                now=now,
                ttl=DEFAULT_TTLS[purpose],
                key_id=self.keys.token_key_id,
            )
            return f"{self.public_base_url}/subscriptions/{purpose}?token={token}"

        return PersonalLinks(confirm=url("confirm"), unsubscribe=url("unsubscribe"), manage=url("manage"))
