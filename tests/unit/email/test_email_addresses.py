"""Subscriber address validation, lookup keys and log masking."""

from __future__ import annotations

import pytest

from boletin.email import InvalidEmailAddressError, address_key, mask_address, normalize_address

SECRET = b"address-key-secret-for-tests-0123456789"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@example.org", "ana@example.org"),
        ("  ana@example.org  ", "ana@example.org"),  # pasted with spaces around it
        ("Ana.Perez@EXAMPLE.Org", "Ana.Perez@example.org"),  # domain lower-cased, mailbox kept
        ("ana+boletin@example.org", "ana+boletin@example.org"),
        ("user@Bücher.DE", "user@xn--bcher-kva.de"),  # IDN domain in its ASCII (SES-safe) form
        ("user@xn--bcher-kva.de", "user@xn--bcher-kva.de"),
    ],
)
def test_given_a_valid_address_when_normalised_then_the_canonical_form_is_returned(
    raw: str, expected: str
) -> None:
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("Ana <ana@example.org>", id="display-name"),
        pytest.param("<ana@example.org>", id="angle-brackets"),
        pytest.param('"Ana" ana@example.org', id="quoted-name"),
        pytest.param("ana@example.org, bob@example.org", id="comma-list"),
        pytest.param("ana@example.org bob@example.org", id="space-list"),
        pytest.param("ana@example.org;bob@example.org", id="semicolon-list"),
        pytest.param("ana.example.org", id="missing-at"),
        pytest.param("@example.org", id="empty-local"),
        pytest.param("ana@", id="empty-domain"),
        pytest.param("ana@localhost", id="no-dot-domain"),
        pytest.param("ana@example.org\r\nBcc: evil@x.org", id="crlf-injection"),
        pytest.param("ana@example.org\n", id="trailing-lf"),
        pytest.param("ana\x00@example.org", id="nul"),
        pytest.param("ana@exa\tmple.org", id="tab"),
        pytest.param("ana@example.org\u2028", id="unicode-line-separator"),
        pytest.param("(comment)ana@example.org", id="comment"),
        pytest.param('"ana smith"@example.org', id="quoted-local"),
        pytest.param("ana@[192.0.2.1]", id="ip-literal"),
        pytest.param("josé@example.org", id="non-ascii-local"),
        pytest.param("a" * 65 + "@example.org", id="local-part-over-64"),
        pytest.param("a" * 64 + "@" + ("b" * 62 + ".") * 3 + "example.org", id="over-254"),
        pytest.param("a" * 10_000 + "@example.org", id="huge"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_given_an_unacceptable_address_when_normalised_then_it_is_rejected_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidEmailAddressError) as caught:
        normalize_address(raw)
    # Then: a human-readable reason, and it is a ValueError for generic handlers
    assert isinstance(caught.value, ValueError)
    assert len(caught.value.reason) > 10
    assert str(caught.value) == caught.value.reason


def test_given_the_same_mailbox_in_any_case_when_keyed_then_the_key_is_identical() -> None:
    # Given two spellings a subscriber might type on different days
    first = address_key(normalize_address("Ana@Example.org"), SECRET)
    second = address_key(normalize_address("ana@example.org"), SECRET)
    # Then they find the same subscriber
    assert first == second
    assert len(first) == 64
    assert all(c in "0123456789abcdef" for c in first)


def test_given_the_key_when_inspected_then_it_neither_reveals_nor_is_a_plain_hash_of_the_address() -> None:
    import hashlib

    key = address_key("ana@example.org", SECRET)
    assert "ana" not in key
    # Without the secret, hashing a guessed address does not reproduce the stored key
    assert key != hashlib.sha256(b"ana@example.org").hexdigest()
    assert key != address_key("ana@example.org", b"another-secret-of-sufficient-len")
    assert key != address_key("bob@example.org", SECRET)


def test_given_a_short_secret_when_keying_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        address_key("ana@example.org", b"short")


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jane@example.org", "j***@example.org"),
        ("j@example.org", "j***@example.org"),
        ("not-an-address", "***"),
        ("", "***"),
        ("jane@example.org\r\nFAKE LOG LINE", "j***@example.orgFAKE LOG LINE"),
    ],
)
def test_given_an_address_when_masked_for_logs_then_the_mailbox_is_hidden(address: str, masked: str) -> None:
    result = mask_address(address)
    assert result == masked
    assert "\n" not in result
    assert "\r" not in result
    assert "jane" not in result
