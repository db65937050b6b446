"""The local stack's DynamoDB engine keeps its data, its streams and its cost model: what is answered
is on disk, a stream resumes where it was, concurrent writers lose nothing to failing transactions,
and a Query costs the same with 10,000 items held as with 100."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.devstack.dynamodb_harness import DdbEngine, table_spec


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def make_table(client: Any, name: str = "things", stream: str | None = "NEW_AND_OLD_IMAGES") -> str:
    client.create_table(**table_spec(name, gsi=True, stream=stream))
    return name


def stream_of(ddb: DdbEngine, table: str) -> tuple[Any, str, str]:
    arn = ddb.client().describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = ddb.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams, arn, shard


def read(streams: Any, arn: str, shard: str, kind: str, sequence: str | None = None) -> list[dict[str, Any]]:
    kwargs = {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind}
    if sequence:
        kwargs["SequenceNumber"] = sequence
    iterator = streams.get_shard_iterator(**kwargs)["ShardIterator"]
    records: list[dict[str, Any]] = []
    while True:
        answer = streams.get_records(ShardIterator=iterator, Limit=2)
        records += answer["Records"]
        if not answer["Records"]:
            return records
        iterator = answer["NextShardIterator"]


# ---------------------------------------------------------------------- streams
def test_every_change_is_one_stream_record_with_its_images_and_a_no_op_put_is_none(ddb: DdbEngine) -> None:
    client = ddb.client()
    table = make_table(client)
    key = {"pk": _s("p"), "sk": _s("1")}
    # Given an insert, a modify, a put of the identical item, a failed conditional write and a delete
    client.put_item(TableName=table, Item={**key, "v": _s("one")})
    client.update_item(
        TableName=table, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": _s("two")}
    )
    client.put_item(TableName=table, Item={**key, "v": _s("two")})
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        client.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)")
    client.delete_item(TableName=table, Key=key)
    # When the stream is read from its start
    streams, arn, shard = stream_of(ddb, table)
    records = read(streams, arn, shard, "TRIM_HORIZON")
    # Then it holds exactly the three changes, in order, with DynamoDB's images and fields
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert insert["NewImage"]["v"] == _s("one")
    assert "OldImage" not in insert
    assert modify["OldImage"]["v"] == _s("one")
    assert modify["NewImage"]["v"] == _s("two")
    assert remove["OldImage"]["v"] == _s("two")
    assert "NewImage" not in remove
    assert all(r["dynamodb"]["Keys"] == key and r["eventSource"] == "aws:dynamodb" for r in records)
    sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    # and the other iterator types start where they say
    assert read(streams, arn, shard, "LATEST") == []
    assert [r["eventName"] for r in read(streams, arn, shard, "AT_SEQUENCE_NUMBER", sequences[1])] == [
        "MODIFY",
        "REMOVE",
    ]
    assert [r["eventName"] for r in read(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", sequences[1])] == [
        "REMOVE"
    ]


def test_trimmed_records_are_gone_and_reading_before_them_is_refused(ddb: DdbEngine) -> None:
    client = ddb.client()
    table = make_table(client)
    for i in range(5):
        client.put_item(TableName=table, Item={"pk": _s("p"), "sk": _s(str(i))})
    streams, arn, shard = stream_of(ddb, table)
    sequences = [r["dynamodb"]["SequenceNumber"] for r in read(streams, arn, shard, "TRIM_HORIZON")]
    # When the stack trims what every consumer has passed (records before the fourth)
    ddb.engine.trim_stream(arn, sequences[3])
    # Then the stream starts at the fourth record, and an older position is refused as trimmed
    assert [r["dynamodb"]["SequenceNumber"] for r in read(streams, arn, shard, "TRIM_HORIZON")] == sequences[
        3:
    ]
    with pytest.raises(ClientError, match="TrimmedDataAccessException"):
        streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequences[1]
        )


# ---------------------------------------------------------------------- persistence
def test_items_indexes_and_the_stream_position_survive_a_reopen(ddb: DdbEngine) -> None:
    # Given items in a table with an index, and a stream read to its end
    client = ddb.client()
    table = make_table(client)
    for i in range(10):
        client.put_item(
            TableName=table, Item={"pk": _s("p"), "sk": _s(f"{i:02d}"), "gpk": _s("g"), "gsk": _s(f"{9 - i}")}
        )
    streams, arn, shard = stream_of(ddb, table)
    last = read(streams, arn, shard, "TRIM_HORIZON")[-1]["dynamodb"]["SequenceNumber"]
    before = client.query(
        TableName=table,
        IndexName="ByG",
        KeyConditionExpression="gpk = :g",
        ExpressionAttributeValues={":g": _s("g")},
    )
    # When the engine is closed and opened again on the same file, and written once more
    reopened = ddb.reopen()
    try:
        client = reopened.client()
        after = client.query(
            TableName=table,
            IndexName="ByG",
            KeyConditionExpression="gpk = :g",
            ExpressionAttributeValues={":g": _s("g")},
        )
        description = client.describe_table(TableName=table)["Table"]
        client.put_item(TableName=table, Item={"pk": _s("p"), "sk": _s("new")})
        streams, arn_after, shard = stream_of(reopened, table)
        # Then the items, the index, the stream's ARN and its position are as they were
        assert after["Items"] == before["Items"]
        assert len(after["Items"]) == 10
        assert description["ItemCount"] == 10
        assert description["LatestStreamArn"] == arn
        fresh = read(streams, arn_after, shard, "AFTER_SEQUENCE_NUMBER", last)
        assert [r["dynamodb"]["Keys"]["sk"] for r in fresh] == [_s("new")]
        assert int(fresh[0]["dynamodb"]["SequenceNumber"]) > int(last)
        # and creating the table again says it is there
        with pytest.raises(ClientError, match="ResourceInUseException"):
            make_table(client)
    finally:
        ddb.endpoint = reopened.endpoint


# ---------------------------------------------------------------------- concurrency (issue #11)
def test_failing_transactions_never_undo_concurrent_writes(ddb: DdbEngine) -> None:
    """moto restores a deep copy of the whole table when a transaction fails, erasing what other
    threads wrote meanwhile (issue #11's bulletins stuck in `received`). Here nothing is lost."""
    table = make_table(ddb.client())
    client = ddb.client()
    client.put_item(TableName=table, Item={"pk": _s("replay"), "sk": _s("key")})
    errors: list[BaseException] = []

    def write_new(worker: int) -> None:
        own = ddb.client()
        for i in range(40):
            own.put_item(
                TableName=table,
                Item={"pk": _s(f"new-{worker}"), "sk": _s(f"{i:03d}"), "state": _s("received")},
            )
            own.update_item(
                TableName=table,
                Key={"pk": _s(f"new-{worker}"), "sk": _s(f"{i:03d}")},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":s": _s("enriched")},
            )

    def replay(worker: int) -> None:
        own = ddb.client()
        for i in range(40):
            try:
                own.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": table, "Item": {"pk": _s(f"lost-{worker}"), "sk": _s(str(i))}}},
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"pk": _s("replay"), "sk": _s("key")},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
                errors.append(AssertionError("a replay passed its condition"))
            except ClientError as refused:
                if refused.response["Error"]["Code"] != "TransactionCanceledException":
                    errors.append(refused)

    def guarded(target: Any, worker: int) -> None:
        try:
            target(worker)
        except BaseException as raised:
            errors.append(raised)

    # Given 4 threads writing and enriching new items while 4 threads run failing transactions
    threads = [threading.Thread(target=guarded, args=(f, w)) for w in range(4) for f in (write_new, replay)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # Then every new item is there, enriched, and no failed transaction wrote anything
    assert errors == []
    for worker in range(4):
        items = client.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": _s(f"new-{worker}")},
        )["Items"]
        assert len(items) == 40
        assert all(item["state"] == _s("enriched") for item in items)
        lost = client.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": _s(f"lost-{worker}")},
        )
        assert lost["Items"] == []


