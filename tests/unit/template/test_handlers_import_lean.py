"""Cold start: a handler imports with no environment at all, reads no setting and opens no AWS
client at import time (boto3 itself is imported only when a repository first talks to AWS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HANDLERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))

PROBE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
# Powertools imports the bare botocore package for its user agent; clients and sessions must wait.
print(",".join(sorted(m for m in ("boto3", "botocore.session", "botocore.client") if m in sys.modules)))
"""


@pytest.mark.parametrize("name", HANDLERS)
def test_a_handler_imports_without_settings_and_without_an_aws_client(name: str) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT}"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "functions" / name / "app.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{name} imports {result.stdout.strip()} at import time"
