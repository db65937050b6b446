"""The Lambda layer (`sam build` copies ContentUri into /opt/python) ships the product only: no emulator,
no test or dev code, nothing that imports moto or the local stack."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
DEV_ONLY = {"moto", "devstack", "pytest", "yaml", "tests", "scripts"}


class _Loader(yaml.SafeLoader):
    """template.yaml with its intrinsic functions (!Ref, !Sub...) read as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _layer_folder() -> Path:
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    layers = [
        resource["Properties"]["ContentUri"]
        for resource in template["Resources"].values()
        if resource.get("Type") == "AWS::Serverless::LayerVersion"
    ]
    assert len(layers) == 1
    return ROOT / str(layers[0])


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_layer_folder_holds_only_the_product_package_and_its_requirements() -> None:
    # Given the folder the template builds the layer from
    folder = _layer_folder()
    # Then it holds the boletin package and the requirements sam build installs, nothing else
    shipped = {
        p.name for p in folder.iterdir() if not p.name.endswith(".egg-info") and p.name != "__pycache__"
    }
    assert shipped == {"boletin", "requirements.txt"}


def test_no_module_the_layer_ships_imports_the_emulator_or_dev_tools() -> None:
    # Given every Python module the layer ships
    modules = sorted((_layer_folder() / "boletin").rglob("*.py"))
    assert len(modules) > 20
    # Then none imports moto, the local stack, or test and dev code, even lazily inside a function
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & DEV_ONLY)
        for path in modules
        if _imported_roots(path) & DEV_ONLY
    }
    assert offenders == {}
