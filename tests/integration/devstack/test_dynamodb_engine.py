"""The local stack's DynamoDB engine answers as DynamoDB (and moto, where moto is right) does.

Each test makes the same boto3 calls to moto and to the engine (see conftest.Both) and compares the
answers; where moto is known to differ from DynamoDB (a Limit page that ends exactly at the last
item), the test says which behaviour it asserts and why.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.devstack.dynamodb_harness import Both, DdbEngine, MotoCalls, table_spec

S = "S"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def create(
    both: Both,
    base: str,
    *,
    gsi: bool = False,
    sort_type: str = "S",
    stream: str | None = None,
    projection: str = "ALL",
) -> str:
    name = both.name(base)
    spec = table_spec(name, gsi=gsi, sort_type=sort_type, stream=stream, projection=projection)
    both.call("create_table", **spec)
    return name


def page_all(client: Any, **kwargs: Any) -> tuple[list[Any], list[Any]]:
    """Every item of a paged Query (or Scan), and the LastEvaluatedKeys on the way."""
    items, keys = [], []
    method = client.query if "KeyConditionExpression" in kwargs else client.scan
    while True:
        answer = method(**kwargs)
        items += answer["Items"]
        if "LastEvaluatedKey" not in answer:
            return items, keys
        keys.append(answer["LastEvaluatedKey"])
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def query_index(both: Both, table: str, partition: str) -> Any:
    """Both answers (alike) to a plain Query of one partition of the ByG index."""
    return both.same(
        "query",
        TableName=table,
        IndexName="ByG",
        KeyConditionExpression="gpk = :p",
        ExpressionAttributeValues={":p": _s(partition)},
    )


# ---------------------------------------------------------------------- Query order and key conditions
CONDITIONS = [
    ("pk = :p", {}),
    ("pk = :p AND begins_with(sk, :a)", {":a": _s("item#1")}),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": _s("item#05"), ":b": _s("item#15")}),
    ("pk = :p AND sk < :a", {":a": _s("item#07")}),
    ("pk = :p AND sk <= :a", {":a": _s("item#07")}),
    ("pk = :p AND sk > :a", {":a": _s("item#17")}),
    ("pk = :p AND sk >= :a", {":a": _s("item#17")}),
    ("pk = :p AND sk = :a", {":a": _s("item#03")}),
]


def test_a_query_reads_its_partition_in_key_order_both_ways(both: Both) -> None:
    # Given a partition of 20 items (written out of order) next to two other partitions
    table = create(both, "order")
    order = [7, 3, 19, 0, 11, 15, 1, 5, 9, 13, 17, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    writes = [
        {"PutRequest": {"Item": {"pk": _s(pk), "sk": _s(f"item#{i:02d}")}}}
        for i in order
        for pk in ("o", "p", "q")
    ]
    for start in range(0, len(writes), 25):
        both.same("batch_write_item", RequestItems={table: writes[start : start + 25]})
    for condition, values in CONDITIONS:
        for forward in (True, False):
            # When the partition is queried forward and backward with each key condition
            answer = both.same(
                "query",
                TableName=table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues={":p": _s("p"), **values},
                ScanIndexForward=forward,
            )
            # Then both answer the same items of that partition only, in DynamoDB's order
            keys = [item["sk"]["S"] for item in answer["Items"]]
            assert keys == sorted(keys, reverse=not forward)
            assert answer["Items"]
            assert all(item["pk"] == _s("p") for item in answer["Items"])


def test_number_sort_keys_order_as_numbers(both: Both) -> None:
    # Given sort keys that are numbers, negative, fractional and large, written in any order
    table = create(both, "numbers", sort_type="N")
    numbers = ["-100", "-1.5", "-1", "-0.25", "0", "0.001", "1", "1.5", "2", "10", "99.99", "1000", "1E+5"]
    for number in reversed(numbers):
        both.same("put_item", TableName=table, Item={"pk": _s("p"), "sk": {"N": number}})
    # When queried, and queried for a range
    everything = both.same(
        "query", TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": _s("p")}
    )
    ranged = both.same(
        "query",
        TableName=table,
        KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":p": _s("p"), ":a": {"N": "-1"}, ":b": {"N": "2"}},
    )
    # Then the order is numeric, not lexical
    assert [float(i["sk"]["N"]) for i in everything["Items"]] == sorted(float(n) for n in numbers)
    assert [i["sk"]["N"] for i in ranged["Items"]] == ["-1", "-0.25", "0", "0.001", "1", "1.5", "2"]


# ---------------------------------------------------------------------- Limit, paging, filters
@pytest.mark.parametrize("forward", [True, False])
def test_paging_a_table_and_an_index_with_limit_yields_every_item_once_in_order(
    both: Both, ddb: DdbEngine, forward: bool
) -> None:
    # Given 23 items in one table partition, all in one index partition with repeated index sort keys
    table = create(both, "paging", gsi=True)
    for i in range(23):
        item = {
            "pk": _s("p"),
            "sk": _s(f"{i:03d}"),
            "gpk": _s("all"),
            "gsk": _s(f"{i % 5}"),
            "i": {"N": str(i)},
        }
        both.same("put_item", TableName=table, Item=item)
    for extra in range(5):  # items of other partitions
        both.same(
            "put_item",
            TableName=table,
            Item={"pk": _s(f"x{extra}"), "sk": _s("0"), "gpk": _s("other"), "gsk": _s("0")},
        )
    for query in (
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": _s("p")}},
        {
            "IndexName": "ByG",
            "KeyConditionExpression": "gpk = :p",
            "ExpressionAttributeValues": {":p": _s("all")},
        },
    ):
        # When each is paged through 4 items at a time
        theirs, _ = page_all(both.moto, TableName=table, Limit=4, ScanIndexForward=forward, **query)
        ours, keys = page_all(both.ours, TableName=table, Limit=4, ScanIndexForward=forward, **query)
        # Then both yield the same 23 items in the same order, none twice
        assert ours == theirs
        assert len(ours) == 23
        assert len({item["sk"]["S"] for item in ours}) == 23
        # and the engine's LastEvaluatedKey carries the table's keys (and the index's, for an index)
        wanted = {"pk", "sk"} | ({"gpk", "gsk"} if "IndexName" in query else set())
        assert all(set(key) == wanted for key in keys)
        # DynamoDB (unlike moto) gives a LastEvaluatedKey whenever a page stops at Limit: 23 = 5*4 + 3
        assert len(keys) == 5


def test_a_limit_page_ending_on_the_last_item_still_has_a_last_evaluated_key(both: Both) -> None:
    # Given exactly 4 items
    table = create(both, "lastpage")
    for i in range(4):
        both.same("put_item", TableName=table, Item={"pk": _s("p"), "sk": _s(str(i))})
    # When a Query asks for 4
    answer = both.ours.query(
        TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": _s("p")}, Limit=4
    )
    # Then, as DynamoDB does (it stops at Limit without looking further), a LastEvaluatedKey is
    # given, and the next page is empty
    assert answer["LastEvaluatedKey"] == {"pk": _s("p"), "sk": _s("3")}
    after = both.ours.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": _s("p")},
        Limit=4,
        ExclusiveStartKey=answer["LastEvaluatedKey"],
    )
    assert after["Items"] == []
    assert "LastEvaluatedKey" not in after


def test_a_filter_applies_after_the_limit_and_counts_and_projections_match(both: Both) -> None:
    # Given ten items, half of them "keep"
    table = create(both, "filter")
    for i in range(10):
        both.same(
            "put_item",
            TableName=table,
            Item={"pk": _s("p"), "sk": _s(str(i)), "keep": {"BOOL": i % 2 == 0}, "x": _s("y")},
        )
    common = {"TableName": table, "KeyConditionExpression": "pk = :p", "FilterExpression": "keep = :t"}
    values = {":p": _s("p"), ":t": {"BOOL": True}}
    # When filtered with Limit 5, projected, and counted
    limited = both.same(
        "query",
        Limit=5,
        ExpressionAttributeValues=values,
        **common,
        ProjectionExpression="sk, #k",
        ExpressionAttributeNames={"#k": "keep"},
    )
    counted = both.same("query", Select="COUNT", ExpressionAttributeValues=values, **common)
    # Then the filter thinned the 5 items read, the projection dropped x, and COUNT counts
    assert limited["ScannedCount"] == 5
    assert limited["Count"] == 3
    assert all(set(item) == {"sk", "keep"} for item in limited["Items"])
    assert counted["Count"] == 5
    assert "Items" not in counted


def test_an_index_that_projects_only_keys_answers_with_keys_only(both: Both) -> None:
    # Given items with more attributes than keys, under a KEYS_ONLY index
    table = create(both, "keysonly", gsi=True, projection="KEYS_ONLY")
    for i in range(3):
        item = {"pk": _s(f"p{i}"), "sk": _s("0"), "gpk": _s("all"), "gsk": _s(str(i)), "x": _s("extra")}
        both.same("put_item", TableName=table, Item=item)
    # When the index is queried with nothing to filter or project
    answer = query_index(both, table, "all")
    # Then each item carries the keys only, as the index holds them
    assert [sorted(item) for item in answer["Items"]] == [["gpk", "gsk", "pk", "sk"]] * 3


def test_a_query_stops_a_page_at_one_megabyte_and_pages_on_to_every_item(both: Both) -> None:
    # Given 15 items of about 100 KB in one partition (1.5 MB in all)
    table = create(both, "megabyte")
    for i in range(15):
        item = {"pk": _s("p"), "sk": _s(f"{i:02d}"), "blob": _s(f"{i:02d}" + "x" * 100_000)}
        both.ours.put_item(TableName=table, Item=item)
    query = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": _s("p")},
    }
    # When it is read with no Limit
    first = both.ours.query(**query)
    # Then the first page stops before 1 MB, says where it stopped, and the pages hold every item once
    assert 0 < len(first["Items"]) < 15
    assert sum(len(i["blob"]["S"]) for i in first["Items"]) <= 1024 * 1024
    assert first["Count"] == first["ScannedCount"] == len(first["Items"])
    assert first["LastEvaluatedKey"] == {"pk": _s("p"), "sk": first["Items"][-1]["sk"]}
    items, _ = page_all(both.ours, **query)
    assert [i["sk"]["S"] for i in items] == [f"{i:02d}" for i in range(15)]


def test_a_scan_pages_through_the_whole_table(both: Both) -> None:
    # Given 30 items over 6 partitions
    table = create(both, "scan")
    for i in range(30):
        both.same("put_item", TableName=table, Item={"pk": _s(f"p{i % 6}"), "sk": _s(str(i))})
    # When each scans it 7 at a time
    theirs, _ = page_all(both.moto, TableName=table, Limit=7)
    ours, _ = page_all(both.ours, TableName=table, Limit=7)
    # Then both saw the same 30 items (a Scan's order is unspecified)
    key = lambda item: (item["pk"]["S"], item["sk"]["S"])  # noqa: E731
    assert sorted(ours, key=key) == sorted(theirs, key=key)
    assert len(ours) == 30


# ---------------------------------------------------------------------- conditions and updates
def test_conditions_pass_and_fail_alike_with_the_old_item_on_request(both: Both) -> None:
    table = create(both, "conditions")
    item = {"pk": _s("p"), "sk": _s("1"), "n": {"N": "5"}}
    # Given an item written once under attribute_not_exists
    both.same("put_item", TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    # When it is written again under the same condition, asking for the old item
    failed = both.same(
        "put_item",
        TableName=table,
        Item={**item, "n": {"N": "6"}},
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    # Then both refuse it and return the item as it is
    assert failed == ("error", "ConditionalCheckFailedException", item, None)
    # and comparisons, on update and delete, pass or fail the same
    both.same(
        "update_item",
        TableName=table,
        Key={"pk": _s("p"), "sk": _s("1")},
        UpdateExpression="SET n = n + :one",
        ConditionExpression="n < :max",
        ExpressionAttributeValues={":one": {"N": "1"}, ":max": {"N": "6"}},
    )
    refused = both.same(
        "delete_item",
        TableName=table,
        Key={"pk": _s("p"), "sk": _s("1")},
        ConditionExpression="n < :max",
        ExpressionAttributeValues={":max": {"N": "6"}},
    )
    assert refused[1] == "ConditionalCheckFailedException"
    assert both.same("get_item", TableName=table, Key={"pk": _s("p"), "sk": _s("1")})["Item"]["n"] == {
        "N": "6"
    }


@pytest.mark.parametrize("returns", ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_update_expressions_and_return_values_match(both: Both, returns: str) -> None:
    table = create(both, "updates")
    key = {"pk": _s("p"), "sk": _s("1")}
    both.same(
        "put_item",
        TableName=table,
        Item={
            **key,
            "gone": _s("x"),
            "count": {"N": "1"},
            "tags": {"SS": ["b"]},
            "retired": {"SS": ["a", "b"]},
            "list": {"L": [_s("first")]},
        },
    )
    # When SET (with if_not_exists and list_append), REMOVE, ADD and DELETE run in one update
    answer = both.same(
        "update_item",
        TableName=table,
        Key=key,
        UpdateExpression=(
            "SET #l = list_append(#l, :more), fresh = if_not_exists(fresh, :zero)"
            " REMOVE gone ADD #c :one, tags :c DELETE retired :a"
        ),
        ExpressionAttributeNames={"#l": "list", "#c": "count"},
        ExpressionAttributeValues={
            ":more": {"L": [_s("second")]},
            ":zero": {"N": "0"},
            ":one": {"N": "1"},
            ":c": {"SS": ["c"]},
            ":a": {"SS": ["a"]},
        },
        ReturnValues=returns,
    )
    # Then both answer the same attributes, and hold the same item
    assert not isinstance(answer, tuple), answer
    stored = both.same("get_item", TableName=table, Key=key)["Item"]
    assert stored["count"] == {"N": "2"}
    assert "gone" not in stored
    assert sorted(stored["tags"]["SS"]) == ["b", "c"]
    assert stored["retired"] == {"SS": ["b"]}
    assert stored["list"] == {"L": [_s("first"), _s("second")]}
    assert stored["fresh"] == {"N": "0"}
    assert ("Attributes" in answer) == (returns != "NONE")


def test_invalid_keys_are_validation_errors(both: Both) -> None:
    table = create(both, "invalid")
    # Missing sort key, wrong key type, empty string key, Get without its sort key, and an update of
    # an empty sort key (which moto accepts and DynamoDB refuses)
    for method, kwargs, moto_agrees in [
        ("put_item", {"Item": {"pk": _s("p")}}, True),
        ("put_item", {"Item": {"pk": {"N": "1"}, "sk": _s("1")}}, True),
        ("put_item", {"Item": {"pk": _s(""), "sk": _s("1")}}, True),
        ("get_item", {"Key": {"pk": _s("p")}}, True),
        (
            "update_item",
            {
                "Key": {"pk": _s("p"), "sk": _s("")},
                "UpdateExpression": "SET a = :a",
                "ExpressionAttributeValues": {":a": _s("a")},
            },
            False,
        ),
    ]:
        theirs, ours = both.call(method, TableName=table, **kwargs)
        assert isinstance(ours, tuple), (method, kwargs, ours)
        assert ours[:2] == ("error", "ValidationException"), (method, kwargs, ours)
        if moto_agrees:
            assert isinstance(theirs, tuple)
            assert theirs[:2] == ours[:2]
    # and nothing was stored
    assert both.ours.scan(TableName=table)["Items"] == []
    # and an unknown table is ResourceNotFoundException for both
    theirs, ours = both.call("get_item", TableName=both.name("missing"), Key={"pk": _s("p"), "sk": _s("1")})
    assert ours[:2] == theirs[:2] == ("error", "ResourceNotFoundException")


# ---------------------------------------------------------------------- batches and transactions
def test_batch_writes_and_gets_match(both: Both) -> None:
    table = create(both, "batch")
    both.same(
        "batch_write_item",
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": _s("p"), "sk": _s(str(i)), "v": _s("x")}}} for i in range(20)
            ]
        },
    )
    both.same(
        "batch_write_item",
        RequestItems={
            table: [{"DeleteRequest": {"Key": {"pk": _s("p"), "sk": _s(str(i))}}} for i in range(5)]
        },
    )
    got = both.call(
        "batch_get_item",
        RequestItems={table: {"Keys": [{"pk": _s("p"), "sk": _s(str(i))} for i in range(10)]}},
    )
    theirs, ours = (sorted(answer["Responses"][table], key=lambda i: i["sk"]["S"]) for answer in got)
    assert ours == theirs
    assert [i["sk"]["S"] for i in ours] == ["5", "6", "7", "8", "9"]


def test_a_failed_transaction_changes_nothing_and_says_why(both: Both) -> None:
    table = create(both, "transact")
    both.same("put_item", TableName=table, Item={"pk": _s("p"), "sk": _s("taken")})
    # When a transaction puts one item, updates another, and checks a condition that fails
    refused = both.same(
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": _s("p"), "sk": _s("new")}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": _s("p"), "sk": _s("other")},
                    "UpdateExpression": "SET a = :a",
                    "ExpressionAttributeValues": {":a": _s("a")},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": _s("p"), "sk": _s("taken")},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
    )
    # Then both cancel it with the reason per item, and nothing was written
    assert refused[1] == "TransactionCanceledException"
    assert [reason["Code"] for reason in refused[3]] == ["None", "None", "ConditionalCheckFailed"]
    everything = both.same(
        "query", TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": _s("p")}
    )
    assert [i["sk"]["S"] for i in everything["Items"]] == ["taken"]
    # and a transaction that passes writes all its items
    both.same(
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": _s("p"), "sk": _s(s)}}} for s in ("a", "b")
        ],
    )
    got = both.same(
        "transact_get_items",
        TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": _s("p"), "sk": _s(s)}}} for s in ("a", "b", "zz")
        ],
    )
    assert [r.get("Item", {}).get("sk") for r in got["Responses"]] == [_s("a"), _s("b"), None]


# ---------------------------------------------------------------------- the engine's own item calls
def test_plain_updates_and_gets_answer_as_moto_does_without_its_handler(both: Both, ddb: DdbEngine) -> None:
    # Given a table with an index and a stream, and the engine's calls to moto recorded
    table = create(both, "simple", gsi=True, stream="NEW_AND_OLD_IMAGES")
    key = {"pk": _s("p"), "sk": _s("1")}
    moto_calls = MotoCalls(ddb.engine)
    # When the kinds of update Boletín makes run on both, one after another
    updates: list[dict[str, Any]] = [
        # an update that creates the item, with if_not_exists, answering the new item
        {
            "UpdateExpression": "SET #s = :s, attempts = if_not_exists(attempts, :zero), gpk = :g, gsk = :k",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":s": _s("received"),
                ":zero": {"N": "0"},
                ":g": _s("office#1"),
                ":k": _s("2026-12-01"),
            },
            "ReturnValues": "ALL_NEW",
        },
        # a conditional one with arithmetic, ADD and list_append, answering the old item
        {
            "UpdateExpression": "SET #s = :p, version = if_not_exists(version, :zero) + :one, "
            "tags = list_append(if_not_exists(tags, :none), :t) ADD attempts :one",
            "ConditionExpression": "#s = :r AND attribute_not_exists(published_at)",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":p": _s("published"),
                ":r": _s("received"),
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
                ":none": {"L": []},
                ":t": {"L": [_s("health"), {"M": {"deep": {"BOOL": True}, "none": {"NULL": True}}}]},
            },
            "ReturnValues": "ALL_OLD",
        },
        # a REMOVE with a number set, answering nothing
        {
            "UpdateExpression": "REMOVE gsk SET seen = :seen, count_of = attempts - :one",
            "ExpressionAttributeValues": {":seen": {"SS": ["a", "b"]}, ":one": {"N": "1"}},
        },
    ]
    for update in updates:
        both.same("update_item", TableName=table, Key=key, **update)
    # and a condition fails, with and without the old item asked for, and on a missing item
    missing = {"pk": _s("p"), "sk": _s("missing")}
    for target, condition, on_failure in [
        (key, "#s = :r", "ALL_OLD"),
        (key, "#s = :r", "NONE"),
        (missing, "attribute_exists(pk) AND #s = :r", "ALL_OLD"),
    ]:
        refused = both.same(
            "update_item",
            TableName=table,
            Key=target,
            UpdateExpression="SET #s = :w",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":w": _s("withdrawn"), ":r": _s("received")},
            ReturnValuesOnConditionCheckFailure=on_failure,
        )
        assert refused[:2] == ("error", "ConditionalCheckFailedException")
        assert (refused[2] is not None) == (target == key and on_failure == "ALL_OLD")
    # Then both hold the same item, and the engine answered every call itself
    stored = both.same("get_item", TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert both.same("get_item", TableName=table, Key=missing) == {}
    assert stored["status"] == _s("published")
    assert stored["attempts"] == {"N": "1"}
    assert stored["count_of"] == {"N": "0"}
    assert stored["version"] == {"N": "1"}
    assert "gsk" not in stored
    assert moto_calls.actions == []
    # and the index lost the item with its sort key, as DynamoDB's does
    listed = query_index(both, table, "office#1")
    assert listed["Items"] == []
    # and the stream holds the insert and the three changes, not the refused ones
    streams = ddb.client("dynamodbstreams")
    arn = ddb.client().describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "MODIFY"]
    assert records[1]["dynamodb"]["OldImage"]["status"] == _s("received")
    assert records[2]["dynamodb"]["NewImage"]["count_of"] == {"N": "0"}


UNUSUAL_UPDATES: list[tuple[str, dict[str, Any]]] = [
    (
        "a reserved word",
        {"UpdateExpression": "SET status = :s", "ExpressionAttributeValues": {":s": _s("x")}},
    ),
    (
        "an unused value",
        {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": _s("x"), ":b": _s("y")}},
    ),
    ("a key attribute", {"UpdateExpression": "SET sk = :a", "ExpressionAttributeValues": {":a": _s("2")}}),
    (
        "a missing operand",
        {"UpdateExpression": "SET a = nothing + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}},
    ),
    ("a nested path", {"UpdateExpression": "SET m.x = :v", "ExpressionAttributeValues": {":v": _s("x")}}),
    (
        "a fraction",
        {"UpdateExpression": "SET n = n + :half", "ExpressionAttributeValues": {":half": {"N": "0.5"}}},
    ),
    (
        "a mistyped ADD",
        {"UpdateExpression": "ADD word :one", "ExpressionAttributeValues": {":one": {"N": "1"}}},
    ),
    (
        "an index key of the wrong type",
        {"UpdateExpression": "SET gpk = :n", "ExpressionAttributeValues": {":n": {"N": "1"}}},
    ),
    ("an empty index key", {"UpdateExpression": "SET gsk = :e", "ExpressionAttributeValues": {":e": _s("")}}),
    (
        "two actions on one path",
        {"UpdateExpression": "SET a = :a REMOVE a", "ExpressionAttributeValues": {":a": _s("x")}},
    ),
    (
        "a syntax error",
        {"UpdateExpression": "SET a = :a b = :a", "ExpressionAttributeValues": {":a": _s("x")}},
    ),
    (
        "empty values",
        {"UpdateExpression": "REMOVE a", "ExpressionAttributeValues": {}},
    ),
]


@pytest.mark.parametrize(("case", "update"), UNUSUAL_UPDATES, ids=[case for case, _ in UNUSUAL_UPDATES])
def test_updates_the_engine_does_not_answer_itself_still_get_moto_answers(
    both: Both, case: str, update: dict[str, Any]
) -> None:
    # Given an item with a number, a word and a fraction
    table = create(both, "unusual", gsi=True)
    key = {"pk": _s("p"), "sk": _s("1")}
    both.same("put_item", TableName=table, Item={**key, "n": {"N": "1.5"}, "word": _s("w"), "a": _s("a")})
    # When an update outside the plain kind runs on both
    answer = both.same("update_item", TableName=table, Key=key, **update)
    # Then both answer alike (an error where DynamoDB refuses it) and hold the same item
    assert both.same("get_item", TableName=table, Key=key)["Item"]
    if case != "a fraction":
        assert answer[:2] == ("error", "ValidationException"), answer


def test_plain_batch_writes_and_queries_answer_as_moto_does_without_its_handler(
    both: Both, ddb: DdbEngine
) -> None:
    # Given a table with an index, and the engine's calls to moto recorded
    table = create(both, "batched", gsi=True)
    moto_calls = MotoCalls(ddb.engine)
    # When 25 items are put in one batch (most on the index), then some deleted and one replaced
    puts = [
        {
            "PutRequest": {
                "Item": {
                    "pk": _s("p"),
                    "sk": _s(f"{i:02d}"),
                    "body": _s("é" * i),
                    **({"gpk": _s("g"), "gsk": _s(f"{i:02d}")} if i % 3 else {}),
                }
            }
        }
        for i in range(25)
    ]
    both.same("batch_write_item", RequestItems={table: puts})
    both.same(
        "batch_write_item",
        RequestItems={
            table: [
                *({"DeleteRequest": {"Key": {"pk": _s("p"), "sk": _s(f"{i:02d}")}}} for i in range(0, 25, 5)),
                {"DeleteRequest": {"Key": {"pk": _s("p"), "sk": _s("never-written")}}},
                {"PutRequest": {"Item": {"pk": _s("p"), "sk": _s("01"), "replaced": {"BOOL": True}}}},
            ]
        },
    )
    # Then plain queries of the table and the index, paged both ways, answer alike
    for forward in (True, False):
        for index in (None, "ByG"):
            key_name = "gpk" if index else "pk"
            kwargs: dict[str, Any] = {
                "TableName": table,
                "KeyConditionExpression": "#k = :k AND " + ("gsk" if index else "sk") + " > :after",
                "ExpressionAttributeNames": {"#k": key_name},
                "ExpressionAttributeValues": {":k": _s("g" if index else "p"), ":after": _s("00")},
                "ScanIndexForward": forward,
                "Limit": 7,  # no page ends on the last item (where moto differs: see above)
                **({"IndexName": index} if index else {}),
            }
            pages = []
            while True:
                page = both.same("query", **kwargs)
                pages.append(page)
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            listed = [item["sk"]["S"] for page in pages for item in page["Items"]]
            expected = [f"{i:02d}" for i in range(1, 25) if i % 5 and (index is None or (i % 3 and i != 1))]
            assert listed == (expected if forward else expected[::-1])
    # and the engine answered every one of those calls itself
    assert moto_calls.actions == []


# DynamoDB refuses each of these batches; moto accepts the first, second and fourth, and the engine
# refuses them as DynamoDB does.
REFUSED_BATCHES: list[tuple[str, list[dict[str, Any]], bool]] = [
    ("26 requests", [{"PutRequest": {"Item": {"pk": _s("p"), "sk": _s(str(i))}}} for i in range(26)], False),
    (
        "one key twice",
        [
            {"PutRequest": {"Item": {"pk": _s("p"), "sk": _s("1")}}},
            {"DeleteRequest": {"Key": {"pk": _s("p"), "sk": _s("1")}}},
        ],
        False,
    ),
    ("an empty key", [{"PutRequest": {"Item": {"pk": _s("p"), "sk": _s("")}}}], True),
    (
        "an index key of the wrong type",
        [{"PutRequest": {"Item": {"pk": _s("p"), "sk": _s("1"), "gpk": {"N": "1"}}}}],
        False,
    ),
    ("a missing sort key", [{"DeleteRequest": {"Key": {"pk": _s("p")}}}], True),
]


@pytest.mark.parametrize(
    ("case", "requests", "moto_agrees"), REFUSED_BATCHES, ids=[case for case, _, _ in REFUSED_BATCHES]
)
def test_batches_dynamodb_refuses_are_refused_and_write_nothing(
    both: Both, case: str, requests: list[dict[str, Any]], moto_agrees: bool
) -> None:
    # Given a table with an index
    table = create(both, "refused", gsi=True)
    # When a batch DynamoDB refuses is written to both
    theirs, ours = both.call("batch_write_item", RequestItems={table: requests})
    # Then the engine refuses it (as moto does, where moto does), and wrote nothing
    assert ours[:2] == ("error", "ValidationException"), ours
    if moto_agrees:
        assert theirs[:2] == ours[:2]
    assert both.ours.scan(TableName=table)["Items"] == []


def test_the_engine_measures_items_as_moto_does() -> None:
    # Given items of every kind of value, nested, with non-ASCII names and text
    from moto.dynamodb.models.dynamo_type import Item

    from devstack.aws.dynamodb_query import item_size

    items: list[dict[str, Any]] = [
        {"pk": _s("p"), "sk": _s("1")},
        {
            "pk": _s("p"),
            "año": _s("é" * 10),
            "n": {"N": "-12.50"},
            "ok": {"BOOL": False},
            "no": {"NULL": True},
        },
        {"pk": _s("p"), "ss": {"SS": ["a", "bé"]}, "ns": {"NS": ["1", "22"]}, "b": {"B": "aGVsbG8="}},
        {"pk": _s("p"), "l": {"L": [_s("x"), {"M": {"clé": {"L": [{"N": "3"}, {"BOOL": True}]}}}]}},
    ]
    for item in items:
        # When the engine measures it, Then it gets moto's size (which sets where a 1 MB page stops)
        assert item_size(item) == Item(None, None, item).size(), item  # type: ignore[arg-type]


def test_plain_transactions_answer_as_moto_does_without_its_handler(both: Both, ddb: DdbEngine) -> None:
    # Given an office item and a key item, and the engine's calls to moto recorded
    table = create(both, "transactions", gsi=True)
    office = {"pk": _s("office#1"), "sk": _s("office")}
    key = {"pk": _s("key#1"), "sk": _s("key")}
    both.same("put_item", TableName=table, Item={**office, "status": _s("active"), "n": {"N": "0"}})
    both.same("put_item", TableName=table, Item={**key, "office": _s("office#1")})
    moto_calls = MotoCalls(ddb.engine)

    def submit(number: int, *, office_status: str, on_failure: str = "NONE") -> Any:
        """A submission as Boletín writes one: the bulletin and its idempotency record, an update
        of the office, a delete, and a check of the key, in one transaction."""
        bulletin = {"pk": _s(f"bulletin#{number}"), "sk": _s("CURRENT"), "gpk": _s("office#1")}
        return both.same(
            "transact_write_items",
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**bulletin, "gsk": _s(f"2026-12-0{number}"), "title": _s("Título")},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": office,
                        "UpdateExpression": "SET n = n + :one",
                        "ConditionExpression": "#s = :active",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":active": _s(office_status)},
                        "ReturnValuesOnConditionCheckFailure": on_failure,
                    }
                },
                {"Delete": {"TableName": table, "Key": {"pk": _s("draft"), "sk": _s(str(number))}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key,
                        "ConditionExpression": "office = :o",
                        "ExpressionAttributeValues": {":o": _s("office#1")},
                    }
                },
            ],
        )

    # When one passes, and the same bulletin is submitted again, and one meets a retired office
    assert submit(1, office_status="active") == {"ConsumedCapacity": [], "ItemCollectionMetrics": {}}
    again = submit(1, office_status="active")
    retired = submit(2, office_status="retired", on_failure="ALL_OLD")
    # Then both cancel the last two with the same reasons, and the engine answered every call itself
    assert [r["Code"] for r in again[3]] == ["ConditionalCheckFailed", "None", "None", "None"]
    assert [r["Code"] for r in retired[3]] == ["None", "ConditionalCheckFailed", "None", "None"]
    assert retired[3][1]["Item"]["n"] == {"N": "1"}
    assert moto_calls.actions == []
    # and only the first wrote anything
    assert both.same("get_item", TableName=table, Key=office)["Item"]["n"] == {"N": "1"}
    assert both.same("get_item", TableName=table, Key={"pk": _s("bulletin#2"), "sk": _s("CURRENT")}) == {}
    assert len(query_index(both, table, "office#1")["Items"]) == 1


def test_plain_puts_answer_as_moto_does_without_its_handler(both: Both, ddb: DdbEngine) -> None:
    # Given a table with an index, and the engine's calls to moto recorded
    table = create(both, "puts", gsi=True)
    moto_calls = MotoCalls(ddb.engine)
    line = {"pk": _s("bulletin#1"), "sk": _s("line#1"), "status": _s("queued"), "gpk": _s("pending")}
    # When a delivery line is put only if new, twice (asking for the old one), and then replaced
    first, again = (
        both.same(
            "put_item",
            TableName=table,
            Item={**line, "gsk": _s(sort)},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        for sort in ("1", "2")
    )
    replaced = both.same(
        "put_item",
        TableName=table,
        Item={**line, "status": _s("sent")},
        ConditionExpression="#s = :queued",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":queued": _s("queued")},
        ReturnValues="ALL_OLD",
    )
    # Then both answer alike: written, refused with the line as it was, replaced with the old one
    assert first == {}
    assert again == ("error", "ConditionalCheckFailedException", {**line, "gsk": _s("1")}, None)
    assert replaced["Attributes"]["status"] == _s("queued")
    # and the engine answered every call itself, and the line left the index with its sort key
    assert moto_calls.actions == []
    assert query_index(both, table, "pending")["Items"] == []


def test_plain_batch_gets_answer_as_moto_does_without_its_handler(both: Both, ddb: DdbEngine) -> None:
    # Given two tables holding a few items, and the engine's calls to moto recorded
    first, second = create(both, "got"), create(both, "got-too", sort_type="N")
    for i in range(4):
        both.same("put_item", TableName=first, Item={"pk": _s("p"), "sk": _s(str(i)), "v": _s("é" * i)})
    both.same("put_item", TableName=second, Item={"pk": _s("q"), "sk": {"N": "7"}, "n": {"N": "1.5"}})
    moto_calls = MotoCalls(ddb.engine)
    # When both tables are read in one batch, consistently and not, keys found and missing alike
    answer = both.same(
        "batch_get_item",
        RequestItems={
            first: {
                "Keys": [{"pk": _s("p"), "sk": _s(sk)} for sk in ("3", "missing", "0")],
                "ConsistentRead": True,
            },
            second: {"Keys": [{"pk": _s("q"), "sk": {"N": "7"}}, {"pk": _s("q"), "sk": {"N": "8"}}]},
        },
    )
    # Then each table answers the items it holds, in the order asked, and none is left unprocessed
    assert [item["sk"]["S"] for item in answer["Responses"][first]] == ["3", "0"]
    assert answer["Responses"][second] == [{"pk": _s("q"), "sk": {"N": "7"}, "n": {"N": "1.5"}}]
    assert answer["UnprocessedKeys"] == {}
    # and the engine answered it itself
    assert moto_calls.actions == []


def _keys(count: int, sort: str = "") -> list[dict[str, Any]]:
    return [{"pk": _s("p"), "sk": _s(sort or str(i))} for i in range(count)]


# Batch gets outside the engine's plain path: refused (in moto's words where moto refuses too; the
# engine's own check of keys says the same), or projected by moto. moto answers a key of the wrong
# type as a key not found; DynamoDB and the engine refuse it.
MOTO_BATCH_GETS: list[tuple[str, dict[str, Any], str]] = [
    ("101 keys", {"Keys": _keys(101)}, "refused"),
    ("one key twice", {"Keys": _keys(2, sort="1")}, "refused"),
    ("a missing sort key", {"Keys": [{"pk": _s("p")}]}, "refused"),
    ("a key of the wrong type", {"Keys": [{"pk": _s("p"), "sk": {"N": "1"}}]}, "refused, not by moto"),
    ("a projection", {"Keys": _keys(2), "ProjectionExpression": "sk"}, "projected"),
]


@pytest.mark.parametrize(
    ("case", "spec", "expected"), MOTO_BATCH_GETS, ids=[case for case, _, _ in MOTO_BATCH_GETS]
)
def test_batch_gets_the_engine_does_not_answer_itself_still_get_moto_answers(
    both: Both, ddb: DdbEngine, case: str, spec: dict[str, Any], expected: str
) -> None:
    # Given a table holding two items, and the engine's calls to moto recorded
    table = create(both, "got-odd")
    for i in range(2):
        both.same("put_item", TableName=table, Item={"pk": _s("p"), "sk": _s(str(i)), "v": _s("x")})
    moto_calls = MotoCalls(ddb.engine)
    # When a batch get outside the plain path is asked of both
    theirs, ours = both.call("batch_get_item", RequestItems={table: spec})
    # Then the engine answers what moto answers: a ValidationException, or the projected items
    if expected.startswith("refused"):
        assert ours[:2] == ("error", "ValidationException"), ours
        assert (ours == theirs) == (expected == "refused")
    else:
        assert ours == theirs
        assert ours["Responses"][table] == [{"sk": _s("0")}, {"sk": _s("1")}]
        assert moto_calls.actions == ["BatchGetItem"]


def test_a_batch_get_past_16_megabytes_leaves_the_rest_unprocessed(both: Both, ddb: DdbEngine) -> None:
    # Given 45 items of about 390 KB each (17.6 MB in all)
    table = create(both, "got-big")
    for i in range(45):
        both.same(
            "put_item", TableName=table, Item={"pk": _s("p"), "sk": _s(f"{i:02d}"), "v": _s("x" * 390_000)}
        )
    moto_calls = MotoCalls(ddb.engine)
    # When all of them are asked for in one batch
    keys = [{"pk": _s("p"), "sk": _s(f"{i:02d}")} for i in range(45)]
    answer = both.same("batch_get_item", RequestItems={table: {"Keys": keys}})
    # Then the items up to 16 MB are answered and the rest are left for the next call, by the engine
    returned = [item["sk"]["S"] for item in answer["Responses"][table]]
    unprocessed = [key["sk"]["S"] for key in answer["UnprocessedKeys"][table]["Keys"]]
    assert returned + unprocessed == [f"{i:02d}" for i in range(45)]
    assert 0 < len(unprocessed) < 45
    assert moto_calls.actions == []
