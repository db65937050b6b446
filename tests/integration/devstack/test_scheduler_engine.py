"""The EventBridge Scheduler engine answers as moto does (where moto is faithful), keeps schedules
across a restart, and gives the stack's poller only what is due."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devstack.aws.scheduler import SchedulerEngine
from tests.integration.devstack.engine_harness import client, error_of, served_client, serving, unique

ROLE = "arn:aws:iam::123456789012:role/scheduler"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:releases"


@pytest.fixture
def engine(tmp_path: Path) -> SchedulerEngine:
    return SchedulerEngine(tmp_path / "scheduler")


@pytest.fixture
def engine_scheduler(engine: SchedulerEngine) -> Iterator[Any]:
    yield from served_client("scheduler", engine)


@pytest.fixture(scope="module")
def moto_scheduler() -> Iterator[Any]:
    yield from served_client("scheduler")


def at(delta: timedelta) -> str:
    return "at(" + (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S") + ")"


def create(
    scheduler: Any, name: str, group: str, when: timedelta | str = timedelta(days=1), **extra: Any
) -> Any:
    return scheduler.create_schedule(
        Name=name,
        GroupName=group,
        ScheduleExpression=when if isinstance(when, str) else at(when),
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": QUEUE, "RoleArn": ROLE, "Input": json.dumps({"name": name})},
        **extra,
    )


DEFINITION = (
    "Name",
    "GroupName",
    "Arn",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "ActionAfterCompletion",
    "State",
    "Target",
)


def test_schedules_and_groups_answer_as_moto_does(engine_scheduler: Any, moto_scheduler: Any) -> None:
    # Given the same group and schedule created on the engine and on moto
    group = unique("releases")
    answers = []
    for scheduler in (engine_scheduler, moto_scheduler):
        group_arn = scheduler.create_schedule_group(Name=group)["ScheduleGroupArn"]
        arn = create(scheduler, "release-1", group, "at(2031-05-04T03:02:01)")["ScheduleArn"]
        # When they are read back
        detail = scheduler.get_schedule(Name="release-1", GroupName=group)
        described_group = scheduler.get_schedule_group(Name=group)
        listed = scheduler.list_schedules(GroupName=group)["Schedules"]
        answers.append(
            {
                "arns": (group_arn, arn),
                "detail": {key: detail.get(key) for key in DEFINITION},
                "group": {key: described_group[key] for key in ("Arn", "Name", "State")},
                "listed": [(s["Name"], s["GroupName"], s["Arn"], s["Target"]["Arn"]) for s in listed],
            }
        )
    # Then the answers agree
    assert answers[0] == answers[1]


def test_errors_answer_as_moto_does(engine_scheduler: Any, moto_scheduler: Any) -> None:
    # Given a group with a schedule on each side
    group = unique("errors")
    for scheduler in (engine_scheduler, moto_scheduler):
        scheduler.create_schedule_group(Name=group)
        create(scheduler, "taken", group)
    calls = {
        "schedule twice": lambda s: create(s, "taken", group),
        "get missing": lambda s: s.get_schedule(Name="missing", GroupName=group),
        "delete missing": lambda s: s.delete_schedule(Name="missing", GroupName=group),
        "missing group": lambda s: s.get_schedule_group(Name=unique("missing")),
    }
    # When each is tried, then the engine fails it with moto's code, and with AWS's status (the
    # service model's: 409 for ConflictException, where moto says 400)
    statuses = {"ConflictException": 409, "ResourceNotFoundException": 404}
    for what, call in calls.items():
        ours, theirs = error_of(call, engine_scheduler), error_of(call, moto_scheduler)
        assert ours == (theirs[0], statuses.get(theirs[0], theirs[1])), what
    assert error_of(lambda: calls["schedule twice"](engine_scheduler)) == ("ConflictException", 409)
    assert error_of(lambda: calls["get missing"](engine_scheduler)) == ("ResourceNotFoundException", 404)
    # And a group created twice is a conflict, as AWS says (moto accepts it)
    assert error_of(lambda: engine_scheduler.create_schedule_group(Name=group)) == ("ConflictException", 409)


def test_a_schedule_in_a_group_that_does_not_exist_is_refused(engine_scheduler: Any) -> None:
    # AWS: ResourceNotFoundException (moto creates the schedule anyway)
    assert error_of(lambda: create(engine_scheduler, "orphan", "no-such-group")) == (
        "ResourceNotFoundException",
        404,
    )


def test_update_replaces_the_definition_and_keeps_the_creation_date(engine_scheduler: Any) -> None:
    # Given a schedule
    create(engine_scheduler, "moving", "default")
    created = engine_scheduler.get_schedule(Name="moving")["CreationDate"]
    # When it is updated to another moment and disabled
    engine_scheduler.update_schedule(
        Name="moving",
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        State="DISABLED",
        Target={"Arn": QUEUE, "RoleArn": ROLE},
    )
    # Then it reads as updated, created when it was
    detail = engine_scheduler.get_schedule(Name="moving")
    assert (detail["ScheduleExpression"], detail["State"]) == ("at(2030-01-01T00:00:00)", "DISABLED")
    assert detail["CreationDate"] == created
    assert error_of(
        lambda: engine_scheduler.update_schedule(
            Name="never",
            ScheduleExpression="at(2030-01-01T00:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": QUEUE, "RoleArn": ROLE},
        )
    ) == ("ResourceNotFoundException", 404)


def test_list_schedules_pages_by_name_prefix(engine_scheduler: Any) -> None:
    # Given seven schedules, five of them named release-*
    engine_scheduler.create_schedule_group(Name="paging")
    for index in range(5):
        create(engine_scheduler, f"release-{index}", "paging")
    create(engine_scheduler, "other-1", "paging")
    create(engine_scheduler, "release-elsewhere", "default")
    # When release-* of the group are listed two at a time
    names = []
    for page in engine_scheduler.get_paginator("list_schedules").paginate(
        GroupName="paging", NamePrefix="release-", PaginationConfig={"PageSize": 2}
    ):
        assert len(page["Schedules"]) <= 2
        names += [s["Name"] for s in page["Schedules"]]
    # Then each comes once, in order, and no other
    assert names == [f"release-{i}" for i in range(5)]
    everything = engine_scheduler.list_schedules()["Schedules"]
    assert len(everything) == 7
    groups = engine_scheduler.list_schedule_groups(NamePrefix="pag")["ScheduleGroups"]
    assert [g["Name"] for g in groups] == ["paging"]


def test_deleting_a_group_deletes_its_schedules(engine_scheduler: Any) -> None:
    engine_scheduler.create_schedule_group(Name="doomed")
    create(engine_scheduler, "inside", "doomed")
    engine_scheduler.delete_schedule_group(Name="doomed")
    assert error_of(lambda: engine_scheduler.get_schedule(Name="inside", GroupName="doomed"))[1] == 404
    assert (
        error_of(lambda: engine_scheduler.delete_schedule_group(Name="default"))[0] == "ValidationException"
    )


def test_due_gives_only_enabled_one_time_schedules_whose_moment_has_come(
    engine: SchedulerEngine, engine_scheduler: Any
) -> None:
    # Given a due schedule, a future one, a disabled due one and a recurring one
    create(engine_scheduler, "due", "default", timedelta(seconds=-5))
    create(engine_scheduler, "later", "default", timedelta(hours=1))
    create(engine_scheduler, "disabled", "default", timedelta(seconds=-5), State="DISABLED")
    engine_scheduler.create_schedule(
        Name="recurring",
        ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": QUEUE, "RoleArn": ROLE},
    )
    # When the poller asks what is due
    due = engine.due(datetime.now(UTC))
    # Then only the due one is, with its whole definition; once fired (kept) it is not due again
    assert [(s["Name"], json.loads(s["Target"]["Input"])) for s in due] == [("due", {"name": "due"})]
    engine.mark_fired("default", "due")
    assert engine.due(datetime.now(UTC)) == []
    assert engine_scheduler.get_schedule(Name="due")["Name"] == "due"


def test_a_schedule_created_before_a_restart_is_due_after_it(tmp_path: Path) -> None:
    # Given a group and an embargo release one second ahead, on an engine that is then stopped
    with serving(SchedulerEngine(tmp_path)) as endpoint:
        scheduler = client(endpoint, "scheduler")
        scheduler.create_schedule_group(Name="releases")
        create(scheduler, "release-b1", "releases", timedelta(seconds=1))
    # When a new engine opens the same folder and the moment has passed
    reopened = SchedulerEngine(tmp_path)
    with serving(reopened) as endpoint:
        scheduler = client(endpoint, "scheduler")
        # Then the group and the schedule are there, and the schedule is due
        assert scheduler.get_schedule_group(Name="releases")["Name"] == "releases"
        assert scheduler.get_schedule(Name="release-b1", GroupName="releases")["State"] == "ENABLED"
        later = datetime.now(UTC) + timedelta(seconds=2)
        assert [s["Name"] for s in reopened.due(later)] == ["release-b1"]
