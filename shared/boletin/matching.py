"""Subscriber lists: which partitions a subscription is listed under, and which a bulletin reads.

A subscription with countries C and topics T (either may be empty, meaning "any") is listed under
exactly the keys that a matching bulletin will look up, so finding the subscribers of a bulletin
reads only matching entries: no scan, and work proportional to the matches.
"""

from __future__ import annotations

from itertools import product

EVERYTHING = "*"


def subscription_keys(countries: list[str], topics: list[str]) -> list[str]:
    if countries and topics:
        return sorted(f"c={c}&t={t}" for c, t in product(countries, topics))
    if countries:
        return sorted(f"c={c}" for c in countries)
    if topics:
        return sorted(f"t={t}" for t in topics)
    return [EVERYTHING]


def bulletin_keys(countries: list[str], topics: list[str]) -> list[str]:
    keys = {EVERYTHING}
    keys.update(f"c={c}" for c in countries)
    keys.update(f"t={t}" for t in topics)
    keys.update(f"c={c}&t={t}" for c, t in product(countries, topics))
    return sorted(keys)


def matches(sub_countries: list[str], sub_topics: list[str], countries: list[str], topics: list[str]) -> bool:
    """The filter semantics the keys implement (empty filter = everything)."""
    return (not sub_countries or bool(set(sub_countries) & set(countries))) and (
        not sub_topics or bool(set(sub_topics) & set(topics))
    )
