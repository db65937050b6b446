"""Corrections, withdrawals and the history of a bulletin.

Concurrent writers are serialised by conditional writes on `version` (optimistic concurrency with
If-Match), never by locks. Every change goes through the same outbox as publication: the stream
re-enriches the new version and announces it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from boletin.clock import Clock, utc_now
from boletin.errors import (
    BulletinNotFoundError,
    FieldError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RequestValidationError,
)
from boletin.http import field_errors, invalid_fields
from boletin.models.bulletins import BulletinRecord, BulletinStatus
from boletin.models.offices import Caller
from boletin.models.submissions import BulletinSubmission, BulletinUpdate, BulletinWithdrawal, content_hash
from boletin.repositories.bulletins import BulletinRepository, version_item
from boletin.repositories.office_guard import OfficeGuards
from boletin.services.bulletins import is_bulletin_id, visible_to
from boletin.services.offices import OfficeService

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
_CONTENT_FIELDS = tuple(BulletinSubmission.model_fields)


def expected_version(if_match: str | None) -> int:
    """The version an If-Match header names ("3", "\\"3\\"" or W/"3")."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequiredError(
            "Send If-Match with the bulletin's current version (its ETag) so no one's change is lost.",
            errors=[FieldError("If-Match", "is required")],
        )
    match = _ETAG.match(if_match)
    if not match:
        raise PreconditionFailedError(
            'If-Match must be the bulletin\'s ETag, e.g. "3".',
            errors=[FieldError("If-Match", "is not an ETag")],
        )
    return int(match.group(1))


def _check_version(record: BulletinRecord, expected: int) -> None:
    if record.version != expected:
        raise PreconditionFailedError(
            f"The bulletin is at version {record.version}, not {expected}: "
            "read it again and reapply your change.",
            errors=[FieldError("If-Match", f"current version is {record.version}")],
        )


