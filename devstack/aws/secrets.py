"""Secrets Manager, kept in SQLite under the state folder: the signing secret (and so every link in an
email already sent) survives a restart.

JSON 1.1 protocol (`X-Amz-Target: secretsmanager.<Operation>`). Versions carry staging labels as in
AWS: a new AWSCURRENT version moves the old one to AWSPREVIOUS. Deliberate difference: a version left
with no label is dropped at once (AWS keeps up to 100 deprecated versions), so storage stays bounded.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
import uuid
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from devstack.aws.durable import ACCOUNT_ID, Database, json_error, json_response, region_of

__all__ = ["SecretsEngine"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    description TEXT,
    kms_key_id TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL,
    last_changed REAL NOT NULL,
    last_accessed REAL,
    deleted REAL
);
CREATE TABLE IF NOT EXISTS versions (
    name TEXT NOT NULL,
    version_id TEXT NOT NULL,
    secret_string TEXT,
    secret_binary BLOB,
    created REAL NOT NULL,
    PRIMARY KEY (name, version_id)
);
CREATE TABLE IF NOT EXISTS stages (
    name TEXT NOT NULL,
    stage TEXT NOT NULL,
    version_id TEXT NOT NULL,
    PRIMARY KEY (name, stage)
);
CREATE INDEX IF NOT EXISTS stages_by_version ON stages (name, version_id);
"""

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class _Error(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _not_found() -> _Error:
    return _Error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


class SecretsEngine:
    """Secrets Manager's secrets and their versions, committed before each answer."""

    def __init__(self, directory: Path) -> None:
        self.db = Database(Path(directory) / "secrets.sqlite3", _SCHEMA)

    def handles(self, service: str, request: Request) -> bool:
        return service == "secretsmanager" and request.headers.get("X-Amz-Target", "").startswith(
            "secretsmanager."
        )

    def close(self) -> None:
        self.db.close()

    def handle(self, request: Request) -> Response:
        operation = request.headers["X-Amz-Target"].split(".", 1)[1]
        method = getattr(self, "_" + _snake(operation), None)
        if method is None:
            return json_error(
                "InvalidRequestException",
                f"{operation} is not supported by the local stack's Secrets Manager.",
            )
        try:
            body = json.loads(request.get_data() or b"{}")
            return json_response(method(body, region_of(request)))
        except _Error as error:
            return json_error(error.code, error.message)
        except (ValueError, KeyError, TypeError) as error:
            return json_error("InvalidParameterException", f"Invalid request: {error}")

    # ------------------------------------------------------------------ reading
    def _secret(self, secret_id: str, *, deleted_ok: bool = False) -> Any:
        row = self.db.one(
            "SELECT * FROM secrets WHERE name = ? OR arn = ? OR substr(arn, 1, length(arn) - 7) = ?",
            (secret_id, secret_id, secret_id),
        )
        if row is None:
            raise _not_found()
        if row["deleted"] is not None and not deleted_ok:
            raise _Error(
                "InvalidRequestException",
                "You can't perform this operation on the secret because it was marked for deletion.",
            )
        return row

    def _stages_of(self, name: str) -> dict[str, list[str]]:
        stages: dict[str, list[str]] = {}
        for row in self.db.query(
            "SELECT stage, version_id FROM stages WHERE name = ? ORDER BY stage", (name,)
        ):
            stages.setdefault(row["version_id"], []).append(row["stage"])
        return stages

    def _description(self, row: Any) -> dict[str, Any]:
        described: dict[str, Any] = {
            "ARN": row["arn"],
            "Name": row["name"],
            "RotationEnabled": False,
            "LastChangedDate": row["last_changed"],
            "Tags": json.loads(row["tags"]),
            "VersionIdsToStages": self._stages_of(row["name"]),
            "CreatedDate": row["created"],
        }
        for key, column in (
            ("Description", "description"),
            ("KmsKeyId", "kms_key_id"),
            ("LastAccessedDate", "last_accessed"),
            ("DeletedDate", "deleted"),
        ):
            if row[column] is not None:
                described[key] = row[column]
        return described

    # ------------------------------------------------------------------ writing
    def _add_version(
        self, connection: Any, name: str, body: dict[str, Any], stages: list[str]
    ) -> tuple[str, list[str]] | None:
        """Store the value of `body` (if it has one) as a new version carrying `stages`; an earlier
        call with the same ClientRequestToken and value is answered again (boto3 retries)."""
        if "SecretString" not in body and "SecretBinary" not in body:
            return None
        value_string = body.get("SecretString")
        value_binary = base64.b64decode(body["SecretBinary"]) if "SecretBinary" in body else None
        version_id = str(body.get("ClientRequestToken") or uuid.uuid4())
        existing = connection.execute(
            "SELECT secret_string, secret_binary FROM versions WHERE name = ? AND version_id = ?",
            (name, version_id),
        ).fetchone()
        if existing is not None:
            if (existing["secret_string"], existing["secret_binary"]) != (value_string, value_binary):
                raise _Error(
                    "ResourceExistsException",
                    f"A resource with the ID you requested already exists: version {version_id}.",
                )
            labels = [
                r["stage"]
                for r in connection.execute(
                    "SELECT stage FROM stages WHERE name = ? AND version_id = ?", (name, version_id)
                )
            ]
            return version_id, labels
        now = time.time()
        connection.execute(
            "INSERT INTO versions (name, version_id, secret_string, secret_binary, created)"
            " VALUES (?,?,?,?,?)",
            (name, version_id, value_string, value_binary, now),
        )
        for stage in stages:
            self._move_stage(connection, name, stage, version_id)
        connection.execute("UPDATE secrets SET last_changed = ? WHERE name = ?", (now, name))
        return version_id, stages

    def _move_stage(self, connection: Any, name: str, stage: str, version_id: str | None) -> None:
        """Put `stage` on `version_id` (None: take it off); AWSCURRENT leaves AWSPREVIOUS behind."""
        old = connection.execute(
            "SELECT version_id FROM stages WHERE name = ? AND stage = ?", (name, stage)
        ).fetchone()
        old_version = old["version_id"] if old else None
        if old_version == version_id:
            return
        connection.execute("DELETE FROM stages WHERE name = ? AND stage = ?", (name, stage))
        if version_id is not None:
            connection.execute(
                "INSERT INTO stages (name, stage, version_id) VALUES (?,?,?)", (name, stage, version_id)
            )
        if stage == CURRENT and old_version is not None and version_id is not None:
            self._move_stage(connection, name, PREVIOUS, old_version)
        if old_version is not None:
            self._drop_if_unlabelled(connection, name, old_version)

    @staticmethod
    def _drop_if_unlabelled(connection: Any, name: str, version_id: str) -> None:
        labelled = connection.execute(
            "SELECT 1 FROM stages WHERE name = ? AND version_id = ? LIMIT 1", (name, version_id)
        ).fetchone()
        if labelled is None:
            connection.execute("DELETE FROM versions WHERE name = ? AND version_id = ?", (name, version_id))

    # ------------------------------------------------------------------ operations
    def _create_secret(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        name = str(body["Name"])
        with self.db.transaction() as connection:
            row = connection.execute("SELECT * FROM secrets WHERE name = ?", (name,)).fetchone()
            if row is not None:
                token = body.get("ClientRequestToken")
                same = (
                    token
                    and connection.execute(
                        "SELECT secret_string FROM versions WHERE name = ? AND version_id = ?", (name, token)
                    ).fetchone()
                )
                if not same or same["secret_string"] != body.get("SecretString"):
                    raise _Error(
                        "ResourceExistsException",
                        f"The operation failed because the secret {name} already exists.",
                    )
                return {"ARN": row["arn"], "Name": name, "VersionId": token}
            suffix = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6))
            arn = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{suffix}"
            now = time.time()
            connection.execute(
                "INSERT INTO secrets (name, arn, description, kms_key_id, tags, created, last_changed)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    name,
                    arn,
                    body.get("Description"),
                    body.get("KmsKeyId"),
                    json.dumps(body.get("Tags") or []),
                    now,
                    now,
                ),
            )
            version = self._add_version(connection, name, body, [CURRENT])
        answer = {"ARN": arn, "Name": name}
        if version is not None:
            answer["VersionId"] = version[0]
        return answer

    def _get_secret_value(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        row = self._secret(str(body["SecretId"]))
        name = row["name"]
        version_id = body.get("VersionId")
        stage = body.get("VersionStage")
        if version_id is None:
            staged = self.db.one(
                "SELECT version_id FROM stages WHERE name = ? AND stage = ?", (name, stage or CURRENT)
            )
            if staged is None:
                raise _Error(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label: "
                    + (stage or CURRENT),
                )
            version_id = staged["version_id"]
        version = self.db.one("SELECT * FROM versions WHERE name = ? AND version_id = ?", (name, version_id))
        labels = self._stages_of(name).get(str(version_id), [])
        if version is None or (stage is not None and stage not in labels):
            raise _Error(
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret value for VersionId: " + str(version_id),
            )
        answer: dict[str, Any] = {
            "ARN": row["arn"],
            "Name": name,
            "VersionId": version_id,
            "VersionStages": labels,
            "CreatedDate": version["created"],
        }
        if version["secret_string"] is not None:
            answer["SecretString"] = version["secret_string"]
        if version["secret_binary"] is not None:
            answer["SecretBinary"] = base64.b64encode(version["secret_binary"]).decode()
        return answer

    def _put_secret_value(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        if "SecretString" not in body and "SecretBinary" not in body:
            raise _Error("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
        with self.db.transaction() as connection:
            row = self._secret(str(body["SecretId"]))
            version = self._add_version(
                connection, row["name"], body, list(body.get("VersionStages") or [CURRENT])
            )
        assert version is not None
        return {"ARN": row["arn"], "Name": row["name"], "VersionId": version[0], "VersionStages": version[1]}

    def _update_secret(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        with self.db.transaction() as connection:
            row = self._secret(str(body["SecretId"]))
            for key, column in (("Description", "description"), ("KmsKeyId", "kms_key_id")):
                if key in body:
                    connection.execute(
                        f"UPDATE secrets SET {column} = ?, last_changed = ? WHERE name = ?",  # noqa: S608 - fixed columns
                        (body[key], time.time(), row["name"]),
                    )
            version = self._add_version(connection, row["name"], body, [CURRENT])
        answer = {"ARN": row["arn"], "Name": row["name"]}
        if version is not None:
            answer["VersionId"] = version[0]
        return answer

    def _update_secret_version_stage(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        stage = str(body["VersionStage"])
        with self.db.transaction() as connection:
            row = self._secret(str(body["SecretId"]))
            name = row["name"]
            current = connection.execute(
                "SELECT version_id FROM stages WHERE name = ? AND stage = ?", (name, stage)
            ).fetchone()
            remove_from = body.get("RemoveFromVersionId")
            move_to = body.get("MoveToVersionId")
            if current is not None and move_to and remove_from != current["version_id"]:
                raise _Error(
                    "InvalidParameterException",
                    f"The staging label {stage} is currently attached to version {current['version_id']}. "
                    "You must specify RemoveFromVersionId to move it.",
                )
            if (
                move_to
                and connection.execute(
                    "SELECT 1 FROM versions WHERE name = ? AND version_id = ?", (name, move_to)
                ).fetchone()
                is None
            ):
                raise _Error("ResourceNotFoundException", f"Secrets Manager can't find version {move_to}.")
            self._move_stage(connection, name, stage, move_to)
        return {"ARN": row["arn"], "Name": row["name"]}

    def _describe_secret(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        return self._description(self._secret(str(body["SecretId"]), deleted_ok=True))

    def _list_secrets(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        limit = max(1, min(100, int(body.get("MaxResults") or 100)))
        after = str(body.get("NextToken") or "")
        prefixes = [
            str(value)
            for entry in body.get("Filters") or []
            if entry.get("Key") == "name"
            for value in entry.get("Values") or []
        ]
        rows = self.db.query(
            "SELECT * FROM secrets WHERE name > ? AND (? OR deleted IS NULL) ORDER BY name LIMIT ?",
            (after, bool(body.get("IncludePlannedDeletion")), limit + 1),
        )
        if prefixes:
            rows = [r for r in rows if any(r["name"].startswith(p) for p in prefixes)]
        answer: dict[str, Any] = {"SecretList": [self._description(r) for r in rows[:limit]]}
        if len(rows) > limit:
            answer["NextToken"] = rows[limit - 1]["name"]
        return answer

    def _delete_secret(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        with self.db.transaction() as connection:
            row = self._secret(str(body["SecretId"]), deleted_ok=True)
            name = row["name"]
            now = time.time()
            if body.get("ForceDeleteWithoutRecovery"):
                for table in ("secrets", "versions", "stages"):
                    connection.execute(f"DELETE FROM {table} WHERE name = ?", (name,))  # noqa: S608
                return {"ARN": row["arn"], "Name": name, "DeletionDate": now}
            days = int(body.get("RecoveryWindowInDays") or 30)
            connection.execute("UPDATE secrets SET deleted = ? WHERE name = ?", (now, name))
        return {"ARN": row["arn"], "Name": name, "DeletionDate": now + days * 86400}

    def _restore_secret(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        with self.db.transaction() as connection:
            row = self._secret(str(body["SecretId"]), deleted_ok=True)
            connection.execute("UPDATE secrets SET deleted = NULL WHERE name = ?", (row["name"],))
        return {"ARN": row["arn"], "Name": row["name"]}

    def _get_random_password(self, body: dict[str, Any], region: str) -> dict[str, Any]:
        from devstack.resources import generate_password

        return {"RandomPassword": generate_password(body)}


def _snake(operation: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in operation).lstrip("_")
