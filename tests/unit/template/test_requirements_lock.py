"""requirements.lock is what `make audit` checks and what a reviewer reads: exact versions from the index."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+$")


def test_every_locked_package_is_pinned_to_a_version_from_the_index() -> None:
    # Given the lock `make lock` wrote
    lines = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.strip()]
    entries = [line for line in lines if not line.startswith("#")]
    # Then each entry is `name==version`: no local file, URL or VCS reference that another machine
    # could not install and pip-audit could not look up
    assert entries
    unpinned = [line for line in entries if not PINNED.match(line)]
    assert unpinned == []
