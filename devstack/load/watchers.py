"""What the driver watches while the system works, each in its own thread: the outbox (every email,
read once), the feeds (when a bulletin is first seen in one), the whole list (when it is first listed)
and the bus (every event, through a rule and a queue of the driver's own)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from devstack.load.bulletins import Planned
from devstack.load.client import WATCHER_HEADER, Client

ENTRY_ID = re.compile(r"urn:boletin:bulletin:([0-9A-Za-z-]+)")
# A bulletin's link in an email: its page on the site (news/<slug>-<id>.html) or the API's view.
_BULLETIN_URL = re.compile(
    r"/(?:bulletins/|news/[a-z0-9-]*?-?)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
_CONFIRM_URL = re.compile(r"https?://\S+/subscriptions/confirm\?token=[A-Za-z0-9_\-=.]+")
_WATCHING = {WATCHER_HEADER: "1"}


class Watcher(threading.Thread):
    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.base_interval = interval
        self.stopping = threading.Event()
        self.failure: str | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.once()
            except Exception as error:  # a watcher must not die silently: its figures would be wrong
                self.failure = f"{type(error).__name__}: {error}"
            self.stopping.wait(self.interval)

    def once(self) -> None:
        raise NotImplementedError

    def rest_after(self, started: float) -> None:
        """Rest three times as long as the round begun at `started` (monotonic) took, never less than
        asked: a watcher re-reading a thousand bulletins must not take the CPU from the work measured."""
        self.interval = max(self.base_interval, 3 * (time.monotonic() - started))

    def stop(self) -> None:
        self.stopping.set()
        self.join(30)
        self.once()  # a last look


@dataclass
class Email:
    path: str
    to: str
    subject: str
    written_at: float
    kind: str  # bulletin | confirmation | digest | other
    bulletin: Planned | None = None  # the bulletin whose title is the subject
    digest_ids: frozenset[str] = frozenset()
    confirm_url: str = ""

    @property
    def garbled(self) -> bool:
        """The subject does not read as the title (RFC 2047 decoding, as mail clients do)."""
        return self.bulletin is not None and self.subject != self.bulletin.title

    @property
    def bulletin_id(self) -> str:
        return self.bulletin.id if self.bulletin is not None else ""


def _text_body(raw: bytes) -> str:
    """The plain-text part, decoded (the legacy parser: the default policy's header registry costs
    more than the rest, and a digest is long)."""
    for part in message_from_bytes(raw).walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""


class OutboxWatcher(Watcher):
    """Reads each new .eml once: its recipient, its subject (a bulletin's title), when it was written."""

    def __init__(self, directory: Path, interval: float = 0.2) -> None:
        super().__init__("load-outbox", interval)
        self.directory = directory
        self.ignored = {p.name for p in directory.glob("*.eml")} if directory.is_dir() else set()
        # The bulletins' titles without whitespace (known before they are submitted): the subject as
        # decoded may differ from the title in its spaces only (see `garbled`).
        self.titles: dict[str, Planned] = {}
        self.emails: list[Email] = []
        self.lock = threading.Lock()
        self._seen: set[str] = set()

    def expect(self, bulletins: Sequence[Planned]) -> None:
        with self.lock:
            self.titles.update(("".join(b.title.split()), b) for b in bulletins)

    def once(self) -> None:
        if not self.directory.is_dir():
            return
        with os.scandir(self.directory) as entries:
            fresh = [
                e
                for e in entries
                if e.name.endswith(".eml") and e.name not in self._seen and e.name not in self.ignored
            ]
        # Headers as they are, decoded only where read: the default policy's header registry costs
        # more than the rest of reading an email, on the stack's CPU.
        headers_of = BytesHeaderParser()
        for entry in sorted(fresh, key=lambda e: e.name):
            self._seen.add(entry.name)
            raw = Path(entry.path).read_bytes()
            headers = headers_of.parsebytes(raw)
            to = parseaddr(str(headers["To"] or ""))[1].lower()
            # Unfolded (RFC 5322: a line break before whitespace is removed), then RFC 2047-decoded.
            # A subject folded at once keeps a space: compared without whitespace below.
            unfolded = "".join(str(headers["Subject"] or "").splitlines())
            subject = str(make_header(decode_header(unfolded))).strip()
            email = Email(entry.name, to, subject, entry.stat().st_mtime, "other")
            with self.lock:
                bulletin = self.titles.get("".join(subject.split()))
            if bulletin is not None:
                email.kind, email.bulletin = "bulletin", bulletin
            else:
                text = _text_body(raw)
                confirm = _CONFIRM_URL.search(text)
                if confirm:
                    email.kind, email.confirm_url = "confirmation", confirm.group(0)
                elif _BULLETIN_URL.search(text):
                    email.kind, email.digest_ids = "digest", frozenset(_BULLETIN_URL.findall(text))
            with self.lock:
                self.emails.append(email)
        # Tens of thousands of files: reading the folder less often leaves the stack its CPU.
        self.interval = 0.2 if len(self._seen) < 5000 else 1.0

    def snapshot(self) -> list[Email]:
        with self.lock:
            return list(self.emails)

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for e in self.emails if e.kind == kind)


