"""Signed link tokens: round trip, tampering, purpose, expiry and hostile input."""

from __future__ import annotations

import base64
import random
import string
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from boletin.email import (
    CONFIRM_TTL,
    ExpiredTokenError,
    InvalidTokenError,
    TokenPurpose,
    issue_token,
    verify_token,
)

SECRET = b"s" * 16 + b"token-secret-for-unit-tests"
OTHER_SECRET = b"o" * 16 + b"another-secret-for-unit-test"
NOW = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)
SUBSCRIPTION = "sub_01JNQ7Y3K9V4W2X8Z5A6B7C8D9"
ALPHABET = string.ascii_letters + string.digits + "-_"
ALPHABET_B64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"  # index = 6-bit value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


@pytest.mark.parametrize("purpose", ["confirm", "unsubscribe", "manage"])
def test_given_an_issued_token_when_verified_for_its_purpose_then_the_subject_comes_back(
    purpose: TokenPurpose,
) -> None:
    token = issue_token(SECRET, purpose, SUBSCRIPTION, now=NOW, ttl=CONFIRM_TTL)
    assert verify_token(SECRET, token, purpose, now=NOW + timedelta(days=1)) == SUBSCRIPTION


def test_given_a_token_when_put_in_a_url_then_it_needs_no_escaping() -> None:
    token = issue_token(SECRET, "unsubscribe", SUBSCRIPTION, now=NOW, ttl=None)
    assert quote(token, safe="") == token
    assert set(token) <= set(ALPHABET)
    # Then it carries at least a 256-bit tag (>= 128-bit security) and stays short enough for a URL
    assert len(_unb64(token)) >= 32 + len(SUBSCRIPTION)
    assert len(token) < 200


def test_given_a_token_when_any_single_character_is_changed_then_it_is_rejected() -> None:
    token = issue_token(SECRET, "confirm", SUBSCRIPTION, now=NOW, ttl=CONFIRM_TTL)
    for position, original in enumerate(token):
        for replacement in {ALPHABET[(ALPHABET.index(original) + 1) % 64], "A" if original != "A" else "B"}:
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidTokenError):
                verify_token(SECRET, tampered, "confirm", now=NOW)


def test_given_a_token_signed_with_another_secret_when_verified_then_it_is_a_forgery() -> None:
    forged = issue_token(OTHER_SECRET, "unsubscribe", SUBSCRIPTION, now=NOW, ttl=None)
    with pytest.raises(InvalidTokenError) as caught:
        verify_token(SECRET, forged, "unsubscribe", now=NOW)
    assert caught.value.reason == "bad_signature"


def test_given_a_rotated_secret_when_verifying_with_both_then_old_and_new_tokens_pass() -> None:
    old = issue_token(OTHER_SECRET, "manage", SUBSCRIPTION, now=NOW, ttl=None)
    new = issue_token(SECRET, "manage", SUBSCRIPTION, now=NOW, ttl=None)
    for token in (old, new):
        assert verify_token((SECRET, OTHER_SECRET), token, "manage", now=NOW) == SUBSCRIPTION


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [("confirm", "unsubscribe"), ("unsubscribe", "manage"), ("manage", "confirm"), ("manage", "unsubscribe")],
)
def test_given_a_token_for_one_purpose_when_used_for_another_then_it_is_rejected(
    issued_for: TokenPurpose, used_for: TokenPurpose
) -> None:
    token = issue_token(SECRET, issued_for, SUBSCRIPTION, now=NOW, ttl=None)
    with pytest.raises(InvalidTokenError) as caught:
        verify_token(SECRET, token, used_for, now=NOW)
    assert caught.value.reason == "wrong_purpose"


def test_given_a_confirm_token_when_seven_days_pass_then_it_expires() -> None:
    token = issue_token(SECRET, "confirm", SUBSCRIPTION, now=NOW, ttl=CONFIRM_TTL)
    # Just before the end of the 7 days it still works
    assert (
        verify_token(SECRET, token, "confirm", now=NOW + CONFIRM_TTL - timedelta(seconds=1)) == SUBSCRIPTION
    )
    # At 7 days it is expired, and says so (pages offer to subscribe again)
    with pytest.raises(ExpiredTokenError) as caught:
        verify_token(SECRET, token, "confirm", now=NOW + CONFIRM_TTL)
    assert isinstance(caught.value, InvalidTokenError)
    assert caught.value.reason == "expired"


