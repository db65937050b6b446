"""Reading the emails the local stack wrote to its outbox (.eml files), and the links in them."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


def read_outbox(outbox: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def emails_to(outbox: Path, address: str) -> list[EmailMessage]:
    return [m for m in read_outbox(outbox) if address in str(m["To"])]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, purpose: str) -> str:
    """The /subscriptions/<purpose>?token=... link in an email's text part."""
    found = re.search(rf"https?://\S+/subscriptions/{purpose}\?token=[A-Za-z0-9_\-=.]+", text_of(message))
    assert found, f"no {purpose} link in the email"
    return found.group(0)
