"""What an email is made of: who sends it, who receives it, and the bulletins it shows (each
checked and cleaned when made, so no builder meets an unsafe value)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from boletin.email._text import clean_multiline, single_line, validate_url
from boletin.email.addresses import normalize_address
from boletin.email.i18n import Language, is_language

MAX_TITLE_LENGTH: Final = 300
DEFAULT_DISPLAY_NAME: Final = "Boletín"

_LIST_ID = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderConfig:
    """Who sends: one verified SES identity, and the list identity used in List-Id.

    ``list_id`` is an RFC 2919 identifier under a domain you control, e.g.
    ``"bulletins.boletin.example.org"``. ``unsubscribe_mailto``, when set, adds a ``mailto:`` URI to
    List-Unsubscribe; whoever processes that mailbox must unsubscribe the message's From address.
    """

    address: str
    list_id: str
    display_name: str = DEFAULT_DISPLAY_NAME
    list_name: str = DEFAULT_DISPLAY_NAME
    unsubscribe_mailto: str | None = None
    reply_to: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", normalize_address(self.address))
        if (
            not isinstance(self.list_id, str)
            or len(self.list_id) > 255
            or not _LIST_ID.fullmatch(self.list_id)
        ):
            raise ValueError("list_id must be a dot-separated identifier such as bulletins.example.org")
        object.__setattr__(self, "display_name", single_line(self.display_name, max_length=64))
        object.__setattr__(self, "list_name", single_line(self.list_name, max_length=64))
        if self.unsubscribe_mailto is not None:
            object.__setattr__(self, "unsubscribe_mailto", normalize_address(self.unsubscribe_mailto))
        if self.reply_to is not None:
            object.__setattr__(self, "reply_to", normalize_address(self.reply_to))

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """One confirmed subscriber, with their personal unsubscribe (one-click) and preferences URLs."""

    address: str
    language: Language
    unsubscribe_url: str
    manage_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", normalize_address(self.address))
        if not is_language(self.language):
            raise ValueError(f"unsupported language {self.language!r}")
        validate_url(self.unsubscribe_url, field="unsubscribe_url")
        validate_url(self.manage_url, field="manage_url")


@dataclass(frozen=True, slots=True, kw_only=True)
class BulletinDigestItem:
    """One bulletin as shown in an email. ``countries`` and ``topics`` are display strings, already
    in the recipient's language. Text is cleaned on construction (titles become one line)."""

    id: str
    title: str
    published_on: date
    url: str
    countries: Sequence[str] = field(default_factory=tuple)
    topics: Sequence[str] = field(default_factory=tuple)
    summary: str = ""

    def __post_init__(self) -> None:
        title = single_line(self.title, max_length=MAX_TITLE_LENGTH)
        if not title:
            raise ValueError("a bulletin needs a non-empty title")
        if not isinstance(self.published_on, date):
            raise TypeError("published_on must be a date")
        validate_url(self.url, field="url")
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "countries", display_labels(self.countries))
        object.__setattr__(self, "topics", display_labels(self.topics))
        object.__setattr__(self, "summary", clean_multiline(self.summary))


def display_labels(values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):  # a lone string is a classic bug: "Mexico" -> M, e, x, ...
        values = (values,)
    return tuple(label for label in (single_line(v, max_length=100) for v in values) if label)
