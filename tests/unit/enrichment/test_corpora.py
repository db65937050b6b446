"""The seed bulletins and the held-out corpora meet the quality targets (scripts/eval_enrichment.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / ".." / "shared" / "data" / "seed-bulletins.json"
HOLDOUT = REPO / "tests" / "data" / "enrichment" / "holdout.json"
HOLDOUT2 = REPO / "tests" / "data" / "enrichment" / "holdout2.json"
DEV = REPO / "tests" / "data" / "enrichment" / "dev.json"


def _eval_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_enrichment", REPO / "scripts" / "eval_enrichment.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", [SEED, HOLDOUT, HOLDOUT2, DEV], ids=["seed", "holdout", "holdout2", "dev"])
def test_given_a_labelled_corpus_when_enriched_then_the_targets_are_met(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not available on this machine")
    ev = _eval_module()
    report = ev.evaluate(path.stem, ev.load(path))
    scores = report.scores()
    missed = {k: round(v, 3) for k, v in scores.items() if v < ev.TARGETS[k]}
    assert not missed, "\n".join(report.errors)


@pytest.mark.parametrize(("path", "size"), [(HOLDOUT, 40), (HOLDOUT2, 50)], ids=["holdout", "holdout2"])
def test_given_a_holdout_corpus_when_loaded_then_it_is_large_and_multilingual(path: Path, size: int) -> None:
    ev = _eval_module()
    bulletins = ev.load(path)
    assert len(bulletins) >= size
    assert {b["expected"]["language"] for b in bulletins} == {"en", "es", "fr", "pt"}
