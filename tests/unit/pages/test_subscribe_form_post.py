"""A form-encoded POST /subscriptions (the subscribe page without JavaScript): always an HTML page in
the subscriber's language, the subscription requested only for a valid form, never an exception."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

from boletin.services.subscription_pages import subscribe_form
from tests.support.pages import SITE, assert_valid_html5, visible_text


class FakeService:
    def __init__(self) -> None:
        self.requests: list[Any] = []

    def subscribe(self, request: Any) -> str:
        self.requests.append(request)
        return "sub-1"


def post(body: bytes) -> tuple[Any, FakeService]:
    service = FakeService()
    return subscribe_form(service, body, site_base_url=SITE), service  # type: ignore[arg-type]


def test_given_a_valid_form_then_the_subscription_is_requested_and_the_answer_is_in_spanish() -> None:
    form = [("email", "ana@example.org"), ("countries", "GT"), ("countries", "HN"), ("topics", "health"),
            ("frequency", "weekly"), ("language", "es")]  # fmt: skip

    page, service = post(urlencode(form).encode())

    assert page.status == 202
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "Revise su correo" in visible_text(assert_valid_html5(page.html))
    (request,) = service.requests
    assert (request.email, request.countries, request.topics, request.frequency, request.language) == (
        "ana@example.org", ["GT", "HN"], ["health"], "weekly", "es"
    )  # fmt: skip


def test_given_bad_fields_then_each_is_named_in_the_subscribers_language_and_nothing_is_requested() -> None:
    form = [("email", "ana"), ("countries", "XX"), ("frequency", "hourly"), ("language", "fr")]

    page, service = post(urlencode(form).encode())

    assert page.status == 422
    text = visible_text(assert_valid_html5(page.html))
    assert "Vérifiez le formulaire" in text
    for label in ("Adresse électronique", "Pays", "Fréquence"):
        assert label in text
    assert service.requests == []


def test_given_garbage_then_the_answer_is_always_a_4xx_page() -> None:
    rng = random.Random(15)
    bodies = [b"", b"\xff\xfe\x00", b"email=%ED%A0%80&language=es", b"=&&==&", b"a" * 20_000]
    bodies += [bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 80))) for _ in range(200)]
    for body in bodies:
        page, service = post(body)
        assert 400 <= page.status < 500, body
        assert_valid_html5(page.html)
        assert service.requests == []
