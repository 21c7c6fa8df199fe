"""The full evaluation (`make eval`): both shipped datasets in five modes, one JSON file per mode
in benchmarks/results/eval-<mode>.json, then one compact table of the figures.

    .venv/bin/python scripts/run_eval.py                       # every mode, smollm2-135m
    .venv/bin/python scripts/run_eval.py --modes no-model oracle-stances
    .venv/bin/python scripts/run_eval.py --table-only          # the table from the saved files

The fast modes (no model; oracle stances) run `factcheck eval` as a user would. The three model
modes differ only in how the model's judgements are combined (judge weight, deterministic checks),
never in which documents the model reads or what it answers, so they run in this process, one
factcheck.evaluation.evaluate() call per mode, sharing one loaded model through SharedJudgements,
which reads each (claim, document) once: the first model mode measures the time, the others reuse
its judgements and their s/claim (marked *) leaves out the model's time. Each mode's file is
written when the mode has checked every dataset: an interrupted run leaves the files of the modes
it finished, and no partial figures (evaluate() scores a dataset once all its claims are checked).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATASETS = [REPO / "eval" / "alaska-summit", REPO / "eval" / "perturbations"]
RESULTS = REPO / "benchmarks" / "results"
# mode -> the `factcheck eval` options it stands for, fast modes first
MODES: dict[str, list[str]] = {
    "no-model": ["--no-model"],
    "oracle-stances": ["--oracle-stances"],
    "default": [],
    "judge-weight-1": ["--judge-weight", "1"],
    "no-checks": ["--no-checks"],
}
FAST_MODES = ("no-model", "oracle-stances")
REUSE_NOTE = "judgements reused from an earlier mode of the same run: seconds_per_claim leaves out model time"
COLUMNS = ("accuracy", "balanced_accuracy", "macro_f1", "evidence_recall", "seconds_per_claim")
HEADER = ("mode", "dataset", "n", "accuracy", "bal. acc.", "macro-F1", "evid. recall", "s/claim")


def run_mode(mode: str, model: str, datasets: list[Path], out: Path) -> float:
    factcheck = Path(sys.executable).parent / "factcheck"
    command = [
        str(factcheck),
        "--model",
        model,
        "eval",
        *map(str, datasets),
        *MODES[mode],
        "--format",
        "json",
        "--out",
        str(out),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO)
    return time.perf_counter() - started


class SharedJudgements:
    """A judge that asks the wrapped one once per (claim, document, passages) and replays the
    answer after that. Replaying is exact: a judgement does not depend on what was judged before."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.smoke_test = inner.smoke_test
        self.prompt_hash = inner.prompt_hash
        self.memo: dict[tuple[Any, ...], Any] = {}

    def judge(self, claim: str, doc_id: str, passages: Any) -> Any:
        key = (claim, doc_id, tuple((p.chunk_id, p.text) for p in passages))
        if key not in self.memo:
            self.memo[key] = self.inner.judge(claim, doc_id, passages)
        return self.memo[key]


OPTIONS = {  # the model modes, as CheckOptions keyword arguments
    "default": {},
    "judge-weight-1": {"judge_weight": 1.0},
    "no-checks": {"deterministic_checks": False},
}


def run_model_modes(modes: list[str], model: str, datasets: list[Path], results: Path) -> None:
    """Every claim in every model mode, mode after mode, each mode's file written when it is done;
    the first mode asks the model, the others replay its judgements."""
    from factcheck.check.judge import load_judge
    from factcheck.check.session import CheckOptions
    from factcheck.config import load_settings
    from factcheck.evaluation import EvalOptions, evaluate, load_dataset

    settings = load_settings(model=model)
    judge = SharedJudgements(load_judge(settings))
    loaded = [load_dataset(path) for path in datasets]
    total = sum(len(d.claims) for d in loaded)
    for n, mode in enumerate(modes):
        options = EvalOptions(CheckOptions(use_cache=False, **OPTIONS[mode]))
        run = evaluate(settings, loaded, options, on_claim=progress(mode, total), judge=judge).as_json()
        if n > 0:
            run["note"] = REUSE_NOTE
        (results / f"eval-{mode}.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


def progress(mode: str, total: int) -> Callable[[Any, Any], None]:
    """evaluate()'s on_claim hook: one line per claim checked, on stderr."""
    checked = 0

    def claim_done(dataset: Any, result: Any) -> None:
        nonlocal checked
        checked += 1
        print(f"{mode} {checked}/{total} {dataset.name} {result.id}", file=sys.stderr, flush=True)

    return claim_done


def rows(results: Path, modes: list[str]) -> list[tuple[str, ...]]:
    found = []
    for mode in modes:
        path = results / f"eval-{mode}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for d in data["datasets"]:
            figures = [f"{d[key]:.2f}" if key == "seconds_per_claim" else f"{d[key]:.3f}" for key in COLUMNS]
            if "note" in data:
                figures[-1] += "*"
            found.append((mode, d["dataset"], str(d["n"]), *figures))
    return found


def print_table(table: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *table]) for i in range(len(HEADER))]
    for n, row in enumerate([HEADER, *table]):
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--datasets", type=Path, nargs="+", default=DATASETS)
    parser.add_argument("--table-only", action="store_true", help="print the table from the saved files")
    args = parser.parse_args()
    if not args.table_only:
        args.results.mkdir(parents=True, exist_ok=True)
        for mode in [m for m in args.modes if m in FAST_MODES]:
            seconds = run_mode(mode, args.model, args.datasets, args.results / f"eval-{mode}.json")
            print(f"{mode}: {seconds:.0f} s", file=sys.stderr, flush=True)
        model_modes = [m for m in args.modes if m not in FAST_MODES]
        if model_modes:
            run_model_modes(model_modes, args.model, args.datasets, args.results)
    table = rows(args.results, args.modes)
    print_table(table)
    if any(row[-1].endswith("*") for row in table):
        print(f"* {REUSE_NOTE}")


if __name__ == "__main__":
    main()
