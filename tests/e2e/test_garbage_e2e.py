"""No input of any shape gives a 5xx: random and hostile requests against every route."""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.seed import seed_bulletins, submission_of

pytestmark = pytest.mark.e2e

VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    float("1e308"),
    "",
    " ",
    "x" * 300,
    "\x00",
    "\ud800",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "2021-02-30",
    "2021-11-30T25:00:00Z",
    "CR",
    "cr",
    "ZZ",
    "https://x.org",
    "javascript:x",
    [],
    [None],
    ["CR", 1],
    {},
    {"$ne": 1},
    "%00",
    "\r\nBcc: x@example.org",
    "é" * 40,
]
FIELDS = [
    "title",
    "body",
    "published_on",
    "language",
    "source_url",
    "countries",
    "publish_at",
    "email",
    "frequency",
    "topics",
    "timezone",
    "change",
    "change_note",
    "reason",
    "extra",
]


def random_value(rng: random.Random) -> Any:
    if rng.random() < 0.7:
        return rng.choice(VALUES)
    return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40)))


def random_body(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.1:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 50)))
    if kind < 0.2:
        return json.dumps(random_value(rng)).encode()
    base = submission_of(seed_bulletins()[0]) if rng.random() < 0.5 else {}
    for field in rng.sample(FIELDS, rng.randint(1, 4)):
        base[field] = random_value(rng)
    return json.dumps(base, allow_nan=True).encode("utf-8", "surrogatepass")


def test_random_requests_never_get_a_server_error(stack: Any, http: Http, new_office: Any) -> None:
    rng = random.Random(20261129)
    _, key = new_office()
    created = http.post("/bulletins", json_body=submission_of(seed_bulletins()[1]), key=key).json()["id"]
    paths = [
        ("POST", "/bulletins"),
        ("POST", "/bulletins/preview"),
        ("PUT", f"/bulletins/{created}"),
        ("PATCH", f"/bulletins/{created}"),
        ("DELETE", f"/bulletins/{created}"),
        ("POST", "/subscriptions"),
        ("POST", "/subscriptions/manage?token=x"),
        ("POST", "/subscriptions/unsubscribe?token=x"),
    ]
    queries = ["country", "topic", "language", "office", "from", "to", "limit", "cursor", "status", "token"]
    for case in range(300):
        method, path = rng.choice(paths)
        headers = {
            "Content-Type": rng.choice(["application/json", "application/merge-patch+json", "text/plain", ""])
        }
        if rng.random() < 0.5:
            headers["If-Match"] = rng.choice(['"1"', "1", 'W/"2"', "*", "x", ""])
        if rng.random() < 0.3:
            headers["Idempotency-Key"] = rng.choice(["k", "é", "x" * 300, " "])
        reply = http.request(
            method, path, data=random_body(rng), headers=headers, key=key if rng.random() < 0.8 else None
        )
        assert reply.status < 500, (case, method, path, reply.body[:300])
        if reply.status >= 400 and reply.status != 404 and "subscriptions/" not in path:
            assert reply.header("Content-Type") == "application/problem+json", (case, path, reply.body[:200])
    for case in range(100):
        params = "&".join(
            f"{rng.choice(queries)}={rng.choice(['CR', 'x', '', '2021-11-30', '-1', '%00', '%FF', 'a' * 100])}"
            for _ in range(rng.randint(0, 4))
        )
        for path in (
            "/bulletins",
            f"/bulletins/{created}",
            "/bulletins/not-an-id",
            "/subscriptions/confirm",
            "/feeds",
            "/topics",
        ):
            reply = http.get(f"{path}?{params}")
            assert reply.status < 500, (case, path, params, reply.body[:300])
