"""Compiled vocabularies: the phrase matchers exactly as the data files build them, shipped beside the
data (``data/index-*.json``), so that a cold start reads them instead of tokenising, classifying and
stemming some 6,000 phrases (about 40 ms of a first enrichment).

Each index records a digest of the data files and of the modules that build the matchers. When they
differ (the vocabulary or the code was edited and the index not rebuilt) the matcher is built from
the data, as without an index: a stale index costs time, never a wrong answer. Rebuild with
``python scripts/build_enrichment_index.py``; a unit test fails while an index is stale.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from boletin.enrichment._data import DATA_DIR

INDEX_FORMAT = 1
SOURCES = ("countries.json", "taxonomy.json")
CODE = ("_matcher.py", "_stem.py", "_text.py", "countries.py", "organizations.py", "topics.py")
CODE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "es", "fr", "pt")


@cache
def source_digest() -> str:
    """What the indexes were built from: the index format, the sizes and CRC-32s of the data files
    and of the building modules (a check against a forgotten rebuild, not against tampering; zlib
    costs nothing to import where hashlib loads OpenSSL, 10-25 ms)."""
    parts = [f"format-{INDEX_FORMAT}"]
    for path in [*(DATA_DIR / name for name in SOURCES), *(CODE_DIR / name for name in CODE)]:
        content = path.read_bytes()
        parts.append(f"{path.name}:{len(content)}:{zlib.crc32(content):08x}")
    return " ".join(parts)


def index_path(name: str) -> Path:
    return DATA_DIR / f"index-{name}.json"


def load_index(name: str) -> dict[str, Any] | None:
    """The shipped index ``name``, or None when it is missing or was built from other data."""
    try:
        data: dict[str, Any] = json.loads(index_path(name).read_bytes())
    except FileNotFoundError:
        return None
    return data if data.get("source") == source_digest() else None


def built_indexes() -> dict[str, dict[str, Any]]:
    """Every index as the data and the code build it now (what the build script writes)."""
    from boletin.enrichment import countries, organizations, topics

    contents = {
        "countries": countries.country_index_content(),
        "regions": countries.region_index_content(),
        "organizations": organizations.organization_index_content(),
        **{f"topics-{language}": topics.topic_index_content(language) for language in LANGUAGES},
    }
    return {name: {"source": source_digest(), **content} for name, content in contents.items()}


def encode_index(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
