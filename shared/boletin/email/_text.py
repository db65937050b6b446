"""Text hygiene shared by the email building blocks: control characters, header text and URLs.

Everything that can reach a mail header or an HTML attribute goes through these helpers first.
Stdlib only, so importing it costs nothing at cold start.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Characters that split or reshape a line: C0/C1 controls (incl. CR, LF, TAB, NUL, VT, FF, NEL),
# Unicode line/paragraph separators, and the bidi embedding/override/isolate controls that can
# disguise a subject line ("Trojan Source" style spoofing).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_SPACES = re.compile(r"\s+")

MAX_URL_LENGTH = 900  # a List-Unsubscribe line must stay under the 998-octet SMTP line limit
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_URL_FORBIDDEN = re.compile(r"[^\x21-\x7e]|[<>\"'`\\^{}|]")


def is_unsafe_char(ch: str) -> bool:
    """True for a character that must never appear in a header value or a single-line text."""
    if ch in _BIDI_CONTROLS:
        return True
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def has_unsafe_chars(text: str) -> bool:
    return any(is_unsafe_char(ch) for ch in text)


def single_line(text: str, *, max_length: int | None = None) -> str:
    """Fold every line break/control character to a space, collapse whitespace, strip, truncate.

    Used for anything that ends up in a header (subject, display names) or a one-line label.
    Truncation appends an ellipsis and never exceeds ``max_length`` characters.
    """
    folded = "".join(" " if is_unsafe_char(ch) else ch for ch in text)
    folded = _SPACES.sub(" ", folded).strip()
    if max_length is not None and len(folded) > max_length:
        folded = folded[: max_length - 1].rstrip() + "…"
    return folded


def clean_multiline(text: str) -> str:
    """Keep paragraph structure (newlines) but drop every other control character.

    CRLF/CR become LF; tabs become spaces; runs of blank lines collapse to one blank line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif not is_unsafe_char(ch):
            out.append(ch)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n")]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def paragraphs(text: str) -> list[str]:
    """Split cleaned multi-line text into paragraphs (separated by blank lines)."""
    cleaned = clean_multiline(text)
    return [p for p in cleaned.split("\n\n") if p]


def validate_url(url: str, *, field: str = "url") -> str:
    """Return ``url`` if it is a safe absolute https URL for a mail header or an HTML attribute.

    Rejects (ValueError) anything with whitespace, control or non-ASCII characters, angle brackets
    or quotes (they would break ``<...>`` in List-Unsubscribe or an attribute), a non-https scheme
    and overlong URLs. ``http`` is accepted only for loopback hosts, so local stacks can run.
    """
    if not isinstance(url, str) or not url:
        raise ValueError(f"{field}: a non-empty URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"{field}: URL longer than {MAX_URL_LENGTH} characters")
    if _URL_FORBIDDEN.search(url):
        raise ValueError(f"{field}: URL contains whitespace, control, non-ASCII or reserved characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{field}: not a valid URL") from exc
    if not host:
        raise ValueError(f"{field}: URL has no host")
    if parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK_HOSTS):
        return url
    raise ValueError(f"{field}: URL must use https")
