"""The SQLite file behind the local DynamoDB engine: items, index entries and stream records.

One WAL-mode connection, used under the engine's lock. Keys are stored as bytes whose memcmp order
(SQLite's BLOB order) is DynamoDB's order, so a Query is one range of a primary-key index:

- items(tbl, pk, sk, item): one row per item (sk is b"" on a table without a sort key);
- entries(tbl, idx, ipk, isk, pk, sk): one row per item per global secondary index that has the
  index's key attributes (sparse), ordered as DynamoDB orders an index (index keys, then table keys);
- records(tbl, seq, created, record): the table's stream, in sequence order;
- tables(name, ...): what CreateTable and UpdateTimeToLive were asked, to rebuild the schemas.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["Store", "encode_key", "prefix_end"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (
    name TEXT PRIMARY KEY,
    create_request TEXT NOT NULL,
    ttl TEXT,
    stream_label TEXT,
    created REAL NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    next_seq INTEGER NOT NULL DEFAULT 1,
    trimmed_through INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (
    tbl TEXT NOT NULL, idx TEXT NOT NULL, ipk BLOB NOT NULL, isk BLOB NOT NULL,
    pk BLOB NOT NULL, sk BLOB NOT NULL,
    PRIMARY KEY (tbl, idx, ipk, isk, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL, seq INTEGER NOT NULL, created REAL NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (tbl, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_age ON records (tbl, created);
"""


def _encode_number(text: str) -> bytes:
    """An order-preserving, canonical encoding of a DynamoDB number ("1.0" and "1" are one key)."""
    value = Decimal(text)
    if value.is_zero():
        return b"\x02"
    sign, digits, _ = value.normalize().as_tuple()
    exponent = value.adjusted() + 0x8000  # DynamoDB's range (-130..125) fits two bytes easily
    mantissa = bytes(ord("0") + d for d in digits)
    if not sign:
        return b"\x03" + exponent.to_bytes(2, "big") + mantissa
    # Negative: larger magnitudes sort first, and a shorter mantissa sorts after a longer one.
    inverted = (0xFFFF - exponent).to_bytes(2, "big") + bytes(0xFF - b for b in mantissa)
    return b"\x01" + inverted + b"\xff"


