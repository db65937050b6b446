"""Pure email building blocks (no AWS): addresses, link tokens, MIME messages and landing pages.

Stdlib only at import time (``email-validator`` is imported on first address validation), so handlers
can import this package without a cold-start penalty.
"""

from boletin.email.addresses import (
    InvalidEmailAddressError,
    address_key,
    mailbox_of,
    mask_address,
    normalize_address,
)
from boletin.email.i18n import FREQUENCIES, SUPPORTED_LANGUAGES, Frequency, Language, resolve_language
from boletin.email.messages import (
    build_bulletin_email,
    build_confirmation_email,
    build_correction_email,
    build_digest_email,
)
from boletin.email.mime import to_raw_bytes
from boletin.email.pages import (
    PAGE_HEADERS,
    ManageFormError,
    ManagePreferences,
    confirm_page,
    error_page,
    manage_page,
    parse_manage_form,
    unsubscribe_page,
    unsubscribed_page,
)
from boletin.email.parts import BulletinDigestItem, Recipient, SenderConfig
from boletin.email.tokens import (
    CONFIRM_TTL,
    DEFAULT_TTLS,
    ExpiredTokenError,
    InvalidTokenError,
    TokenPurpose,
    issue_token,
    verify_token,
)

__all__ = [
    "CONFIRM_TTL",
    "DEFAULT_TTLS",
    "FREQUENCIES",
    "PAGE_HEADERS",
    "SUPPORTED_LANGUAGES",
    "BulletinDigestItem",
    "ExpiredTokenError",
    "Frequency",
    "InvalidEmailAddressError",
    "InvalidTokenError",
    "Language",
    "ManageFormError",
    "ManagePreferences",
    "Recipient",
    "SenderConfig",
    "TokenPurpose",
    "address_key",
    "build_bulletin_email",
    "build_confirmation_email",
    "build_correction_email",
    "build_digest_email",
    "confirm_page",
    "error_page",
    "issue_token",
    "mailbox_of",
    "manage_page",
    "mask_address",
    "normalize_address",
    "parse_manage_form",
    "resolve_language",
    "to_raw_bytes",
    "unsubscribe_page",
    "unsubscribed_page",
    "verify_token",
]
