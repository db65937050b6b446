"""The SES message tags that name a ledger line: legal for SES, and read back exactly."""

from __future__ import annotations

import re

import pytest

from boletin.models.deliveries import LedgerLine
from boletin.repositories.ledger_lines import (
    bulletin_line,
    confirmation_line,
    correction_line,
    digest_line,
    line_of_tags,
    line_tag,
)

# SES: a tag value has at most 256 characters, only ASCII letters, digits, '_' and '-'.
SES_TAG_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ID = "01JDZ8K6Q4XW0Y3N5R7T9V2B4C"
LONGEST_LINES = [
    correction_line(ID, 999, "f" * 64),
    bulletin_line(ID, "0" * 64),
    digest_line(ID, "forced-20261129T080000123456"),  # the longest period a digest ever had
    confirmation_line(ID),
]


@pytest.mark.parametrize("line", LONGEST_LINES)
def test_a_ledger_line_travels_in_a_legal_tag_and_comes_back_exactly(line: LedgerLine) -> None:
    # Given a ledger line, When it is written as a tag and read back from an SES event's tags
    tag = line_tag(line)
    # Then SES accepts the value, and the same line comes back
    assert SES_TAG_VALUE.match(tag)
    assert line_of_tags({"ledger_line": [tag]}) == line


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
    assert line_of_tags(tags) is None