def _timestamp(value: datetime | None) -> str | None:
    """Every time in the history in one form, as the rest of the API writes it: UTC with a Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _history_line(version: BulletinRecord) -> dict[str, Any]:
    return {
        "version": version.version,
        "title": version.title,
        "body": version.body,
        "published_on": version.published_on.isoformat(),
        "countries": version.countries_given or [],
        "topics": version.topics_given,
        "language": version.language_given,
        "source_url": version.source_url,
        "change": version.last_change,
        "change_note": version.last_change_note,
        "created_at": _timestamp(version.updated_at),
        "replaced_at": None,
        "replaced_by": None,
        "changed_fields": [],
    }


@dataclass(frozen=True)
class BulletinLifecycle:
    """What an office does to its bulletin after submitting it: correct, withdraw, read its history."""

    bulletins: BulletinRepository
    offices: OfficeService
    guards: OfficeGuards
    clock: Clock = utc_now

    def _owned(self, bulletin_id: str, caller: Caller) -> BulletinRecord:
        record = self.bulletins.get(bulletin_id, consistent=True)
        # Another office's bulletin does not exist, as far as this office can tell.
        if record is None or record.office != caller.office:
            raise BulletinNotFoundError(f"No bulletin {bulletin_id!r}.")
        return record

    def replace(
        self, caller: Caller, bulletin_id: str, update: BulletinUpdate, *, if_match: str | None
    ) -> tuple[BulletinRecord, bool]:
        """A new version from a full replacement; (record, False) when nothing changed."""
        expected = expected_version(if_match)
        current = self._owned(bulletin_id, caller)
        if current.status == BulletinStatus.WITHDRAWN:
            raise PreconditionFailedError("A withdrawn bulletin cannot be changed.")
        _check_version(current, expected)
        if content_hash(update) == current.content_hash and update.notify == current.notify:
            return current, False
        if (
            current.status == BulletinStatus.PUBLISHED
            and update.publish_at is not None
            and update.publish_at != current.publish_at
        ):
            raise RequestValidationError(
                "A published bulletin cannot be put under embargo.",
                errors=[FieldError("publish_at", "the bulletin is already published")],
            )
        now = self.clock()
        changed = [f for f in _CONTENT_FIELDS if getattr(update, f) != getattr(current.submission(), f)]
        enriched_now = (
            current.enriched_hash == current.content_hash and current.status == BulletinStatus.PUBLISHED
        )
        new = current.model_copy(
            update={
                "version": current.version + 1,
                "title": update.title,
                "body": update.body,
                "published_on": update.published_on,
                "language_given": update.language,
                "source_url": update.source_url,
                "link": update.link,
                "countries_given": update.countries,
                "topics_given": update.topics,
                "publish_at": update.publish_at,
                "notify": update.notify,
                "updated_at": now,
                "updated_by": caller.key_id or caller.office,
                "content_hash": content_hash(update),
                "last_change": update.change,
                "last_change_note": update.change_note,
                "listed_sort_key": current.sort_key() if enriched_now else current.listed_sort_key,
                "correlation_id": caller.request_id or None,
            }
        )
        snapshot = version_item(current, replaced_at=now, replaced_by=new.updated_by or "", changed=changed)
        if not self.bulletins.replace(
            current, new, snapshot, guard=self.guards.for_caller(caller, update.countries)
        ):
            raise PreconditionFailedError(
                "Someone changed the bulletin at the same time: read it again and reapply your change.",
                errors=[FieldError("If-Match", "another change won the race")],
            )
        return new, True

    def patch(
        self, caller: Caller, bulletin_id: str, patch: dict[str, Any], *, if_match: str | None
    ) -> tuple[BulletinRecord, bool]:
        """JSON Merge Patch (RFC 7396) of the submission's fields: null removes an optional field."""
        expected = expected_version(if_match)
        current = self._owned(bulletin_id, caller)
        merged = json.loads(current.submission().model_dump_json())
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        try:
            update = BulletinUpdate.model_validate_json(json.dumps(merged))
        except ValidationError as error:
            raise invalid_fields("The patched bulletin is not valid", field_errors(error)) from None
        return self.replace(caller, bulletin_id, update, if_match=str(expected))

    def withdraw(
        self, caller: Caller, bulletin_id: str, withdrawal: BulletinWithdrawal, *, if_match: str | None
    ) -> BulletinRecord:
        """Marks it withdrawn (never erased); repeating a withdrawal changes nothing."""
        current = self._owned(bulletin_id, caller)
        if current.status == BulletinStatus.WITHDRAWN:
            if caller.key_hash:  # nothing to write, so no guarded transaction: check the key by reading it
                self.offices.verify_caller(caller)
            return current
        if if_match is not None:
            _check_version(current, expected_version(if_match))
        now = self.clock()
        by = caller.key_id or caller.office
        guard = self.guards.for_caller(caller, None)
        if not self.bulletins.withdraw(
            current, withdrawal.reason, by=by, now=now, correlation_id=caller.request_id, guard=guard
        ):
            raise PreconditionFailedError("Someone changed the bulletin at the same time: try again.")
        return current.model_copy(
            update={
                "status": BulletinStatus.WITHDRAWN,
                "withdrawn_reason": withdrawal.reason,
                "withdrawn_at": now,
                "version": current.version + 1,
                "updated_at": now,
            }
        )

    def versions(self, bulletin_id: str, caller: Caller | None) -> list[dict[str, Any]]:
        """Every version, oldest first: who replaced it, when, and which fields changed."""
        current = self.bulletins.get(bulletin_id) if is_bulletin_id(bulletin_id) else None
        current = visible_to(current, bulletin_id, caller)
        history = [
            {
                **_history_line(version),
                "replaced_at": _timestamp(version.replaced_at),
                # Only its office changes a bulletin: that is who replaced it (the key used is internal).
                "replaced_by": version.office,
                "changed_fields": version.changed_fields,
            }
            for version in self.bulletins.versions(bulletin_id)
        ]
        return [*history, _history_line(current)]
