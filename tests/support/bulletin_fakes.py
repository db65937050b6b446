"""In-memory stand-ins for the bulletin path's repositories, for unit tests of its services (no AWS,
no moto, no network). Each keeps the promise its repository makes — conditional writes refuse a
stale version, a put is idempotent — and the bulletins table records every write it made as a stream
record (old image, new image), so a test can run the Publisher as the stream would, retries and all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from boletin.errors import OfficeExistsError, OfficeNotFoundError
from boletin.models.bulletins import BulletinRecord, BulletinStatus, BulletinVersion
from boletin.models.enrichment import Enrichment
from boletin.models.events import BulletinEventDetail, DetailType
from boletin.models.offices import ApiKeyRecord, KeyStatus, OfficeRecord, OfficeStatus
from boletin.repositories.dynamo import Page

StreamRecord = tuple[BulletinRecord | None, BulletinRecord | None]


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime = datetime(2026, 12, 1, 12, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeOfficeRepository:
    def __init__(self) -> None:
        self.offices: dict[str, OfficeRecord] = {}
        self.keys: dict[str, ApiKeyRecord] = {}

    def create_office(self, office: OfficeRecord, key: ApiKeyRecord) -> None:
        if office.id in self.offices:
            raise OfficeExistsError("exists")
        self.offices[office.id] = office
        self.keys[key.key_hash] = key

    def get_office(self, office_id: str) -> OfficeRecord:
        if office_id not in self.offices:
            raise OfficeNotFoundError(office_id)
        return self.offices[office_id]

    def get_key(self, key_hash: str) -> ApiKeyRecord | None:
        return self.keys.get(key_hash)

    def add_key(self, key: ApiKeyRecord) -> None:
        self.keys[key.key_hash] = key
        office = self.offices[key.office]
        self.offices[key.office] = office.model_copy(
            update={"key_hashes": [*office.key_hashes, key.key_hash]}
        )

    def revoke_key(self, key_hash: str, *, now: datetime) -> None:
        self.keys[key_hash] = self.keys[key_hash].model_copy(
            update={"status": KeyStatus.REVOKED, "revoked_at": now}
        )

    def set_status(self, office_id: str, status: OfficeStatus, key_hashes: list[str]) -> None:
        self.offices[office_id] = self.offices[office_id].model_copy(update={"status": status})
        for key_hash in key_hashes:
            self.keys[key_hash] = self.keys[key_hash].model_copy(update={"office_status": status})

    def set_countries(self, office_id: str, countries: list[str]) -> None:
        self.offices[office_id] = self.offices[office_id].model_copy(update={"countries": countries})


class FakeBulletinRepository:
    """The bulletins table: live versions, snapshots, and the stream of every write made."""

    def __init__(self) -> None:
        self.items: dict[str, BulletinRecord] = {}
        self.snapshots: dict[str, list[BulletinVersion]] = {}
        self.stream: list[StreamRecord] = []
        self.writes = 0

    def _write(self, new: BulletinRecord) -> None:
        self.writes += 1
        self.stream.append((self.items.get(new.id), new))
        self.items[new.id] = new

    def create(self, record: BulletinRecord, *, guard: object = None) -> BulletinRecord | None:
        if record.id in self.items:
            self.writes += 1  # a refused conditional write is still a call
            return self.items[record.id]
        self._write(record)
        return None

    def get(self, bulletin_id: str, *, consistent: bool = False) -> BulletinRecord | None:
        return self.items.get(bulletin_id)

    def apply_enrichment(
        self,
        record: BulletinRecord,
        enrichment: Enrichment,
        *,
        status: BulletinStatus,
        now: datetime,
        held_reason: str | None = None,
    ) -> bool:
        stored = self.items.get(record.id)
        if (
            stored is None
            or stored.version != record.version
            or stored.content_hash != record.content_hash
            or stored.status == BulletinStatus.WITHDRAWN
        ):
            return False
        update: dict[str, Any] = {
            "enrichment": enrichment,
            "enriched_hash": record.content_hash,
            "status": status,
            "held_reason": held_reason,
        }
        if status == BulletinStatus.PUBLISHED and stored.published_at is None:
            update["published_at"] = now
        self._write(stored.model_copy(update=update))
        return True

    def replace(
        self, old: BulletinRecord, new: BulletinRecord, snapshot: dict[str, Any], *, guard: object = None
    ) -> bool:
        stored = self.items.get(old.id)
        if stored is None or stored.version != old.version:
            return False
        from boletin.repositories.dynamo import from_item

        self.snapshots.setdefault(old.id, []).append(BulletinVersion.model_validate(from_item(snapshot)))
        self._write(new)
        return True

    def withdraw(
        self,
        record: BulletinRecord,
        reason: str,
        *,
        by: str,
        now: datetime,
        correlation_id: str = "",
        guard: object = None,
    ) -> bool:
        stored = self.items.get(record.id)
        if stored is None or stored.version != record.version or stored.status == BulletinStatus.WITHDRAWN:
            return False
        self._write(
            stored.model_copy(
                update={
                    "status": BulletinStatus.WITHDRAWN,
                    "withdrawn_reason": reason,
                    "withdrawn_at": now,
                    "updated_at": now,
                    "updated_by": by,
                    "correlation_id": correlation_id or None,
                    "version": stored.version + 1,
                }
            )
        )
        return True

    def release(self, bulletin_id: str, content_hash_: str, *, now: datetime) -> bool:
        stored = self.items.get(bulletin_id)
        if (
            stored is None
            or stored.status != BulletinStatus.SCHEDULED
            or stored.content_hash != content_hash_
            or stored.enriched_hash != content_hash_
        ):
            return False
        self._write(
            stored.model_copy(
                update={"status": BulletinStatus.PUBLISHED, "published_at": stored.published_at or now}
            )
        )
        return True

    def versions(self, bulletin_id: str) -> list[BulletinVersion]:
        return sorted(self.snapshots.get(bulletin_id, []), key=lambda v: v.version)

    def list_by_office(self, office: str, **_: Any) -> Page:
        items = [r.model_dump(mode="json") for r in self.items.values() if r.office == office]
        return Page(items=items, last_key=None, items_read=len(items))


@dataclass
class FakeBulletinIndex:
    """The index table's listing entries and feed registry (what the Publisher writes)."""

    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    feeds: set[str] = field(default_factory=set)
    puts: int = 0

    def put_entries(self, entries: Iterable[dict[str, Any]], *, feeds: Iterable[str] = ()) -> None:
        for entry in entries:
            self.puts += 1
            self.entries[(entry["pk"], entry["sk"])] = entry
        self.feeds.update(feeds)

    def delete_entries(self, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self.entries.pop(key, None)

    def query(self, scope: str, *, limit: int, start_after: str | None = None, **_: Any) -> Page:
        """Newest first, after `start_after`, as the repository pages (dates are not filtered here)."""
        keys = sorted((sk for pk, sk in self.entries if pk == scope), reverse=True)
        if start_after is not None:
            keys = [k for k in keys if k < start_after]
        page = [self.entries[(scope, k)] for k in keys[:limit]]
        return Page(items=page, last_key=keys[limit - 1] if len(keys) > limit else None, items_read=len(page))

    def listed(self, scope: str) -> list[str]:
        """The bulletin ids a scope lists, newest first."""
        return [e["id"] for (pk, _), e in sorted(self.entries.items(), reverse=True) if pk == scope]


class BusUnavailableError(RuntimeError):
    pass


@dataclass
class FakeEventPublisher:
    """The bus: what was put on it. `failures` makes the next puts fail (the bus unreachable)."""

    published: list[tuple[DetailType, BulletinEventDetail]] = field(default_factory=list)
    failures: int = 0

    def publish(self, events: list[tuple[DetailType, BulletinEventDetail]]) -> None:
        if self.failures:
            self.failures -= 1
            raise BusUnavailableError("the bus did not accept the events")
        self.published.extend(events)

    def kinds(self) -> list[DetailType]:
        return [kind for kind, _ in self.published]


@dataclass
class FakeReleaseScheduler:
    scheduled: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)  # by schedule name

    def schedule_release(self, bulletin_id: str, content_hash: str, when: datetime) -> None:
        self.scheduled[f"release-{bulletin_id}-{content_hash[:12]}"] = (bulletin_id, content_hash, when)


