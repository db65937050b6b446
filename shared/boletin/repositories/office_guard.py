"""The office checks a bulletin write carries: in the same transaction, so revocation is immediate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boletin.errors import BoletinError, FieldError, OfficeScopeError, UnauthorizedError
from boletin.models.offices import Caller, OfficeStatus
from boletin.repositories.dynamo import from_item
from boletin.repositories.keys import API_KEY, OFFICE

_REFUSED = "ConditionalCheckFailed"  # a cancellation reason's code (not the exception's name)


@dataclass(frozen=True)
class OfficeGuard:
    """Conditions a write puts on the office and the key it acts with, checked in the same call:
    a disabled office or a revoked key stops at once, and a submission must be tagged with at
    least one of the office's countries (when it has a list and the submission names countries)."""

    offices_table: str
    office: str
    key_hash: str
    countries: tuple[str, ...] = ()

    def checks(self) -> list[dict[str, Any]]:
        """The two ConditionCheck items (office, then key) to put before the write's own."""
        active = {":active": {"S": OfficeStatus.ACTIVE.value}}
        values: dict[str, Any] = dict(active)
        condition = "#s = :active"
        if self.countries:
            values[":zero"] = {"N": "0"}
            anyone = " OR ".join(f"contains(countries, :c{i})" for i in range(len(self.countries)))
            condition += f" AND (attribute_not_exists(countries) OR size(countries) = :zero OR {anyone})"
            values.update({f":c{i}": {"S": c} for i, c in enumerate(self.countries)})
        return [
            {
                "ConditionCheck": {
                    "TableName": self.offices_table,
                    "Key": OFFICE.key(self.office),
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self.offices_table,
                    "Key": API_KEY.key(self.key_hash),
                    "ConditionExpression": "#s = :active",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": active,
                }
            },
        ]

    def refusal(self, reasons: list[dict[str, Any]], client: Any) -> BoletinError | None:
        """Why the guard refused the write, from the transaction's cancellation reasons (the guard's
        two come first); None when the guard passed and the write's own condition failed."""
        office_reason, key_reason = reasons[0], reasons[1]
        if key_reason.get("Code") == _REFUSED:
            return UnauthorizedError("This office key is not valid.")
        if office_reason.get("Code") != _REFUSED:
            return None
        item = office_reason.get("Item") or client.get_item(
            TableName=self.offices_table, Key=OFFICE.key(self.office), ConsistentRead=True
        ).get("Item", {})
        office = from_item(item) if item else {}
        if office.get("status") != OfficeStatus.ACTIVE:
            return UnauthorizedError("This office is disabled.")
        allowed = ", ".join(office.get("countries", []))
        return OfficeScopeError(
            f"This office publishes for {allowed}; the bulletin is tagged only with other countries.",
            errors=[FieldError("countries", f"must include at least one of: {allowed}")],
        )


@dataclass(frozen=True)
class OfficeGuards:
    """Makes the guard of each write a caller makes (over the offices table)."""

    offices_table: str

    def for_caller(self, caller: Caller, countries: list[str] | None) -> OfficeGuard | None:
        """The write-time check of the caller's key and office (when it came through the authorizer,
        which always gives the key's hash; a hand-made caller without one has nothing to check)."""
        if not caller.key_hash:
            return None
        return OfficeGuard(self.offices_table, caller.office, caller.key_hash, tuple(countries or ()))
