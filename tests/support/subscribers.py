"""Subscribers made over HTTP on a running stack, confirmed through their email as a reader would."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.http import Http, Reply
from tests.support.outbox import emails_to, link


def fresh_address(prefix: str = "reader") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def subscribe_and_confirm(stack: Any, http: Http, address: str, **prefs: Any) -> Reply:
    """Subscribe (immediate, Spanish unless `prefs` say otherwise), confirm from the email; the page."""
    body = {"email": address, "language": "es", "frequency": "immediate", **prefs}
    assert http.post("/subscriptions", json_body=body).status == 202
    stack.wait_until_idle(timeout=20)
    confirmations = emails_to(stack.outbox_dir, address)
    assert len(confirmations) == 1
    page = http.get(link(confirmations[0], "confirm"))
    assert page.status == 200
    assert "text/html" in str(page.header("Content-Type"))
    return page
