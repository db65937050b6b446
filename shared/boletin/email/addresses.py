"""Subscriber email addresses: validation/normalisation, a keyed lookup hash, and masking for logs.

``email-validator`` is imported lazily inside :func:`normalize_address` so that importing this module
(and every handler that only builds keys or masks addresses) stays cheap at cold start.
"""

from __future__ import annotations

import hashlib
import hmac

from boletin.email._text import is_unsafe_char

MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit (256) minus the angle brackets
MAX_LOCAL_PART_LENGTH = 64  # RFC 5321 section 4.5.3.1.1
_MIN_KEY_SECRET_BYTES = 16
_KEY_CONTEXT = b"boletin/address-key/v1\x00"


class InvalidEmailAddressError(ValueError):
    """The input is not exactly one acceptable bare email address; ``reason`` says why, for humans."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalize_address(raw: str) -> str:
    """Validate one bare address and return its normalised ASCII form.

    Accepted: exactly one ``local@domain`` (surrounding spaces are ignored). Rejected with
    :class:`InvalidEmailAddressError`: display names (``Name <a@b>``), lists, comments, quoted local
    parts, IP-literal domains, CR/LF/NUL or any other control character anywhere, overlong parts,
    non-ASCII local parts (SES does not do SMTPUTF8) and special-use domains.

    Returned form: the local part as typed (mailbox case is preserved for delivery), the domain
    lower-cased and IDNA-encoded (``user@Bücher.DE`` -> ``user@xn--bcher-kva.de``), so the same
    mailbox typed as U-label or A-label normalises to the same string, and the value is always safe
    to place in a mail header.
    """
    if not isinstance(raw, str):
        raise InvalidEmailAddressError("The email address must be text.")
    if any(is_unsafe_char(ch) for ch in raw):
        raise InvalidEmailAddressError("The email address contains line breaks or control characters.")
    candidate = raw.strip(" ")
    if not candidate:
        raise InvalidEmailAddressError("The email address is empty.")
    if len(candidate) > MAX_ADDRESS_LENGTH:
        raise InvalidEmailAddressError(f"The email address is longer than {MAX_ADDRESS_LENGTH} characters.")
    if candidate.count("@") != 1:
        if "@" not in candidate:
            raise InvalidEmailAddressError("The email address must contain an @-sign.")
        raise InvalidEmailAddressError("Enter exactly one email address, without a name or a list.")
    if "<" in candidate or ">" in candidate:
        raise InvalidEmailAddressError("Enter the bare email address, without a name or angle brackets.")

    from email_validator import EmailNotValidError, validate_email  # lazy: cold-start cost

    try:
        info = validate_email(
            candidate,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_empty_local=False,
        )
    except EmailNotValidError as exc:
        raise InvalidEmailAddressError(str(exc)) from None

    address = info.ascii_email or info.normalized
    local_part = address.rsplit("@", 1)[0]
    if len(local_part) > MAX_LOCAL_PART_LENGTH:
        raise InvalidEmailAddressError(
            f"The part before the @-sign is longer than {MAX_LOCAL_PART_LENGTH} characters."
        )
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidEmailAddressError(f"The email address is longer than {MAX_ADDRESS_LENGTH} characters.")
    return address


def address_key(address: str, secret: bytes) -> str:
    """A stable, non-reversible lookup key for a subscriber address (HMAC-SHA256, 64 hex chars).

    Pass the output of :func:`normalize_address`. The key is case-insensitive (``Ana@x.org`` and
    ``ana@x.org`` share it: in practice mailboxes are, and it stops duplicate subscriptions).
    Because it is keyed with ``secret`` (kept out of the table, e.g. in SSM), someone holding only
    the table cannot confirm a guessed address by hashing it. Rotating the secret changes every key.
    """
    if not isinstance(secret, bytes) or len(secret) < _MIN_KEY_SECRET_BYTES:
        raise ValueError(f"address_key needs a secret of at least {_MIN_KEY_SECRET_BYTES} bytes")
    canonical = address.strip().lower().encode("utf-8")
    return hmac.new(secret, _KEY_CONTEXT + canonical, hashlib.sha256).hexdigest()


# Providers that deliver a.b.c@ and abc@ to the same mailbox (and googlemail.com is gmail.com).
_DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_of(address: str) -> str:
    """The mailbox an address is delivered to, as far as rate limits care: lower case, without a
    "+tag", and without dots where the provider ignores them. ana.b+x@GoogleMail.com -> anab@gmail.com.
    Only for counting: the address itself is kept and written to as given."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in _DOTS_IGNORED:
        domain = _DOTS_IGNORED[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def mask_address(address: str) -> str:
    """A log-safe form: ``jane@example.org`` -> ``j***@example.org``; never the full local part.

    Anything that does not look like one address becomes ``***``. Control characters are dropped so
    the result cannot forge log lines.
    """
    text = "".join(ch for ch in str(address) if not is_unsafe_char(ch)).strip()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"
