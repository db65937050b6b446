"""The delivery ledger's keys, and their form in SES message tags. Only this module knows them:

BULLETIN#<id> / SUBSCRIBER#<address key>          a bulletin for a subscriber (immediate or digest)
CONFIRM#<subscription id> / SEND                  a subscription's confirmation email
DIGEST#<subscription id> / <period>               one digest (daily: 2026-11-28, weekly: 2026-W48)
CORRECTION#<bulletin id>#v<n> / SUBSCRIBER#<key>  a correction notice
Lines waiting for a digest carry pending_pk = SUB#<subscription id> (the PendingDigest index).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from boletin.models.deliveries import LedgerLine

_TAG_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def bulletin_line(bulletin_id: str, address_key: str) -> LedgerLine:
    return LedgerLine(bulletin_partition(bulletin_id), f"SUBSCRIBER#{address_key}")


def correction_line(bulletin_id: str, version: int, address_key: str) -> LedgerLine:
    return LedgerLine(f"CORRECTION#{bulletin_id}#v{version}", f"SUBSCRIBER#{address_key}")


def confirmation_line(subscription_id: str) -> LedgerLine:
    return LedgerLine(f"CONFIRM#{subscription_id}", "SEND")


def digest_line(subscription_id: str, period: str) -> LedgerLine:
    return LedgerLine(f"DIGEST#{subscription_id}", period)


def is_digest(line: LedgerLine) -> bool:
    return line.pk.startswith("DIGEST#")


def is_bulletin(line: LedgerLine) -> bool:
    """A bulletin for a subscriber (not a confirmation, digest or correction)."""
    return line.pk.startswith("BULLETIN#")


def bulletin_partition(bulletin_id: str) -> str:
    return f"BULLETIN#{bulletin_id}"


def pending_partition(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


# ---------------------------------------------------------------- SES message tags
def line_tag(line: LedgerLine) -> str:
    """A line's key as an SES tag value. Tag values may only hold letters, digits, '_' and '-', so
    the key travels as unpadded base64url of its JSON."""
    packed = json.dumps([line.pk, line.sk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def line_of_tags(tags: Mapping[str, Any]) -> LedgerLine | None:
    """The line an SES event's `mail.tags` name (each tag is a list of values); None if none."""
    values = tags.get("ledger_line") or []
    value = values[0] if isinstance(values, list) and values else values
    if not isinstance(value, str) or not value or _TAG_SAFE.search(value):
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return None
    if isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) and k for k in key):
        return LedgerLine(key[0], key[1])
    return None
