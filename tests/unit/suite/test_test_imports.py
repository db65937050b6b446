"""The test suite's own layout: tests share helpers through tests/support only, and unit tests run
without moto.

A conftest is pytest's to load (importing it again makes a second copy of its module), and a test
module imported by another runs its module-level setup twice and ties two tests' files together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

TESTS = ROOT / "tests"


def imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module a file of `package` imports, at the top or inside a function (`from . import x`
    resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found.add(base)
            # `from tests.x import test_y` imports the module test_y
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(), path.relative_to(ROOT).parent.parts)


def forbidden_test_imports(modules: set[str]) -> list[str]:
    return sorted(
        module
        for module in modules
        if module.split(".")[-1] == "conftest" or module.split(".")[-1].startswith("test_")
    )


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_test_file_imports_a_conftest_or_a_test_module() -> None:
    # Given every Python file of the test suite
    files = python_files(TESTS)
    assert len(files) > 50  # the whole suite was found, not an empty folder
    # When their imports are read
    offenders = {
        str(p.relative_to(ROOT)): bad for p in files if (bad := forbidden_test_imports(imports_of(p)))
    }
    # Then none imports a conftest or another test module: shared helpers live in tests/support
    assert offenders == {}


def test_unit_tests_import_no_moto() -> None:
    # Given every file under tests/unit
    files = python_files(TESTS / "unit")
    # When their imports are read (this guard's own file names the modules only as strings)
    emulating = {
        str(p.relative_to(ROOT)): sorted(m for m in imports_of(p) if m.split(".")[0] == "moto") for p in files
    }
    # Then none needs moto: unit tests use fakes
    assert {name: modules for name, modules in emulating.items() if modules} == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from tests.e2e.conftest import Http\n", ["tests.e2e.conftest"]),
        ("import tests.e2e.conftest\n", ["tests.e2e.conftest"]),
        (
            "def f():\n    from tests.unit.pages.test_bulletin_page import x\n",
            ["tests.unit.pages.test_bulletin_page"],
        ),
        (
            "from tests.integration.local import test_machinery_resources\n",
            ["tests.integration.local.test_machinery_resources"],
        ),
        ("from .conftest import ROOT\n", ["tests.unit.suite.conftest"]),
        ("from tests.support.http import Http\nimport json\n", []),
    ],
)
def test_the_guard_sees_each_way_of_importing_a_test_module(source: str, expected: list[str]) -> None:
    # Given a file of tests/unit/suite with one kind of import
    modules = imported_modules(source, ("tests", "unit", "suite"))
    # When the guard reads it, Then it names exactly the forbidden modules
    assert forbidden_test_imports(modules) == expected
