"""An office's calls to the Boletín API over HTTP, each asserting the answer it needs."""

from __future__ import annotations

from typing import Any

from tests.support.http import Http, Reply
from tests.support.seed import seed_bulletins, submission_of


def submitted(http: Http, key: str, body: dict[str, Any]) -> str:
    """POST /bulletins as the office of `key`; it must be accepted (201). The bulletin's id."""
    reply = http.post("/bulletins", json_body=body, key=key)
    assert reply.status == 201, reply.body
    return str(reply.json()["id"])


def every_seed_published(stack: Any, http: Http, office_name: str) -> tuple[Any, str, list[str]]:
    """A new office submits every seed bulletin and the stack settles: (office, key, ids in seed order)."""
    from boletin.composition.offices import office_service

    office, key = office_service().create_office(office_name)
    ids = [submitted(http, key, submission_of(seed)) for seed in seed_bulletins()]
    # Ten bulletins and the first feed regeneration (every scope): room for a loaded machine.
    stack.wait_until_idle(timeout=60)
    return office, key, ids


def merge_patch(http: Http, url: str, body: dict[str, Any], *, key: str, version: int) -> Reply:
    """PATCH a bulletin (JSON merge patch) with If-Match on `version`."""
    return http.request(
        "PATCH",
        url,
        json_body=body,
        key=key,
        headers={"If-Match": f'"{version}"', "Content-Type": "application/merge-patch+json"},
    )
