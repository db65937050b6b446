"""The shipped data files, read once per process (lazily: nothing is read at import time)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@cache
def load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def countries_data() -> dict[str, Any]:
    data: dict[str, Any] = load("countries.json")
    return data


def taxonomy_data() -> dict[str, Any]:
    data: dict[str, Any] = load("taxonomy.json")
    return data