def test_given_an_unsubscribe_token_without_ttl_when_used_years_later_then_it_still_works() -> None:
    token = issue_token(SECRET, "unsubscribe", SUBSCRIPTION, now=NOW, ttl=None)
    assert verify_token(SECRET, token, "unsubscribe", now=NOW + timedelta(days=3650)) == SUBSCRIPTION


def test_given_a_valid_tag_when_the_signed_fields_are_swapped_then_the_signature_no_longer_matches() -> None:
    # Given a genuine token, split into signed part and tag
    raw = _unb64(issue_token(SECRET, "confirm", SUBSCRIPTION, now=NOW, ttl=CONFIRM_TTL))
    signed, tag = raw[:-32], raw[-32:]
    header, subject = signed[:10], signed[10:]
    variants = {
        "subject": header + b"sub_someone_else_entirely_0000",
        "expiry": header[:2] + (2**63).to_bytes(8, "big") + subject,
        "no-expiry": header[:2] + bytes(8) + subject,
        "purpose": header[:1] + bytes([2]) + header[2:] + subject,
    }
    for name, forged_signed in variants.items():
        forged = _b64(forged_signed + tag)
        with pytest.raises(InvalidTokenError) as caught:
            verify_token(SECRET, forged, "unsubscribe" if name == "purpose" else "confirm", now=NOW)
        assert caught.value.reason == "bad_signature", name


GARBAGE: list[object] = [
    "",
    ".",
    "=",
    "A",
    "AA",
    "AAA=",
    "====",
    "not a token",
    "AQEAAAAAZ9DOgA",
    "AQ" * 300,
    "A" * 10_000,
    "../../etc/passwd",
    "%00",
    "\x00" * 64,
    "tok\r\nen",
    "😀" * 50,
    "AQEAAAAAZ9DOgHN1Yi0xMjNl.NDU2Ny1lODliLTEyZDMt",
    "+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/",
    None,
    12345,
    b"AQEAAAAAZ9DOgA",
    ["token"],
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_given_garbage_when_verified_then_only_invalid_token_error_is_raised(garbage: object) -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, garbage, "confirm", now=NOW)


def test_given_random_fuzz_when_verified_then_nothing_but_invalid_token_error_escapes() -> None:
    rng = random.Random(20250305)
    genuine = issue_token(SECRET, "confirm", SUBSCRIPTION, now=NOW, ttl=CONFIRM_TTL)
    candidates: list[str] = []
    for _ in range(1500):
        length = rng.randint(0, 200)
        candidates.append("".join(rng.choice(ALPHABET) for _ in range(length)))
        candidates.append("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 60))))
        candidates.append(_b64(rng.randbytes(rng.randint(0, 120))))
        # well-formed header with random everything else
        candidates.append(_b64(bytes([1, rng.randint(0, 255)]) + rng.randbytes(rng.randint(0, 90))))
        cut = rng.randint(0, len(genuine))
        candidates.append(genuine[:cut])
        candidates.append(genuine + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 5))))
    for candidate in candidates:
        try:
            verify_token(SECRET, candidate, "confirm", now=NOW)
        except InvalidTokenError:
            continue
        # The only string that may verify is the genuine token itself
        assert candidate == genuine


def test_given_a_token_with_a_non_canonical_base64_tail_when_verified_then_it_is_rejected() -> None:
    # Given a genuine token whose last character carries unused low bits
    token = issue_token(SECRET, "manage", "s", now=NOW, ttl=None)
    assert len(token) % 4 != 0
    # When the lowest (unused) bit of the last character is flipped: same bytes, another spelling
    twin = token[:-1] + ALPHABET_B64[ALPHABET_B64.index(token[-1]) ^ 1]
    assert twin != token
    assert _unb64(twin) == _unb64(token)
    # Then the twin spelling is refused: one token, one spelling
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, twin, "manage", now=NOW)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": b"short"},
        {"now": datetime(2025, 3, 5, 9, 30)},  # naive: ambiguous expiry
        {"subject": ""},
        {"subject": "x" * 300},
        {"ttl": timedelta(seconds=-1)},
        {"purpose": "delete"},
    ],
)
def test_given_caller_misuse_when_issuing_then_a_value_error_explains_it(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "secret": SECRET,
        "purpose": "confirm",
        "subject": SUBSCRIPTION,
        "now": NOW,
        "ttl": CONFIRM_TTL,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        issue_token(
            args["secret"],  # type: ignore[arg-type]
            args["purpose"],  # type: ignore[arg-type]
            args["subject"],  # type: ignore[arg-type]
            now=args["now"],  # type: ignore[arg-type]
            ttl=args["ttl"],  # type: ignore[arg-type]
        )
