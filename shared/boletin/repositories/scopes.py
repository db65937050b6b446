"""Listing scopes: the partitions of the bulletin index, and the only code that knows their key format.

Every published bulletin is written under each combination of its filter values (country, topic,
language, office), so any list query is one Query on one partition, reading at most limit + 1 items
however large the archive grows. Single-dimension scopes (and "*") are also the feeds' scopes, and
only their entries carry the full sanitised content the feeds need.
"""

from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boletin.models.feeds import FeedScope, ScopeKind

ALL = "*"
_DIMENSIONS = ("c", "t", "l", "o")
_FEED_KINDS: dict[str, ScopeKind] = {"c": "country", "t": "topic", "l": "language"}
_KIND_DIMENSION = {v: k for k, v in _FEED_KINDS.items()}


def scope_key(
    *,
    country: str | None = None,
    topic: str | None = None,
    language: str | None = None,
    office: str | None = None,
) -> str:
    """The partition that holds exactly the bulletins matching these filters."""
    values = dict(zip(_DIMENSIONS, (country, topic, language, office), strict=True))
    parts = [f"{d}={v}" for d, v in values.items() if v]
    return "&".join(parts) or ALL


def scope_keys_for(
    *, countries: list[str], topics: list[str], language: str | None, office: str
) -> list[str]:
    """Every partition a bulletin with these values belongs to."""
    keys = {
        scope_key(country=c, topic=t, language=lang, office=o)
        for c, t, lang, o in product(
            [None, *countries], [None, *topics], [None, *([language] if language else [])], [None, office]
        )
    }
    return sorted(keys)


def is_feed_scope(key: str) -> bool:
    return key == ALL or ("&" not in key and key[:2] in ("c=", "t=", "l="))


def feed_scope(key: str) -> FeedScope:
    """The feed a feed-scope partition backs."""
    from boletin.models.feeds import FeedScope

    if key == ALL:
        return FeedScope(kind="all")
    dimension, _, value = key.partition("=")
    return FeedScope(kind=_FEED_KINDS[dimension], value=value)


def scope_key_of_feed(scope: FeedScope) -> str:
    if scope.kind == "all":
        return ALL
    return f"{_KIND_DIMENSION[scope.kind]}={scope.value}"
