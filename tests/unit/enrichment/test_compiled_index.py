"""The compiled vocabularies (data/index-*.json): what the data builds, and the same answers faster.

A first enrichment reads the matchers from these files instead of tokenising and stemming thousands of
phrases; they must say exactly what countries.json and taxonomy.json say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from boletin.enrichment import _index, countries, organizations, topics
from boletin.enrichment.countries import find_countries, find_regions
from boletin.enrichment.organizations import find_acronyms, find_organizations
from boletin.enrichment.topics import topic_evidence

ROOT = Path(__file__).resolve().parents[3]
CORPORA = sorted((ROOT / "tests" / "data" / "enrichment").glob("*.json"))
CACHED = (
    countries._country_index,
    countries._region_matcher,
    organizations._org_index,
    topics._topic_matcher,
)


def _bulletins() -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for path in CORPORA:
        data = json.loads(path.read_text(encoding="utf-8"))
        found.extend(data["bulletins"] if isinstance(data, dict) else data)
    return found


def _answers() -> list[tuple[object, ...]]:
    return [
        (
            find_countries(f"{b['title']}\n{b['body']}"),
            find_regions(b["body"]),
            find_organizations(b["body"]),
            find_acronyms(b["body"]),
            topic_evidence(b["title"], b["body"], b.get("language") or "en"),
        )
        for b in _bulletins()
    ]


def _forget() -> None:
    for cached in CACHED:
        cached.cache_clear()


@pytest.fixture
def without_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Enrichment as if no index were shipped (or every one were stale)."""
    for module in (countries, organizations, topics):
        monkeypatch.setattr(module, "load_index", lambda name: None)
    _forget()
    yield
    monkeypatch.undo()
    _forget()


def test_every_shipped_index_is_what_the_data_and_the_code_build_now() -> None:
    # Given the data files and the code as they are; When every index is built again
    built = _index.built_indexes()
    # Then each shipped file holds exactly that (else: python scripts/build_enrichment_index.py)
    for name, document in built.items():
        path = _index.index_path(name)
        assert path.exists(), f"{path.name} is missing: run python scripts/build_enrichment_index.py"
        assert path.read_text(encoding="utf-8") == _index.encode_index(document), (
            f"{path.name} is stale: run python scripts/build_enrichment_index.py"
        )


def test_the_index_gives_the_answers_the_data_gives_on_every_corpus_bulletin(without_index: None) -> None:
    # Given every bulletin of the project's corpora, enriched from the data alone
    from_data = _answers()
    # When the shipped indexes are used again
    _forget()
    with pytest.MonkeyPatch.context() as patch:
        for module in (countries, organizations, topics):
            patch.setattr(module, "load_index", _index.load_index)
        from_index = _answers()
    # Then countries, regions, organisations, acronyms and topic evidence are the same, vote for vote
    assert len(from_data) > 200
    assert from_index == from_data


def test_an_index_built_from_other_data_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a vocabulary edited after its index was built (the data's digest differs)
    _index.source_digest.cache_clear()
    monkeypatch.setattr(_index, "SOURCES", ("taxonomy.json",))
    try:
        # When enrichment asks for an index, Then it gets none and builds from the data
        assert _index.load_index("countries") is None
        assert _index.load_index("topics-fr") is None
    finally:
        monkeypatch.undo()
        _index.source_digest.cache_clear()
    # And with the data it was built from, it is used
    assert _index.load_index("countries") is not None
