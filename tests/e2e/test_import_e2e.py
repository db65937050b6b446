"""`boletin import` end to end: the sample archive into the local stack through its public API —
published, in the feeds in date order, never emailed although subscribers match, safe to rerun,
and an interrupted import completed by running it again."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.outbox import emails_to, text_of
from tests.support.subscribers import fresh_address, subscribe_and_confirm

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "archive" / "archive-news-page.txt"


def import_command(stack: Any, key: str, source: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "boletin.cli",
        "import",
        str(source),
        "--api",
        stack.url,
        "--key",
        key,
        *args,
    ]


def run_import(stack: Any, key: str, source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        import_command(stack, key, source, "--rate", "0", *args),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def own_bulletins(http: Http, office: str, key: str) -> list[dict[str, Any]]:
    """Every bulletin of the office, at any status (its own list, all pages)."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = http.get(
            f"/bulletins?office={office}&limit=100" + (f"&cursor={cursor}" if cursor else ""), key=key
        )
        assert page.status == 200, page.body
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


def test_the_sample_archive_is_published_in_the_feeds_and_emailed_to_no_one(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given confirmed subscribers the archive matches: immediate for Guatemala, a daily digest for Costa Rica
    immediate, daily = fresh_address("imm"), fresh_address("daily")
    subscribe_and_confirm(stack, http, immediate, countries=["GT"])
    subscribe_and_confirm(stack, http, daily, countries=["CR"], frequency="daily")
    office, key = new_office("Archive office")
    # When the office imports its news page through the CLI
    done = run_import(stack, key, SAMPLE)
    assert done.returncode == 0, done.stderr
    assert "imported 10, already there 0, rejected 0" in done.stdout
    stack.wait_until_idle(timeout=60)
    # Then its 10 bulletins are published with the page's dates, titles and bodies, marked archived
    listed = own_bulletins(http, office, key)
    assert len(listed) == 10
    assert {b["status"] for b in listed} == {"published"}
    assert sorted(b["published_on"] for b in listed) == [
        "2021-11-08", "2021-11-08", "2021-11-08", "2021-11-08", "2021-11-09", "2021-11-09",
        "2021-11-18", "2021-11-23", "2021-11-25", "2021-11-30",
    ]  # fmt: skip
    newest = http.get(f"/bulletins/{listed[0]['id']}").json()
    assert newest["title"] == (
        "Key government officials from five countries participated in a regional exchange on the "
        "implementation of bilateral labour migration programs"
    )
    assert newest["body"].startswith("Over 35 government officials from Mexico, El Salvador, Guatemala")
    # (the page's own no-break spaces are kept as they were)
    assert " ".join(newest["body"].split()).endswith(
        "four-day experience exchange on labour migration programs."
    )
    assert newest["notify"] is False
    owner_view = http.get(f"/bulletins/{listed[0]['id']}", key=key).json()
    assert sum(owner_view["delivery"]["emails"].values()) == 0
    # And the whole feed carries them in the page's order (newest first)
    feed_titles = [item["title"] for item in http.get("/feeds/all.json").json()["items"]]
    archive_titles = [b["title"] for b in listed]
    assert [t for t in feed_titles if t in archive_titles] == archive_titles
    # And even after the digests run, the subscribers have had only their confirmation
    assert http.post("/_local/digests/run").status == 200
    stack.wait_until_idle(timeout=60)
    assert len(emails_to(stack.outbox_dir, immediate)) == 1
    assert len(emails_to(stack.outbox_dir, daily)) == 1

    # When a current bulletin matching both is then published the ordinary way
    current = {
        "title": "Guatemala and Costa Rica sign a labour mobility agreement",
        "body": "Officials of Guatemala and Costa Rica signed the agreement in Guatemala City.",
        "published_on": "2026-11-30",
    }
    assert http.post("/bulletins", json_body=current, key=key).status == 201
    stack.wait_until_idle(timeout=60)
    assert http.post("/_local/digests/run").status == 200
    stack.wait_until_idle(timeout=60)
    # Then the subscribers do get it (they matched all along), and the digest holds only it
    assert len(emails_to(stack.outbox_dir, immediate)) == 2
    digests = emails_to(stack.outbox_dir, daily)[1:]
    assert len(digests) == 1
    assert current["title"] in text_of(digests[0])
    assert not any(title in text_of(digests[0]) for title in archive_titles)
    # And the old items never pushed it out of the feed's top: it is first
    assert http.get("/feeds/all.json").json()["items"][0]["title"] == current["title"]

    # When the same archive is imported again
    again = run_import(stack, key, SAMPLE)
    stack.wait_until_idle(timeout=60)
    # Then nothing is added: all 10 were already there
    assert again.returncode == 0, again.stderr
    assert "imported 0, already there 10, rejected 0" in again.stdout
    assert len(own_bulletins(http, office, key)) == 11


def test_an_import_killed_partway_and_run_again_completes_with_exactly_n(
    stack: Any, http: Http, new_office: Any, tmp_path: Path
) -> None:
    # Given an archive of 60 bulletins as JSON Lines
    n = 60
    source = tmp_path / "big-archive.jsonl"
    lines = [
        {
            "published_on": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"Regional bulletin number {i} on labour migration",
            "body": f"Officials from Costa Rica and Panama met for meeting {i} in San José.",
        }
        for i in range(n)
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    office, key = new_office("Big archive")
    # When its import is killed partway through
    process = subprocess.Popen(
        import_command(stack, key, source, "--rate", "15"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(own_bulletins(http, office, key)) < 10:
            assert process.poll() is None, "the import finished before it could be interrupted"
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.1)  # the condition is polled, not waited out
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    stack.wait_until_idle(timeout=60)
    before = len(own_bulletins(http, office, key))
    assert 10 <= before < n
    # And run again to the end
    rerun = run_import(stack, key, source, "--report", str(tmp_path / "report.json"))
    stack.wait_until_idle(timeout=120)
    # Then exactly the 60 are there, each once; the rerun sent only what was missing
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["imported"] + report["already_there"] == n
    assert report["already_there"] >= before
    mine = own_bulletins(http, office, key)
    assert len(mine) == n
    assert sorted(b["title"] for b in mine) == sorted(line["title"] for line in lines)
    assert {b["status"] for b in mine} == {"published"}
