"""One load run against a started stack with no bulletins yet: set up offices and subscribers, submit
concurrently, wait until everything is delivered, force the digests, then measure and check."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from devstack.load import invariants
from devstack.load.bulletins import Planned, generate_bulletins, submit_bulletin
from devstack.load.client import Client
from devstack.load.config import LoadConfig
from devstack.load.metering import (
    FunctionStats,
    Progress,
    call_counter,
    count_failures,
    memory_mb,
    wait_idle,
)
from devstack.load.population import Subscriber, create_offices, describe, generate_subscribers
from devstack.load.population import subscribe_and_confirm as subscribe_all
from devstack.load.report import (
    LoadReport,
    Observed,
    call_lines,
    invocation_line,
    latencies,
    latency_row,
    memory_lines,
    set_goals,
    throughput,
)
from devstack.load.watchers import EventTap, FeedWatcher, ListWatcher, OutboxWatcher

FEEDS_SETTLE = 15.0  # seconds with no feed changed, every bulletin listed: the feeds are done


def run_load(stack: Any, config: LoadConfig, *, progress_stream: TextIO | None = None) -> LoadReport:
    """Drive `stack` (started, with no bulletins yet) and check its invariants; the report says all."""
    return LoadRun(stack, config, progress_stream or sys.stderr).run()


class LoadRun:
    def __init__(self, stack: Any, config: LoadConfig, progress_stream: TextIO) -> None:
        self.stack, self.config = stack, config
        self.report = LoadReport(config)
        self.say = self.report.lines.append
        self.progress = Progress(config.progress, progress_stream)
        self.run_id = uuid.uuid4().hex[:6]
        self.client = Client(stack.url)
        self.counter = call_counter()
        self.stats = FunctionStats()
        self.outbox = OutboxWatcher(Path(stack.outbox_dir))
        self.feeds = FeedWatcher(stack, self.client, config.feed_poll)
        self.listing = ListWatcher(self.client, config.list_poll)
        self.tap: EventTap | None = None
        self.offices: list[tuple[str, str]] = []
        self.subscribers: list[Subscriber] = []
        self.planned = generate_bulletins(config, self.run_id, datetime.now(UTC).date())
        self.memory_before = 0.0
        self.load_started = 0.0
        self.load_calls: Counter[tuple[str, str]] = Counter()
        self.digest_calls: Counter[tuple[str, str]] = Counter()
        self.digest_status = 0
        self._feeds_fetched, self._feeds_changed_at = 0, time.monotonic()

    def run(self) -> LoadReport:
        if self.client.request("GET", "/bulletins?limit=1").json()["items"]:
            raise RuntimeError("the stack already holds bulletins: the load driver needs a fresh stack")
        undo = count_failures(self.stack, self.stats, self.counter)
        try:
            self._header()
            self._set_up()
            self._submit()
            seen = self._drain()
            self._measure(seen)
            self._check(seen)
            return self.report
        finally:
            self.counter.active = False
            for step in undo:
                step()
            for watcher in (self.outbox, self.feeds, self.listing, self.tap):
                if watcher is not None:
                    watcher.stopping.set()
            if self.tap is not None:
                self.tap.close()

    def _header(self) -> None:
        c = self.config
        self.say(
            f"Boletín load: {c.offices} offices, {c.bulletins:,} bulletins in total from {c.clients} "
            f"concurrent office clients, {c.subscribers:,} subscribers"
            + (f", {c.rate:g} bulletins/s" if c.rate else ", as fast as the clients go")
        )
        self.say(f"  stack {self.stack.url} (AWS at {self.stack.moto_url}); outbox {self.stack.outbox_dir}")
        self.say(
            f"  SES quota {os.environ.get('LOCAL_SES_MAX_SEND_RATE', '50')}/s, shared by 2 senders at once "
            "(ScalingConfig MaximumConcurrency 2), each pacing itself to half of it"
        )
        self.subscribers = generate_subscribers(c, self.run_id)
        self.say(f"\nSubscribers ({len(self.subscribers):,})")
        for line in describe(self.subscribers, self.planned):
            self.say(line)
        print("\n".join(self.report.lines), file=self.progress.stream, flush=True)

    def _set_up(self) -> None:
        started = time.monotonic()
        self.offices = create_offices(self.config, self.run_id)
        self.outbox.start()
        self.counter.active = True
        answers = subscribe_all(
            self.client, self.outbox, self.subscribers, self.config.setup_clients, self.progress
        )
        self._wait_idle(time.monotonic() + 120)
        calls = self.counter.take()
        self.counter.active = False
        seconds = time.monotonic() - started
        confirmed = sum(s.confirmed for s in self.subscribers)
        self.say(
            f"\nSetup: {len(self.offices)} offices; {len(self.subscribers):,} subscriptions (answers "
            f"{dict(sorted(answers.items()))}), {confirmed:,} confirmed through the emailed link, "
            f"{self.config.setup_clients} at a time, in {seconds:.1f} s "
            f"({confirmed / max(seconds, 1e-9):.1f}/s)"
        )
        self.say(
            "  AWS calls per subscriber (subscribe, confirmation email, confirm): "
            f"{sum(calls.values()) / max(1, len(self.subscribers)):.2f}"
        )
        self.progress(self.report.lines[-2], force=True)

    def _submit(self) -> None:
        self.outbox.expect(self.planned)
        self.tap = EventTap(self.stack, self.run_id)
        for watcher in (self.tap, self.feeds, self.listing):
            watcher.start()
        self.memory_before, _ = memory_mb()
        self.counter.active = True
        self.load_started = time.time()
        clock = time.monotonic()

        def submit(bulletin: Planned) -> None:
            if self.config.rate:
                time.sleep(max(0.0, clock + bulletin.n / self.config.rate - time.monotonic()))
            submit_bulletin(self.client, bulletin, self.offices[bulletin.office][1], f"load-{self.run_id}")

        with ThreadPoolExecutor(self.config.clients) as pool:
            futures = [pool.submit(submit, b) for b in self.planned]
            while not all(f.done() for f in futures):
                self.progress(
                    f"submitted {sum(f.done() for f in futures):,}/{len(self.planned):,}; published "
                    f"{len(self.tap.published()):,}; emails {self.outbox.count('bulletin'):,}"
                )
                time.sleep(0.2)
            for f in futures:
                f.result()

    def _drain(self) -> Observed:
        """Wait until every accepted bulletin is published and listed and its emails are out (or
        nothing moves any more on an idle stack, or the timeout), then force the digests."""
        assert self.tap is not None
        accepted = {b.id for b in self.planned if b.status == 201}
        immediate = [s for s in self.subscribers if s.confirmed and s.frequency == "immediate"]
        expected: dict[str, int] = {}  # emails each published bulletin asks for
        deadline = time.monotonic() + self.config.timeout
        last_change, last_counts = time.monotonic(), (-1, -1, -1)
        while time.monotonic() < deadline:
            published = self.tap.published()
            for i, detail in published.items():
                if i not in expected:
                    countries, topics = detail.get("countries", []), detail.get("topics", [])
                    language = detail.get("language")
                    expected[i] = sum(1 for s in immediate if s.matches(countries, topics, language))
            listed = len(accepted & set(self.listing.listed()))
            arrived, asked = self.outbox.count("bulletin"), sum(expected.values())
            self.progress(
                f"published {len(published):,}/{len(accepted):,}; listed {listed:,}/{len(accepted):,}; "
                f"bulletin emails {arrived:,}/{asked:,} so far asked for"
            )
            if listed >= len(accepted) and self.listing.is_alive():
                self.listing.stopping.set()  # every one listed: the list need not be read again
            self._stop_feeds_when_done(accepted, listed)
            if len(published) >= len(accepted) and listed >= len(accepted) and arrived >= asked:
                break
            if (len(published), listed, arrived) != last_counts:
                last_change, last_counts = time.monotonic(), (len(published), listed, arrived)
            elif time.monotonic() - last_change > 30 and self._wait_idle(time.monotonic() + 5):
                self.progress(
                    "the stack is idle and nothing more arrives: checking what is there", force=True
                )
                break  # the checks say what is missing
            time.sleep(0.5)
        idle = self._wait_idle(deadline)
        drained_at = time.time()
        self.load_calls = self.counter.take()
        self.counter.active = False
        for watcher in (self.feeds, self.tap, self.listing):
            watcher.stop()
        self._force_digests()
        self.outbox.stop()
        memory_end, memory_peak = memory_mb()
        return Observed(
            planned=self.planned,
            states=self._states(accepted),
            emails=self.outbox.snapshot(),
            first_in_feed=dict(self.feeds.first_seen),
            first_listed=self.listing.listed(),
            load_started=self.load_started,
            drained_at=drained_at,
            idle=idle,
            immediate_subscribers=len(immediate),
            memory_before_mb=self.memory_before,
            memory_end_mb=memory_end,
            memory_peak_mb=memory_peak,
        )

    def _stop_feeds_when_done(self, accepted: set[str], listed: int) -> None:
        """Stop looking at the feeds once every bulletin was seen in one, or once every one is listed
        and no feed has changed for FEEDS_SETTLE seconds (the RSS notifier is done; one overtaken by 50
        newer in each of its feeds between two looks is never seen): the emails that follow for
        minutes need the CPU that listing the bucket every 0.1 s takes."""
        if not self.feeds.is_alive() or self.feeds.stopping.is_set():
            return
        if self.feeds.fetches != self._feeds_fetched:
            self._feeds_fetched, self._feeds_changed_at = self.feeds.fetches, time.monotonic()
        seen = len(accepted & set(self.feeds.first_seen.copy()))  # copy(): atomic, the watcher writes
        quiet = time.monotonic() - self._feeds_changed_at > FEEDS_SETTLE
        if seen >= len(accepted) or (listed >= len(accepted) and quiet):
            self.feeds.stopping.set()

    def _force_digests(self) -> None:
        waiting = [s for s in self.subscribers if s.confirmed and s.frequency != "immediate"]
        if not waiting:
            return
        self.progress(f"forcing the digests of {len(waiting):,} daily/weekly subscribers", force=True)
        self.counter.active = True
        reply = self.client.request("POST", "/_local/digests/run")
        deadline = time.monotonic() + self.config.timeout  # a busy machine sends them slowly: wait them out
        while not self._wait_idle(min(deadline, time.monotonic() + self.config.progress)):
            self.progress(f"digests in the outbox: {self.outbox.count('digest'):,}", force=True)
            if time.monotonic() >= deadline:
                break
        self.digest_calls = self.counter.take()
        self.counter.active = False
        self.digest_status = reply.status

    def _states(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        self.progress(f"reading the {len(ids):,} bulletins back", force=True)
        states: dict[str, dict[str, Any]] = {}
        with ThreadPoolExecutor(self.config.setup_clients) as pool:
            for reply in pool.map(lambda i: self.client.request("GET", f"/bulletins/{i}"), sorted(ids)):
                if reply.status == 200:
                    view = reply.json()
                    states[view["id"]] = view
        return states

    def _measure(self, seen: Observed) -> None:
        emails = seen.emails
        self.report.figures.update(
            submitted=len(seen.planned),
            accepted=len(seen.accepted),
            published=sum(1 for v in seen.states.values() if v["status"] == "published"),
            emails=len(seen.bulletin_emails),
            digests=sum(1 for e in emails if e.kind == "digest"),
            confirmations=sum(1 for e in emails if e.kind == "confirmation"),
            wall_seconds=time.monotonic() - self.progress.started,
        )
        self.report.latencies = latencies(seen)
        self.say("\nThroughput")
        for line in throughput(seen):
            self.say(line)
        digesting = sum(1 for s in self.subscribers if s.confirmed and s.frequency != "immediate")
        if digesting:
            self.say(
                f"  forced digests: {self.report.figures['digests']:,} to {digesting:,} daily/weekly "
                f"subscribers (POST /_local/digests/run: {self.digest_status}; "
                f"{sum(self.digest_calls.values()):,} AWS calls)"
            )
        self.say(
            f"  wall time {self.report.figures['wall_seconds']:.1f} s; feeds polled {self.feeds.rounds:,} "
            "times "
            f"({self.feeds.fetches:,} fetches), the whole list read {self.listing.rounds:,} times; HTTP "
            f"statuses {dict(sorted(self.client.statuses.items()))}, connection errors "
            f"{self.client.connection_errors}"
        )
        self.say("\nLatency, seconds" + " " * 31 + "count      p50      p90      p99      max")
        for name, values in self.report.latencies.items():
            self.say(latency_row(name, values))
        self.say(
            f"  (feeds looked at every {self.config.feed_poll:g} s, the list every "
            f"{self.config.list_poll:g} s, "
            "plus the time a look takes; a bulletin overtaken by 50 newer ones in each of its feeds "
            "between two looks is never seen in one)"
        )
        self.say("\nMemory")
        for line in memory_lines(seen):
            self.say(line)
        n = len(seen.accepted)
        self.report.calls_per_bulletin = {k: v / max(1, n) for k, v in self.load_calls.items()}
        for line in call_lines(self.load_calls, n, len(seen.bulletin_emails)):
            self.say(line)
        self.say(invocation_line(self.stack.invocations, self.stats))
        for watcher in (self.outbox, self.feeds, self.listing, self.tap):
            if watcher is not None and watcher.failure:
                self.say(f"  watcher {watcher.name} failed: {watcher.failure}")
        set_goals(self.report, seen)

    def _check(self, seen: Observed) -> None:
        assert self.tap is not None
        report, client, say = self.report, self.client, self.progress
        invariants.check_submissions(report, client, seen.planned)
        invariants.check_published_once(report, self.tap, seen.by_id, seen.states)
        say("checking the lists", force=True)
        invariants.check_listed_once(report, client, self.offices, seen.accepted)
        say("checking every feed", force=True)
        invariants.check_feeds(report, client, seen.states)
        say(f"checking {len(seen.emails):,} emails", force=True)
        invariants.check_emails(report, seen.emails, self.subscribers, seen.states)
        invariants.check_dead_letters(report, self.stack)
        invariants.check_policies(report, self.stack)

    def _wait_idle(self, deadline: float) -> bool:
        return wait_idle(self.stack, deadline)
