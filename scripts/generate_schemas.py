"""Writes the JSON Schemas of the bulletin events (shared/boletin/schemas/); CI checks they are current."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from boletin.models.events import (
    EVENT_SOURCE,
    BulletinEventDetail,
    DetailType,
)

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "shared" / "boletin" / "schemas"
FILES = {
    DetailType.PUBLISHED: "bulletin-published.json",
    DetailType.UPDATED: "bulletin-updated.json",
    DetailType.WITHDRAWN: "bulletin-withdrawn.json",
}


def schemas() -> dict[str, str]:
    detail = BulletinEventDetail.model_json_schema()
    kinds = detail.pop("$defs", {})  # its enums (ChangeKind): referenced from the document's root
    out: dict[str, str] = {}
    for detail_type, filename in FILES.items():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:boletin:events:{filename.removesuffix('.json')}",
            "title": detail_type,
            "description": f"EventBridge event '{detail_type}' from source '{EVENT_SOURCE}'.",
            "type": "object",
            "required": ["source", "detail-type", "detail"],
            "properties": {
                "source": {"const": EVENT_SOURCE},
                "detail-type": {"const": detail_type},
                "detail": {"$ref": "#/$defs/BulletinEventDetail"},
            },
            "$defs": {"BulletinEventDetail": detail, **kinds},
        }
        out[filename] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for filename, text in schemas().items():
        path = SCHEMA_DIR / filename
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(filename)
        else:
            path.write_text(text)
    if stale:
        print("stale event schemas (run python scripts/generate_schemas.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
