"""Offices table: office records and key records (key formats: boletin.repositories.keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boletin.errors import OfficeExistsError, OfficeNotFoundError
from boletin.models.offices import ApiKeyRecord, KeyStatus, OfficeRecord, OfficeStatus
from boletin.repositories.dynamo import TRANSACTION_CANCELLED, DynamoRepository, from_item, refusal, to_item
from boletin.repositories.keys import API_KEY, OFFICE


class OfficeRepository(DynamoRepository):
    def _put_new(self, pk: str, record: OfficeRecord | ApiKeyRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item({"pk": pk, **record.model_dump(mode="json")}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def create_office(self, office: OfficeRecord, key: ApiKeyRecord) -> None:
        """Office and first key in one transaction; fails if the office id is taken."""
        items = [
            self._put_new(OFFICE.pk(office.id), office),
            self._put_new(API_KEY.pk(key.key_hash), key),
        ]
        if refusal(
            self.client.transact_write_items, refused_by=(TRANSACTION_CANCELLED,), TransactItems=items
        ):
            raise OfficeExistsError(f"An office with id {office.id!r} already exists.")

    def get_office(self, office_id: str) -> OfficeRecord:
        response = self.client.get_item(TableName=self._table, Key=OFFICE.key(office_id), ConsistentRead=True)
        if "Item" not in response:
            raise OfficeNotFoundError(f"No office {office_id!r}.")
        return OfficeRecord.model_validate(from_item(response["Item"]))

    def list_offices(self) -> list[OfficeRecord]:
        """Every office: an ops command, never on a request path (so a Scan is acceptable here)."""
        offices: list[OfficeRecord] = []
        paginator = self.client.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self._table,
            FilterExpression="begins_with(pk, :p)",
            ExpressionAttributeValues={":p": {"S": OFFICE.prefix}},
        ):
            offices.extend(OfficeRecord.model_validate(from_item(i)) for i in page.get("Items", []))
        return sorted(offices, key=lambda o: o.id)

    def get_key(self, key_hash: str) -> ApiKeyRecord | None:
        # Strongly consistent: a revoked key must stop working at once.
        response = self.client.get_item(TableName=self._table, Key=API_KEY.key(key_hash), ConsistentRead=True)
        item = response.get("Item")
        return ApiKeyRecord.model_validate(from_item(item)) if item else None

    def add_key(self, key: ApiKeyRecord) -> None:
        self.client.transact_write_items(
            TransactItems=[
                self._put_new(API_KEY.pk(key.key_hash), key),
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": OFFICE.key(key.office),
                        "UpdateExpression": "SET key_hashes = list_append(key_hashes, :h)",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":h": {"L": [{"S": key.key_hash}]}},
                    }
                },
            ]
        )

    def set_status(self, office_id: str, status: OfficeStatus, key_hashes: list[str]) -> None:
        """The office's status and its copy on each of its keys (what authenticate reads), together."""
        office = self._update_existing(OFFICE.key(office_id), "SET #s = :s", status, names={"#s": "status"})
        keys = [self._update_existing(API_KEY.key(h), "SET office_status = :s", status) for h in key_hashes]
        # A transaction holds 100 items: an office with more keys (never seen) is written in chunks,
        # the office first so a disable takes effect on writes before the keys follow.
        items = [office, *keys]
        for start in range(0, len(items), 100):
            self.client.transact_write_items(TransactItems=items[start : start + 100])

    def _update_existing(
        self, key: dict[str, Any], expression: str, status: str, *, names: dict[str, str] | None = None
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":s": {"S": str(status)}},
        }
        if names:
            update["ExpressionAttributeNames"] = names
        return {"Update": update}

    def set_countries(self, office_id: str, countries: list[str]) -> None:
        self.client.update_item(
            TableName=self._table,
            Key=OFFICE.key(office_id),
            UpdateExpression="SET countries = :c",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":c": {"L": [{"S": c} for c in countries]}},
        )

    def revoke_key(self, key_hash: str, *, now: datetime) -> None:
        self.client.update_item(
            TableName=self._table,
            Key=API_KEY.key(key_hash),
            UpdateExpression="SET #s = :revoked, revoked_at = if_not_exists(revoked_at, :now)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":revoked": {"S": KeyStatus.REVOKED.value},
                ":now": {"S": now.isoformat()},
            },
        )
