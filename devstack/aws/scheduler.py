"""EventBridge Scheduler, kept in SQLite under the state folder: an embargo's release schedule created
before a restart fires after it.

REST-JSON protocol (signing name `scheduler`): schedules and schedule groups. A one-time schedule's
moment (`at(...)` in its time zone) is stored in an indexed column, so `due()` — what the stack's
SchedulerPoller fires — reads only what is due, however many schedules wait. Tags are not kept.
"""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request, Response

from devstack.aws.durable import ACCOUNT_ID, Database, json_error, json_response, region_of

__all__ = ["SchedulerEngine", "at_time"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS groups (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
    grp TEXT NOT NULL,
    name TEXT NOT NULL,
    detail TEXT NOT NULL,
    state TEXT NOT NULL,
    fire_at REAL,
    PRIMARY KEY (grp, name)
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (state, fire_at);
"""
_NAME = re.compile(r"^[0-9a-zA-Z\-_.]{1,64}$")
_JSON = "application/json"
_DEFINITION = (
    "ActionAfterCompletion",
    "Description",
    "EndDate",
    "FlexibleTimeWindow",
    "KmsKeyArn",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "State",
    "Target",
)


class _Error(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _not_found(what: str) -> _Error:
    return _Error("ResourceNotFoundException", f"{what} does not exist.", 404)


def at_time(expression: str, timezone: str | None) -> datetime | None:
    """The moment of a one-time schedule (`at(yyyy-mm-ddThh:mm:ss)` in `timezone`), else None."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    try:
        moment = datetime.fromisoformat(expression[3:-1])
    except ValueError:
        return None
    return moment.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


def _token(values: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _untoken(token: str) -> tuple[str, str]:
    try:
        first, second = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(first), str(second)
    except (ValueError, TypeError) as error:
        raise _Error("ValidationException", "Invalid NextToken.", 400) from error


class SchedulerEngine:
    """Schedules and schedule groups, committed before each answer."""

    def __init__(self, directory: Path, region: str = "us-east-1") -> None:
        self.region = region
        self.db = Database(Path(directory) / "scheduler.sqlite3", _SCHEMA)
        now = time.time()
        with self.db.transaction() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO groups (name, arn, created, modified) VALUES (?,?,?,?)",
                ("default", self._group_arn(region, "default"), now, now),
            )

    def handles(self, service: str, request: Request) -> bool:
        return service == "scheduler"

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def _group_arn(region: str, name: str) -> str:
        return f"arn:aws:scheduler:{region}:{ACCOUNT_ID}:schedule-group/{name}"

    def handle(self, request: Request) -> Response:
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        region = region_of(request, self.region)
        try:
            body = json.loads(request.get_data() or b"{}") if request.method in ("POST", "PUT") else {}
            args = request.args
            method = request.method
            if parts == ["schedules"] and method == "GET":
                return self._ok(self._list_schedules(args))
            if parts == ["schedule-groups"] and method == "GET":
                return self._ok(self._list_groups(args))
            if len(parts) == 2 and parts[0] == "schedules":
                group = str(body.get("GroupName") or args.get("groupName") or "default")
                if method == "POST":
                    return self._ok(self._put_schedule(region, group, parts[1], body, create=True))
                if method == "PUT":
                    return self._ok(self._put_schedule(region, group, parts[1], body, create=False))
                if method == "GET":
                    return self._ok(self._get_schedule(group, parts[1]))
                if method == "DELETE":
                    return self._ok(self._delete_schedule(group, parts[1]))
            if len(parts) == 2 and parts[0] == "schedule-groups":
                if method == "POST":
                    return self._ok(self._create_group(region, parts[1]))
                if method == "GET":
                    return self._ok(self._get_group(parts[1]))
                if method == "DELETE":
                    return self._ok(self._delete_group(parts[1]))
            raise _Error(
                "ValidationException",
                f"{method} {request.path} is not supported by the local Scheduler.",
                400,
            )
        except _Error as error:
            return json_error(error.code, error.message, error.status, _JSON)
        except (ValueError, KeyError, TypeError) as error:
            return json_error("ValidationException", f"Invalid request: {error}", 400, _JSON)

    @staticmethod
    def _ok(body: dict[str, Any]) -> Response:
        return json_response(body, 200, _JSON)

    # ------------------------------------------------------------------ for the SchedulerPoller
    def due(self, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
        """Enabled one-time schedules whose moment has come, earliest first (GetSchedule's shape)."""
        rows = self.db.query(
            "SELECT detail FROM schedules WHERE state = 'ENABLED' AND fire_at <= ? ORDER BY fire_at LIMIT ?",
            (now.timestamp(), limit),
        )
        return [json.loads(row["detail"]) for row in rows]

    def mark_fired(self, group: str, name: str) -> None:
        """A one-time schedule kept after it fired (ActionAfterCompletion NONE) is not due again."""
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE schedules SET fire_at = NULL WHERE grp = ? AND name = ?", (group, name)
            )

    # ------------------------------------------------------------------ schedules
    def _put_schedule(
        self, region: str, group: str, name: str, body: dict[str, Any], *, create: bool
    ) -> dict[str, Any]:
        if not _NAME.match(name):
            raise _Error("ValidationException", f"Invalid schedule name {name!r}.", 400)
        for required in ("ScheduleExpression", "FlexibleTimeWindow", "Target"):
            if required not in body:
                raise _Error("ValidationException", f"{required} is required.", 400)
        target = body["Target"]
        if not isinstance(target, dict) or not target.get("Arn") or not target.get("RoleArn"):
            raise _Error("ValidationException", "Target needs an Arn and a RoleArn.", 400)
        expression = str(body["ScheduleExpression"])
        if not re.match(r"^(at|rate|cron)\(.+\)$", expression):
            raise _Error("ValidationException", f"Invalid Schedule Expression {expression}.", 400)
        arn = f"arn:aws:scheduler:{region}:{ACCOUNT_ID}:schedule/{group}/{name}"
        now = time.time()
        with self.db.transaction() as connection:
            if connection.execute("SELECT 1 FROM groups WHERE name = ?", (group,)).fetchone() is None:
                raise _not_found(f"Schedule group {group}")
            old = connection.execute(
                "SELECT detail FROM schedules WHERE grp = ? AND name = ?", (group, name)
            ).fetchone()
            if create and old is not None:
                raise _Error("ConflictException", f"Schedule {name} already exists.", 409)
            if not create and old is None:
                raise _not_found(f"Schedule {name}")
            detail: dict[str, Any] = {key: body[key] for key in _DEFINITION if key in body}
            # AWS's default retry policy, as GetSchedule shows it
            detail["Target"] = {
                "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
                **target,
            }
            detail.setdefault("State", "ENABLED")
            detail.setdefault("ActionAfterCompletion", "NONE")
            created = json.loads(old["detail"])["CreationDate"] if old is not None else now
            detail.update(
                {
                    "Arn": arn,
                    "GroupName": group,
                    "Name": name,
                    "CreationDate": created,
                    "LastModificationDate": now,
                }
            )
            moment = at_time(expression, body.get("ScheduleExpressionTimezone"))
            connection.execute(
                "INSERT OR REPLACE INTO schedules (grp, name, detail, state, fire_at) VALUES (?,?,?,?,?)",
                (group, name, json.dumps(detail), detail["State"], moment.timestamp() if moment else None),
            )
        return {"ScheduleArn": arn}

    def _get_schedule(self, group: str, name: str) -> dict[str, Any]:
        row = self.db.one("SELECT detail FROM schedules WHERE grp = ? AND name = ?", (group, name))
        if row is None:
            raise _not_found(f"Schedule {name}")
        detail: dict[str, Any] = json.loads(row["detail"])
        return detail

    def _delete_schedule(self, group: str, name: str) -> dict[str, Any]:
        with self.db.transaction() as connection:
            deleted = connection.execute("DELETE FROM schedules WHERE grp = ? AND name = ?", (group, name))
            if deleted.rowcount == 0:
                raise _not_found(f"Schedule {name}")
        return {}

    def _list_schedules(self, args: Any) -> dict[str, Any]:
        limit = max(1, min(100, int(args.get("MaxResults") or 100)))
        after = _untoken(args["NextToken"]) if args.get("NextToken") else ("", "")
        prefix = str(args.get("NamePrefix") or "")
        clauses: list[str] = ["(grp, name) > (?, ?)"]
        parameters: list[Any] = [*after]
        if args.get("ScheduleGroup"):
            clauses.append("grp = ?")
            parameters.append(str(args["ScheduleGroup"]))
        if prefix:
            clauses.append("substr(name, 1, ?) = ?")
            parameters += [len(prefix), prefix]
        if args.get("State"):
            clauses.append("state = ?")
            parameters.append(str(args["State"]))
        rows = self.db.query(
            f"SELECT grp, name, detail FROM schedules WHERE {' AND '.join(clauses)}"  # noqa: S608 - fixed clauses
            " ORDER BY grp, name LIMIT ?",
            (*parameters, limit + 1),
        )
        summaries = []
        for row in rows[:limit]:
            detail = json.loads(row["detail"])
            summaries.append(
                {
                    "Arn": detail["Arn"],
                    "CreationDate": detail["CreationDate"],
                    "GroupName": detail["GroupName"],
                    "LastModificationDate": detail["LastModificationDate"],
                    "Name": detail["Name"],
                    "State": detail["State"],
                    "Target": {"Arn": detail["Target"]["Arn"]},
                }
            )
        answer: dict[str, Any] = {"Schedules": summaries}
        if len(rows) > limit:
            answer["NextToken"] = _token((rows[limit - 1]["grp"], rows[limit - 1]["name"]))
        return answer

    # ------------------------------------------------------------------ groups
    def _create_group(self, region: str, name: str) -> dict[str, Any]:
        if not _NAME.match(name):
            raise _Error("ValidationException", f"Invalid schedule group name {name!r}.", 400)
        arn = self._group_arn(region, name)
        now = time.time()
        with self.db.transaction() as connection:
            if connection.execute("SELECT 1 FROM groups WHERE name = ?", (name,)).fetchone() is not None:
                raise _Error("ConflictException", f"Schedule group {name} already exists.", 409)
            connection.execute(
                "INSERT INTO groups (name, arn, created, modified) VALUES (?,?,?,?)", (name, arn, now, now)
            )
        return {"ScheduleGroupArn": arn}

    @staticmethod
    def _group(row: Any) -> dict[str, Any]:
        return {
            "Arn": row["arn"],
            "CreationDate": row["created"],
            "LastModificationDate": row["modified"],
            "Name": row["name"],
            "State": "ACTIVE",
        }

    def _get_group(self, name: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM groups WHERE name = ?", (name,))
        if row is None:
            raise _not_found(f"Schedule group {name}")
        return self._group(row)

    def _delete_group(self, name: str) -> dict[str, Any]:
        if name == "default":
            raise _Error("ValidationException", "The default schedule group cannot be deleted.", 400)
        with self.db.transaction() as connection:
            if connection.execute("DELETE FROM groups WHERE name = ?", (name,)).rowcount == 0:
                raise _not_found(f"Schedule group {name}")
            connection.execute("DELETE FROM schedules WHERE grp = ?", (name,))  # AWS deletes them too
        return {}

    def _list_groups(self, args: Any) -> dict[str, Any]:
        limit = max(1, min(100, int(args.get("MaxResults") or 100)))
        after = _untoken(args["NextToken"])[0] if args.get("NextToken") else ""
        prefix = str(args.get("NamePrefix") or "")
        rows = self.db.query(
            "SELECT * FROM groups WHERE name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?",
            (after, len(prefix), prefix, limit + 1),
        )
        answer: dict[str, Any] = {"ScheduleGroups": [self._group(r) for r in rows[:limit]]}
        if len(rows) > limit:
            answer["NextToken"] = _token((rows[limit - 1]["name"], ""))
        return answer
