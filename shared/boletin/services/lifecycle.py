"""Corrections, withdrawals and the history of a bulletin.

Concurrent writers are serialised by conditional writes on `version` (optimistic concurrency with
If-Match), never by locks. Every change goes through the same outbox as publication: the stream
re-enriches the new version and announces it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from boletin.errors import (
    BulletinNotFoundError,
    FieldError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RequestValidationError,
)
from boletin.http import field_errors, invalid_fields
from boletin.models.bulletins import (
    BulletinRecord,
    BulletinSubmission,
    BulletinUpdate,
    BulletinWithdrawal,
    content_hash,
)
from boletin.models.offices import Caller
from boletin.repositories.bulletins import BulletinRepository, version_item
from boletin.services.bulletins import _bulletins, guard_for
from boletin.services.offices import verify_caller

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


def _owned(bulletin_id: str, caller: Caller, repository: BulletinRepository) -> BulletinRecord:
    record = repository.get(bulletin_id, consistent=True)
    # Another office's bulletin does not exist, as far as this office can tell.
    if record is None or record.office != caller.office:
        raise BulletinNotFoundError(f"No bulletin {bulletin_id!r}.")
    return record


def _check_version(record: BulletinRecord, expected: int) -> None:
    if record.version != expected:
        raise PreconditionFailedError(
            f"The bulletin is at version {record.version}, not {expected}: "
            "read it again and reapply your change.",
            errors=[FieldError("If-Match", f"current version is {record.version}")],
        )


def replace_bulletin(
    caller: Caller,
    bulletin_id: str,
    update: BulletinUpdate,
    *,
    if_match: str | None,
    repository: BulletinRepository | None = None,
    now: datetime | None = None,
) -> tuple[BulletinRecord, bool]:
    """A new version from a full replacement; (record, False) when nothing changed."""
    repo = repository or _bulletins()
    expected = expected_version(if_match)
    current = _owned(bulletin_id, caller, repo)
    if current.status == "withdrawn":
        raise PreconditionFailedError("A withdrawn bulletin cannot be changed.")
    _check_version(current, expected)
    if content_hash(update) == current.content_hash and update.notify == current.notify:
        return current, False
    if (
        current.status == "published"
        and update.publish_at is not None
        and update.publish_at != current.publish_at
    ):
        raise RequestValidationError(
            "A published bulletin cannot be put under embargo.",
            errors=[FieldError("publish_at", "the bulletin is already published")],
        )
    now = now or datetime.now(UTC)
    changed = [f for f in _CONTENT_FIELDS if getattr(update, f) != getattr(current.submission(), f)]
    enriched_now = current.enriched_hash == current.content_hash and current.status == "published"
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
    if not repo.replace(current, new, snapshot, guard=guard_for(caller, update.countries)):
        raise PreconditionFailedError(
            "Someone changed the bulletin at the same time: read it again and reapply your change.",
            errors=[FieldError("If-Match", "another change won the race")],
        )
    return new, True


def patch_bulletin(
    caller: Caller,
    bulletin_id: str,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    repository: BulletinRepository | None = None,
    now: datetime | None = None,
) -> tuple[BulletinRecord, bool]:
    """JSON Merge Patch (RFC 7396) of the submission's fields: null removes an optional field."""
    repo = repository or _bulletins()
    expected = expected_version(if_match)
    current = _owned(bulletin_id, caller, repo)
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
    return replace_bulletin(caller, bulletin_id, update, if_match=str(expected), repository=repo, now=now)


def withdraw_bulletin(
    caller: Caller,
    bulletin_id: str,
    withdrawal: BulletinWithdrawal,
    *,
    if_match: str | None,
    repository: BulletinRepository | None = None,
    now: datetime | None = None,
) -> BulletinRecord:
    """Marks it withdrawn (never erased); repeating a withdrawal changes nothing."""
    repo = repository or _bulletins()
    current = _owned(bulletin_id, caller, repo)
    if current.status == "withdrawn":
        if caller.key_hash:  # nothing to write, so no guarded transaction: check the key by reading it
            verify_caller(caller)
        return current
    if if_match is not None:
        _check_version(current, expected_version(if_match))
    now = now or datetime.now(UTC)
    by = caller.key_id or caller.office
    guard = guard_for(caller, None)
    if not repo.withdraw(
        current, withdrawal.reason, by=by, now=now, correlation_id=caller.request_id, guard=guard
    ):
        raise PreconditionFailedError("Someone changed the bulletin at the same time: try again.")
    return current.model_copy(
        update={
            "status": "withdrawn",
            "withdrawn_reason": withdrawal.reason,
            "withdrawn_at": now,
            "version": current.version + 1,
            "updated_at": now,
        }
    )


def _timestamp(value: object) -> str | None:
    """Every time in the history in one form, as the rest of the API writes it: UTC with a Z."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def list_versions(
    bulletin_id: str, caller: Caller | None, *, repository: BulletinRepository | None = None
) -> list[dict[str, Any]]:
    """Every version, oldest first: who replaced it, when, and which fields changed."""
    from boletin.services.bulletins import get_bulletin

    repo = repository or _bulletins()
    current = get_bulletin(bulletin_id, caller, repository=repo)
    history = []
    for item in sorted(repo.versions(bulletin_id), key=lambda i: int(i["version"])):
        history.append(
            {
                "version": int(item["version"]),
                "title": item["title"],
                "body": item["body"],
                "published_on": item["published_on"],
                "countries": item.get("countries_given") or [],
                "topics": item.get("topics_given"),
                "language": item.get("language_given"),
                "source_url": item.get("source_url"),
                "change": item.get("last_change"),
                "change_note": item.get("last_change_note"),
                "created_at": _timestamp(item.get("updated_at")),
                "replaced_at": _timestamp(item["replaced_at"]),
                # Only its office changes a bulletin: that is who replaced it (the key used is internal).
                "replaced_by": item.get("office") or current.office,
                "changed_fields": item.get("changed_fields", []),
            }
        )
    history.append(
        {
            "version": current.version,
            "title": current.title,
            "body": current.body,
            "published_on": current.published_on.isoformat(),
            "countries": current.countries_given or [],
            "topics": current.topics_given,
            "language": current.language_given,
            "source_url": current.source_url,
            "change": current.last_change,
            "change_note": current.last_change_note,
            "created_at": _timestamp(current.updated_at),
            "replaced_at": None,
            "replaced_by": None,
            "changed_fields": [],
        }
    )
    return history
