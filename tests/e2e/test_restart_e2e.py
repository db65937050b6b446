"""The local stack keeps its data: a restart (clean, or a SIGKILL right after a 201) loses nothing, and
what was in flight finishes after it, once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.outbox import emails_to
from tests.support.seed import seed_bulletins, submission_of
from tests.support.stack import devstack_command, free_port, running_stack
from tests.support.subscribers import fresh_address, subscribe_and_confirm
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

GT_SEED = seed_bulletins()[3]  # Guatemala and the United States
BZ_SEED = seed_bulletins()[8]  # Belize


def eventually(check: Callable[[], Any], *, timeout: float = 60.0, what: str = "the condition") -> Any:
    """Poll `check` every 0.1 s until it returns something truthy (its value), or fail after `timeout` s."""
    return wait_for(check, timeout, what=what, every=0.1)


def test_a_restart_keeps_bulletins_subscriptions_feeds_and_the_key(tmp_path: Path) -> None:
    state, outbox, port = tmp_path / "state", tmp_path / "outbox", free_port()
    address = fresh_address("restart")
    # Given a stack that published a bulletin and has a confirmed Guatemala subscriber
    with running_stack(outbox, state_dir=state, port=port) as first:
        http = Http(first.url)
        key = first.demo_key
        created = http.post("/bulletins", json_body=submission_of(GT_SEED), key=key)
        assert created.status == 201
        subscribe_and_confirm(first, http, address, countries=["GT"])
        first.wait_until_idle(timeout=30)
        feed_before = http.get("/feeds/countries/GT.json").json()
        emails_before = len(emails_to(outbox, address))
    # When the stack starts again on the same state folder
    with running_stack(outbox, state_dir=state, port=port) as second:
        http = Http(second.url)
        # Then the same key works, and the bulletin, its listing and its feed are all there
        assert second.demo_key == key
        bulletin = http.get(f"/bulletins/{created.json()['id']}").json()
        assert bulletin["status"] == "published"
        listed = http.get("/bulletins?country=GT").json()["items"]
        assert [item["id"] for item in listed] == [created.json()["id"]]
        assert http.get("/feeds/countries/GT.json").json() == feed_before
        # And the subscriber is still confirmed: the next Guatemala bulletin reaches them, once
        again = {**submission_of(GT_SEED), "title": GT_SEED["title"] + " (after restart)"}
        assert http.post("/bulletins", json_body=again, key=key).status == 201
        second.wait_until_idle(timeout=30)
        assert len(emails_to(outbox, address)) == emails_before + 1


@contextmanager
def make_run(state: Path, outbox: Path, port: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m devstack` as `make run` starts it; yields the process and the office key it printed."""
    environment = {
        **os.environ,
        "PORT": str(port),
        "LOCAL_STATE_DIR": str(state),
        "OUTBOX_DIR": str(outbox),
        "LOCAL_LOG_LEVEL": "WARNING",
    }
    process = devstack_command(environment)
    try:
        assert process.stdout is not None
        printed: dict[str, str] = {}
        for line in process.stdout:
            name, _, value = line.strip().partition(": ")
            printed[name] = value
            if line.startswith("serving on"):
                break
        assert "office key" in printed, f"make run printed {printed}"
        yield process, printed["office key"]
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_a_sigkill_right_after_a_201_loses_nothing_and_pending_work_finishes_once(tmp_path: Path) -> None:
    state, outbox, port = tmp_path / "state", tmp_path / "outbox", free_port()
    http = Http(f"http://127.0.0.1:{port}")
    address = fresh_address("killed")
    # Given a running `make run` that has just answered 201 to a bulletin and 202 to a subscription
    with make_run(state, outbox, port) as (process, key):
        created = http.post(
            "/bulletins", json_body=submission_of(BZ_SEED), key=key, headers={"Idempotency-Key": "kill-1"}
        )
        assert created.status == 201
        body = {"email": address, "language": "en", "frequency": "immediate", "countries": ["BZ"]}
        assert http.post("/subscriptions", json_body=body).status == 202
        # When it is killed at once, before its pipeline could run
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    # Then after `make run` again the bulletin is there with the same key, and gets published, once
    with make_run(state, outbox, port) as (_, key_after):
        assert key_after == key
        bulletin_id = created.json()["id"]
        eventually(
            lambda: http.get(f"/bulletins/{bulletin_id}").json().get("status") == "published",
            what="the bulletin accepted before the kill being published",
        )
        assert http.post("/_local/idle").status == 200
        listed = http.get("/bulletins?country=BZ").json()["items"]
        assert [item["id"] for item in listed] == [bulletin_id]
        # And a retry of the same submission is recognised, not stored twice
        retried = http.post(
            "/bulletins", json_body=submission_of(BZ_SEED), key=key, headers={"Idempotency-Key": "kill-1"}
        )
        assert retried.status == 201
        assert retried.json()["id"] == bulletin_id
        # And the subscription's confirmation email went exactly once
        eventually(lambda: emails_to(outbox, address), what="the confirmation email")
        assert http.post("/_local/idle").status == 200
        assert len(emails_to(outbox, address)) == 1


def test_ctrl_c_stops_the_stack_cleanly_and_it_starts_again(tmp_path: Path) -> None:
    state, outbox, port = tmp_path / "state", tmp_path / "outbox", free_port()
    # Given a running `make run` (how long the stop takes is measured by `make bench`)
    with make_run(state, outbox, port) as (process, key):
        # When it gets Ctrl-C (SIGINT)
        process.send_signal(signal.SIGINT)
        # Then it exits cleanly, even with its queue pollers waiting on long polls
        assert process.wait(timeout=60) == 0
    # And the next `make run` starts on the same data with the same key
    with make_run(state, outbox, port) as (_, again):
        assert again == key