@dataclass
class FakeDeliveries:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def status_counts(self, bulletin_id: str) -> dict[str, int]:
        return dict(self.counts.get(bulletin_id, {}))


@dataclass
class BulletinDesk:
    """The bulletin path wired over fakes: submit through the service, correct and withdraw through
    the lifecycle, and let `settle()` play the bulletins table's stream into the Publisher, as
    the enrich function's event source does (one record at a time, in order)."""

    clock: Clock = field(default_factory=Clock)
    bulletins: FakeBulletinRepository = field(default_factory=FakeBulletinRepository)
    index: FakeBulletinIndex = field(default_factory=FakeBulletinIndex)
    events: FakeEventPublisher = field(default_factory=FakeEventPublisher)
    scheduler: FakeReleaseScheduler = field(default_factory=FakeReleaseScheduler)
    offices: FakeOfficeRepository = field(default_factory=FakeOfficeRepository)
    handled: int = 0  # stream records the Publisher has taken so far

    def __post_init__(self) -> None:
        from boletin.repositories.messaging import SigningKeys
        from boletin.repositories.office_guard import OfficeGuards
        from boletin.services.bulletins import BulletinService
        from boletin.services.enrich import Publisher
        from boletin.services.lifecycle import BulletinLifecycle
        from boletin.services.offices import OfficeService

        guards = OfficeGuards("offices")
        self.office_service = OfficeService(self.offices, clock=self.clock)  # type: ignore[arg-type]
        self.service = BulletinService(
            self.bulletins,  # type: ignore[arg-type]
            FakeDeliveries(),  # type: ignore[arg-type]
            guards,
            SigningKeys("unused: the secret is given", secret=b"s" * 32),
            feeds_base_url="https://feeds.example.org",
            clock=self.clock,
        )
        self.lifecycle = BulletinLifecycle(self.bulletins, self.office_service, guards, clock=self.clock)  # type: ignore[arg-type]
        self.publisher = Publisher(
            self.bulletins,  # type: ignore[arg-type]
            self.index,  # type: ignore[arg-type]
            self.events,  # type: ignore[arg-type]
            self.scheduler,  # type: ignore[arg-type]
            self.offices,  # type: ignore[arg-type]
            public_base_url="https://api.example.org",
            clock=self.clock,
        )

    def settle(self) -> None:
        """Hand every stream record not yet handled to the Publisher; one that raises stays
        unhandled (the stream gives it again), and the error goes to the caller."""
        while self.handled < len(self.bulletins.stream):
            old, new = self.bulletins.stream[self.handled]
            self.publisher.handle_change(old, new)
            self.handled += 1

    def redeliver(self, position: int) -> None:
        """The stream gives the record at `position` again (the function timed out after handling
        it, so its batch is retried), then the records that handling wrote, as `settle` does."""
        old, new = self.bulletins.stream[position]
        self.publisher.handle_change(old, new)
        self.settle()
