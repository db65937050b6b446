"""Office scope, disabling and revocation: enforced on every write at once, whatever is cached."""

from __future__ import annotations

from typing import Any

import pytest

from boletin.composition.offices import office_service
from boletin.repositories.bulletins import BulletinRepository
from boletin.settings import get_settings
from tests.support.http import Http
from tests.support.seed import seed_bulletins, submission_of

pytestmark = pytest.mark.e2e


def test_a_submission_tagged_only_outside_the_offices_countries_is_refused(
    stack: Any, http: Http, new_office: Any
) -> None:
    office, key = new_office()
    office_service().set_office_countries(office, ["BZ", "GT"])
    body = submission_of(seed_bulletins()[8])
    refused = http.post("/bulletins", json_body={**body, "countries": ["MX"]}, key=key)
    assert refused.status == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "countries"
    assert "BZ" in problem["errors"][0]["detail"]
    assert http.get(f"/bulletins?office={office}", key=key).json()["items"] == []
    assert http.post("/bulletins", json_body={**body, "countries": ["MX", "BZ"]}, key=key).status == 201
    assert http.post("/bulletins", json_body=body, key=key).status == 201  # untagged: detected later


def test_a_disabled_office_cannot_write_at_once_and_its_bulletins_stay(
    stack: Any, http: Http, new_office: Any
) -> None:
    office, key = new_office()
    created = http.post("/bulletins", json_body=submission_of(seed_bulletins()[0]), key=key)
    assert created.status == 201  # the authorizer's allow is now cached
    stack.wait_until_idle(timeout=20)
    office_service().set_office_status(office, "disabled")
    refused = http.post("/bulletins", json_body=submission_of(seed_bulletins()[1]), key=key)
    assert refused.status == 401
    assert refused.header("Content-Type") == "application/problem+json"
    assert http.get(f"/bulletins/{created.json()['id']}").json()["status"] == "published"
    office_service().set_office_status(office, "active")
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[1]), key=key).status == 201


def test_a_revoked_key_stops_at_once_and_the_new_one_works(stack: Any, http: Http, new_office: Any) -> None:
    office, old_key = new_office()
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[2]), key=old_key).status == 201
    new_key = office_service().rotate_key(office)
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[3]), key=old_key).status == 401
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[3]), key=new_key).status == 201


def test_ops_manage_offices_and_keys_with_the_cli(
    stack: Any, http: Http, capsys: pytest.CaptureFixture[str]
) -> None:
    from boletin.cli import main

    # Given the CLI pointed at the stack's tables (as ops would set OFFICES_TABLE)
    assert main(["offices", "create", "IOM Costa Rica CLI", "--countries", "CR,NI"]) == 0
    printed = capsys.readouterr().out
    office = printed.split("office: ", 1)[1].split()[0]
    key = printed.split("key: ", 1)[1].split()[0]
    assert office == "iom-costa-rica-cli"
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[6]), key=key).status == 201
    # Creating it twice is refused
    assert main(["offices", "create", "IOM Costa Rica CLI"]) == 1
    # Rotating prints a new key and the old one stops working
    assert main(["offices", "rotate", office]) == 0
    new_key = capsys.readouterr().out.split("key: ", 1)[1].split()[0]
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[6]), key=key).status == 401
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[6]), key=new_key).status == 201
    # Revoking every key of the office stops the new one too
    assert main(["offices", "revoke", office]) == 0
    assert http.post("/bulletins", json_body=submission_of(seed_bulletins()[6]), key=new_key).status == 401
    assert main(["offices", "list"]) == 0
    assert office in capsys.readouterr().out


def _bulletin(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "body": "La oficina informa sobre la atención a personas migrantes en Guatemala.",
        "published_on": "2026-11-30",
        "language": "es",
        "countries": ["GT"],
    }


def _office_key_routes_answer(http: Http, key: str, office: str, bulletin_id: str) -> dict[str, int]:
    """The status every route an office key opens gives that key now."""
    return {
        "preview": http.post(
            "/bulletins/preview", json_body=_bulletin("Vista previa del boletín"), key=key
        ).status,
        "own list": http.get(f"/bulletins?office={office}", key=key).status,
        "own bulletin": http.get(f"/bulletins/{bulletin_id}", key=key).status,
        "submit": http.post("/bulletins", json_body=_bulletin("Otro boletín"), key=key).status,
        "withdraw": http.request(
            "DELETE", f"/bulletins/{bulletin_id}", json_body={"reason": "Publicado por error."}, key=key
        ).status,
    }


