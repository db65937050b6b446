"""Rebuild the compiled vocabularies (shared/boletin/data/index-*.json) from countries.json and
taxonomy.json: run after editing either, or the code that builds the matchers. Enrichment gives the
same answers without them (it builds the matchers from the data when an index is stale), only slower
to start; tests/unit/enrichment/test_compiled_index.py fails while one is stale.

    python scripts/build_enrichment_index.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from boletin.enrichment._index import built_indexes, encode_index, index_path  # noqa: E402


def main() -> None:
    for name, document in built_indexes().items():
        path = index_path(name)
        text = encode_index(document)
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(text.encode()) // 1024} KB{' (rewritten)' if changed else ''}")


if __name__ == "__main__":
    main()
