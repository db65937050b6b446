"""Corrections, withdrawals and embargoes, end to end, races included."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api import merge_patch
from tests.support.http import Http
from tests.support.outbox import emails_to
from tests.support.seed import seed_bulletins, submission_of
from tests.support.subscribers import confirmed_subscriber, fresh_address, subscribe_and_confirm

pytestmark = pytest.mark.e2e

GT_SEED = seed_bulletins()[3]
BZ_SEED = seed_bulletins()[8]


def published(stack: Any, http: Http, key: str, seed: dict[str, Any], suffix: str = "") -> dict[str, Any]:
    body = submission_of(seed, suffix)
    created = http.post("/bulletins", json_body=body, key=key).json()
    stack.wait_until_idle(timeout=30)
    reply = http.get(f"/bulletins/{created['id']}")
    assert reply.json()["status"] == "published"
    return dict(reply.json())


def office_published(
    stack: Any, http: Http, new_office: Any, seed: dict[str, Any], suffix: str
) -> tuple[str, str, dict[str, Any], str]:
    """A new office's bulletin, published: (office, its key, the bulletin, the bulletin's URL)."""
    office, key = new_office()
    bulletin = published(stack, http, key, seed, suffix)
    return office, key, bulletin, f"/bulletins/{bulletin['id']}"


def feed_ids(http: Http, path: str) -> list[str]:
    reply = http.get(path)
    if reply.status == 404:  # no bulletin was ever published in that scope
        return []
    assert reply.status == 200
    items = json.loads(reply.body)["items"]
    return [i["id"].rsplit(":", 1)[-1] for i in items]


def test_a_correction_needs_if_match_and_loses_no_ones_change(
    stack: Any, http: Http, new_office: Any
) -> None:
    _, key, bulletin, url = office_published(stack, http, new_office, GT_SEED, " (correct)")
    fixed = submission_of(GT_SEED, " (corrected)")
    assert http.request("PUT", url, json_body=fixed, key=key).status == 428
    assert http.request("PUT", url, json_body=fixed, key=key, headers={"If-Match": '"7"'}).status == 412
    ok = http.request("PUT", url, json_body=fixed, key=key, headers={"If-Match": '"1"'})
    assert ok.status == 200
    assert ok.json()["version"] == 2
    assert ok.header("ETag") == '"2"'
    # The same body again is a no-op
    same = http.request("PUT", url, json_body=fixed, key=key, headers={"If-Match": '"2"'})
    assert same.status == 200
    assert same.json()["version"] == 2
    stack.wait_until_idle(timeout=30)
    # The feed shows the corrected title under the same id
    feed = json.loads(http.get("/feeds/all.json").body)
    entry = next(i for i in feed["items"] if i["id"].endswith(bulletin["id"]))
    assert entry["title"].endswith("(corrected)")
    # And the history says who changed what, when
    versions = http.get(f"{url}/versions").json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["changed_fields"] == ["title"]
    assert versions[0]["replaced_by"]


def test_two_corrections_with_the_same_if_match_one_wins_one_gets_412(
    stack: Any, http: Http, new_office: Any
) -> None:
    _, key, _, url = office_published(stack, http, new_office, BZ_SEED, " (race)")
    results: list[int] = []

    def correct(n: int) -> None:
        body = {"title": f"{BZ_SEED['title']} (writer {n})"}
        results.append(merge_patch(http, url, body, key=key, version=1).status)

    writers = [threading.Thread(target=correct, args=(n,)) for n in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert sorted(results) == [200, 412]
    assert http.get(url).json()["version"] == 2


def test_a_move_out_of_a_country_leaves_that_feed(stack: Any, http: Http, new_office: Any) -> None:
    _, key = new_office()
    bulletin = published(stack, http, key, BZ_SEED, " (move)")
    assert bulletin["id"] in feed_ids(http, "/feeds/countries/BZ.json")
    moved = {
        **submission_of(BZ_SEED),
        "title": "Honduras strengthens data collection on trafficking in persons",
        "body": "The Ministry of Honduras launched a new module with the International Organization for Migration (IOM).",
    }
    reply = http.request(
        "PUT", f"/bulletins/{bulletin['id']}", json_body=moved, key=key, headers={"If-Match": '"1"'}
    )
    assert reply.status == 200
    stack.wait_until_idle(timeout=30)
    assert bulletin["id"] not in feed_ids(http, "/feeds/countries/BZ.json")
    assert bulletin["id"] in feed_ids(http, "/feeds/countries/HN.json")


def test_a_major_correction_mails_exactly_those_who_received_the_original(
    stack: Any, http: Http, new_office: Any
) -> None:
    receiver, latecomer = fresh_address(), fresh_address()
    subscribe_and_confirm(stack, http, receiver, countries=["GY"])
    _, key = new_office()
    seed = seed_bulletins()[9]  # Guyana
    bulletin = published(stack, http, key, seed, " (major)")
    stack.wait_until_idle(timeout=30)
    subscribe_and_confirm(stack, http, latecomer, countries=["GY"])
    change = {
        **submission_of(seed),
        "title": seed["title"] + " (major)",
        "body": seed["body"] + " Figures corrected.",
        "change": "major",
        "change_note": "The 2018 figures were corrected.",
    }
    assert (
        http.request(
            "PUT", f"/bulletins/{bulletin['id']}", json_body=change, key=key, headers={"If-Match": '"1"'}
        ).status
        == 200
    )
    stack.wait_until_idle(timeout=30)
    to_receiver = emails_to(stack.outbox_dir, receiver)
    assert len(to_receiver) == 3  # confirmation, original, correction
    assert "The 2018 figures were corrected." in str(
        to_receiver[-1].get_body(preferencelist=("plain",)).get_content()
    )  # type: ignore[union-attr]
    assert len(emails_to(stack.outbox_dir, latecomer)) == 1  # its confirmation only


def test_a_withdrawn_bulletin_leaves_every_list_and_feed_and_shows_a_tombstone(
    stack: Any, http: Http, new_office: Any
) -> None:
    office, key, bulletin, url = office_published(stack, http, new_office, GT_SEED, " (withdraw)")
    reply = http.request("DELETE", url, json_body={"reason": "Published by mistake."}, key=key)
    assert reply.status == 200
    stack.wait_until_idle(timeout=30)
    gone = http.get(url)
    assert gone.status == 410
    assert gone.json()["reason"] == "Published by mistake."
    assert bulletin["id"] not in feed_ids(http, "/feeds/all.json")
    assert bulletin["id"] not in feed_ids(http, "/feeds/countries/GT.json")
    assert bulletin["id"] not in [i["id"] for i in http.get(f"/bulletins?office={office}").json()["items"]]
    # Withdrawing again changes nothing
    assert http.request("DELETE", url, json_body={"reason": "Again."}, key=key).status == 200
    assert http.get(url).json()["reason"] == "Published by mistake."


def test_an_embargoed_bulletin_stays_invisible_until_the_schedule_publishes_it_once(
    stack: Any, http: Http, new_office: Any
) -> None:
    office, key = new_office()
    at = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0)
    body = {**submission_of(BZ_SEED, " (embargo)"), "publish_at": at.isoformat()}
    created = http.post("/bulletins", json_body=body, key=key).json()
    url = f"/bulletins/{created['id']}"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and http.get(url, key=key).json()["status"] != "scheduled":
        time.sleep(0.2)
    # While embargoed: enriched and visible to its office, invisible to everyone else
    owner_view = http.get(url, key=key).json()
    assert owner_view["status"] == "scheduled"
    assert owner_view["countries"] == ["BZ"]
    assert http.get(url).status == 404
    assert created["id"] not in feed_ids(http, "/feeds/all.json")
    assert http.get(f"/bulletins?office={office}").json()["items"] == []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and http.get(url).status != 200:
        time.sleep(0.5)
    stack.wait_until_idle(timeout=20)
    assert http.get(url).json()["status"] == "published"
    assert feed_ids(http, "/feeds/all.json").count(created["id"]) == 1
    assert [i["id"] for i in http.get(f"/bulletins?office={office}").json()["items"]] == [created["id"]]


def test_the_owner_sees_where_the_bulletin_went(stack: Any, http: Http, new_office: Any) -> None:
    confirmed_subscriber(stack, http, countries=["BZ"])
    _, key = new_office()
    bulletin = published(stack, http, key, BZ_SEED, " (report)")
    stack.wait_until_idle(timeout=30)
    report = http.get(f"/bulletins/{bulletin['id']}", key=key).json()["delivery"]
    assert any(f.endswith("/countries/BZ.xml") for f in report["feeds"])
    assert report["emails"]["sent"] >= 1
    assert http.get(f"/bulletins/{bulletin['id']}").json()["delivery"] is None


def test_a_withdrawal_while_emails_are_queued_sends_none_of_them(
    stack: Any, http: Http, new_office: Any
) -> None:
    address = confirmed_subscriber(stack, http, countries=["BZ"])
    _, key = new_office()

    # Given the sender cannot run yet (its messages wait in the queue)
    def held(handler: Any) -> Any:
        def refuse(event: Any, context: Any) -> Any:
            raise RuntimeError("sender held by the test")

        return refuse

    undo = stack.wrap_handler("SenderFunction", held)
    try:
        created = http.post("/bulletins", json_body=submission_of(BZ_SEED, " (held)"), key=key).json()
        url = f"/bulletins/{created['id']}"
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline and http.get(url, key=key).json()["delivery"]["emails"]["queued"] < 1
        ):
            time.sleep(0.2)
        assert http.get(url, key=key).json()["delivery"]["emails"]["queued"] >= 1
        notified = stack.invocations["EmailNotifierFunction"]
        # When the office withdraws it before the emails go
        assert http.request("DELETE", url, json_body={"reason": "Wrong figures."}, key=key).status == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and http.get(url, key=key).json().get("delivery") is not None:
            time.sleep(0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and stack.invocations["EmailNotifierFunction"] < notified + 1:
            time.sleep(0.2)
    finally:
        undo()
    stack.wait_until_idle(timeout=30)
    # Then no email about it is sent
    assert len(emails_to(stack.outbox_dir, address)) == 1  # the confirmation only


def test_an_embargo_can_be_moved_or_cancelled_before_it_ends(stack: Any, http: Http, new_office: Any) -> None:
    office, key = new_office()
    later = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    body = {**submission_of(GT_SEED, " (moved)"), "publish_at": later.isoformat()}
    created = http.post("/bulletins", json_body=body, key=key).json()
    stack.wait_until_idle(timeout=20)
    url = f"/bulletins/{created['id']}"
    assert http.get(url, key=key).json()["status"] == "scheduled"
    # Moving it later keeps it hidden
    even_later = (later + timedelta(hours=1)).isoformat()
    moved = merge_patch(http, url, {"publish_at": even_later}, key=key, version=1)
    assert moved.status == 200
    stack.wait_until_idle(timeout=20)
    assert http.get(url).status == 404
    # Cancelling the embargo publishes it now, once
    cancelled = merge_patch(http, url, {"publish_at": None}, key=key, version=2)
    assert cancelled.status == 200
    stack.wait_until_idle(timeout=20)
    assert http.get(url).json()["status"] == "published"
    assert [i["id"] for i in http.get(f"/bulletins?office={office}").json()["items"]] == [created["id"]]


def test_an_office_correcting_topics_moves_the_feeds_and_mails_only_the_new_subscribers_once(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given a published Guyana bulletin, a subscriber to Guyana who received it, and a subscriber
    # to a topic enrichment did not find
    old, new = fresh_address(), fresh_address()
    subscribe_and_confirm(stack, http, old, countries=["GY"])
    subscribe_and_confirm(stack, http, new, topics=["climate"])
    _, key = new_office()
    seed = seed_bulletins()[9]  # Guyana
    bulletin = published(stack, http, key, seed, " (topics)")
    assert "climate" not in bulletin["topics"]
    assert bulletin["provenance"]["topics"] == "enrichment"
    assert len(emails_to(stack.outbox_dir, old)) == 2  # confirmation, bulletin
    url = f"/bulletins/{bulletin['id']}"
    # When the office states the topics in a correction
    reply = merge_patch(http, url, {"topics": ["climate"]}, key=key, version=1)
    assert reply.status == 200
    stack.wait_until_idle(timeout=30)
    # Then its topics win, shown as the office's, and the bulletin moves between topic feeds
    view = http.get(url).json()
    assert view["topics"] == ["climate"]
    assert view["provenance"]["topics"] == "office"
    assert bulletin["id"] in feed_ids(http, "/feeds/topics/climate.json")
    for topic in bulletin["topics"]:
        assert bulletin["id"] not in feed_ids(http, f"/feeds/topics/{topic}.json")
    # and the new topic's subscriber gets it once; the country subscriber does not get it again
    assert len(emails_to(stack.outbox_dir, new)) == 2  # confirmation, bulletin
    assert len(emails_to(stack.outbox_dir, old)) == 2
    # When a later correction keeps the topics, nobody is mailed again
    again = merge_patch(http, url, {"body": seed["body"] + " Typo fixed."}, key=key, version=2)
    assert again.status == 200
    stack.wait_until_idle(timeout=30)
    assert len(emails_to(stack.outbox_dir, new)) == 2
    assert len(emails_to(stack.outbox_dir, old)) == 2


def test_an_unknown_topic_is_refused_naming_the_field_and_the_value(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given an office; When it submits a topic that is not in the vocabulary
    _, key = new_office()
    body = {**submission_of(GT_SEED), "topics": ["health", "weather"]}
    reply = http.post("/bulletins", json_body=body, key=key)
    # Then a problem names the field and the bad value, and nothing is stored
    assert reply.status == 422
    assert reply.header("Content-Type").startswith("application/problem+json")
    problem = reply.json()
    assert any("topics" in str(e.get("field", e.get("pointer", ""))) for e in problem["errors"]), problem
    assert "weather" in json.dumps(problem)
