"""A whole import run against a fake API: date order, the summary, the report file, progress
lines, the dry run, and refusing a non-archive before anything is sent."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

from boletin.archive.cli import main
from boletin.archive.progress import PlainProgress, eta_text
from tests.unit.archive.fake_api import Recorded, created, fake_api, problem

DATA = Path(__file__).resolve().parents[2] / "data" / "archive"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*args, "--rate", "0"], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_sample_is_submitted_oldest_first_archived_and_summarised(tmp_path: Path) -> None:
    # Given the API accepts everything
    with fake_api(answer=created) as api:
        # When the sample news page is imported
        code, out, err = run(str(DATA / "archive-news-page.txt"), "--api", api.url, "--key", "bol_k")
    # Then 10 submissions went out, oldest first, each asking not to be emailed, with distinct keys
    assert code == 0
    bodies = [r.body for r in api.requests]
    assert len(bodies) == 10
    assert [b["published_on"] for b in bodies] == sorted(b["published_on"] for b in bodies)
    assert all(b["notify"] is False for b in bodies)
    assert len({r.headers["idempotency-key"] for r in api.requests}) == 10
    # And same-day items go in bottom-up, so lists (newest submitted first) keep the page's order
    same_day = [b["title"] for b in bodies if b["published_on"] == "2021-11-08"]
    assert same_day[0].startswith("New IOM Study")
    assert same_day[-1].startswith("IOM and the Ministry")
    # And the summary says so, with plain progress lines on a non-terminal
    assert "imported 10, already there 0, rejected 0" in out
    assert "importing 10/10" in err


def test_rejections_and_replays_are_summarised_with_position_title_field_and_reason(tmp_path: Path) -> None:
    # Given an API that has seen the first item before and refuses the second's title
    def answer(recorded: Recorded) -> Any:
        if recorded.body["title"].startswith("Honduras capacita"):
            return problem("title", "must not be a test")
        if recorded.body["title"].startswith("Guatemala lanza"):
            return 201, {"Idempotent-Replayed": "true"}, {"id": "old"}
        return created(recorded)

    report_csv, report_json = tmp_path / "report.csv", tmp_path / "report.json"
    with fake_api(answer=answer) as api:
        # When the Spanish page (with two unreadable entries) is imported twice with reports
        code, out, _ = run(
            str(DATA / "noticias-es.txt"), "--api", api.url, "--key", "k", "--report", str(report_csv)
        )
        run(str(DATA / "noticias-es.txt"), "--api", api.url, "--key", "k", "--report", str(report_json))
    # Then the summary counts each outcome and names each rejection by line, title, field, reason
    assert code == 1
    assert "imported 1, already there 1, rejected 3" in out
    assert (
        '  line 19 "Honduras capacita a funcionarios consulares en protección d…" title: must not be a test'
        in out
    )
    assert 'line 1 "Noticias" published_on: text before the first date line' in out
    assert "line 17 (no title) title: a date line with no title or body after it" in out
    # And the CSV report holds the same, one row per item (per field problem)
    rows = list(csv.DictReader(report_csv.open(encoding="utf-8")))
    assert {(r["position"], r["outcome"], r["field"]) for r in rows} == {
        ("line 1", "unreadable", "published_on"),
        ("line 17", "unreadable", "title"),
        ("line 19", "rejected", "title"),
        ("line 11", "already there", ""),
        ("line 3", "imported", ""),
    }
    # And the JSON report too
    document = json.loads(report_json.read_text(encoding="utf-8"))
    assert (document["imported"], document["already_there"], document["rejected"]) == (1, 1, 3)
    rejected = next(i for i in document["items"] if i["outcome"] == "rejected")
    assert rejected["problems"] == [{"field": "title", "reason": "must not be a test"}]
    assert rejected["status"] == 422


def test_a_dry_run_previews_every_item_and_submits_nothing() -> None:
    # Given a preview API
    def answer(recorded: Recorded) -> Any:
        assert recorded.path == "/bulletins/preview"
        return 200, {}, {"language": "pt", "countries": ["BR"], "topics": ["integration"], "summary": "x"}

    with fake_api(answer=answer) as api:
        code, out, _ = run(str(DATA / "archive.jsonl"), "--api", api.url, "--key", "k", "--dry-run")
    # Then only previews were asked, and the table shows each item's language, countries, topics
    assert {r.path for r in api.requests} == {"/bulletins/preview"}
    assert len(api.requests) == 3
    lines = out.splitlines()
    assert lines[0].split() == ["position", "date", "title", "lang", "countries", "topics"]
    assert sum(1 for line in lines if "  pt  " in line and "BR" in line and "integration" in line) == 3
    assert "previewed 3, nothing stored, rejected 2" in out
    assert code == 1  # two lines of the file were unreadable


def test_something_that_is_not_an_archive_is_refused_in_one_line_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: milk, bread\nnothing else\n")
    with fake_api(answer=created) as api:
        code, out, err = run(str(notes), "--api", api.url, "--key", "k")
        missing = run(str(tmp_path / "absent.csv"), "--api", api.url, "--key", "k")
        bad_report = run(str(DATA / "archive.csv"), "--api", api.url, "--key", "k", "--report", "r.txt")
    assert api.requests == []
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "is not an archive" in err
    assert "Traceback" not in err
    assert missing[0] == 2
    assert "No such file" in missing[2]
    assert bad_report[0] == 2
    assert ".csv or .json" in bad_report[2]


def test_a_missing_key_or_api_is_one_clear_line(monkeypatch: Any) -> None:
    monkeypatch.delenv("BOLETIN_OFFICE_KEY", raising=False)
    monkeypatch.delenv("BOLETIN_API_URL", raising=False)
    code, _, err = run(str(DATA / "archive.csv"), "--api", "http://127.0.0.1:9")
    assert code == 2
    assert err.strip() == "boletin import: give the office's key with --key or BOLETIN_OFFICE_KEY"
    code, _, err = run(str(DATA / "archive.csv"), "--key", "k")
    assert code == 2
    assert "--api" in err
    assert err.count("\n") == 1


def test_the_key_can_come_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("BOLETIN_OFFICE_KEY", "bol_from_env")
    with fake_api(answer=created) as api:
        run(str(DATA / "atom-fr.xml"), "--api", api.url)
    assert {r.headers["authorization"] for r in api.requests} == {"Bearer bol_from_env"}


def test_a_refused_key_stops_at_the_first_item_with_one_line() -> None:
    with fake_api(answer=lambda r: (403, {}, {"detail": "This key was revoked."})) as api:
        code, out, _ = run(str(DATA / "archive-news-page.txt"), "--api", api.url, "--key", "k")
    assert len(api.requests) == 1
    assert code == 2
    assert "stopped: the API refused the key (This key was revoked.)" in out


def test_plain_progress_prints_done_total_rate_and_eta_at_most_every_interval() -> None:
    # Given a plain progress on a fake clock, 1 item per second, printing every 2 s
    now = [0.0]
    stream = io.StringIO()
    progress = PlainProgress(stream, every=2.0, clock=lambda: now[0])
    progress.start(6, "importing")
    for _ in range(6):
        now[0] += 1.0
        progress.advance()
    # Then a line at the start, every 2 s, and at the end, with rate and ETA
    assert stream.getvalue().splitlines() == [
        "importing 0/6 (-/s, ETA ?)",
        "importing 2/6 (1.0/s, ETA 0:04)",
        "importing 4/6 (1.0/s, ETA 0:02)",
        "importing 6/6 (1.0/s, ETA 0:00)",
    ]
    assert eta_text(3725) == "1:02:05"


def test_on_a_terminal_the_bar_shows_done_total_rate_and_eta() -> None:
    from boletin.archive.progress import BarProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = BarProgress(stream)
    bar.start(4, "importing")
    for _ in range(4):
        bar.advance()
    bar.close()
    shown = stream.getvalue()
    assert "importing" in shown
    assert "4/4" in shown
    assert "/s" in shown
    assert "ETA" in shown


def test_a_url_source_is_fetched(tmp_path: Path) -> None:
    # Given the archive served over http
    import http.server
    import threading

    shutil.copy(DATA / "archive.jsonl", tmp_path / "archive.jsonl")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: Any, **k: Any) -> None:
            super().__init__(*a, directory=str(tmp_path), **k)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with fake_api(answer=created) as api:
            _code, out, _ = run(
                f"http://127.0.0.1:{server.server_address[1]}/archive.jsonl", "--api", api.url, "--key", "k"
            )
            missing = run(
                f"http://127.0.0.1:{server.server_address[1]}/nope.jsonl", "--api", api.url, "--key", "k"
            )
    finally:
        server.shutdown()
        server.server_close()
    # Then its items went in, and a missing URL is one clear line
    assert "imported 3" in out
    assert len(api.requests) == 3
    assert missing[0] == 2
    assert "404" in missing[2]


def test_a_terminated_import_prints_what_went_in_and_how_to_finish() -> None:
    import signal
    import subprocess
    import sys
    import time

    # Given an import running at 20 items/s against the fake API
    with fake_api(answer=created) as api:
        command = [sys.executable, "-m", "boletin.archive.cli", str(DATA / "archive-news-page.txt")]
        process = subprocess.Popen(
            [*command, "--api", api.url, "--key", "k", "--rate", "20"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # When it is terminated (kill's default signal) partway
        deadline = time.monotonic() + 30
        while len(api.requests) < 3:  # a condition, polled
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    # Then it says how far it got and how to finish, without a traceback, and exits 3
    assert process.returncode == 3
    assert out.startswith("imported ")
    assert "interrupted; run the same command again to finish" in out
    assert "Traceback" not in err
