"""The Secrets Manager engine answers as moto does (where moto is faithful) and keeps secrets, with
their AWSCURRENT/AWSPREVIOUS versions, across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.aws.secrets import SecretsEngine
from tests.integration.devstack.engine_harness import client, error_of, served_client, serving, unique


@pytest.fixture
def engine_sm(tmp_path: Path) -> Iterator[Any]:
    yield from served_client("secretsmanager", SecretsEngine(tmp_path / "secrets"))


@pytest.fixture(scope="module")
def moto_sm() -> Iterator[Any]:
    yield from served_client("secretsmanager")


def rotate_twice(sm: Any, name: str) -> dict[str, Any]:
    """Create a secret, put two more values; what each read then gives."""
    created = sm.create_secret(Name=name, SecretString="one", Description="signing")
    second = sm.put_secret_value(SecretId=name, SecretString="two")
    third = sm.put_secret_value(SecretId=created["ARN"], SecretString="three")
    current = sm.get_secret_value(SecretId=name)
    previous = sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
    by_id = sm.get_secret_value(SecretId=name, VersionId=third["VersionId"])
    described = sm.describe_secret(SecretId=name)
    return {
        "arn_prefix": created["ARN"].rsplit(":", 1)[0],
        "arn_suffix_length": len(created["ARN"].rsplit("-", 1)[1]),
        "names": (created["Name"], current["Name"], described["Name"]),
        "current": (
            current["SecretString"],
            current["VersionId"] == third["VersionId"],
            current["VersionStages"],
        ),
        "previous": (previous["SecretString"], previous["VersionId"] == second["VersionId"]),
        "by_id": by_id["SecretString"],
        "put_stages": third["VersionStages"],
        "description": described["Description"],
        "stages": sorted(sorted(stages) for stages in described["VersionIdsToStages"].values() if stages),
    }


def test_rotation_stages_answer_as_moto_does(engine_sm: Any, moto_sm: Any) -> None:
    # Given the same secret written three times, on the engine and on moto
    name = unique("signing")
    # When each is read by stage, by version and described
    # Then the answers agree: the newest is AWSCURRENT, the one before AWSPREVIOUS
    ours, theirs = rotate_twice(engine_sm, name), rotate_twice(moto_sm, name)
    assert ours == theirs
    assert ours["current"] == ("three", True, ["AWSCURRENT"])
    assert ours["previous"] == ("two", True)


def test_errors_answer_as_moto_does(engine_sm: Any, moto_sm: Any) -> None:
    # Given a secret on each side
    name = unique("dup")
    for sm in (engine_sm, moto_sm):
        sm.create_secret(Name=name, SecretString="x")
    # When a secret is created twice, or one that does not exist is read or written
    calls = {
        "create twice": lambda sm: sm.create_secret(Name=name, SecretString="y"),
        "read missing": lambda sm: sm.get_secret_value(SecretId=unique("missing")),
        "missing stage": lambda sm: sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS"),
        "put missing": lambda sm: sm.put_secret_value(SecretId=unique("missing"), SecretString="z"),
        "describe missing": lambda sm: sm.describe_secret(SecretId=unique("missing")),
    }
    # Then the engine fails each with moto's error code, and with AWS's status: Secrets Manager
    # answers every client error 400 (moto says 404 for ResourceNotFoundException)
    for what, call in calls.items():
        ours, theirs = error_of(call, engine_sm), error_of(call, moto_sm)
        assert ours[0] == theirs[0], what
        assert ours[1] == 400, what
    assert error_of(lambda: calls["create twice"](engine_sm))[0] == "ResourceExistsException"


def test_a_generated_secret_and_a_binary_one_round_trip(engine_sm: Any) -> None:
    # Given a password from GetRandomPassword stored as a secret, and a binary secret
    password = engine_sm.get_random_password(PasswordLength=64, ExcludePunctuation=True)["RandomPassword"]
    engine_sm.create_secret(Name="generated", SecretString=password)
    engine_sm.create_secret(Name="binary", SecretBinary=b"\x00\x01\xff")
    # When they are read back
    # Then they are what was stored
    assert len(password) == 64
    assert password.isalnum()
    assert engine_sm.get_secret_value(SecretId="generated")["SecretString"] == password
    assert engine_sm.get_secret_value(SecretId="binary")["SecretBinary"] == b"\x00\x01\xff"


def test_update_secret_makes_a_new_current_version_and_update_stage_moves_labels(engine_sm: Any) -> None:
    # Given a secret updated with a new value
    first = engine_sm.create_secret(Name="rotating", SecretString="old")
    updated = engine_sm.update_secret(SecretId="rotating", SecretString="new", Description="d2")
    assert engine_sm.get_secret_value(SecretId="rotating")["SecretString"] == "new"
    # When AWSCURRENT is moved back to the first version (a rotation rolled back)
    engine_sm.update_secret_version_stage(
        SecretId="rotating",
        VersionStage="AWSCURRENT",
        RemoveFromVersionId=updated["VersionId"],
        MoveToVersionId=first["VersionId"],
    )
    # Then the old value is current again and the new one is previous
    assert engine_sm.get_secret_value(SecretId="rotating")["SecretString"] == "old"
    assert (
        engine_sm.get_secret_value(SecretId="rotating", VersionStage="AWSPREVIOUS")["SecretString"] == "new"
    )
    assert engine_sm.describe_secret(SecretId="rotating")["Description"] == "d2"


def test_list_secrets_pages_in_name_order_and_filters_by_name(engine_sm: Any) -> None:
    # Given five secrets
    for index in range(5):
        engine_sm.create_secret(Name=f"list-{index}", SecretString="v")
    engine_sm.create_secret(Name="other", SecretString="v")
    # When they are listed two at a time
    names: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = engine_sm.list_secrets(MaxResults=2, **token)
        assert len(page["SecretList"]) <= 2
        names += [entry["Name"] for entry in page["SecretList"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    # Then every secret comes once, in order; a name filter keeps only the matching ones
    assert names == ["list-0", "list-1", "list-2", "list-3", "list-4", "other"]
    filtered = engine_sm.list_secrets(Filters=[{"Key": "name", "Values": ["list-"]}])["SecretList"]
    assert [entry["Name"] for entry in filtered] == [f"list-{i}" for i in range(5)]


def test_a_deleted_secret_is_refused_until_restored(engine_sm: Any) -> None:
    engine_sm.create_secret(Name="gone", SecretString="v")
    engine_sm.delete_secret(SecretId="gone", RecoveryWindowInDays=7)
    assert error_of(lambda: engine_sm.get_secret_value(SecretId="gone"))[0] == "InvalidRequestException"
    engine_sm.restore_secret(SecretId="gone")
    assert engine_sm.get_secret_value(SecretId="gone")["SecretString"] == "v"
    engine_sm.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
    assert error_of(lambda: engine_sm.describe_secret(SecretId="gone"))[0] == "ResourceNotFoundException"


def test_secrets_survive_a_restart(tmp_path: Path) -> None:
    # Given a secret rotated once, on an engine that is then stopped
    with serving(SecretsEngine(tmp_path)) as endpoint:
        sm = client(endpoint, "secretsmanager")
        arn = sm.create_secret(Name="signing", SecretString="first")["ARN"]
        sm.put_secret_value(SecretId="signing", SecretString="second")
    # When a new engine opens the same folder
    with serving(SecretsEngine(tmp_path)) as endpoint:
        sm = client(endpoint, "secretsmanager")
        # Then the same secret, ARN and versions are there, and creating it again is refused
        assert sm.get_secret_value(SecretId=arn)["SecretString"] == "second"
        assert sm.get_secret_value(SecretId="signing", VersionStage="AWSPREVIOUS")["SecretString"] == "first"
        assert (
            error_of(lambda: sm.create_secret(Name="signing", SecretString="x"))[0]
            == "ResourceExistsException"
        )


def test_a_retried_create_with_the_same_token_is_answered_again(engine_sm: Any) -> None:
    # Given a CreateSecret whose answer was lost (boto3 retries with the same ClientRequestToken)
    token = "11111111-2222-3333-4444-555555555555"
    first = engine_sm.create_secret(Name="retried", SecretString="v", ClientRequestToken=token)
    # When it is sent again
    again = engine_sm.create_secret(Name="retried", SecretString="v", ClientRequestToken=token)
    # Then it gets the same answer, not ResourceExistsException
    assert (again["ARN"], again["VersionId"]) == (first["ARN"], token)
