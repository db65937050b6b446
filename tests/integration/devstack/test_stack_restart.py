"""A stack restarted on the same state folder carries on: the same signing secret, the feeds bucket's
objects (served at /feeds/), a schedule created before the stop fires after it, SES's identities."""

from __future__ import annotations

import itertools
import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devstack import DevStack
from tests.support.waiting import wait_for

FIXTURES = Path(__file__).resolve().parents[1] / "local" / "fixtures"


def a_stack(tmp_path: Path) -> DevStack:
    return DevStack(
        FIXTURES,
        port=0,
        outbox_dir=tmp_path / "outbox",
        state_dir=tmp_path / "state",
        create_demo_office=False,
        name_prefix="restart",
    )


def forget_moto() -> None:
    """What a new process starts with: moto empty (the engines' folders are what remains)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def test_a_restarted_stack_keeps_secret_objects_schedules_and_identities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack (the first of its process, as `make run` is) that stores a feed, has its secret,
    # is asked to release something in 3 s, and sends an email, and then stops
    import devstack.stack

    monkeypatch.setattr(devstack.stack, "_stack_serial", itertools.count(1))
    first = a_stack(tmp_path).start()
    try:
        secret_arn = first.ref("Secret")
        secret = first.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
        bucket = first.ref("FeedsBucket")
        etag = first.client("s3").put_object(
            Bucket=bucket, Key="feeds/all.json", Body=b'{"items": []}', ContentType="application/json"
        )["ETag"]
        release_at = (datetime.now(UTC) + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S")
        first.client("scheduler").create_schedule(
            Name="release-after-restart",
            GroupName=first.ref("ReleaseGroup"),
            ScheduleExpression=f"at({release_at})",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={
                "Arn": first.functions["ScheduledFunction"].arn,
                "RoleArn": "arn:aws:iam::123456789012:role/x",
                "Input": json.dumps({"detail-type": "Release"}),
            },
        )
        first.client("ses").verify_email_identity(EmailAddress="ops@example.org")
        first.client("ses").send_raw_email(
            RawMessage={"Data": b"From: ops@example.org\r\nTo: a@b.c\r\n\r\nx"}
        )
        assert first.invocations["ScheduledFunction"] == 0
    finally:
        first.stop()
    forget_moto()
    monkeypatch.setattr(devstack.stack, "_stack_serial", itertools.count(1))

    # When a new stack starts on the same state folder
    second = a_stack(tmp_path).start()
    try:
        # Then the secret is the same one, with the same value (links already sent still verify)
        assert second.ref("Secret") == secret_arn
        assert second.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"] == secret
        # And the feed is there, and served at /feeds/ as before
        assert second.client("s3").head_object(Bucket=bucket, Key="feeds/all.json")["ETag"] == etag
        with urllib.request.urlopen(second.url + "/feeds/all.json", timeout=10) as reply:  # noqa: S310
            assert (reply.status, reply.read()) == (200, b'{"items": []}')
        # And the schedule made before the stop fires once after it, and is deleted
        wait_for(lambda: second.invocations["ScheduledFunction"] >= 1, timeout=20)
        second.wait_until_idle(10)
        assert second.invocations["ScheduledFunction"] == 1
        listed = second.client("scheduler").list_schedules(GroupName=second.ref("ReleaseGroup"))["Schedules"]
        assert listed == []
        # And an address verified before the stop may still send; the outbox kept the first email
        second.client("ses").send_raw_email(
            RawMessage={"Data": b"From: ops@example.org\r\nTo: a@b.c\r\n\r\ny"}
        )
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    finally:
        second.stop()
