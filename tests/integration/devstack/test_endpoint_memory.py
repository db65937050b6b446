"""The local AWS endpoint holds only what is in use: moto's models made while answering (the items the
DynamoDB engine loads into its working set, the tables a transaction copies) are not kept for good."""

from __future__ import annotations

import gc
from typing import Any

from botocore.exceptions import ClientError

from tests.integration.devstack.dynamodb_harness import DdbEngine


def _alive(kind: str) -> int:
    gc.collect()
    return sum(
        1 for o in gc.get_objects() if type(o).__name__ == kind and type(o).__module__.startswith("moto")
    )


def _table(client: Any) -> None:
    client.create_table(
        TableName="held",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def test_items_read_and_written_are_not_kept_in_memory(ddb: DdbEngine) -> None:
    # Given the DynamoDB engine behind the endpoint, with a table
    client = ddb.client()
    _table(client)
    items_before, tables_before = _alive("Item"), _alive("Table")
    # When 60 items are written, read, queried 60 times (20 a page), updated, and written in
    # transactions, half of which fail their condition
    for n in range(60):
        client.put_item(
            TableName="held", Item={"pk": {"S": "p"}, "sk": {"S": f"{n:03d}"}, "v": {"S": "x" * 200}}
        )
    for n in range(60):
        client.get_item(TableName="held", Key={"pk": {"S": "p"}, "sk": {"S": f"{n:03d}"}})
        client.query(
            TableName="held",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            Limit=20,
        )
        client.update_item(
            TableName="held",
            Key={"pk": {"S": "p"}, "sk": {"S": f"{n:03d}"}},
            UpdateExpression="SET v = :v",
            ExpressionAttributeValues={":v": {"S": "y"}},
        )
    refused = 0
    for n in range(40):
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": "held",
                            "Item": {"pk": {"S": "t"}, "sk": {"S": f"{n % 20:03d}"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ]
            )
        except ClientError:
            refused += 1
    # Then every answer was right (the items are there, the repeated transactions refused)
    page = client.query(
        TableName="held", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
    )
    assert page["Count"] == 60
    assert {i["v"]["S"] for i in page["Items"]} == {"y"}
    assert refused == 20
    # And the process keeps none of the items it loaded, nor the tables the transactions copied
    # (moto tracks every model instance for its dashboard: 6,000 items and 40 tables here without care)
    assert _alive("Item") - items_before <= 1
    assert _alive("Table") - tables_before <= 1
