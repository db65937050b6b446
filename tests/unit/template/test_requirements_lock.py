"""requirements.lock is what `make setup` installs (hashes checked) and `make audit` audits; the layer's
shared/requirements.txt is what `sam build` installs: both exact versions from the index, the same ones."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!-]+)(?:\s*;.*)?$")


def _blocks(path: Path) -> list[list[str]]:
    """Each requirement with its continuation lines (`\\`-joined), comments dropped."""
    blocks: list[list[str]] = []
    continued = False
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("--hash") else raw.strip()
        if not line:
            continue
        part = line.removesuffix("\\").strip()
        if continued:
            blocks[-1].append(part)
        else:
            blocks.append([part])
        continued = line.endswith("\\")
    return blocks


def _versions(path: Path) -> dict[str, str]:
    found = {}
    for block in _blocks(path):
        match = REQUIREMENT.match(block[0])
        assert match, block[0]
        found[match["name"].lower().replace("_", "-")] = match["version"]
    return found


def test_every_locked_package_is_pinned_to_a_version_from_the_index_with_its_hashes() -> None:
    # Given the lock `make lock` wrote
    blocks = _blocks(ROOT / "requirements.lock")
    # Then each entry is `name==version` (no local file, URL or VCS reference that another machine
    # could not install and pip-audit could not look up), with the hashes the installer checks
    assert len(blocks) > 20
    unpinned = [block[0] for block in blocks if not REQUIREMENT.match(block[0])]
    assert unpinned == []
    unhashed = [block[0] for block in blocks if not any(p.startswith("--hash=sha256:") for p in block[1:])]
    assert unhashed == []


def test_the_layer_installs_the_locked_versions_of_its_runtime_packages() -> None:
    # Given the lock and the layer's requirements
    locked = _versions(ROOT / "requirements.lock")
    layer = _versions(ROOT / "shared" / "requirements.txt")
    # Then the layer pins the product's runtime packages, each at the version tests ran with
    assert {"aws-lambda-powertools", "pydantic", "nh3"} <= set(layer)
    assert {name: version for name, version in layer.items() if locked.get(name) != version} == {}
