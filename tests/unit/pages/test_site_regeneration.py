"""Regenerating the site after bulletin events: only the pages an event touches, each from one
index partition, and an unchanged page is never rewritten (fakes for the table and the bucket)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from boletin.models.events import BulletinEventDetail
from boletin.repositories.scopes import scope_key
from boletin.services.site import VOCABULARY_MARKER, SiteRegenerator, vocabulary_digest
from tests.support.pages import API, FEEDS, SITE, make_record, summary_of

RECORD = make_record()


@dataclass
class FakeIndex:
    partitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)  # the partition of every Query

    def latest(self, scope: str, limit: int) -> list[dict[str, Any]]:
        self.read.append(scope)
        return sorted(self.partitions.get(scope, []), key=lambda i: i["sk"], reverse=True)[:limit]

    def month(self, scope: str, month: str) -> list[dict[str, Any]]:
        self.read.append(scope)
        items = [i for i in self.partitions.get(scope, []) if i["sk"].startswith(month + "-")]
        return sorted(items, key=lambda i: i["sk"], reverse=True)

    def neighbour_month(self, scope: str, month: str, *, older: bool) -> str | None:
        self.read.append(scope)
        months = sorted({i["sk"][:7] for i in self.partitions.get(scope, [])})
        found = [m for m in months if (m < month if older else m > month)]
        return (found[-1] if older else found[0]) if found else None

    def page_hashes(self, paths: Any) -> dict[str, str]:
        return {p: self.hashes[p] for p in paths if p in self.hashes}

    def record_page_hashes(self, hashes: dict[str, str]) -> None:
        self.hashes.update(hashes)


@dataclass
class FakeBulletins:
    def get(self, bulletin_id: str, *, consistent: bool = False) -> Any:
        return RECORD if bulletin_id == RECORD.id else None

    def versions(self, bulletin_id: str) -> list[Any]:
        return []


@dataclass
class FakeStore:
    written: dict[str, bytes] = field(default_factory=dict)

    def put(self, path: str, body: bytes, content_type: str) -> None:
        self.written[path] = body


def regenerator_of(bulletins: Any, index: FakeIndex, store: FakeStore) -> SiteRegenerator:
    return SiteRegenerator(
        bulletins,
        index,
        store,
        public_base_url=API,
        feeds_base_url=FEEDS,
        site_base_url=SITE,  # type: ignore[arg-type]
    )


def held(count: int) -> FakeIndex:
    """An index whose GT, trafficking and Spanish partitions hold `count` bulletins, one a day."""
    index = FakeIndex()
    view = summary_of(RECORD)
    for scope in (
        scope_key(country="GT"),
        scope_key(topic="trafficking-in-persons"),
        scope_key(language="es"),
        "*",
    ):
        entries = []
        for n in range(count):
            day = date(2021, 11, 30) - timedelta(days=n)
            copy = view.model_copy(
                update={"id": f"id{n}", "published_on": day, "title": f"Boletín número {n} de prueba"}
            )
            entries.append({"pk": scope, "sk": f"{day.isoformat()}#x#id{n}", "view": copy.model_dump_json()})
        index.partitions[scope] = entries
    index.hashes[VOCABULARY_MARKER] = vocabulary_digest()  # not the first run: only what the event touches
    return index


DETAIL = BulletinEventDetail(
    id=RECORD.id,
    version=1,
    office=RECORD.office,
    language="es",
    countries=["GT"],
    topics=["trafficking-in-persons"],
    published_on=date(2021, 11, 30),
)
SCOPES = {"*", scope_key(country="GT"), scope_key(topic="trafficking-in-persons"), scope_key(language="es")}


@pytest.mark.parametrize("count", [100, 10_000])
def test_given_a_published_bulletin_then_only_its_pages_are_written_each_from_its_own_partition(
    count: int,
) -> None:
    # Given an index holding `count` bulletins in each of the bulletin's scopes
    index, store = held(count), FakeStore()
    regenerator = regenerator_of(FakeBulletins(), index, store)

    # When the event of its publication is handled
    report = regenerator.regenerate([DETAIL], SCOPES)

    # Then its page, and per scope and language the front page and its month's pages of 20 (30
    # bulletins: 2) are written, plus each scope's pre-filled subscribe page; nothing else, whatever
    # the archive holds
    written = set(store.written)
    assert f"news/oim-y-guatemala-fortalecen-la-proteccion-de-personas-migrantes-{RECORD.id}.html" in written
    assert {"index.html", "en/index.html", "es/index.html", "es/countries/GT.html", "en/countries/GT/2021-11.html",
            "es/topics/trafficking-in-persons/2021-11-p2.html", "es/subscribe/countries/GT.html"} <= written  # fmt: skip
    assert "es/topics/trafficking-in-persons/2021-10.html" not in written
    assert "en/countries/GT/2021-11-p2.html" in written
    assert len(written) == 1 + 1 + 4 * 2 * (1 + 2) + 3 * 2  # bulletin, home copy, lists, subscribe pages
    assert set(index.read) <= SCOPES  # every Query on one of the bulletin's own partitions
    assert report.written == list(store.written)


def test_given_nothing_changed_when_regenerated_again_then_no_page_is_rewritten() -> None:
    index, store = held(40), FakeStore()
    regenerator = regenerator_of(FakeBulletins(), index, store)
    regenerator.regenerate([DETAIL], SCOPES)
    store.written.clear()

    report = regenerator.regenerate([DETAIL], SCOPES)

    assert store.written == {}
    assert report.written == []
    assert len(report.unchanged) == 1 + 1 + 4 * 2 * (1 + 2) + 3 * 2


def test_given_the_first_run_then_the_stylesheet_and_the_subscribe_pages_are_written_once() -> None:
    index, store = held(3), FakeStore()
    index.hashes.clear()
    regenerator = regenerator_of(FakeBulletins(), index, store)

    regenerator.regenerate([DETAIL], SCOPES)

    for path in ("en/subscribe.html", "es/subscribe.html", "fr/subscribe.html", "pt/subscribe.html",
                 "assets/site.css", "es/countries/GT.html"):  # fmt: skip
        assert path in store.written, path
    assert "en/countries/BZ.html" not in store.written  # a scope's pages come with its first bulletin
    # and, done once, it is not done again
    assert index.hashes[VOCABULARY_MARKER] == vocabulary_digest()
    store.written.clear()
    regenerator.regenerate([DETAIL], SCOPES)
    assert "fr/subscribe.html" not in store.written


def test_given_a_bulletin_never_public_then_it_gets_no_page() -> None:
    index, store = held(3), FakeStore()

    class Embargoed(FakeBulletins):
        def get(self, bulletin_id: str, *, consistent: bool = False) -> Any:
            return RECORD.model_copy(update={"status": "withdrawn", "published_at": None})

    regenerator_of(Embargoed(), index, store).regenerate([DETAIL], SCOPES)  # type: ignore[arg-type]

    assert not any(path.startswith("news/") for path in store.written)


def test_given_a_month_that_shrinks_to_one_page_then_its_former_second_page_is_emptied() -> None:
    # Given November in Guatemala's partition on two pages (30 bulletins)
    index, store = held(40), FakeStore()
    regenerator = regenerator_of(FakeBulletins(), index, store)
    regenerator.regenerate([DETAIL], SCOPES)
    gt = scope_key(country="GT")
    assert "en/countries/GT/2021-11-p2.html" in store.written

    # When 15 of them leave the list (withdrawn), and the event is handled
    index.partitions[gt] = index.partitions[gt][15:]
    store.written.clear()
    regenerator.regenerate([DETAIL.model_copy(update={"reason": "Duplicado"})], SCOPES)

    # Then the former second page no longer lists anything, and the first lists all 15
    second = store.written["en/countries/GT/2021-11-p2.html"].decode()
    assert "No bulletins yet" in second
    assert "Boletín número" not in second
    assert store.written["en/countries/GT/2021-11.html"].decode().count("<article") == 15


def test_given_any_archive_then_month_pages_link_the_true_newer_and_older_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    import boletin.pages as pages
    from boletin.models.feeds import FeedScope

    # Given random archives (1 to 60 bulletins over 400 days), some of whose months an event touches
    rng = random.Random(15)
    render = pages.render_news
    for _ in range(100):
        index = FakeIndex()
        view = summary_of(RECORD)
        days = [date(2021, 1, 1) + timedelta(days=rng.randint(0, 400)) for _ in range(rng.randint(1, 60))]
        index.partitions["c=GT"] = [
            {"pk": "c=GT", "sk": f"{d.isoformat()}#x#i{n}", "view": view.model_copy(update={"published_on": d}).model_dump_json()}
            for n, d in enumerate(days)
        ]  # fmt: skip
        months = sorted({d.isoformat()[:7] for d in days})
        links: dict[tuple[str, int], Any] = {}

        def spy(news: Any, _links: Any = links, **kwargs: Any) -> bytes:
            if news.month:
                _links[(news.month, news.page)] = (news.older_month, news.newer_month, news.pages)
            return render(news, **kwargs)

        monkeypatch.setattr(pages, "render_news", spy)

        # When their pages are rendered (neighbours read off the front page's entries where possible)
        regenerator_of(FakeBulletins(), index, FakeStore())._scope_documents(
            FeedScope(kind="country", value="GT"), set(rng.sample(months, min(3, len(months))))
        )

        # Then each month's first page links the next newer month and its last the next older one
        for (month, page), (older, newer, count) in links.items():
            if page == count:
                assert older == max([m for m in months if m < month], default=None)
            if page == 1:
                assert newer == min([m for m in months if m > month], default=None)
