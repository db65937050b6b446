"""The real template's local stack, for e2e tests (HTTP through it)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.paths import ROOT


@contextmanager
def running_stack(outbox: Path, **options: Any) -> Iterator[Any]:
    """The real template's local stack (DevStack `options` aside). Clients and settings are per
    process, so the previous stack's are forgotten before and this one's after. On the way out, every
    AWS call the handlers made must have been allowed by their policy in the template (the stack
    enforces the policies; a refused call may have been retried into a DLQ or swallowed)."""
    from boletin import aws
    from boletin.built import forget_built
    from devstack import DevStack

    aws.reset_clients()
    forget_built()
    with DevStack(ROOT, outbox_dir=outbox, **{"port": 0, **options}) as running:
        yield running
        refused = [str(denial) for denial in running.policies.denied]
        assert refused == [], f"AWS calls the template's IAM policies refuse: {refused}"
    aws.reset_clients()
    forget_built()


def free_port() -> int:
    """A TCP port nothing listens on now (for a stack started in another process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def devstack_command(environment: dict[str, str]) -> subprocess.Popen[str]:
    """`python -m devstack` from the repository, as `make run` starts it; read what it prints on
    its stdout."""
    return subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
