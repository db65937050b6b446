"""Listing scopes and subscriber lists: the keys that make every read a single, exact Query."""

from __future__ import annotations

import random

import pytest

from boletin.matching import bulletin_keys, matches, subscription_keys
from boletin.repositories.scopes import ALL, feed_scope, is_feed_scope, scope_key, scope_keys_for

COUNTRIES = ["CR", "GT", "HN", "MX", "PA", "US"]
TOPICS = ["health", "borders", "labour-migration", "protection"]


def test_a_bulletin_is_listed_under_every_combination_of_its_filters() -> None:
    # Given a bulletin about CR and GT, on health, in Spanish, from one office
    keys = scope_keys_for(countries=["CR", "GT"], topics=["health"], language="es", office="iom-cr")
    # Then any filter combination a reader may ask for names one of its partitions
    for country in (None, "CR", "GT"):
        for topic in (None, "health"):
            for language in (None, "es"):
                for office in (None, "iom-cr"):
                    assert scope_key(country=country, topic=topic, language=language, office=office) in keys
    # And no partition of a filter it does not match
    assert scope_key(country="MX") not in keys
    assert scope_key(language="en") not in keys
    assert len(keys) == 3 * 2 * 2 * 2


def test_only_single_dimension_scopes_are_feeds() -> None:
    assert is_feed_scope(ALL)
    assert is_feed_scope(scope_key(country="CR"))
    assert is_feed_scope(scope_key(topic="health"))
    assert is_feed_scope(scope_key(language="es"))
    assert not is_feed_scope(scope_key(office="iom-cr"))
    assert not is_feed_scope(scope_key(country="CR", topic="health"))
    assert feed_scope(scope_key(topic="health")).value == "health"


@pytest.mark.parametrize("seed", range(20))
def test_a_subscriber_list_lookup_finds_exactly_the_matching_subscriptions(seed: int) -> None:
    # Given random subscriptions and a random bulletin
    rng = random.Random(seed)
    bulletin_countries = rng.sample(COUNTRIES, rng.randint(0, 3))
    bulletin_topics = rng.sample(TOPICS, rng.randint(0, 2))
    looked_up = set(bulletin_keys(bulletin_countries, bulletin_topics))
    for _ in range(200):
        sub_countries = rng.sample(COUNTRIES, rng.randint(0, 2))
        sub_topics = rng.sample(TOPICS, rng.randint(0, 2))
        # When the bulletin reads its list keys
        found = bool(looked_up & set(subscription_keys(sub_countries, sub_topics)))
        # Then a subscription is found exactly when its filters match (empty filter = everything)
        assert found == matches(sub_countries, sub_topics, bulletin_countries, bulletin_topics)