class FeedWatcher(Watcher):
    """Looks at the feeds bucket; fetches each JSON feed that changed through the feeds URL (as a reader
    would) and notes when each bulletin was first seen in any feed."""

    def __init__(self, stack: Any, client: Client, interval: float) -> None:
        super().__init__("load-feeds", interval)
        self.s3 = stack.client("s3", raw_timestamps=True)  # it reads keys and ETags only
        self.bucket = stack.environment["FEEDS_BUCKET"]
        self.client = client
        self.etags: dict[str, str] = {}
        self.first_seen: dict[str, float] = {}
        self.fetches = 0
        self.rounds = 0

    def once(self) -> None:
        self.rounds += 1
        started = time.monotonic()
        changed = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="feeds/"):
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.endswith(".json") and self.etags.get(key) != item["ETag"]:
                    changed.append((key, item["ETag"]))
        for key, etag in changed:
            reply = self.client.request("GET", "/" + key, headers=_WATCHING)
            seen_at = time.time()
            self.fetches += 1
            if reply.status != 200:
                continue
            self.etags[key] = etag
            for item in reply.json().get("items", []):
                found = ENTRY_ID.search(str(item.get("id", "")))
                if found and found.group(1) not in self.first_seen:
                    self.first_seen[found.group(1)] = seen_at
        self.rest_after(started)


class ListWatcher(Watcher):
    """Reads the whole public list (`GET /bulletins`, every page) again and again: when each bulletin
    was first listed, as a reader paging through it would see."""

    def __init__(self, client: Client, interval: float) -> None:
        super().__init__("load-list", interval)
        self.client = client
        self.first_listed: dict[str, float] = {}
        self.rounds = 0
        self.lock = threading.Lock()

    def once(self) -> None:
        self.rounds += 1
        started = time.monotonic()
        items = self.client.fetch_all("/bulletins", watcher=True)
        seen_at = time.time()
        with self.lock:
            for item in items:
                self.first_listed.setdefault(str(item["id"]), seen_at)
        self.rest_after(started)  # a thousand bulletins are ten pages

    def listed(self) -> dict[str, float]:
        with self.lock:
            return dict(self.first_listed)


class EventTap(Watcher):
    """A rule of the driver's own on the bulletins bus, into a queue of its own: every event the bus
    carries, counted (what 'published exactly once' is checked against)."""

    def __init__(self, stack: Any, run: str) -> None:
        super().__init__("load-tap", 0.0)
        self.events_client = stack.client("events")
        self.sqs = stack.client("sqs")
        self.bus = stack.environment["EVENT_BUS_NAME"]
        self.rule = f"load-tap-{run}"
        self.queue_url = self.sqs.create_queue(QueueName=f"load-tap-{run}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events_client.put_rule(
            Name=self.rule, EventBusName=self.bus, EventPattern=json.dumps({"source": ["boletin.bulletins"]})
        )
        self.events_client.put_targets(
            Rule=self.rule, EventBusName=self.bus, Targets=[{"Id": "load-tap", "Arn": arn}]
        )
        self.events: list[tuple[str, dict[str, Any]]] = []  # (detail-type, detail)
        self.lock = threading.Lock()

    def once(self) -> None:
        while True:
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0 if self.stopping.is_set() else 1,
            ).get("Messages", [])
            if not received:
                return
            with self.lock:
                for message in received:
                    envelope = json.loads(message["Body"])
                    self.events.append((str(envelope.get("detail-type")), dict(envelope.get("detail") or {})))
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
            )

    def published(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {d["id"]: d for kind, d in self.events if kind == "Bulletin Published" and "id" in d}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.events_client.remove_targets(Rule=self.rule, EventBusName=self.bus, Ids=["load-tap"])
            self.events_client.delete_rule(Name=self.rule, EventBusName=self.bus)
            self.sqs.delete_queue(QueueUrl=self.queue_url)
