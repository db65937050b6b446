"""A stack started again on its state folder carries on: its tables and items are there, and each
stream's event source mapping resumes after the last record it passed (nothing twice, nothing lost)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from devstack import DevStack
from devstack.template import TemplateError
from tests.support.machinery import put_item, stream_deliveries
from tests.support.paths import MACHINERY_TEMPLATE_DIR


def _stack(state: Path, outbox: Path, template: Path | None = None) -> DevStack:
    """A stack as `make run` starts one: in a fresh process (moto's in-memory services empty, the
    stack's physical names unsuffixed), on a kept state folder."""
    import itertools

    from moto.moto_api._internal.models import moto_api_backend

    from devstack import stack as stack_module

    moto_api_backend.reset()
    stack_module._stack_serial = itertools.count(1)
    return DevStack(
        MACHINERY_TEMPLATE_DIR,
        template=template,
        port=0,
        outbox_dir=outbox,
        create_demo_office=False,
        name_prefix="restart",
        state_dir=state,
    )


def test_a_restarted_stack_keeps_its_items_and_resumes_its_streams(tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    state, outbox = tmp_path / "state", tmp_path / "outbox"
    # Given a stack that stored two items and delivered their stream records
    with _stack(state, outbox) as first:
        put_item(first, f"{run}-a")
        put_item(first, f"{run}-b")
        first.wait_until_idle(10)
        assert sorted(pk for batch in stream_deliveries(first, run) for pk in batch) == [
            f"{run}-a",
            f"{run}-b",
        ]
        table = first.ref("ItemsTable")
    # When the stack is started again on the same state folder, and one more item is written
    with _stack(state, outbox) as second:
        kept = second.client("dynamodb").get_item(
            TableName=table, Key={"pk": {"S": f"{run}-a"}, "sk": {"S": "CURRENT"}}
        )
        put_item(second, f"{run}-c")
        second.wait_until_idle(10)
        # Then the old items are there, and only the new record is delivered (the old ones not again)
        assert kept["Item"]["mode"] == {"S": "ok"}
        assert stream_deliveries(second, run) == [[f"{run}-c"]]
        # and the stream no longer holds what every consumer has passed
        streams = second.client("dynamodbstreams")
        arn = second.getatt("ItemsTable", "StreamArn")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        left = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [
            r["dynamodb"]["Keys"]["pk"]["S"] for r in left if r["dynamodb"]["Keys"]["pk"]["S"].startswith(run)
        ] in (
            [f"{run}-c"],
            [],
        )


def test_a_kept_table_that_differs_from_the_template_is_refused_clearly(tmp_path: Path) -> None:
    state, outbox = tmp_path / "state", tmp_path / "outbox"
    with _stack(state, outbox):
        pass
    # Given the template's table changed its sort key's type since the state was kept
    changed = tmp_path / "template.yaml"
    text = (MACHINERY_TEMPLATE_DIR / "template.yaml").read_text()
    changed.write_text(
        text.replace("{AttributeName: sk, AttributeType: S}", "{AttributeName: sk, AttributeType: N}", 1)
    )
    # When the stack starts on the kept state, Then it says which table differs and how to start afresh
    with pytest.raises(TemplateError, match=r"differs from template.yaml \(attributes\).*make reset"):
        _stack(state, outbox, template=changed).start()