# ---------------------------------------------------------------------- flat cost
def _fill(client: Any, table: str, start: int, count: int) -> None:
    """`count` items: 50 in partition "mine" (first fill only), the rest spread over partitions; all
    in one index partition, as the bulletin index's "*" scope."""
    writes = []
    for i in range(start, start + count):
        pk = "mine" if i < 50 else f"other-{i % 97}"
        writes.append(
            {
                "PutRequest": {
                    "Item": {"pk": _s(pk), "sk": _s(f"{i:06d}"), "gpk": _s("*"), "gsk": _s(f"{i:06d}")}
                }
            }
        )
    for at in range(0, len(writes), 25):
        client.batch_write_item(RequestItems={table: writes[at : at + 25]})


def _costs(ddb: DdbEngine, table: str) -> dict[str, int]:
    client = ddb.client()
    calls = {
        "query": lambda: client.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": _s("mine")},
            Limit=20,
        ),
        "index page": lambda: client.query(
            TableName=table,
            IndexName="ByG",
            KeyConditionExpression="gpk = :g",
            ExpressionAttributeValues={":g": _s("*")},
            Limit=20,
            ScanIndexForward=False,
        ),
        "get": lambda: client.get_item(TableName=table, Key={"pk": _s("mine"), "sk": _s("000007")}),
        "put": lambda: client.put_item(
            TableName=table, Item={"pk": _s("mine"), "sk": _s("000008"), "gpk": _s("*"), "gsk": _s("x")}
        ),
        "transaction": lambda: client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": _s("mine"), "sk": _s("000009")},
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "1"}},
                    }
                }
            ]
        ),
    }
    costs = {}
    for name, call in calls.items():
        before = ddb.engine.rows_read
        call()
        costs[name] = ddb.engine.rows_read - before
    return costs


def test_a_call_reads_as_many_rows_with_10000_items_as_with_100(ddb: DdbEngine) -> None:
    table = make_table(ddb.client(), stream=None)
    # Given 100 items, then 10,000
    _fill(ddb.client(), table, 0, 100)
    small = _costs(ddb, table)
    _fill(ddb.client(), table, 100, 9_900)
    assert ddb.client().describe_table(TableName=table)["Table"]["ItemCount"] == 10_000
    large = _costs(ddb, table)
    # Then each call read the same number of SQLite rows: a Query its page, a write its own item
    assert large == small
    assert small["query"] == 20
    assert small["index page"] == 20
    assert small["get"] == 1
    assert small["put"] == 1
