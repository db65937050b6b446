"""SQS queues and messages on SQLite: what the SQS engine (devstack.aws.sqs) serves, and what the
EventBridge and SNS engines deliver into in-process.

Durability: one SQLite file in WAL mode; every change is committed before the call returns, so a
message that SendMessage accepted survives a SIGKILL of the stack a moment later (`synchronous=NORMAL`
keeps WAL commits across a process crash; only a power cut could lose the last ones).

Cost: messages are indexed on (queue, visible_at) and (queue, sent_ms); a receive reads the visible
head of one queue, a count reads one queue's range, and retention drops expired messages by range. A
deleted message is deleted from the file, so storage is bounded by what the queues hold now.

Restart (a deliberate local choice): the consumers that held in-flight messages (received, not
deleted) died with the process, so when the store is opened again those messages are made visible at
once instead of after their visibility timeout; their old receipt handles no longer delete them.
On AWS they would come back when the timeout ends (3 minutes for the send queue): same outcome, sooner.

Long polling waits on a condition variable that every send (and every visibility change) notifies,
bounded by the next moment a delayed or in-flight message of the queue becomes visible.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import threading
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.aws.durable import immediate_transaction

__all__ = ["DEFAULT_SENDER_ID", "SqsError", "SqsStore", "StoredMessage", "wire_attributes"]

# moto's sender id, so that answers compare equal to moto's.
DEFAULT_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"
MAX_MESSAGE_BYTES = 1_048_576
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_SECONDS = 43_200
_RECEIPT_PREFIX = "AQEB"

QUEUE_DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_BYTES),
    "MessageRetentionPeriod": str(4 * 86_400),
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
SETTABLE_ATTRIBUTES = frozenset(
    {
        *QUEUE_DEFAULTS,
        "Policy",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    }
)
_INTEGER_LIMITS = {
    "DelaySeconds": (0, MAX_DELAY_SECONDS),
    "MaximumMessageSize": (1024, MAX_MESSAGE_BYTES),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, MAX_VISIBILITY_SECONDS),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
_JSON_ATTRIBUTES = ("Policy", "RedrivePolicy", "RedriveAllowPolicy")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT NOT NULL,
    system_attributes TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_ms INTEGER,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at);
CREATE INDEX IF NOT EXISTS messages_sent ON messages (queue, sent_ms);
"""


