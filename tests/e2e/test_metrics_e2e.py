"""Business metrics end to end: what the functions write as CloudWatch EMF while a bulletin goes from
submission to feeds and email, read back from their output as CloudWatch Logs would."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.faults import Crash, faults, hook_after_calls
from tests.support.http import Http
from tests.support.metrics import emf_records, totals
from tests.support.seed import seed_bulletins
from tests.support.subscribers import confirmed_subscriber

pytestmark = pytest.mark.e2e

GT_SEED = seed_bulletins()[3]  # Guatemala and the United States
BZ_SEED = seed_bulletins()[8]  # Belize


def test_a_bulletin_counts_once_as_received_published_and_sent(
    stack: Any, http: Http, new_office: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a confirmed immediate subscriber for Guatemala, and the output so far set aside
    confirmed_subscriber(stack, http, countries=["GT"])
    capsys.readouterr()
    _, key = new_office()

    # When an office submits a Guatemala bulletin, retries it with the same Idempotency-Key, and the
    # pipeline settles
    body = {"title": GT_SEED["title"], "body": GT_SEED["body"], "published_on": GT_SEED["published_on"]}
    headers = {"Idempotency-Key": "metrics-1"}
    assert http.post("/bulletins", json_body=body, key=key, headers=headers).status == 201
    replay = http.post("/bulletins", json_body=body, key=key, headers=headers)
    assert replay.header("Idempotent-Replayed") == "true"
    stack.wait_until_idle(timeout=30)

    # Then the metrics count one bulletin received and published, the feeds it changed, and one email
    records = emf_records(capsys.readouterr().out)
    counted = totals(records)
    assert counted["BulletinsReceived"] == 1
    assert counted["BulletinsPublished"] == 1
    assert counted["FeedsWritten"] >= 2  # at least the whole feed and the Guatemala feed
    assert counted["EmailsQueued"] == 1
    assert counted["EmailsSent"] == 1
    # And every document names the stage's namespace and the service dimension
    directives = [d for r in records for d in r["_aws"]["CloudWatchMetrics"]]
    assert {d["Namespace"] for d in directives} == {"Boletin/dev"}
    assert all(["service"] in d["Dimensions"] for d in directives)


def test_an_email_whose_sender_died_after_ses_counts_once_as_sent(
    stack: Any, http: Http, new_office: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the one subscriber to Belize, and a sender that dies right after SES takes the next email
    confirmed_subscriber(stack, http, countries=["BZ"])
    hook_after_calls("ses")
    crash = Crash("ses", "SendRawEmail", when=lambda p: any(v == "bulletin" for v in p.values()))
    capsys.readouterr()
    _, key = new_office()
    body = {"title": BZ_SEED["title"], "body": BZ_SEED["body"], "published_on": BZ_SEED["published_on"]}
    # When a bulletin for them goes through
    with faults(crash):
        assert http.post("/bulletins", json_body=body, key=key).status == 201
        stack.wait_until_idle(timeout=30)
    stack.wait_until_idle(timeout=30)
    # Then the email is counted once as sent: by SES's Send event, as the sender never could
    assert crash.fired == 1
    assert totals(emf_records(capsys.readouterr().out))["EmailsSent"] == 1


def test_a_refused_office_key_is_counted(stack: Any, http: Http, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the output so far set aside
    capsys.readouterr()

    # When a request comes with an unknown key
    reply = http.post(
        "/bulletins", json_body={}, key="bol_" + "unknown" * 5
    )  # well-formed, so it reaches the authorizer

    # Then it is refused and counted
    assert reply.status == 401
    assert totals(emf_records(capsys.readouterr().out))["OfficeKeysRefused"] == 1
