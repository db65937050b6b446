"""What an office is told when the checks its write carries refuse it (the transaction's cancellation
reasons, read without AWS): a revoked key, a disabled office, or countries outside its own."""

from __future__ import annotations

from typing import Any

import pytest

from boletin.errors import OfficeScopeError, UnauthorizedError
from boletin.models.offices import Caller
from boletin.repositories.office_guard import OfficeGuard, OfficeGuards

PASSED = {"Code": "None"}
REFUSED = "ConditionalCheckFailed"


def office_item(status: str, countries: list[str]) -> dict[str, Any]:
    return {"status": {"S": status}, "countries": {"L": [{"S": c} for c in countries]}}


class NoReads:
    def get_item(self, **_: Any) -> dict[str, Any]:
        raise AssertionError("the reason's own item should have been enough")


GUARD = OfficeGuard("offices", "iom-cr", "hash", ("GT",))


def test_a_revoked_key_is_told_its_key_is_not_valid() -> None:
    error = GUARD.refusal([PASSED, {"Code": REFUSED}], NoReads())
    assert isinstance(error, UnauthorizedError)
    assert "key is not valid" in error.detail


def test_a_disabled_office_is_told_it_is_disabled() -> None:
    reasons = [{"Code": REFUSED, "Item": office_item("disabled", ["CR"])}, PASSED]
    error = GUARD.refusal(reasons, NoReads())
    assert isinstance(error, UnauthorizedError)
    assert "disabled" in error.detail


def test_a_bulletin_outside_the_offices_countries_is_refused_naming_the_countries_it_may_use() -> None:
    reasons = [{"Code": REFUSED, "Item": office_item("active", ["CR", "PA"])}, PASSED]
    error = GUARD.refusal(reasons, NoReads())
    assert isinstance(error, OfficeScopeError)
    assert [(e.field, e.reason) for e in error.errors] == [
        ("countries", "must include at least one of: CR, PA")
    ]


def test_when_the_guard_passed_the_refusal_is_the_writes_own() -> None:
    # Given a transaction cancelled by the write's own condition (a stale version), not the guard
    assert GUARD.refusal([PASSED, PASSED], NoReads()) is None


@pytest.mark.parametrize(("key_hash", "guarded"), [("hash", True), ("", False)])
def test_only_a_caller_the_authorizer_let_through_carries_a_guard(key_hash: str, guarded: bool) -> None:
    caller = Caller(office="iom-cr", office_name="IOM CR", key_id="k", key_hash=key_hash)
    guard = OfficeGuards("offices").for_caller(caller, ["GT"])
    assert (guard is not None) is guarded
    if guard is not None:
        checks = guard.checks()
        assert [c["ConditionCheck"]["Key"] for c in checks] == [
            {"pk": {"S": "OFFICE#iom-cr"}},
            {"pk": {"S": "KEY#hash"}},
        ]