def encode_key(value: dict[str, Any]) -> bytes:
    """The stored bytes of a key attribute value ({"S": ...}, {"N": ...} or {"B": ...})."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return str(raw).encode("utf-8")
    if kind == "N":
        return _encode_number(str(raw))
    if kind == "B":
        if isinstance(raw, bytes | bytearray):
            return bytes(raw)
        import base64

        return base64.b64decode(raw)
    raise ValueError(f"not a key type: {kind}")


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


class Store:
    """The SQLite file; callers hold `lock` around every method and `transaction()` for writes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.rows_read = 0  # item rows read by queries and gets: the engine's cost, for tests
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "PRAGMA synchronous=NORMAL"
        )  # WAL + NORMAL: a committed write survives a process kill
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self.lock:
            self._db.close()

    # ------------------------------------------------------------------ transactions
    def begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        self._db.execute("ROLLBACK")

    # ------------------------------------------------------------------ tables
    def tables(self) -> list[sqlite3.Row | tuple[Any, ...]]:
        return list(
            self._db.execute(
                "SELECT name, create_request, ttl, stream_label, created FROM tables ORDER BY name"
            )
        )

    def add_table(self, name: str, request: dict[str, Any], stream_label: str | None, created: float) -> None:
        self._db.execute(
            "INSERT INTO tables (name, create_request, stream_label, created) VALUES (?, ?, ?, ?)",
            (name, json.dumps(request), stream_label, created),
        )

    def set_ttl(self, name: str, spec: dict[str, Any]) -> None:
        self._db.execute("UPDATE tables SET ttl = ? WHERE name = ?", (json.dumps(spec), name))

    def drop_table(self, name: str) -> None:
        for table in ("items", "entries", "records"):
            self._db.execute(f"DELETE FROM {table} WHERE tbl = ?", (name,))  # noqa: S608 - fixed names
        self._db.execute("DELETE FROM tables WHERE name = ?", (name,))

    def item_count(self, name: str) -> int:
        row = self._db.execute("SELECT item_count FROM tables WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ items
    def get(self, table: str, pk: bytes, sk: bytes) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT item FROM items WHERE tbl = ? AND pk = ? AND sk = ?", (table, pk, sk)
        ).fetchone()
        if row is None:
            return None
        self.rows_read += 1
        return json.loads(row[0])  # type: ignore[no-any-return]

    def put(self, table: str, pk: bytes, sk: bytes, item: dict[str, Any], existed: bool) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO items (tbl, pk, sk, item) VALUES (?, ?, ?, ?)",
            (table, pk, sk, json.dumps(item, separators=(",", ":"))),
        )
        if not existed:
            self._db.execute("UPDATE tables SET item_count = item_count + 1 WHERE name = ?", (table,))

    def delete(self, table: str, pk: bytes, sk: bytes) -> None:
        self._db.execute("DELETE FROM items WHERE tbl = ? AND pk = ? AND sk = ?", (table, pk, sk))
        self._db.execute("UPDATE tables SET item_count = item_count - 1 WHERE name = ?", (table,))

    def add_entry(self, table: str, index: str, ipk: bytes, isk: bytes, pk: bytes, sk: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO entries (tbl, idx, ipk, isk, pk, sk) VALUES (?, ?, ?, ?, ?, ?)",
            (table, index, ipk, isk, pk, sk),
        )

    def remove_entry(self, table: str, index: str, ipk: bytes, isk: bytes, pk: bytes, sk: bytes) -> None:
        self._db.execute(
            "DELETE FROM entries WHERE tbl = ? AND idx = ? AND ipk = ? AND isk = ? AND pk = ? AND sk = ?",
            (table, index, ipk, isk, pk, sk),
        )

    def range(
        self,
        table: str,
        index: str | None,
        pk: bytes | None,
        bounds: list[tuple[str, tuple[bytes, ...]]],
        forward: bool,
    ) -> Iterator[dict[str, Any]]:
        """Items of one partition (or, pk None, of the whole table: a Scan) in key order. `bounds` are
        (operator, values) on the leading sort columns: sk for a table; (isk, pk, sk) for an index;
        with pk None, (pk, sk) or (ipk, isk, pk, sk)."""
        if index is None:
            columns = ["sk"] if pk is not None else ["pk", "sk"]
            sql = "SELECT item FROM items WHERE tbl = ?"
            args: list[Any] = [table]
            if pk is not None:
                sql += " AND pk = ?"
                args.append(pk)
        else:
            columns = ["e.isk", "e.pk", "e.sk"] if pk is not None else ["e.ipk", "e.isk", "e.pk", "e.sk"]
            sql = (
                "SELECT i.item FROM entries e JOIN items i ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk"
                " WHERE e.tbl = ? AND e.idx = ?"
            )
            args = [table, index]
            if pk is not None:
                sql += " AND e.ipk = ?"
                args.append(pk)
        for operator, values in bounds:
            if operator not in ("=", "<", "<=", ">", ">="):
                raise ValueError(operator)
            used = ", ".join(columns[: len(values)])
            marks = ", ".join("?" * len(values))
            sql += f" AND ({used}) {operator} ({marks})"
            args.extend(values)
        direction = "ASC" if forward else "DESC"
        sql += " ORDER BY " + ", ".join(f"{column} {direction}" for column in columns)
        for (item,) in self._db.execute(sql, args):
            self.rows_read += 1
            yield json.loads(item)

    # ------------------------------------------------------------------ stream records
    def append_record(self, table: str, created: float, build: Any) -> None:
        """Append the record `build(sequence_number)` makes to the table's stream."""
        (seq,) = self._db.execute("SELECT next_seq FROM tables WHERE name = ?", (table,)).fetchone()
        self._db.execute("UPDATE tables SET next_seq = next_seq + 1 WHERE name = ?", (table,))
        self._db.execute(
            "INSERT INTO records (tbl, seq, created, record) VALUES (?, ?, ?, ?)",
            (table, seq, created, json.dumps(build(seq))),
        )

    def stream_position(self, table: str) -> tuple[int, int]:
        """(last sequence number written, last sequence number trimmed) of a table's stream."""
        row = self._db.execute(
            "SELECT next_seq, trimmed_through FROM tables WHERE name = ?", (table,)
        ).fetchone()
        return (int(row[0]) - 1, int(row[1])) if row else (0, 0)

    def records_after(self, table: str, seq: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        rows = self._db.execute(
            "SELECT seq, record FROM records WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT ?",
            (table, seq, limit),
        )
        return [(int(s), json.loads(r)) for s, r in rows]

    def trim(self, table: str, before_seq: int | None = None, before_time: float | None = None) -> None:
        """Drop a stream's records older than `before_seq` or created before `before_time`."""
        through = 0
        if before_seq is not None:
            through = before_seq - 1
        if before_time is not None:
            row = self._db.execute(
                "SELECT MAX(seq) FROM records WHERE tbl = ? AND created < ?", (table, before_time)
            ).fetchone()
            through = max(through, int(row[0] or 0))
        if through <= 0:
            return
        self._db.execute("DELETE FROM records WHERE tbl = ? AND seq <= ?", (table, through))
        self._db.execute(
            "UPDATE tables SET trimmed_through = MAX(trimmed_through, ?) WHERE name = ?", (through, table)
        )
