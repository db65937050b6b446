"""SES (v1, query protocol): every email it accepts is written to the outbox folder before it answers,
and SES's Send event for it is journalled in SQLite, then published by the stack's SesEventPublisher
to the SNS topics the configuration set's event destinations name (as AWS does, a moment later).

Verified identities persist in the state folder. An unverified sender is refused (MessageRejected),
as SES does outside the sandbox's recipient rules (recipients are not checked: the local stack stands
for a production account, whose quota GetSendQuota reports: LOCAL_SES_MAX_SEND_RATE a second,
default 50, and 50,000 a day). The send rate is reported, not enforced. SES v2 is not emulated (the
product uses v1 SendRawEmail).
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from devstack.aws.durable import ACCOUNT_ID, Database, write_atomically

__all__ = ["SesEngine"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS identities (
    identity TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    token TEXT
);
CREATE TABLE IF NOT EXISTS sends (at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sends_at ON sends (at);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    configuration_set TEXT NOT NULL,
    event TEXT NOT NULL
);
"""
_NS = "http://ses.amazonaws.com/doc/2010-12-01/"
DAY = 86400.0


class _Error(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _members(form: dict[str, str], name: str) -> list[str]:
    values, index = [], 1
    while f"{name}.member.{index}" in form:
        values.append(form[f"{name}.member.{index}"])
        index += 1
    return values


class SesEngine:
    """SES v1's sending and identities, committed (outbox file, Send event, identity) before answering."""

    def __init__(self, directory: Path, outbox: Path, region: str = "us-east-1") -> None:
        self.db = Database(Path(directory) / "ses.sqlite3", _SCHEMA)
        self.outbox = Path(outbox)
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.region = region

    def handles(self, service: str, request: Request) -> bool:
        return service in ("ses", "email") and request.method == "POST" and "/v2/" not in request.path

    def close(self) -> None:
        self.db.close()

    def handle(self, request: Request) -> Response:
        form = {key: values[-1] for key, values in parse_qs(request.get_data().decode("utf-8")).items()}
        action = form.get("Action", "")
        method: Callable[[dict[str, str]], str] | None = getattr(self, "_" + _snake(action), None)
        try:
            if method is None:
                raise _Error("InvalidAction", f"{action} is not supported by the local stack's SES.")
            result = method(form)
        except _Error as error:
            body = (
                f'<ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type><Code>{error.code}</Code>'
                f"<Message>{escape(error.message)}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
            )
            return Response(body, status=error.status, content_type="text/xml")
        body = (
            f'<{action}Response xmlns="{_NS}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
        )
        return Response(body, status=200, content_type="text/xml")

    # ------------------------------------------------------------------ for the stack
    def pending_events(self, limit: int = 100) -> list[tuple[int, str, dict[str, Any]]]:
        """Send events not yet published: (id, configuration set, event), oldest first."""
        rows = self.db.query("SELECT * FROM events ORDER BY id LIMIT ?", (limit,))
        return [(row["id"], row["configuration_set"], json.loads(row["event"])) for row in rows]

    def published(self, event_id: int) -> None:
        with self.db.transaction() as connection:
            connection.execute("DELETE FROM events WHERE id = ?", (event_id,))

    def has_pending_events(self) -> bool:
        return self.db.one("SELECT 1 FROM events LIMIT 1") is not None

    # ------------------------------------------------------------------ identities
    def _verify(self, identity: str, kind: str, token: str | None = None) -> None:
        with self.db.transaction() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO identities (identity, kind, token) VALUES (?,?,?)",
                (identity, kind, token),
            )

    def _verify_email_identity(self, form: dict[str, str]) -> str:
        self._verify(form["EmailAddress"], "EmailAddress")
        return ""

    def _verify_email_address(self, form: dict[str, str]) -> str:
        self._verify(form["EmailAddress"], "EmailAddress")
        return ""

    def _verify_domain_identity(self, form: dict[str, str]) -> str:
        token = base64.b64encode(uuid.uuid4().bytes).decode()
        self._verify(form["Domain"], "Domain", token)
        row = self.db.one("SELECT token FROM identities WHERE identity = ?", (form["Domain"],))
        return f"<VerificationToken>{escape(str(row['token'] if row else token))}</VerificationToken>"

    def _delete_identity(self, form: dict[str, str]) -> str:
        with self.db.transaction() as connection:
            connection.execute("DELETE FROM identities WHERE identity = ?", (form["Identity"],))
        return ""

    def _list_identities(self, form: dict[str, str]) -> str:
        kind = form.get("IdentityType")
        limit = max(1, min(1000, int(form.get("MaxItems") or 1000)))
        after = form.get("NextToken", "")
        rows = self.db.query(
            "SELECT identity FROM identities WHERE identity > ? AND (? IS NULL OR kind = ?)"
            " ORDER BY identity LIMIT ?",
            (after, kind, kind, limit + 1),
        )
        members = "".join(f"<member>{escape(r['identity'])}</member>" for r in rows[:limit])
        following = (
            f"<NextToken>{escape(rows[limit - 1]['identity'])}</NextToken>" if len(rows) > limit else ""
        )
        return f"<Identities>{members}</Identities>{following}"

    def _get_identity_verification_attributes(self, form: dict[str, str]) -> str:
        entries = []
        for identity in _members(form, "Identities"):
            row = self.db.one("SELECT * FROM identities WHERE identity = ?", (identity,))
            if row is None:
                continue
            token = f"<VerificationToken>{escape(row['token'])}</VerificationToken>" if row["token"] else ""
            entries.append(
                f"<entry><key>{escape(identity)}</key><value><VerificationStatus>Success</VerificationStatus>"
                f"{token}</value></entry>"
            )
        return f"<VerificationAttributes>{''.join(entries)}</VerificationAttributes>"

    def _verified(self, address: str) -> bool:
        domain = address.rpartition("@")[2]
        row = self.db.one(
            "SELECT 1 FROM identities WHERE identity IN (?, ?) LIMIT 1", (address.lower(), domain.lower())
        )
        if row is not None:
            return True
        return self.db.one("SELECT 1 FROM identities WHERE identity = ? LIMIT 1", (address,)) is not None

    # ------------------------------------------------------------------ quota
    def _get_send_quota(self, form: dict[str, str]) -> str:
        rate = float(os.environ.get("LOCAL_SES_MAX_SEND_RATE", "50"))
        row = self.db.one("SELECT count(*) AS n FROM sends WHERE at > ?", (time.time() - DAY,))
        sent = int(row["n"]) if row else 0
        return (
            f"<Max24HourSend>50000.0</Max24HourSend><MaxSendRate>{rate}</MaxSendRate>"
            f"<SentLast24Hours>{float(sent)}</SentLast24Hours>"
        )

    # ------------------------------------------------------------------ sending
    def _send_raw_email(self, form: dict[str, str]) -> str:
        raw = base64.b64decode(form.get("RawMessage.Data", ""))
        source, destinations = form.get("Source"), _members(form, "Destinations")
        if not source or not destinations:  # read from the headers (the body is not parsed)
            parsed = BytesHeaderParser().parsebytes(raw)
            source = source or parseaddr(str(parsed.get("From", "")))[1]
            destinations = destinations or [
                address
                for _, address in getaddresses(
                    [str(v) for h in ("To", "Cc", "Bcc") for v in parsed.get_all(h, [])]
                )
                if address
            ]
        return self._accept(raw, source, destinations, form)

    def _send_email(self, form: dict[str, str]) -> str:
        message = EmailMessage()
        message["From"] = form["Source"]
        to = _members(form, "Destination.ToAddresses")
        cc = _members(form, "Destination.CcAddresses")
        bcc = _members(form, "Destination.BccAddresses")
        if to:
            message["To"] = ", ".join(to)
        if cc:
            message["Cc"] = ", ".join(cc)
        reply_to = _members(form, "ReplyToAddresses")
        if reply_to:
            message["Reply-To"] = ", ".join(reply_to)
        message["Subject"] = form.get("Message.Subject.Data", "")
        text, html = form.get("Message.Body.Text.Data"), form.get("Message.Body.Html.Data")
        message.set_content(text or "")
        if html is not None:
            message.add_alternative(html, subtype="html")
        return self._accept(bytes(message), form["Source"], [*to, *cc, *bcc], form)

    def _accept(self, raw: bytes, source: str, destinations: list[str], form: dict[str, str]) -> str:
        address = parseaddr(source)[1]
        if not address or not self._verified(address):
            raise _Error(
                "MessageRejected",
                "Email address is not verified. The following identities failed the check in region "
                f"{self.region.upper()}: {address or source}",
            )
        if not destinations:
            raise _Error("InvalidParameterValue", "Missing required header 'To'.")
        now = datetime.now(UTC)
        message_id = f"0100{int(now.timestamp() * 1000):012x}-{uuid.uuid4()}-000000"
        path = self.outbox / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{message_id}.eml"
        write_atomically(path, raw)
        tags: dict[str, list[str]] = {}
        index = 1
        while f"Tags.member.{index}.Name" in form:
            tags[form[f"Tags.member.{index}.Name"]] = [form.get(f"Tags.member.{index}.Value", "")]
            index += 1
        configuration_set = form.get("ConfigurationSetName")
        with self.db.transaction() as connection:
            connection.execute("INSERT INTO sends (at) VALUES (?)", (now.timestamp(),))
            connection.execute("DELETE FROM sends WHERE at < ?", (now.timestamp() - DAY,))
            if configuration_set:
                event = {
                    "eventType": "Send",
                    "mail": {
                        "timestamp": _iso(now),
                        "source": source,
                        "messageId": message_id,
                        "destination": destinations,
                        "sendingAccountId": ACCOUNT_ID,
                        "tags": {"ses:configuration-set": [configuration_set], **tags},
                    },
                    "send": {},
                }
                connection.execute(
                    "INSERT INTO events (configuration_set, event) VALUES (?, ?)",
                    (configuration_set, json.dumps(event)),
                )
        return f"<MessageId>{message_id}</MessageId>"


def _snake(operation: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in operation).lstrip("_")
