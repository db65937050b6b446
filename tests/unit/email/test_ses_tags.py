"""The SES message tags that name a ledger line: legal for SES, and read back exactly."""

from __future__ import annotations

import re

import pytest

from boletin.services.email_delivery import ledger_line_of, ledger_line_tag

# SES: a tag value has at most 256 characters, only ASCII letters, digits, '_' and '-'.
SES_TAG_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LONGEST_KEYS = [
    ("CORRECTION#01JDZ8K6Q4XW0Y3N5R7T9V2B4C#v999", "SUBSCRIBER#" + "f" * 64),
    ("BULLETIN#01JDZ8K6Q4XW0Y3N5R7T9V2B4C", "SUBSCRIBER#" + "0" * 64),
    ("DIGEST#01JDZ8K6Q4XW0Y3N5R7T9V2B4C", "forced-20261129T080000123456"),
    ("CONFIRM#01JDZ8K6Q4XW0Y3N5R7T9V2B4C", "SEND"),
]


@pytest.mark.parametrize(("pk", "sk"), LONGEST_KEYS)
def test_a_ledger_line_travels_in_a_legal_tag_and_comes_back_exactly(pk: str, sk: str) -> None:
    # Given a ledger key, When it is written as a tag and read back from an SES event's tags
    tag = ledger_line_tag(pk, sk)
    # Then SES accepts the value, and the same key comes back
    assert SES_TAG_VALUE.match(tag)
    assert ledger_line_of({"ledger_line": [tag]}) == (pk, sk)


@pytest.mark.parametrize(
    "tags",
    [
        {},
        {"ledger_line": []},
        {"ledger_line": [""]},
        {"ledger_line": ["not base64 at all!"]},
        {"ledger_line": ["e30"]},  # {} in base64url
        {"ledger_line": ["WyJhIl0"]},  # ["a"]: one part only
        {"ledger_line": ["WyIiLCJiIl0"]},  # ["","b"]: an empty key part
    ],
)
def test_tags_that_name_no_ledger_line_are_ignored(tags: dict[str, list[str]]) -> None:
    assert ledger_line_of(tags) is None
