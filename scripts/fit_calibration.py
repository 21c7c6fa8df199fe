"""Fit the combination thresholds (factcheck/check/combine.py, Calibration) on the training split
of the eval datasets, without a model, and report them on the held-out split the fit never saw.

    .venv/bin/python scripts/fit_calibration.py                  # fit, then print the table
    .venv/bin/python scripts/fit_calibration.py --signals-cache /tmp/signals.pkl   # reuse signals

Each claim is read once: the checker's per-document signals (similarities, coverage, findings)
do not depend on the thresholds, which only combine() applies, so the search replays combine()
and aggregate() over stored signals. The objective is the mean, over datasets, of the average of
accuracy and balanced accuracy on the training claims; the search is coordinate descent over a
grid per threshold, from the current defaults. It prints the fitted values as Python (to paste
into Calibration), then train and held-out figures for the old thresholds with the new signals
off, the fitted thresholds, and the fitted thresholds with each new signal switched off.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATASETS = [
    REPO / "eval" / "alaska-summit",
    REPO / "eval" / "perturbations",
    REPO.parent / "shared" / "datasets" / "check-covid",
]
GRID: dict[str, list[float]] = {
    "support_similarity": [x / 100 for x in range(50, 86, 2)],
    "topic_similarity": [x / 100 for x in range(20, 62, 2)],
    "support_part_similarity": [x / 100 for x in range(55, 96, 3)] + [2.0],
    "support_coverage": [x / 100 for x in range(50, 101, 5)] + [2.0],
    "negation_coverage": [x / 100 for x in range(20, 101, 5)] + [2.0],
    "coverage_similarity": [x / 100 for x in range(20, 71, 3)],
    "place_similarity": [x / 100 for x in range(20, 71, 3)] + [2.0],
    "place_coverage": [x / 100 for x in range(0, 91, 5)],
    "negation_similarity": [x / 100 for x in range(30, 91, 3)],
}
ROUNDS = 3


@dataclass
class Claim:
    dataset: str
    id: str
    gold: str
    heldout: bool
    evidence: tuple[str, ...]
    signals: list[Any]
    groups: list[list[str]]


def read_signals(datasets: list[Path]) -> list[Claim]:
    from factcheck.check.pipeline import MAX_CLAIM_CHARS, ClaimInput
    from factcheck.check.session import CheckOptions, CheckSession
    from factcheck.config import load_settings
    from factcheck.evaluation.dataset import load_dataset
    from factcheck.evaluation.run import ingest_dataset
    from factcheck.evaluation.split import Split, split_of
    from factcheck.models.embedding import load_embedder

    settings = load_settings()
    embedder = load_embedder(settings)
    claims = []
    for folder in datasets:
        dataset = load_dataset(folder)
        store = ingest_dataset(settings, dataset, embedder)
        session = CheckSession(settings, CheckOptions(use_model=False, use_cache=False), store_dir=store)
        for n, gold in enumerate(dataset.claims, 1):
            text = gold.claim[:MAX_CLAIM_CHARS]
            signals = session.signals(ClaimInput(gold.id, text))
            heldout = split_of(gold.id) is Split.HELDOUT
            claims.append(
                Claim(
                    dataset.name,
                    gold.id,
                    gold.label,
                    heldout,
                    gold.evidence,
                    signals,
                    [list(g) for g in session.groups],
                )
            )
            print(f"\r{dataset.name}: {n}/{len(dataset.claims)}", end="", file=sys.stderr)
        print(file=sys.stderr)
    return claims


def judged(claims: list[Claim], cal: Any) -> list[tuple[str, dict[str, str]]]:
    """Each claim's verdict, and the documents it cited as supporting or refuting (doc -> stance)."""
    from factcheck.check.aggregate import aggregate
    from factcheck.check.combine import combine

    out = []
    for claim in claims:
        sources = [combine(s, cal) for s in claim.signals]
        cited = {s.doc_id: s.stance.value for s in sources if s.stance.value in ("supports", "refutes")}
        out.append((aggregate(sources, claim.groups)[0].value, cited))
    return out


def figures(claims: list[Claim], cal: Any) -> dict[str, Any]:
    """dataset -> its metrics.Headline."""
    from factcheck.evaluation.metrics import headline

    results = judged(claims, cal)
    rows = [(c, (c.gold, verdict, c.evidence, cited)) for c, (verdict, cited) in zip(claims, results, strict=True)]
    return {
        name: headline([row for c, row in rows if c.dataset == name])
        for name in dict.fromkeys(c.dataset for c in claims)
    }


def objective(claims: list[Claim], cal: Any) -> float:
    """Mean over datasets of the mean of accuracy, balanced accuracy and evidence recall: a right
    verdict for the wrong documents is only a third right."""
    per = figures(claims, cal).values()
    return sum((f.accuracy + f.balanced_accuracy + f.evidence_recall) / 3 for f in per) / len(per)


def fit(train: list[Claim], start: Any) -> Any:
    cal, best = start, objective(train, start)
    for _ in range(ROUNDS):
        improved = False
        for name, grid in GRID.items():
            for value in grid:
                trial = replace(cal, **{name: value})
                score = objective(train, trial)
                if score > best + 1e-9:
                    cal, best, improved = trial, score, True
        if not improved:
            break
    return cal


def table(rows: list[tuple[str, list[Claim], Any]]) -> None:
    from factcheck.evaluation.metrics import Headline

    print(f"{'thresholds':38} {'split':8} {'dataset':14} {Headline.COLUMNS}")
    for label, claims, cal in rows:
        split = "heldout" if claims[0].heldout else "train"
        for name, figures_of in figures(claims, cal).items():
            print(f"{label:38} {split:8} {name:14} {figures_of.row()}")


def main() -> None:
    from factcheck.check.combine import SIGNALS, Calibration

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--signals-cache", type=Path, help="read the signals from this file if it exists, else write them there"
    )
    parser.add_argument("datasets", nargs="*", type=Path, default=[d for d in DATASETS if d.is_dir()])
    args = parser.parse_intermixed_args()
    if args.signals_cache and args.signals_cache.is_file():
        claims = pickle.loads(args.signals_cache.read_bytes())
    else:
        claims = read_signals(args.datasets)
        if args.signals_cache:
            args.signals_cache.write_bytes(pickle.dumps(claims))
    train = [c for c in claims if not c.heldout]
    heldout = [c for c in claims if c.heldout]
    # the thresholds before this fit (grid-searched in-sample on two datasets), signals of then only
    before = Calibration(support_similarity=0.65, topic_similarity=0.40, signals=frozenset())
    fitted = fit(train, Calibration())
    print("# fitted on the training split by scripts/fit_calibration.py")
    for f in fields(Calibration):
        if f.name in GRID:
            print(f"{f.name} = {getattr(fitted, f.name)}")
    print()
    rows = [("before: old thresholds, no new signals", before), ("fitted, all signals", fitted)]
    rows += [(f"fitted, without {name}", replace(fitted, signals=fitted.signals - {name})) for name in SIGNALS]
    table([(label, part, cal) for label, cal in rows for part in (train, heldout)])


if __name__ == "__main__":
    main()
