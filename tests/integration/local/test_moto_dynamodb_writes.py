"""moto's DynamoDB, as the local stack runs it: a cancelled transaction must not erase what another
thread wrote meanwhile (moto puts back a copy of the whole table it took before the transaction)."""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.moto_dynamodb import serialise_writes

TABLE = "t"


def put(client: Any, key: str) -> None:
    client.put_item(TableName=TABLE, Item={"pk": {"S": key}})


def test_a_write_made_while_a_transaction_is_cancelled_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto.dynamodb.models as models

    serialise_writes()  # what DevStack does when it starts moto
    with mock_aws():
        client: Any = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        put(client, "existing")
        writers: list[threading.Thread] = []

        def deepcopy_then_write(value: Any, memo: Any = None) -> Any:
            # Right after moto copies the table for the transaction, another thread writes a new item
            taken = copy.deepcopy(value, memo)
            if not writers:
                writer = threading.Thread(target=put, args=(client, "written-meanwhile"))
                writers.append(writer)
                writer.start()
                writer.join(timeout=1.0)  # done at once unless writes are serialised (then after us)
            return taken

        monkeypatch.setattr(models, "copy", types.SimpleNamespace(deepcopy=deepcopy_then_write))
        # When a transaction is cancelled (its condition fails, as an idempotent retry's does)
        item = {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "existing"}}}}
        item["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
        with pytest.raises(client.exceptions.TransactionCanceledException):
            client.transact_write_items(TransactItems=[item])
        writers[0].join(timeout=10)
        # Then the item the other thread wrote meanwhile is still there
        assert "Item" in client.get_item(TableName=TABLE, Key={"pk": {"S": "written-meanwhile"}})
