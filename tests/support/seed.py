"""The team's own sample bulletins (tests/data/bulletins.json); the kit's seed is for `make eval` only."""

from __future__ import annotations

import json
from typing import Any

from tests.support.paths import TEST_DATA

SEED = TEST_DATA / "bulletins.json"


def seed_bulletins() -> list[dict[str, Any]]:
    return list(json.loads(SEED.read_text())["bulletins"])


def submission_of(seed: dict[str, Any], title_suffix: str = "") -> dict[str, Any]:
    """What an office submits for a seed bulletin (`title_suffix` tells one test's copies apart)."""
    return {"title": seed["title"] + title_suffix, "body": seed["body"], "published_on": seed["published_on"]}
