"""Signed, URL-safe tokens for the links in emails: confirm, unsubscribe and manage.

Format (version 2), base64url without padding over::

    version (1 byte = 2) | key id (1 byte) | purpose (1 byte) | expiry (8 bytes, big-endian Unix
    seconds, 0 = never) | subject (UTF-8, 1-255 bytes) | HMAC-SHA256 tag (32 bytes) over all before it

The key id names the signing key, so the secret can be rotated: new links are signed with the newest
key, and every older key is kept to verify the links already sent (unsubscribe links never expire).
Version 1 (the same without the key id) is still verified, against every key.

The tag covers the version, purpose, expiry and subject, under a context string that separates these
tokens from any other HMAC use of the same secret. Verification checks the tag (constant time) before
it trusts any field, then the purpose, then the expiry. Only canonical base64url is accepted, so one
token has exactly one spelling (flipping any character invalidates it). The subject is readable by
whoever holds the token (it is signed, not encrypted): put an opaque id in it, never an address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, TypeGuard, get_args

TokenPurpose = Literal["confirm", "unsubscribe", "manage"]
TOKEN_PURPOSES: Final[tuple[TokenPurpose, ...]] = get_args(TokenPurpose)

#: Validity of a confirmation link. Unsubscribe and manage links do not expire (``ttl=None``): a
#: mail client may use List-Unsubscribe on a message years old, and that must still work.
CONFIRM_TTL: Final = timedelta(days=7)
DEFAULT_TTLS: Final[dict[TokenPurpose, timedelta | None]] = {
    "confirm": CONFIRM_TTL,
    "unsubscribe": None,
    "manage": None,
}

MIN_SECRET_BYTES: Final = 32
MAX_SUBJECT_BYTES: Final = 255
MAX_TOKEN_LENGTH: Final = 512

_VERSION: Final = 1
_VERSION_KEYED: Final = 2
_CONTEXT: Final = b"boletin/link-token/v1\x00"
_HEADER: Final = struct.Struct(">BBQ")
_HEADER_KEYED: Final = struct.Struct(">BBBQ")
_TAG_BYTES: Final = 32
_PURPOSE_CODES: Final[dict[TokenPurpose, int]] = {"confirm": 1, "unsubscribe": 2, "manage": 3}
_PURPOSE_BY_CODE: Final[dict[int, TokenPurpose]] = {code: p for p, code in _PURPOSE_CODES.items()}
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]+")

TokenFailure = Literal["malformed", "bad_signature", "wrong_purpose", "expired"]


class InvalidTokenError(ValueError):
    """The token is malformed, forged/tampered, for another purpose or expired (see ``reason``)."""

    def __init__(self, reason: TokenFailure) -> None:
        super().__init__(f"invalid token: {reason}")
        self.reason: TokenFailure = reason


class ExpiredTokenError(InvalidTokenError):
    """A genuine token whose validity has ended (pages can offer to start again)."""

    def __init__(self) -> None:
        super().__init__("expired")


def is_token_purpose(value: object) -> TypeGuard[TokenPurpose]:
    return isinstance(value, str) and value in TOKEN_PURPOSES


def _check_purpose(purpose: str) -> TokenPurpose:
    if not is_token_purpose(purpose):
        raise ValueError(f"unknown token purpose {purpose!r}; expected one of {TOKEN_PURPOSES}")
    return purpose


def _check_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"token secrets must be bytes of at least {MIN_SECRET_BYTES} bytes")
    return secret


def _unix_seconds(now: datetime) -> int:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return int(now.astimezone(UTC).timestamp())


def _tag(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, _CONTEXT + signed, hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def issue_token(
    secret: bytes,
    purpose: TokenPurpose,
    subject: str,
    *,
    now: datetime,
    ttl: timedelta | None,
    key_id: int | None = None,
) -> str:
    """A signed token for ``purpose`` and ``subject`` (a subscription id), valid for ``ttl``.

    ``ttl=None`` means no expiry (see :data:`DEFAULT_TTLS`). ``now`` must be timezone-aware.
    With ``key_id`` (1-255, the id of ``secret`` in its key ring) the token names its key (version 2).
    """
    if key_id is not None and not 1 <= key_id <= 255:
        raise ValueError("a key id is 1 to 255")
    _check_secret(secret)
    code = _PURPOSE_CODES[_check_purpose(purpose)]
    if not isinstance(subject, str) or not subject:
        raise ValueError("a token subject must be a non-empty string")
    subject_bytes = subject.encode("utf-8")
    if len(subject_bytes) > MAX_SUBJECT_BYTES:
        raise ValueError(f"a token subject must be at most {MAX_SUBJECT_BYTES} bytes")
    issued = _unix_seconds(now)
    if ttl is None:
        expires = 0
    else:
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive (or None for no expiry)")
        expires = issued + max(1, int(ttl.total_seconds()))
    if key_id is None:
        signed = _HEADER.pack(_VERSION, code, expires) + subject_bytes
    else:
        signed = _HEADER_KEYED.pack(_VERSION_KEYED, key_id, code, expires) + subject_bytes
    return _b64encode(signed + _tag(secret, signed))


def _decode(token: object) -> bytes:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise InvalidTokenError("malformed")
    if not _TOKEN_SHAPE.fullmatch(token) or len(token) % 4 == 1:
        raise InvalidTokenError("malformed")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenError("malformed") from None
    if _b64encode(raw) != token:  # non-canonical spelling (stray low bits in the last character)
        raise InvalidTokenError("malformed")
    return raw


def verify_token(
    secret: bytes | Sequence[bytes] | Mapping[int, bytes],
    token: object,
    purpose: TokenPurpose,
    *,
    now: datetime,
) -> str:
    """Return the subject of a valid ``purpose`` token, else raise :class:`InvalidTokenError`.

    ``secret`` may be a sequence of secrets (newest first) to accept tokens across a key rotation, or
    a key ring (key id -> secret): a version-2 token is then checked against the key it names only.
    Whatever ``token`` is, the only exception raised for it is :class:`InvalidTokenError`
    (:class:`ExpiredTokenError` for an expired one); misuse by the caller (unknown ``purpose``,
    short secret, naive ``now``) raises ValueError.
    """
    ring: Mapping[int, bytes] | None = secret if isinstance(secret, Mapping) else None
    secrets: list[bytes]
    if isinstance(secret, bytes):
        secrets = [secret]
    elif ring is not None:
        secrets = list(ring.values())
    else:
        secrets = [candidate for candidate in secret if isinstance(candidate, bytes)]
    if not secrets:
        raise ValueError("at least one secret is required")
    for candidate in secrets:
        _check_secret(candidate)
    expected_code = _PURPOSE_CODES[_check_purpose(purpose)]
    current = _unix_seconds(now)

    raw = _decode(token)
    keyed = raw[:1] == bytes([_VERSION_KEYED])
    header = _HEADER_KEYED if keyed else _HEADER
    if len(raw) < header.size + 1 + _TAG_BYTES:
        raise InvalidTokenError("malformed")
    signed, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if keyed and ring is not None:
        try:
            secrets = [_check_secret(ring[raw[1]])]
        except KeyError:
            raise InvalidTokenError("bad_signature") from None
    # Compare against every secret (no early exit), so timing does not reveal which one matched.
    matched = False
    for candidate in secrets:
        matched |= hmac.compare_digest(_tag(candidate, signed), tag)
    if not matched:
        raise InvalidTokenError("bad_signature")

    if keyed:
        version, _, code, expires = _HEADER_KEYED.unpack_from(signed)
    else:
        version, code, expires = _HEADER.unpack_from(signed)
    if version not in (_VERSION, _VERSION_KEYED) or code not in _PURPOSE_BY_CODE:
        raise InvalidTokenError("malformed")
    if code != expected_code:
        raise InvalidTokenError("wrong_purpose")
    if expires and current >= expires:
        raise ExpiredTokenError()
    try:
        return signed[header.size :].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidTokenError("malformed") from None
