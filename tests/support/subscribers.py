"""Subscribers made over HTTP on a running stack, confirmed through their email as a reader would."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.http import Http, Reply
from tests.support.outbox import emails_to, link


def fresh_address(prefix: str = "reader") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def request_subscription(http: Http, address: str, **prefs: Any) -> Reply:
    """POST /subscriptions for `address` (English, immediate unless `prefs` say otherwise)."""
    return http.post(
        "/subscriptions", json_body={"email": address, "language": "en", "frequency": "immediate", **prefs}
    )


def subscribe_and_confirm(stack: Any, http: Http, address: str, **prefs: Any) -> Reply:
    """Subscribe (immediate, Spanish unless `prefs` say otherwise), confirm from the email; the page."""
    assert request_subscription(http, address, **{"language": "es", **prefs}).status == 202
    stack.wait_until_idle(timeout=20)
    confirmations = emails_to(stack.outbox_dir, address)
    assert len(confirmations) == 1
    page = http.get(link(confirmations[0], "confirm"))
    assert page.status == 200
    assert "text/html" in str(page.header("Content-Type"))
    return page


def confirmed_subscriber(stack: Any, http: Http, **prefs: Any) -> str:
    """A new address, subscribed and confirmed as `subscribe_and_confirm` does; the address."""
    address = fresh_address()
    subscribe_and_confirm(stack, http, address, **prefs)
    return address
