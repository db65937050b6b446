"""Foundation and enrichment, end to end: offices submit over HTTP, the stack publishes, anyone reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.api import every_seed_published
from tests.support.http import Http
from tests.support.seed import seed_bulletins, submission_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded(stack: Any, http: Http) -> dict[str, Any]:
    """The ten seed bulletins, submitted by one office and published."""
    office, key, ids = every_seed_published(stack, http, "IOM Seed Office")
    return {"office": office.id, "key": key, "ids": ids}


def test_a_submission_is_stored_then_published_with_its_enrichment(
    http: Http, seeded: dict[str, Any]
) -> None:
    # Given the seed bulletins were submitted
    for bulletin_id, seed in zip(seeded["ids"], seed_bulletins(), strict=True):
        # When anyone reads one back
        reply = http.get(f"/bulletins/{bulletin_id}")
        # Then it is published, enriched as an editor would label it
        assert reply.status == 200
        bulletin = reply.json()
        assert bulletin["status"] == "published"
        assert bulletin["version"] == 1
        assert bulletin["language"] == seed["expected"]["language"]
        assert bulletin["countries"] == seed["expected"]["countries"]
        assert bulletin["organizations"] == seed["expected"]["organizations"]
        assert bulletin["summary"]
        assert len(bulletin["summary"]) <= 300
        assert bulletin["body_html"].startswith("<p>")
        assert reply.header("ETag") == '"1"'


def test_the_201_answer_carries_location_and_the_stored_bulletin(http: Http, new_office: Any) -> None:
    _, key = new_office()
    seed = seed_bulletins()[0]
    reply = http.post("/bulletins", json_body=submission_of(seed), key=key)
    assert reply.status == 201
    body = reply.json()
    assert body["status"] == "received"
    assert body["version"] == 1
    assert (
        reply.header(
            "Location",
        )
        == f"{http.base_url}/bulletins/{body['id']}"
    )
    assert {"id", "office", "created_at", "updated_at"} <= set(body)


def test_lists_page_through_everything_newest_first(http: Http, seeded: dict[str, Any]) -> None:
    # When an office pages through its public list three at a time
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        query = f"/bulletins?office={seeded['office']}&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = http.get(query).json()
        pages += 1
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then it sees all ten, once each, newest first
    assert pages == 4
    assert sorted(i["id"] for i in seen) == sorted(seeded["ids"])
    dates = [i["published_on"] for i in seen]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("country", ["GT", "CR", "US", "BZ"])
def test_the_country_filter_returns_exactly_the_bulletins_about_it(
    http: Http, seeded: dict[str, Any], country: str
) -> None:
    expected = {
        i
        for i, s in zip(seeded["ids"], seed_bulletins(), strict=True)
        if country in s["expected"]["countries"]
    }
    items = http.get(f"/bulletins?country={country}&office={seeded['office']}&limit=100").json()["items"]
    assert {i["id"] for i in items} == expected


def test_topic_language_and_date_filters_combine(http: Http, seeded: dict[str, Any]) -> None:
    seeds = seed_bulletins()
    expected = {
        i
        for i, s in zip(seeded["ids"], seeds, strict=True)
        if "labour-migration" in s["expected"]["topics"] and s["published_on"] >= "2021-11-09"
    }
    query = (
        "/bulletins?topic=labour-migration&language=en&from=2021-11-09&to=2021-11-30"
        f"&office={seeded['office']}"
    )
    items = http.get(query).json()["items"]
    assert {i["id"] for i in items} == expected


def test_a_retry_with_the_same_idempotency_key_makes_no_second_bulletin(http: Http, new_office: Any) -> None:
    office, key = new_office()
    body = submission_of(seed_bulletins()[1])
    first = http.post("/bulletins", json_body=body, key=key, headers={"Idempotency-Key": "retry-1"})
    again = http.post("/bulletins", json_body=body, key=key, headers={"Idempotency-Key": "retry-1"})
    assert first.status == again.status == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.header("Idempotent-Replayed") == "true"
    mine = http.get(f"/bulletins?office={office}", key=key).json()["items"]
    assert len(mine) == 1
    # And the same key with another body is refused, changing nothing
    other = http.post(
        "/bulletins",
        json_body={**body, "title": "Another title entirely"},
        key=key,
        headers={"Idempotency-Key": "retry-1"},
    )
    assert other.status == 422
    assert other.header("Content-Type") == "application/problem+json"
    assert http.get(f"/bulletins/{first.json()['id']}", key=key).json()["title"] == body["title"]


def test_an_office_sees_its_own_bulletins_at_any_status_and_others_do_not(
    http: Http, new_office: Any
) -> None:
    office, key = new_office()
    _, other_key = new_office()
    created = http.post("/bulletins", json_body=submission_of(seed_bulletins()[2]), key=key).json()
    own = http.get(f"/bulletins?office={office}", key=key).json()["items"]
    assert [i["id"] for i in own] == [created["id"]]
    # Another office touching it gets 404 (it cannot even learn it exists)
    put = http.request(
        "PUT",
        f"/bulletins/{created['id']}",
        json_body=submission_of(seed_bulletins()[2]),
        key=other_key,
        headers={"If-Match": '"1"'},
    )
    assert put.status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "short", "body": "x", "published_on": "2021-11-30"}, "title"),
        ({"title": "A perfectly fine title", "body": "", "published_on": "2021-11-30"}, "body"),
        ({"title": "A perfectly fine title", "body": "x", "published_on": "2999-01-01"}, "published_on"),
        (
            {
                "title": "A perfectly fine title",
                "body": "x",
                "published_on": "2021-11-30",
                "source_url": "http://x.org",
            },
            "source_url",
        ),
        (
            {"title": "A perfectly fine title", "body": "x", "published_on": "2021-11-30", "language": "de"},
            "language",
        ),
        (
            {
                "title": "A perfectly fine title",
                "body": "x",
                "published_on": "2021-11-30",
                "countries": ["ZZ"],
            },
            "countries",
        ),
        ({"title": "A perfectly fine title", "body": "x", "published_on": "2021-11-30", "extra": 1}, "extra"),
    ],
)
def test_each_bad_input_gets_a_problem_naming_the_field(
    http: Http, new_office: Any, body: dict[str, Any], field: str
) -> None:
    office, key = new_office()
    reply = http.post("/bulletins", json_body=body, key=key)
    assert reply.status == 422
    assert reply.header("Content-Type") == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    # And nothing was stored
    assert http.get(f"/bulletins?office={office}", key=key).json()["items"] == []


def test_oversized_malformed_and_unauthenticated_requests_get_problems(http: Http, new_office: Any) -> None:
    _, key = new_office()
    big = {"title": "A perfectly fine title", "body": "x" * 300_000, "published_on": "2021-11-30"}
    assert http.post("/bulletins", json_body=big, key=key).status == 413
    malformed = http.post(
        "/bulletins", data=b'{"title": ', key=key, headers={"Content-Type": "application/json"}
    )
    assert malformed.status == 400
    for reply in (
        http.post("/bulletins", json_body=submission_of(seed_bulletins()[0])),
        http.post("/bulletins", json_body=submission_of(seed_bulletins()[0]), key="bol_AAAAAAAA_" + "A" * 43),
        http.post(
            "/bulletins", json_body=submission_of(seed_bulletins()[0]), headers={"Authorization": "Basic x"}
        ),
    ):
        assert reply.status == 401
        assert reply.header("Content-Type") == "application/problem+json"
        assert json.loads(reply.body)["status"] == 401


def test_bad_list_queries_get_problems_not_errors(http: Http) -> None:
    for query in (
        "country=Costa",
        "limit=0",
        "limit=101",
        "from=yesterday",
        "topic=cooking",
        "cursor=%%%",
        "from=2021-12-01&to=2021-11-01",
    ):
        reply = http.get(f"/bulletins?{query}")
        assert 400 <= reply.status < 500, query
        assert reply.header("Content-Type") == "application/problem+json"


def test_preview_returns_the_enrichment_and_stores_nothing(http: Http, new_office: Any) -> None:
    office, key = new_office()
    seed = seed_bulletins()[3]
    reply = http.post("/bulletins/preview", json_body=submission_of(seed), key=key)
    assert reply.status == 200
    assert reply.json()["countries"] == seed["expected"]["countries"]
    assert http.get(f"/bulletins?office={office}", key=key).json()["items"] == []


def test_preview_shows_the_evidence_for_each_topic_and_country(http: Http, new_office: Any) -> None:
    # Given an office and a Spanish bulletin about training against trafficking in Honduras
    _, key = new_office()
    body = {
        "title": "La OIM capacita a funcionarios contra la trata de personas en Honduras",
        "body": "Más de 200 funcionarios participaron en la capacitación sobre la trata de personas.",
        "published_on": "2023-04-24",
        "topics": ["trafficking-in-persons", "governance"],
    }
    # When it previews it
    reply = http.post("/bulletins/preview", json_body=body, key=key)
    assert reply.status == 200
    preview = reply.json()
    # Then each topic shows the phrases that voted, their points and the threshold
    topics = {t["topic"]: t for t in preview["evidence"]["topics"]}
    trafficking = topics["trafficking-in-persons"]
    assert trafficking["detected"]
    assert trafficking["score"] >= trafficking["threshold"]
    assert {"title", "lead"} <= {v["part"] for v in trafficking["votes"]}
    assert "trata de personas" in {v["phrase"] for v in trafficking["votes"]}
    # and what the office stated wins: governance assigned as given, capacity building found but not kept
    assert preview["topics"] == ["governance", "trafficking-in-persons"]
    assert topics["governance"]["given_by_office"]
    assert topics["capacity-building"]["detected"]
    assert not topics["capacity-building"]["assigned"]
    # and each country the phrases that named it
    assert preview["evidence"]["countries"] == [
        {
            "country": "HN",
            "score": 1,
            "threshold": 1,
            "detected": True,
            "assigned": True,
            "given_by_office": False,
            "phrases": ["Honduras"],
        }
    ]


def test_topics_are_listed_with_english_and_spanish_labels(http: Http) -> None:
    topics = http.get("/topics").json()["items"]
    assert len(topics) == 14
    labour = next(t for t in topics if t["slug"] == "labour-migration")
    assert labour["label_en"] == "Labour migration"
    assert labour["label_es"] == "Migración laboral"
