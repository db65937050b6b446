"""What the durable engines share: one SQLite database per engine, committed before each answer, and
the small pieces of AWS's wire protocols (JSON errors, request regions, atomic file writes)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

__all__ = [
    "ACCOUNT_ID",
    "Database",
    "immediate_transaction",
    "json_error",
    "json_response",
    "region_of",
    "write_atomically",
]

ACCOUNT_ID = "123456789012"  # moto's default account, which the local stack's ARNs use
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")


@contextmanager
def immediate_transaction(
    connection: sqlite3.Connection, lock: AbstractContextManager[Any]
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT on `connection` with `lock` held, ROLLBACK on an exception."""
    with lock:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


class Database:
    """A SQLite database in WAL mode with synchronous=FULL: a transaction that returned is on disk (a
    SIGKILL right after loses nothing). One connection, serialised by a lock: the engines' work per
    request is a few indexed statements, far below what HTTP parsing costs."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.executescript(schema)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception), under the engine's lock."""
        return immediate_transaction(self._connection, self._lock)

    def query(self, sql: str, parameters: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._connection.execute(sql, parameters))

    def one(self, sql: str, parameters: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        rows = self.query(sql, parameters)
        return rows[0] if rows else None

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def region_of(request: Request, default: str = "us-east-1") -> str:
    """The region a SigV4 request was signed for."""
    match = _REGION.search(request.headers.get("Authorization", ""))
    return match.group(1) if match else default


def json_response(body: Any, status: int = 200, content_type: str = "application/x-amz-json-1.1") -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status=status,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
        content_type=content_type,
    )


def json_error(
    code: str, message: str, status: int = 400, content_type: str = "application/x-amz-json-1.1"
) -> Response:
    """An error as AWS's JSON protocols send it (botocore reads the code from either place)."""
    response = json_response({"__type": code, "message": message, "Message": message}, status, content_type)
    response.headers["x-amzn-ErrorType"] = code
    return response


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader (or a restart after a crash) sees all of it or none:
    a temporary file in the same folder, fsynced, then renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