@pytest.mark.parametrize("how", ["revoke", "rotate", "disable"])
def test_every_route_of_an_office_key_stops_at_once_whatever_the_authorizer_cached(
    stack: Any, http: Http, new_office: Any, how: str
) -> None:
    # Given an office whose key was just allowed on every route (API Gateway caches the allow for 60 s)
    office, key = new_office()
    created = http.post("/bulletins", json_body=_bulletin("Boletín de prueba"), key=key)
    assert created.status == 201
    bulletin_id = created.json()["id"]
    assert (
        http.post("/bulletins/preview", json_body=_bulletin("Vista previa del boletín"), key=key).status
        == 200
    )
    assert http.get(f"/bulletins?office={office}", key=key).status == 200
    # When the key is revoked or rotated, or the office disabled
    if how == "revoke":
        office_service().revoke_keys(office)
    elif how == "rotate":
        office_service().rotate_key(office)
    else:
        office_service().set_office_status(office, "disabled")
    # Then every route refuses the key at once (the cache still holds the allow)
    answers = _office_key_routes_answer(http, key, office, bulletin_id)
    assert answers == dict.fromkeys(answers, 401), answers
    # And the bulletin was not withdrawn
    stored = BulletinRepository(get_settings().bulletins_table).get(bulletin_id, consistent=True)
    assert stored is not None
    assert stored.status != "withdrawn"
    assert stored.withdrawn_reason is None


def _cli(cwd: Any, *args: str) -> Any:
    """`boletin ...` as a user runs it in a shell: no AWS variables at all, in the folder given."""
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "OFFICES_", "BULLETIN", "POWERTOOLS"))
    }
    env.pop("SUBSCRIPTIONS_TABLE", None)
    return subprocess.run(
        [sys.executable, "-m", "boletin.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_creating_an_office_in_the_checkout_while_the_stack_runs_just_works(
    stack: Any, http: Http, tmp_path: Any
) -> None:
    from devstack.__main__ import write_stack_file

    # Given a checkout where `make run` wrote .local/stack.json
    write_stack_file(stack, tmp_path / ".local" / "stack.json")
    # When a newcomer creates an office there, with no AWS environment at all
    created = _cli(tmp_path, "offices", "create", "OIM Guatemala CLI", "--countries", "GT")
    # Then it works, and the printed key submits a bulletin to the running stack
    assert created.returncode == 0, created.stderr
    key = created.stdout.split("key: ", 1)[1].split()[0]
    reply = http.post("/bulletins", json_body=_bulletin("Primer boletín desde la CLI"), key=key)
    assert reply.status == 201


def test_every_cli_failure_is_one_clear_line_never_a_traceback(stack: Any, tmp_path: Any) -> None:
    from devstack.__main__ import write_stack_file

    # Given no stack file and no AWS settings at all
    missing = _cli(tmp_path, "offices", "list")
    assert missing.returncode != 0
    assert "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "OFFICES_TABLE" in missing.stderr
    # Given a table but no region or credentials
    no_region = _cli(tmp_path, "--offices-table", "offices", "offices", "list")
    assert "Traceback" not in no_region.stderr
    assert len(no_region.stderr.strip().splitlines()) == 1
    assert "region" in no_region.stderr or "credentials" in no_region.stderr
    # Given a stack file whose stack is gone
    write_stack_file(stack, tmp_path / ".local" / "stack.json")
    stale = (tmp_path / ".local" / "stack.json").read_text().replace(stack.moto_url, "http://127.0.0.1:9")
    (tmp_path / ".local" / "stack.json").write_text(stale)
    gone = _cli(tmp_path, "offices", "list")
    assert gone.returncode == 1
    assert "Traceback" not in gone.stderr
    assert "make run" in gone.stderr
    # And a user's own mistake (an office that does not exist)
    write_stack_file(stack, tmp_path / ".local" / "stack.json")
    unknown = _cli(tmp_path, "offices", "disable", "no-such-office")
    assert unknown.returncode == 1
    assert unknown.stderr.count("\n") == 1
    assert "Traceback" not in unknown.stderr
