"""The import's HTTP client: 429 and 5xx retried with backoff honouring Retry-After, pacing, no
retry of what retrying cannot fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from boletin.archive.client import ApiClient, ApiUnavailableError, KeyRefusedError, Pacer
from tests.unit.archive.fake_api import created, fake_api, problem

PAYLOAD = {"title": "A bulletin from the archive", "body": "Body.", "published_on": "2021-11-30"}


def client(url: str, sleeps: list[float], **options: object) -> ApiClient:
    return ApiClient(url, "bol_test", rate=0, sleep=sleeps.append, **options)  # type: ignore[arg-type]


def test_a_429_is_retried_after_exactly_the_seconds_retry_after_asks_with_the_same_key() -> None:
    # Given an API that throttles once, asking for 3 s
    with fake_api((429, {"Retry-After": "3"}, {"title": "Too Many Requests"}), answer=created) as api:
        sleeps: list[float] = []
        # When an item is submitted
        response = client(api.url, sleeps).submit(PAYLOAD, "archive-abc")
    # Then it waited 3 s, then got in, and both tries carried the same Idempotency-Key and key
    assert response.status == 201
    assert sleeps == [3.0]
    assert [r.headers["idempotency-key"] for r in api.requests] == ["archive-abc", "archive-abc"]
    assert all(r.headers["authorization"] == "Bearer bol_test" for r in api.requests)


def test_a_retry_after_http_date_is_honoured() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    with fake_api((503, {"Retry-After": when}, {}), answer=created) as api:
        sleeps: list[float] = []
        assert client(api.url, sleeps).submit(PAYLOAD, "k").status == 201
    assert len(sleeps) == 1
    assert 3.0 <= sleeps[0] <= 5.0


def test_5xx_without_retry_after_backs_off_exponentially_and_gives_up_with_a_clear_error() -> None:
    # Given an API that only answers 502
    with fake_api(answer=lambda r: (502, {}, {"detail": "Bad gateway"})) as api:
        sleeps: list[float] = []
        # When an item is submitted / Then after max_attempts tries it stops with the reason
        with pytest.raises(ApiUnavailableError, match=r"502.*after 5 tries"):
            client(api.url, sleeps, max_attempts=5).submit(PAYLOAD, "k")
    assert len(api.requests) == 5
    # And the waits grow within the exponential envelope (full jitter: 0..0.5*2^n)
    assert len(sleeps) == 4
    assert all(0 <= s <= 0.5 * 2 ** (n + 1) for n, s in enumerate(sleeps))


def test_a_rejection_is_not_retried_and_a_refused_key_stops_everything() -> None:
    with fake_api(problem("title", "must be 10 to 255 characters long (got 3)")) as api:
        sleeps: list[float] = []
        response = client(api.url, sleeps).submit(PAYLOAD, "k")
    assert response.status == 422
    assert sleeps == []
    assert len(api.requests) == 1
    with (
        fake_api((401, {}, {"detail": "A valid office key is required"})) as api,
        pytest.raises(KeyRefusedError, match="valid office key"),
    ):
        client(api.url, []).submit(PAYLOAD, "k")


def test_an_unreachable_api_is_retried_then_reported_in_one_line() -> None:
    sleeps: list[float] = []
    with pytest.raises(ApiUnavailableError, match="could not reach the API"):
        client("http://127.0.0.1:9", sleeps, max_attempts=3).submit(PAYLOAD, "k")
    assert len(sleeps) == 2


def test_the_pacer_spaces_request_starts_to_the_rate() -> None:
    # Given a pacer at 4 requests/s on a fake clock
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(4.0, clock=lambda: now[0], sleep=sleep)
    # When 5 requests start at once
    for _ in range(5):
        pacer.wait()
    # Then they are 0.25 s apart: 1 s for 5 starts, never faster than the rate
    assert slept == pytest.approx([0.25, 0.25, 0.25, 0.25])


def test_the_base_url_may_carry_a_stage_path() -> None:
    with fake_api(answer=created) as api:
        ApiClient(api.url + "/Prod/", "bol_test", rate=0).submit(PAYLOAD, "k")
    assert api.requests[0].path == "/Prod/bulletins"
