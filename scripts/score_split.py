"""Score a saved eval run (`factcheck eval ... --format json --out RUN.json`) on one side of the
training / held-out split (factcheck/evaluation/split.py), e.g. to put a run made before the split
existed next to today's held-out figures.

    .venv/bin/python scripts/score_split.py RUN.json --split heldout [DATASET_DIR ...]

The gold evidence comes from the dataset folders (default: the shipped ones and
../shared/datasets/check-covid), matched by the dataset's folder name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASETS = [
    REPO / "eval" / "alaska-summit",
    REPO / "eval" / "perturbations",
    REPO.parent / "shared" / "datasets" / "check-covid",
]
ORDER = ("supported", "single-source", "contradicted", "unverified")


def main() -> None:
    from factcheck.evaluation import metrics
    from factcheck.evaluation.dataset import load_dataset
    from factcheck.evaluation.split import Split, split_of

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--split", choices=[s.value for s in Split], default="heldout")
    parser.add_argument("datasets", nargs="*", type=Path, default=[d for d in DATASETS if d.is_dir()])
    args = parser.parse_intermixed_args()
    evidence = {d.name: {c.id: c.evidence for c in load_dataset(d).claims} for d in args.datasets}
    split = Split(args.split)
    print(f"{'dataset':14} {'n':>4} {'acc':>6} {'bal':>6} {'evid':>6}  recall (sup/single/contra/unver)")
    for result in json.loads(args.run.read_text())["datasets"]:
        cases = [c for c in result["cases"] if split is Split.ALL or split_of(c["id"]) is split]
        confusion = metrics.confusion_matrix([c["gold"] for c in cases], [c["predicted"] for c in cases])
        gold = evidence[result["dataset"]]
        found = metrics.evidence_recall([(c["gold"], gold[c["id"]], c["cited"]) for c in cases])
        per = metrics.per_label(confusion)
        recall = " ".join(f"{per[k].recall:.2f}" if per[k].support else "  - " for k in ORDER)
        print(f"{result['dataset']:14} {len(cases):>4} {metrics.accuracy(confusion):6.3f} "
              f"{metrics.balanced_accuracy(confusion):6.3f} {found:6.3f}  {recall}")  # fmt: skip


if __name__ == "__main__":
    main()
