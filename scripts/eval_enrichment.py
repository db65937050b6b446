"""Measure enrichment against labelled corpora: per-field precision/recall/F1 (micro-averaged over
bulletins) for countries, organisations and topics, and language accuracy, per corpus.

    python scripts/eval_enrichment.py [--verbose] [corpus.json ...]

Default corpora: the seed bulletins (../shared/data/seed-bulletins.json beside the repository), the
tuning corpus tests/data/enrichment/dev.json, the first held-out corpus tests/data/enrichment/holdout.json
(since used for tuning too) and the second held-out corpus tests/data/enrichment/holdout2.json (never tuned
on: the measure on unseen bulletins). Exits 1 when a gating corpus misses a target (dev is reported but,
being tuned on, does not gate).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "data" / "seed-bulletins.json"
DEV = ROOT / "tests" / "data" / "enrichment" / "dev.json"
HOLDOUT = ROOT / "tests" / "data" / "enrichment" / "holdout.json"
HOLDOUT2 = ROOT / "tests" / "data" / "enrichment" / "holdout2.json"
TARGETS = {"countries": 0.95, "organizations": 0.90, "topics": 0.80, "language": 1.0}
FIELDS = ("countries", "organizations", "topics")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, got: set[str], want: set[str]) -> None:
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    name: str
    n: int = 0
    language_ok: int = 0
    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    errors: list[str] = field(default_factory=list)

    @property
    def language_accuracy(self) -> float:
        return self.language_ok / self.n if self.n else 1.0

    def scores(self) -> dict[str, float]:
        out = {f: self.fields[f].f1 for f in FIELDS}
        out["language"] = self.language_accuracy
        return out


def load(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    bulletins: list[dict[str, Any]] = data["bulletins"] if isinstance(data, dict) else data
    return bulletins


def evaluate(name: str, bulletins: list[dict[str, Any]]) -> Report:
    from boletin.enrichment import enrich

    report = Report(name)
    for b in bulletins:
        expected = b["expected"]
        got = enrich(b["title"], b["body"], b.get("language_hint"))
        report.n += 1
        if got.language == expected["language"]:
            report.language_ok += 1
        else:
            report.errors.append(f"  language {got.language} != {expected['language']}: {b['title'][:70]}")
        for f in FIELDS:
            g, w = set(getattr(got, f)), set(expected[f])
            report.fields[f].add(g, w)
            if g != w:
                extra, missing = sorted(g - w), sorted(w - g)
                report.errors.append(f"  {f}: +{extra} -{missing}: {b['title'][:70]}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    corpora = [(p.stem, p, True) for p in args.corpora] or [
        ("seed", SEED, True),
        ("dev", DEV, False),
        ("holdout", HOLDOUT, True),
        ("holdout2", HOLDOUT2, True),
    ]
    failed = False
    for name, path, gate in corpora:
        if not path.exists():
            print(f"{name}: {path} not found", file=sys.stderr)
            failed = failed or gate
            continue
        report = evaluate(name, load(path))
        print(f"== {name} ({report.n} bulletins, {path})")
        for f in FIELDS:
            c = report.fields[f]
            print(
                f"  {f:<14} P={c.precision:.3f} R={c.recall:.3f} F1={c.f1:.3f}"
                f"  (tp={c.tp} fp={c.fp} fn={c.fn})"
            )
        print(f"  {'language':<14} accuracy={report.language_accuracy:.3f}")
        misses = [k for k, v in report.scores().items() if v < TARGETS[k]]
        status = "ok" if not misses else "MISSED " + ", ".join(misses)
        print(f"  targets: {status}{'' if gate else ' (tuning corpus: not gating)'}")
        if args.verbose:
            print("\n".join(report.errors))
        failed = failed or (gate and bool(misses))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
