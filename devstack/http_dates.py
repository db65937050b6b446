"""HTTP dates (RFC 9110 IMF-fixdate and its obsolete forms), read as the local gateway and S3 read them."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def parse_http_date(value: str | None) -> datetime | None:
    """The moment an HTTP date header names (UTC when it names no zone); None if absent or unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