class SqsError(Exception):
    """An SQS error, named by its shape in SQS's service model (`QueueDoesNotExist`...)."""

    def __init__(self, shape: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.shape = shape
        self.message = message
        self.status = status


def _invalid(message: str) -> SqsError:
    return SqsError("InvalidParameterValue", message)


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class StoredMessage:
    """A message as held in a queue (message attributes as the JSON protocol carries them, binary
    values as bytes)."""

    seq: int
    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    system_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent_ms: int = 0
    receive_count: int = 0
    first_receive_ms: int | None = None
    receipt_handle: str | None = None


def wire_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Message attributes as JSON carries them (binary values base64-encoded)."""
    wire = {}
    for name, value in attributes.items():
        entry = dict(value)
        if isinstance(entry.get("BinaryValue"), bytes):
            entry["BinaryValue"] = base64.b64encode(entry["BinaryValue"]).decode()
        wire[name] = entry
    return wire


def _encode_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    return json.dumps(wire_attributes(attributes))


def _decode_attributes(text: str) -> dict[str, dict[str, Any]]:
    decoded: dict[str, dict[str, Any]] = json.loads(text)
    for value in decoded.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return decoded


def receipt_handle(seq: int, nonce: str) -> str:
    token = base64.urlsafe_b64encode(f"{seq}:{nonce}".encode()).decode()
    return _RECEIPT_PREFIX + token


def parse_receipt(handle: str) -> tuple[int, str]:
    """(seq, nonce) of a receipt handle this store made; ReceiptHandleIsInvalid otherwise."""
    try:
        if not handle.startswith(_RECEIPT_PREFIX):
            raise ValueError(handle)
        seq, nonce = base64.urlsafe_b64decode(handle[len(_RECEIPT_PREFIX) :].encode()).decode().split(":")
        return int(seq), nonce
    except (ValueError, UnicodeDecodeError) as error:
        raise SqsError(
            "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
        ) from error


class SqsStore:
    """Queues and their messages in one SQLite file; thread-safe (one connection behind a lock)."""

    def __init__(
        self, path: str | Path, *, account: str, region: str, release_in_flight: bool = True
    ) -> None:
        self.path = Path(path)
        self.account = account
        self.region = region
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self.waiting = 0
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            if release_in_flight:
                # A message can only be in flight for a consumer of this process; they are gone.
                self._db.execute(
                    "UPDATE messages SET visible_at = ?, receipt = NULL WHERE receipt IS NOT NULL",
                    (_now_ms(),),
                )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._changed.notify_all()
            self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """The lock held and one transaction, committed before the caller answers."""
        return immediate_transaction(self._db, self._lock)

    # ------------------------------------------------------------------ queues
    def arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"

    def _queue(self, db: sqlite3.Connection, name: str) -> dict[str, str]:
        row = db.execute("SELECT attributes FROM queues WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise SqsError("QueueDoesNotExist", "The specified queue does not exist.")
        attributes: dict[str, str] = json.loads(row["attributes"])
        return attributes

    def exists(self, name: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM queues WHERE name = ?", (name,)).fetchone() is not None

    def _validated(self, db: sqlite3.Connection, name: str, given: dict[str, str]) -> dict[str, str]:
        """Attributes as stored: strings, checked as SQS checks them."""
        checked: dict[str, str] = {}
        for key, raw in given.items():
            if key not in SETTABLE_ATTRIBUTES:
                raise SqsError("InvalidAttributeName", f"Unknown Attribute {key}.")
            value = str(raw)
            if key in _INTEGER_LIMITS:
                low, high = _INTEGER_LIMITS[key]
                if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
                    raise SqsError("InvalidAttributeValue", f"Invalid value for the parameter {key}.")
                value = str(int(value))
            elif key in ("SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication"):
                value = value.lower()
            checked[key] = value
        if checked.get("FifoQueue") == "true" or name.endswith(".fifo"):
            raise SqsError(
                "InvalidAttributeValue", "FIFO queues are not emulated by the local stack's SQS engine."
            )
        redrive = checked.get("RedrivePolicy")
        if redrive:
            try:
                policy = json.loads(redrive)
                target = str(policy["deadLetterTargetArn"]).rsplit(":", 1)[-1]
                int(policy["maxReceiveCount"])
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise _invalid(
                    f"Value {redrive} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not "
                    "a dict or valid json, or lacks deadLetterTargetArn or maxReceiveCount."
                ) from error
            if (
                target != name
                and db.execute("SELECT 1 FROM queues WHERE name = ?", (target,)).fetchone() is None
            ):
                raise _invalid(
                    f"Value {redrive} for parameter RedrivePolicy is invalid. Reason: Dead-letter target "
                    "does not exist."
                )
        return checked

    def create_queue(self, name: str, attributes: dict[str, str], tags: dict[str, str]) -> None:
        if (
            not name
            or len(name) > 80
            or not all(ch.isalnum() or ch in "-_" for ch in name.removesuffix(".fifo"))
        ):
            raise _invalid(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            )
        with self._transaction() as db:
            checked = self._validated(db, name, attributes)
            row = db.execute("SELECT attributes, tags FROM queues WHERE name = ?", (name,)).fetchone()
            if row is not None:
                existing = {**QUEUE_DEFAULTS, **json.loads(row["attributes"])}
                for key, value in checked.items():
                    if not _same_attribute(key, existing.get(key), value):
                        raise SqsError("QueueNameExists", "The specified queue already exists.")
                if tags:
                    db.execute("UPDATE queues SET tags = ? WHERE name = ?", (json.dumps(tags), name))
                return
            now = int(time.time())
            db.execute(
                "INSERT INTO queues (name, attributes, tags, created, modified) VALUES (?, ?, ?, ?, ?)",
                (name, json.dumps({**QUEUE_DEFAULTS, **checked}), json.dumps(tags), now, now),
            )

    def set_attributes(self, name: str, attributes: dict[str, str]) -> None:
        with self._transaction() as db:
            current = self._queue(db, name)
            checked = self._validated(db, name, attributes)
            merged = {**current, **checked}
            for key in _JSON_ATTRIBUTES:  # an empty policy removes it
                if merged.get(key) == "":
                    merged.pop(key)
            db.execute(
                "UPDATE queues SET attributes = ?, modified = ? WHERE name = ?",
                (json.dumps(merged), int(time.time()), name),
            )
            self._changed.notify_all()

    def list_queues(self, prefix: str = "") -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT name FROM queues WHERE substr(name, 1, ?) = ? ORDER BY name", (len(prefix), prefix)
            ).fetchall()
        return [str(row["name"]) for row in rows]

    def delete_queue(self, name: str) -> None:
        with self._transaction() as db:
            self._queue(db, name)
            db.execute("DELETE FROM messages WHERE queue = ?", (name,))
            db.execute("DELETE FROM queues WHERE name = ?", (name,))

    def purge(self, name: str) -> None:
        with self._transaction() as db:
            self._queue(db, name)
            db.execute("DELETE FROM messages WHERE queue = ?", (name,))

    def tag(self, name: str, tags: dict[str, str], remove: list[str] | None = None) -> None:
        with self._transaction() as db:
            self._queue(db, name)
            row = db.execute("SELECT tags FROM queues WHERE name = ?", (name,)).fetchone()
            current: dict[str, str] = {**json.loads(row["tags"]), **tags}
            for key in remove or []:
                current.pop(key, None)
            db.execute("UPDATE queues SET tags = ? WHERE name = ?", (json.dumps(current), name))

    def tags(self, name: str) -> dict[str, str]:
        with self._lock:
            self._queue(self._db, name)
            row = self._db.execute("SELECT tags FROM queues WHERE name = ?", (name,)).fetchone()
        tags: dict[str, str] = json.loads(row["tags"])
        return tags

    def attributes(self, name: str) -> dict[str, str]:
        """Every attribute of the queue, counts included, as GetQueueAttributes `All` gives them."""
        with self._transaction() as db:
            stored = self._queue(db, name)
            now = _now_ms()
            self._expire(db, name, stored, now)
            visible, not_visible, delayed = self._counts(db, name, now)
            row = db.execute("SELECT created, modified FROM queues WHERE name = ?", (name,)).fetchone()
        result = {
            "QueueArn": self.arn(name),
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(not_visible),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(row["created"]),
            "LastModifiedTimestamp": str(row["modified"]),
        }
        result.update(stored)
        return result

    @staticmethod
    def _counts(db: sqlite3.Connection, name: str, now: int) -> tuple[int, int, int]:
        visible = db.execute(
            "SELECT count(*) FROM messages WHERE queue = ? AND visible_at <= ?", (name, now)
        ).fetchone()[0]
        later = db.execute(
            "SELECT count(*), coalesce(sum(receive_count = 0), 0) FROM messages WHERE queue = ? AND "
            "visible_at > ?",
            (name, now),
        ).fetchone()
        return int(visible), int(later[0]) - int(later[1]), int(later[1])

    @staticmethod
    def _expire(db: sqlite3.Connection, name: str, attributes: dict[str, str], now: int) -> None:
        retention_ms = (
            int(attributes.get("MessageRetentionPeriod", QUEUE_DEFAULTS["MessageRetentionPeriod"])) * 1000
        )
        db.execute("DELETE FROM messages WHERE queue = ? AND sent_ms <= ?", (name, now - retention_ms))

    # ------------------------------------------------------------------ messages
    def send(
        self,
        name: str,
        body: str,
        *,
        attributes: dict[str, dict[str, Any]] | None = None,
        system_attributes: dict[str, dict[str, Any]] | None = None,
        delay_seconds: int | None = None,
    ) -> StoredMessage:
        """Store one message (committed when this returns) and wake the queue's long pollers."""
        return self.send_many(name, [(body, attributes or {}, system_attributes or {}, delay_seconds)])[0]

    def send_many(
        self,
        name: str,
        entries: list[tuple[str, dict[str, dict[str, Any]], dict[str, dict[str, Any]], int | None]],
    ) -> list[StoredMessage]:
        """Store several messages in one transaction (each entry: body, attributes, system attributes,
        delay or None for the queue's)."""
        with self._transaction() as db:
            queue = self._queue(db, name)
            now = _now_ms()
            stored = []
            for body, attributes, system_attributes, delay in entries:
                seconds = int(queue["DelaySeconds"]) if delay is None else delay
                message_id = str(uuid.uuid4())
                cursor = db.execute(
                    "INSERT INTO messages (queue, message_id, body, attributes, system_attributes, sent_ms,"
                    " visible_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        message_id,
                        body,
                        _encode_attributes(attributes),
                        _encode_attributes(system_attributes),
                        now,
                        now + seconds * 1000,
                    ),
                )
                stored.append(
                    StoredMessage(
                        seq=int(cursor.lastrowid or 0),
                        message_id=message_id,
                        body=body,
                        attributes=attributes,
                        system_attributes=system_attributes,
                        sent_ms=now,
                    )
                )
            self._changed.notify_all()
            return stored

    def deliver(self, items: list[tuple[str, str, dict[str, dict[str, Any]]]]) -> list[str | None]:
        """Store messages for other services (EventBridge targets, SNS subscriptions) in one transaction:
        each item is (queue, body, attributes); the message id of each, or None where the queue does
        not exist."""
        with self._transaction() as db:
            now = _now_ms()
            delays: dict[str, int | None] = {}
            ids: list[str | None] = []
            for name, body, attributes in items:
                if name not in delays:
                    row = db.execute("SELECT attributes FROM queues WHERE name = ?", (name,)).fetchone()
                    delays[name] = None if row is None else int(json.loads(row["attributes"])["DelaySeconds"])
                delay = delays[name]
                if delay is None:
                    ids.append(None)
                    continue
                message_id = str(uuid.uuid4())
                db.execute(
                    "INSERT INTO messages (queue, message_id, body, attributes, system_attributes, sent_ms,"
                    " visible_at) VALUES (?, ?, ?, ?, '{}', ?, ?)",
                    (name, message_id, body, _encode_attributes(attributes), now, now + delay * 1000),
                )
                ids.append(message_id)
            self._changed.notify_all()
            return ids

    def max_message_size(self, name: str) -> int:
        with self._lock:
            return int(self._queue(self._db, name)["MaximumMessageSize"])

    def queue_attribute(self, name: str, key: str) -> str | None:
        with self._lock:
            return {**QUEUE_DEFAULTS, **self._queue(self._db, name)}.get(key)

    def receive(
        self, name: str, *, limit: int, visibility: int | None, wait_seconds: float
    ) -> list[StoredMessage]:
        """Up to `limit` visible messages, now in flight for `visibility` seconds (the queue's when None);
        waits up to `wait_seconds` for one to arrive."""
        deadline = time.monotonic() + wait_seconds
        with self._lock:  # held throughout, except while waiting (a send in between cannot be missed)
            while True:
                if self._closed:
                    return []
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    received = self._receive_now(self._db, name, limit, visibility)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
                timeout = deadline - time.monotonic()
                if received or timeout <= 0:
                    return received
                upcoming = self._db.execute(
                    "SELECT min(visible_at) FROM messages WHERE queue = ?", (name,)
                ).fetchone()[0]
                if upcoming is not None:
                    timeout = min(timeout, max(0.0, (int(upcoming) - _now_ms()) / 1000) + 0.001)
                self.waiting += 1  # long pollers now asleep (tests wait on it)
                try:
                    self._changed.wait(timeout)
                finally:
                    self.waiting -= 1

    def _receive_now(
        self, db: sqlite3.Connection, name: str, limit: int, visibility: int | None
    ) -> list[StoredMessage]:
        queue = self._queue(db, name)
        now = _now_ms()
        self._expire(db, name, queue, now)
        seconds = int(queue["VisibilityTimeout"]) if visibility is None else visibility
        redrive = json.loads(queue["RedrivePolicy"]) if queue.get("RedrivePolicy") else None
        max_receives = int(redrive["maxReceiveCount"]) if redrive else None
        dead_letter = str(redrive["deadLetterTargetArn"]).rsplit(":", 1)[-1] if redrive else None
        received: list[StoredMessage] = []
        handled: set[int] = set()  # with a visibility of 0 a message stays visible: once per receive
        while len(received) < limit:
            rows = db.execute(
                "SELECT * FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?",
                (name, now, limit - len(received) + len(handled)),
            ).fetchall()
            fresh = [row for row in rows if int(row["seq"]) not in handled]
            if not fresh:
                break
            for row in fresh:
                if len(received) >= limit:
                    break
                handled.add(int(row["seq"]))
                if max_receives is not None and row["receive_count"] >= max_receives:
                    # SQS moves a message to the DLQ when a receive would exceed maxReceiveCount.
                    self._to_dead_letter(db, int(row["seq"]), str(dead_letter), now)
                    continue
                nonce = secrets.token_urlsafe(24)
                first = row["first_receive_ms"] or now
                db.execute(
                    "UPDATE messages SET visible_at = ?, receive_count = receive_count + 1,"
                    " first_receive_ms = ?, receipt = ? WHERE seq = ?",
                    (now + seconds * 1000, first, nonce, row["seq"]),
                )
                received.append(
                    StoredMessage(
                        seq=int(row["seq"]),
                        message_id=str(row["message_id"]),
                        body=str(row["body"]),
                        attributes=_decode_attributes(row["attributes"]),
                        system_attributes=_decode_attributes(row["system_attributes"]),
                        sent_ms=int(row["sent_ms"]),
                        receive_count=int(row["receive_count"]) + 1,
                        first_receive_ms=int(first),
                        receipt_handle=receipt_handle(int(row["seq"]), nonce),
                    )
                )
        return received

    def _to_dead_letter(self, db: sqlite3.Connection, seq: int, dead_letter: str, now: int) -> None:
        if db.execute("SELECT 1 FROM queues WHERE name = ?", (dead_letter,)).fetchone() is None:
            return  # its DLQ was deleted: SQS keeps the message where it is
        db.execute(
            "UPDATE messages SET queue = ?, visible_at = ?, receipt = NULL WHERE seq = ?",
            (dead_letter, now, seq),
        )
        self._changed.notify_all()

    def delete(self, name: str, handle: str) -> None:
        """Delete the message a receipt handle was given for. A well-formed handle of a message already
        deleted, or received again since (a stale handle), is accepted and changes nothing, as SQS does."""
        seq, nonce = parse_receipt(handle)
        with self._transaction() as db:
            self._queue(db, name)
            db.execute("DELETE FROM messages WHERE seq = ? AND queue = ? AND receipt = ?", (seq, name, nonce))

    def change_visibility(self, name: str, handle: str, seconds: int) -> None:
        if not 0 <= seconds <= MAX_VISIBILITY_SECONDS:
            raise _invalid(
                f"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Must be "
                "between 0 and 43200."
            )
        seq, nonce = parse_receipt(handle)
        with self._transaction() as db:
            self._queue(db, name)
            row = db.execute(
                "SELECT receipt FROM messages WHERE seq = ? AND queue = ?", (seq, name)
            ).fetchone()
            if row is None or row["receipt"] != nonce:
                raise _invalid(
                    f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist "
                    "or is not available for visibility timeout change."
                )
            db.execute("UPDATE messages SET visible_at = ? WHERE seq = ?", (_now_ms() + seconds * 1000, seq))
            self._changed.notify_all()

    def message_count(self) -> int:
        """Messages held in every queue (for tests of bounded storage)."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM messages").fetchone()[0])


def _same_attribute(key: str, current: str | None, wanted: str) -> bool:
    if key in _JSON_ATTRIBUTES:
        try:
            return bool(json.loads(current or "null") == json.loads(wanted or "null"))
        except ValueError:
            return current == wanted
    return current == wanted
