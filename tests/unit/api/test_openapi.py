"""The committed OpenAPI description is the one the code generates, and it says what clients need."""

from __future__ import annotations

import json
from pathlib import Path

from boletin import openapi

ROOT = Path(__file__).resolve().parents[3]


def test_committed_openapi_is_current() -> None:
    committed = (ROOT / "shared" / "boletin" / "data" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi.dumps(openapi.document()), (
        "openapi.json is stale: run python scripts/generate_openapi.py"
    )


def test_every_template_route_is_described() -> None:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)  # noqa: S506
    paths = json.loads((ROOT / "shared" / "boletin" / "data" / "openapi.json").read_text())["paths"]
    described = {
        (path.replace("{bulletin_id}", "{id}"), method) for path, ops in paths.items() for method in ops
    }
    for name in ("ApiFunction", "SubscriptionsFunction"):
        for event in template["Resources"][name]["Properties"]["Events"].values():
            props = event["Properties"]
            if event["Type"] == "Api" and props["Path"] not in ("/openapi.json", "/docs"):
                assert (props["Path"], props["Method"]) in described


def test_operations_have_summaries_bodies_and_problems() -> None:
    doc = json.loads((ROOT / "shared" / "boletin" / "data" / "openapi.json").read_text())
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), path
            assert not operation["summary"].startswith(method.upper()), path
            assert "x-boletin" not in operation
            if method != "get" and path not in ("/subscriptions/confirm", "/subscriptions/unsubscribe"):
                assert "requestBody" in operation, (method, path)
    post = doc["paths"]["/bulletins"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulletinSubmission"
    }
    assert set(post["responses"]) >= {"201", "401", "422"}
    assert post["security"] == [{"officeKey": []}]
    problem = post["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    listing = doc["paths"]["/bulletins"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"country", "from", "to", "limit", "cursor"}


def test_handlers_do_not_import_the_openapi_module() -> None:
    import subprocess
    import sys

    code = (
        "import importlib.util, sys\n"
        "for name in ('api', 'subscriptions'):\n"
        "    spec = importlib.util.spec_from_file_location(name, f'functions/{name}/app.py')\n"
        "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "assert 'boletin.openapi' not in sys.modules\n"
        "assert 'aws_lambda_powertools.event_handler.openapi.models' not in sys.modules\n"
    )
    env = {"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=env)
