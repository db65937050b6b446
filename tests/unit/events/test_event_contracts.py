"""Bulletin events: the committed schemas match the code, and the sample events match the schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boletin.models.events import BulletinEventDetail
from scripts.generate_schemas import SCHEMA_DIR, schemas

ROOT = Path(__file__).resolve().parents[3]


def test_committed_event_schemas_are_current() -> None:
    for filename, text in schemas().items():
        assert (SCHEMA_DIR / filename).read_text() == text, (
            f"{filename} is stale: run scripts/generate_schemas.py"
        )


@pytest.mark.parametrize("sample", sorted((ROOT / "events" / "bus").glob("*.json")), ids=lambda p: p.name)
def test_sample_events_are_valid_and_carry_no_body(sample: Path) -> None:
    event = json.loads(sample.read_text())
    assert event["source"] == "boletin.bulletins"
    detail = BulletinEventDetail.model_validate(event["detail"])
    assert detail.id
    assert "body" not in event["detail"]
    assert "title" not in event["detail"]
