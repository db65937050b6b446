"""Offices table: office records (pk OFFICE#<id>) and key records (pk KEY#<sha256 of the key>)."""

from __future__ import annotations

from datetime import UTC, datetime

from boletin.errors import OfficeExistsError, OfficeNotFoundError
from boletin.models.offices import ApiKeyRecord, OfficeRecord
from boletin.repositories.dynamo import DynamoRepository, error_code, from_item, to_item


class OfficeRepository(DynamoRepository):
    def create_office(self, office: OfficeRecord, key: ApiKeyRecord) -> None:
        """Office and first key in one transaction; fails if the office id is taken."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item({"pk": f"OFFICE#{office.id}", **office.model_dump(mode="json")}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item({"pk": f"KEY#{key.key_hash}", **key.model_dump(mode="json")}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except Exception as error:
            if error_code(error) == "TransactionCanceledException":
                raise OfficeExistsError(f"An office with id {office.id!r} already exists.") from error
            raise

    def get_office(self, office_id: str) -> OfficeRecord:
        response = self.client.get_item(
            TableName=self._table, Key={"pk": {"S": f"OFFICE#{office_id}"}}, ConsistentRead=True
        )
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
            ExpressionAttributeValues={":p": {"S": "OFFICE#"}},
        ):
            offices.extend(OfficeRecord.model_validate(from_item(i)) for i in page.get("Items", []))
        return sorted(offices, key=lambda o: o.id)

    def get_key(self, key_hash: str) -> ApiKeyRecord | None:
        # Strongly consistent: a revoked key must stop working at once.
        response = self.client.get_item(
            TableName=self._table, Key={"pk": {"S": f"KEY#{key_hash}"}}, ConsistentRead=True
        )
        item = response.get("Item")
        return ApiKeyRecord.model_validate(from_item(item)) if item else None

    def add_key(self, key: ApiKeyRecord) -> None:
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item({"pk": f"KEY#{key.key_hash}", **key.model_dump(mode="json")}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"pk": {"S": f"OFFICE#{key.office}"}},
                        "UpdateExpression": "SET key_hashes = list_append(key_hashes, :h)",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":h": {"L": [{"S": key.key_hash}]}},
                    }
                },
            ]
        )

    def set_status(self, office_id: str, status: str, key_hashes: list[str]) -> None:
        """The office's status and its copy on each of its keys (what authenticate reads), together."""
        office = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": f"OFFICE#{office_id}"}},
                "UpdateExpression": "SET #s = :s",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": status}},
            }
        }
        keys = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"KEY#{key_hash}"}},
                    "UpdateExpression": "SET office_status = :s",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":s": {"S": status}},
                }
            }
            for key_hash in key_hashes
        ]
        # A transaction holds 100 items: an office with more keys (never seen) is written in chunks,
        # the office first so a disable takes effect on writes before the keys follow.
        items = [office, *keys]
        for start in range(0, len(items), 100):
            self.client.transact_write_items(TransactItems=items[start : start + 100])

    def set_countries(self, office_id: str, countries: list[str]) -> None:
        self.client.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"OFFICE#{office_id}"}},
            UpdateExpression="SET countries = :c",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":c": {"L": [{"S": c} for c in countries]}},
        )

    def revoke_key(self, key_hash: str, *, now: datetime | None = None) -> None:
        when = (now or datetime.now(UTC)).isoformat()
        self.client.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"KEY#{key_hash}"}},
            UpdateExpression="SET #s = :revoked, revoked_at = if_not_exists(revoked_at, :now)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":revoked": {"S": "revoked"}, ":now": {"S": when}},
        )
