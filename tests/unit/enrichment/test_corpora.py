"""The project's corpora meet the quality targets (scripts/eval_enrichment.py): the held-out corpora
the issue's targets on unseen text, the tuning corpora the targets they were written against (no
regression). Tests never read the kit: `make eval` scores its real bulletins."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
HOLDOUT = REPO / "tests" / "data" / "enrichment" / "holdout.json"
HOLDOUT2 = REPO / "tests" / "data" / "enrichment" / "holdout2.json"
DEV = REPO / "tests" / "data" / "enrichment" / "dev.json"
REAL_STYLE_TUNING = REPO / "tests" / "data" / "enrichment" / "real-style-tuning.json"
REAL_STYLE_HOLDOUT = REPO / "tests" / "data" / "enrichment" / "real-style-holdout.json"


def _eval_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_enrichment", REPO / "scripts" / "eval_enrichment.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("path", "held_out"),
    [
        (HOLDOUT2, True),
        (REAL_STYLE_HOLDOUT, True),
        (DEV, False),
        (HOLDOUT, False),
        (REAL_STYLE_TUNING, False),
    ],
    ids=["holdout2", "real-style-holdout", "dev", "holdout", "real-style-tuning"],
)
def test_given_a_labelled_corpus_when_enriched_then_the_targets_are_met(path: Path, held_out: bool) -> None:
    # Given a labelled corpus of the repository
    ev = _eval_module()
    # When every bulletin is enriched
    report = ev.evaluate(path.stem, ev.load(path))
    # Then precision/recall meet the targets (per language too, for held-out text)
    missed = report.misses(ev.TARGETS if held_out else ev.TUNING_TARGETS, strict=held_out)
    assert not missed, f"missed {missed}\n" + "\n".join(report.errors)


@pytest.mark.parametrize(("path", "size"), [(HOLDOUT, 40), (HOLDOUT2, 50)], ids=["holdout", "holdout2"])
def test_given_a_holdout_corpus_when_loaded_then_it_is_large_and_multilingual(path: Path, size: int) -> None:
    ev = _eval_module()
    bulletins = ev.load(path)
    assert len(bulletins) >= size
    assert {b["expected"]["language"] for b in bulletins} == {"en", "es", "fr", "pt"}
