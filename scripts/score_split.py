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

from fit_calibration import DATASETS  # the same three sets the thresholds are fitted on (this folder)


def main() -> None:
    from factcheck.evaluation import metrics
    from factcheck.evaluation.dataset import load_dataset
    from factcheck.evaluation.split import Split, in_split

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--split", choices=[s.value for s in Split], default="heldout")
    parser.add_argument("datasets", nargs="*", type=Path, default=[d for d in DATASETS if d.is_dir()])
    args = parser.parse_intermixed_args()
    evidence = {d.name: {c.id: c.evidence for c in load_dataset(d).claims} for d in args.datasets}
    split = Split(args.split)
    print(f"{'dataset':14} {metrics.Headline.COLUMNS}")
    for result in json.loads(args.run.read_text())["datasets"]:
        gold = evidence[result["dataset"]]
        cases = in_split(result["cases"], split, lambda case: case["id"])
        figures = metrics.headline([(c["gold"], c["predicted"], gold[c["id"]], c["cited"]) for c in cases])
        print(f"{result['dataset']:14} {figures.row()}")


if __name__ == "__main__":
    main()
