"""Write the API's OpenAPI description (built from the handlers' code) to shared/boletin/data/openapi.json.

python scripts/generate_openapi.py          # regenerate
python scripts/generate_openapi.py --check  # fail if openapi.json is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "shared" / "boletin" / "data" / "openapi.json"  # in the layer: what /openapi.json serves


def main(argv: list[str]) -> int:
    from boletin import openapi

    text = openapi.dumps(openapi.document())
    if "--check" in argv:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            print("the OpenAPI description is stale: run python scripts/generate_openapi.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
