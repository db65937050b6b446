"""Rotating the signing secret (moto's Secrets Manager): links already sent keep working, new links
name the new key, and subscriber address keys do not move."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from boletin.email import InvalidTokenError, issue_token, verify_token
from boletin.repositories.messaging import SigningKeys

NOW = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
OLD, NEW = "o" * 64, "n" * 64


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(Name="signing", SecretString=OLD)  # as the template creates it: one string
        yield client


def link(keys: SigningKeys, subscription_id: str) -> str:
    return issue_token(
        keys.tokens, "unsubscribe", subscription_id, now=NOW, ttl=None, key_id=keys.token_key_id
    )


def test_a_rotation_keeps_every_link_already_sent_working(secrets: Any) -> None:
    # Given links sent before the rotation: one naming key 1, one in the old format without a key id
    before = SigningKeys("signing", secrets)
    sent = link(before, "sub-1")
    legacy = issue_token(before.tokens, "unsubscribe", "sub-0", now=NOW, ttl=None)
    address_key = before.addresses
    # When ops rotate: a key ring with the old key kept and the new one current
    secrets.put_secret_value(
        SecretId="signing", SecretString=json.dumps({"current": 2, "keys": {"1": OLD, "2": NEW}})
    )
    after = SigningKeys("signing", secrets)
    # Then old links still verify, new links name and use key 2, and address keys did not move
    assert verify_token(after.token_keys, sent, "unsubscribe", now=NOW) == "sub-1"
    assert verify_token(after.token_keys, legacy, "unsubscribe", now=NOW) == "sub-0"
    fresh = link(after, "sub-2")
    assert after.token_key_id == 2
    assert after.tokens != before.tokens
    assert verify_token(after.token_keys, fresh, "unsubscribe", now=NOW) == "sub-2"
    assert after.addresses == address_key
    # And a container that read the secret before the rotation verifies the new links (it rereads once)
    assert verify_token(before.token_keys, fresh, "unsubscribe", now=NOW) == "sub-2"


def test_a_link_naming_a_key_that_was_never_in_the_ring_is_refused(secrets: Any) -> None:
    keys = SigningKeys("signing", secrets)
    forged = issue_token(b"f" * 32, "unsubscribe", "sub-1", now=NOW, ttl=None, key_id=9)
    with pytest.raises(InvalidTokenError):
        verify_token(keys.token_keys, forged, "unsubscribe", now=NOW)
    # Nor does a token signed with a retired key that was removed from the ring
    secrets.put_secret_value(SecretId="signing", SecretString=json.dumps({"current": 2, "keys": {"2": NEW}}))
    old_link = link(keys, "sub-1")
    with pytest.raises(InvalidTokenError):
        verify_token(SigningKeys("signing", secrets).token_keys, old_link, "unsubscribe", now=NOW)
