"""What an attacker and a first-time user found (issue #16), end to end through the local stack.

These tests write their own bulletins (no kit data), so they run in any clone.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from boletin.repositories.bulletins import BulletinRepository
from boletin.settings import get_settings
from tests.support.api import submitted
from tests.support.http import Http
from tests.support.outbox import emails_to, text_of
from tests.support.subscribers import fresh_address, subscribe_and_confirm

pytestmark = pytest.mark.e2e


def bulletin(title: str, **fields: Any) -> dict[str, Any]:
    return {
        "title": title,
        "body": "La oficina en Guatemala informa sobre la atención a personas migrantes y refugiadas.",
        "published_on": "2026-11-30",
        "language": "es",
        "countries": ["GT"],
        **fields,
    }


def test_a_title_with_nothing_visible_is_refused_at_submission(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given an office
    _, key = new_office()
    # When it submits a title (or body) of only bidi and zero-width marks
    for field, value in (
        ("title", "\u200e" * 12),
        ("title", "\u200b\u2066\u2069" * 5),
        ("body", "\u200b" * 3),
    ):
        reply = http.post(
            "/bulletins", json_body={**bulletin("Boletín de prueba visible"), field: value}, key=key
        )
        # Then it is a 422 problem naming the field, and nothing is stored
        assert reply.status == 422, (field, value, reply.body)
        assert reply.header("Content-Type") == "application/problem+json"
        assert [e["field"] for e in reply.json()["errors"]] == [field]


def test_one_unrenderable_bulletin_never_takes_a_digest_down(stack: Any, http: Http, new_office: Any) -> None:
    # Given a daily subscriber with two matching bulletins waiting for the digest
    address = fresh_address("poison")
    subscribe_and_confirm(stack, http, address, frequency="daily", countries=["GT"])
    _, key = new_office()
    tag = uuid.uuid4().hex[:6]
    good = submitted(http, key, bulletin(f"Nueva oficina de atención {tag}"))
    poison = submitted(http, key, bulletin(f"Boletín que se envenena {tag}"))
    stack.wait_until_idle(timeout=30)
    # And one of them holds a title no renderer can show (stored before validation refused it)
    table = get_settings().bulletins_table
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"BULLETIN#{poison}"}, "sk": {"S": "CURRENT"}},
        UpdateExpression="SET title = :t",
        ExpressionAttributeValues={":t": {"S": "\u200e" * 12}},
    )
    assert BulletinRepository(table).get(poison, consistent=True).title == "\u200e" * 12  # type: ignore[union-attr]
    # When the digest runs
    assert http.post("/_local/digests/run").status == 200
    stack.wait_until_idle(timeout=45)
    # Then the digest went, once, with the good bulletin, and nothing was dead-lettered
    digests = emails_to(stack.outbox_dir, address)[1:]
    assert len(digests) == 1
    assert f"Nueva oficina de atención {tag}" in text_of(digests[0])
    assert good
    # And its period is the date its bulletin shows (published_on), not the days it waited in the ledger
    assert "30 de noviembre de 2026" in str(digests[0]["Subject"])
    assert "diciembre" not in str(digests[0]["Subject"])
    dlq = stack.ref("SendDLQ")
    assert boto3.client("sqs").receive_message(QueueUrl=dlq, WaitTimeSeconds=0).get("Messages", []) == []


HUGE_INTEGER = "9" * 5000  # over Python's 4,300-digit int-string limit


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": ' + HUGE_INTEGER + "}",
        '{"email": "a@example.org", "countries": [' + HUGE_INTEGER + "]}",
        "[" + HUGE_INTEGER + "]",
        HUGE_INTEGER,
        '{"reason": -' + HUGE_INTEGER + "}",
        '{"title": 1e999999}',
        '"just a string"',
        "null",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]",
    ],
)
def test_any_body_on_any_json_route_is_a_4xx_problem_never_a_5xx(
    stack: Any, http: Http, new_office: Any, raw: str
) -> None:
    # Given an office, one of its bulletins, and the anonymous subscribe route
    _, key = new_office()
    bulletin_id = submitted(http, key, bulletin("Boletín para cuerpos extraños"))
    routes = [
        ("POST", "/bulletins", key),
        ("POST", "/bulletins/preview", key),
        ("PUT", f"/bulletins/{bulletin_id}", key),
        ("PATCH", f"/bulletins/{bulletin_id}", key),
        ("DELETE", f"/bulletins/{bulletin_id}", key),
        ("POST", "/subscriptions", None),
    ]
    for method, path, route_key in routes:
        # When the body is a huge integer literal, or any other shape
        reply = http.request(
            method,
            path,
            data=raw.encode(),
            headers={"Content-Type": "application/json", "If-Match": '"1"'},
            key=route_key,
        )
        # Then the answer is a 4xx problem, and the bulletin is unchanged
        assert 400 <= reply.status < 500, (method, path, reply.status, reply.body[:200])
        assert reply.header("Content-Type") == "application/problem+json", (method, path)
    assert http.get(f"/bulletins/{bulletin_id}", key=key).json()["version"] == 1


def test_a_bulletin_withdrawn_before_it_was_public_never_existed_for_the_public(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given an embargoed bulletin, submitted with an Idempotency-Key and replayed
    _, key = new_office()
    embargoed = bulletin("Anuncio bajo embargo hasta mañana", publish_at="2026-12-30T08:00:00-06:00")
    headers = {"Idempotency-Key": f"embargo-{uuid.uuid4().hex[:8]}"}
    first = http.post("/bulletins", json_body=embargoed, key=key, headers=headers)
    replay = http.post("/bulletins", json_body=embargoed, key=key, headers=headers)
    assert (first.status, replay.status) == (201, 201)
    bulletin_id = first.json()["id"]
    assert replay.json()["id"] == bulletin_id
    assert replay.header("Idempotent-Replayed") == "true"
    stack.wait_until_idle(timeout=20)
    # When the office withdraws it before the embargo ends
    withdrawn = http.request(
        "DELETE", f"/bulletins/{bulletin_id}", json_body={"reason": "Secreto: no debía salir."}, key=key
    )
    assert withdrawn.status == 200
    # Then the public gets a plain 404 (no title, no reason), for the bulletin and its versions
    for path in (f"/bulletins/{bulletin_id}", f"/bulletins/{bulletin_id}/versions"):
        public = http.get(path)
        assert public.status == 404, (path, public.status)
        assert b"embargo" not in public.body
        assert b"Secreto" not in public.body
    # And its office still sees the tombstone
    assert http.get(f"/bulletins/{bulletin_id}", key=key).status == 410


def test_a_bulletin_found_only_outside_its_offices_countries_is_held_not_published(
    stack: Any, http: Http, new_office: Any
) -> None:
    from boletin.composition.offices import office_service

    # Given an office limited to Costa Rica, and a reader subscribed to Guatemala
    office, key = new_office("OIM Costa Rica")
    office_service().set_office_countries(office, ["CR"])
    reader = fresh_address("scope")
    subscribe_and_confirm(stack, http, reader, countries=["GT"])
    # When it submits, without countries, a bulletin enrichment finds to be about Guatemala and Honduras
    tag = uuid.uuid4().hex[:6]
    body = {
        "title": f"Caravana de migrantes en Guatemala y Honduras {tag}",
        "body": "Cientos de personas migrantes salieron de San Pedro Sula, Honduras, hacia la frontera de "
        "Guatemala. Las autoridades de Guatemala y de Honduras coordinan la asistencia humanitaria.",
        "published_on": "2026-11-30",
        "language": "es",
    }
    bulletin_id = submitted(http, key, body)
    stack.wait_until_idle(timeout=30)
    # Then it is held, and the office sees why on the bulletin and on its own list
    own = http.get(f"/bulletins/{bulletin_id}", key=key).json()
    assert own["status"] == "held", own
    assert "CR" in own["held_reason"]
    assert "GT" in own["held_reason"]
    listed = {i["id"]: i for i in http.get(f"/bulletins?office={office}", key=key).json()["items"]}
    assert listed[bulletin_id]["status"] == "held"
    assert listed[bulletin_id]["held_reason"] == own["held_reason"]
    # And the public never sees it: not by id, not in Guatemala's list, and no email goes out
    assert http.get(f"/bulletins/{bulletin_id}").status == 404
    public = http.get("/bulletins?country=GT&limit=100").json()["items"]
    assert bulletin_id not in {i["id"] for i in public}
    assert len(emails_to(stack.outbox_dir, reader)) == 1  # the confirmation only
    # When the office corrects it with one of its own countries, Then it is published
    corrected = http.request(
        "PUT",
        f"/bulletins/{bulletin_id}",
        json_body={**body, "countries": ["CR"]},
        key=key,
        headers={"If-Match": f'"{own["version"]}"'},
    )
    assert corrected.status == 200, corrected.body
    stack.wait_until_idle(timeout=30)
    assert http.get(f"/bulletins/{bulletin_id}").json()["status"] == "published"


def test_the_docs_page_runs_only_its_own_scripts_cannot_be_framed_and_links_the_json(
    stack: Any, http: Http
) -> None:
    import base64
    import hashlib
    import re

    # When a browser opens /docs
    page = http.get("/docs")
    assert page.status == 200
    html = page.body.decode()
    # Then it may not be framed, and its policy allows exactly its own inline scripts, nothing remote
    assert page.header("X-Frame-Options") == "DENY"
    policy = str(page.header("Content-Security-Policy"))
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    # And the document it links is the JSON one
    assert '"openapi.json"' in html
    assert "?format=json" not in html
    document = http.get("/openapi.json")
    assert document.header("Content-Type") == "application/json"
    assert document.json()["openapi"]


def test_rough_edges_of_the_bulletins_api_are_smoothed(stack: Any, http: Http, new_office: Any) -> None:
    office, key = new_office()
    bulletin_id = submitted(http, key, bulletin(f"Boletín de bordes ásperos {uuid.uuid4().hex[:6]}"))
    stack.wait_until_idle(timeout=30)
    # A DELETE without a body names the field it needs
    bare = http.request("DELETE", f"/bulletins/{bulletin_id}", key=key)
    assert bare.status == 422
    assert [e["field"] for e in bare.json()["errors"]] == ["reason"]
    assert "reason" in bare.json()["detail"]
    # ?country=gt is GT, and the answer says GT
    listed = http.get("/bulletins?country=gt&limit=100")
    assert listed.status == 200, listed.body
    found = [i for i in listed.json()["items"] if i["id"] == bulletin_id]
    assert found
    assert found[0]["countries"] == ["GT"]
    # limit=0 (or a word) is a clear problem, not pydantic's wording
    for bad in ("0", "101", "ten"):
        refused = http.get(f"/bulletins?limit={bad}")
        assert refused.status == 422
        (error,) = refused.json()["errors"]
        assert error["field"] == "limit"
        assert "1 to 100" in error["detail"]
        assert "Input should" not in refused.json()["detail"]
    # The history: one timestamp format, and the office (not a key prefix) as who replaced a version
    current = http.get(f"/bulletins/{bulletin_id}", key=key).json()
    corrected = http.request(
        "PUT",
        f"/bulletins/{bulletin_id}",
        json_body=bulletin(current["title"] + " (corregido)"),
        key=key,
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert corrected.status == 200, corrected.body
    versions = http.get(f"/bulletins/{bulletin_id}/versions").json()["items"]
    assert len(versions) == 2
    stamps = [v[k] for v in versions for k in ("created_at", "replaced_at") if v[k] is not None]
    assert len(stamps) == 3
    assert all(s.endswith("Z") and "+00:00" not in s for s in stamps), stamps
    assert versions[0]["replaced_by"] == office


def test_each_functions_log_lines_carry_its_own_function_name(
    stack: Any, http: Http, new_office: Any
) -> None:
    import json
    import logging
    import threading

    from aws_lambda_powertools import Logger

    # Given the functions loaded (one bulletin through), and a handler that records their log lines
    # as Powertools formats them
    _, key = new_office()
    submitted(http, key, bulletin(f"Boletín que carga las funciones {uuid.uuid4().hex[:6]}"))
    stack.wait_until_idle(timeout=30)
    service = logging.getLogger("boletin")
    powertools_handler = next(h for h in service.handlers if h.formatter is not None)
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(powertools_handler.format(record)))

    collect = Collect()
    collect.filters = list(powertools_handler.filters)

    # And the feeds function, which logs only after another function (on another thread, as the
    # pollers run them) has run and set its Lambda context on the Powertools logger they share
    def feeds_after_the_other(handler: Any) -> Any:
        def run(event: Any, context: Any) -> Any:
            other = threading.Thread(target=stack.run_schedule, args=("DigestFunction",))
            other.start()
            other.join(timeout=30)
            Logger().info("feeds regenerated (test)")
            return None

        return run

    service.addHandler(collect)
    try:
        with stack.wrapped("RssNotifierFunction", feeds_after_the_other):
            stack.invoke("RssNotifierFunction", {"Records": []})
            stack.wait_until_idle(timeout=30)
    finally:
        service.removeHandler(collect)
    # Then the feeds function's line names the feeds function, whatever the other one set
    (line,) = [line for line in lines if line["message"] == "feeds regenerated (test)"]
    assert line["function_name"] == stack.registry.get("RssNotifierFunction").name


def test_a_subscribers_own_language_is_apart_from_the_bulletin_languages_they_want(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given a reader who reads the interface in Spanish and wants only Spanish bulletins
    address = fresh_address("idioma")
    body = {
        "email": address,
        "language": "es",
        "bulletin_languages": ["es"],
        "countries": ["GT"],
        "frequency": "immediate",
    }
    answer = http.post("/subscriptions", json_body=body)
    # Then the answer is in Spanish
    assert answer.status == 202
    assert "confirmación" in answer.json()["detail"]
    stack.wait_until_idle(timeout=20)
    from tests.support.outbox import link

    (confirmation,) = emails_to(stack.outbox_dir, address)
    assert http.get(link(confirmation, "confirm")).status == 200
    # When an English and a Spanish bulletin about Guatemala are published
    _, key = new_office()
    tag = uuid.uuid4().hex[:6]
    english = {
        **bulletin(f"New migrant assistance centre opens in Guatemala {tag}"),
        "language": "en",
        "body": "The office in Guatemala opened a new centre for migrants and refugees in Guatemala City.",
    }
    submitted(http, key, english)
    submitted(http, key, bulletin(f"Nuevo centro de atención en Guatemala {tag}"))
    stack.wait_until_idle(timeout=30)
    # Then only the Spanish one is emailed, in a Spanish frame
    emails = emails_to(stack.outbox_dir, address)[1:]
    assert len(emails) == 1
    assert f"Nuevo centro de atención en Guatemala {tag}" in str(emails[0]["Subject"])
    # And the preferences page offers the bulletin languages apart from the email language
    page = http.get(link(emails[0], "manage")).body.decode()
    assert 'name="bulletin_languages"' in page
    assert 'name="language"' in page
