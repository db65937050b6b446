"""Where the repository's files are, for tests that read them (never the kit beside a checkout)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"  # the sample events, one handler's input each
TEST_DATA = ROOT / "tests" / "data"
# The small template of the local stack's own tests: test handlers, no Boletín code.
MACHINERY_TEMPLATE_DIR = ROOT / "tests" / "integration" / "local" / "fixtures"
