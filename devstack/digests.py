"""`POST /_local/digests/run`: every digest now, as if its period had ended.

A daily digest ends at 08:00 local time, a weekly one at 08:00 on Monday. The route runs
DigestFunction's hourly schedule, through its handler, for the 24 hours of a Monday no earlier run
has used (Sunday 19:00 to Monday 18:00 UTC: Monday 08:00 in every zone from UTC-10 to UTC+13, and
exactly one 08:00 in every zone), so each subscription with matches waiting gets its digest once, in
a period of its own. Zones beyond that range (UTC+14, UTC-11, UTC-12) get their daily digest, not
their weekly one. The Monday used last is kept in the state folder, so a restarted stack moves on.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

_FIRST_HOUR = timedelta(hours=-5)  # Sunday 19:00 UTC: Monday 08:00 at UTC+13
HOURS = 24


class DigestWeeks:
    def __init__(self, state_file: Path) -> None:
        self._file = state_file
        self._lock = threading.Lock()

    def next_hours(self) -> list[datetime]:
        """The scheduled hours (UTC) of the next unused Monday; it is used from now on."""
        with self._lock:
            today = datetime.now(UTC).date()
            monday = today + timedelta(days=7 - today.weekday())  # the next Monday after today
            last = self._last()
            if last is not None and last >= monday:
                monday = last + timedelta(days=7)
            self._file.parent.mkdir(parents=True, exist_ok=True)
            self._file.write_text(json.dumps({"monday": monday.isoformat()}))
        start = datetime.combine(monday, time(0), UTC) + _FIRST_HOUR
        return [start + timedelta(hours=h) for h in range(HOURS)]

    def _last(self) -> date | None:
        try:
            return date.fromisoformat(json.loads(self._file.read_text())["monday"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
