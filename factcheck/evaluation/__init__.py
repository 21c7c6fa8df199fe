"""The evaluation suite: labelled datasets run through the real checking pipeline, and scored.

- dataset.py  reading and validating a dataset folder (corpus/ + claims.jsonl)
- metrics.py  the scores, as pure functions
- run.py      ingest into a per-dataset store, check every claim (one embedder and one judge,
              loaded once for every dataset), score; the oracle judge
- compare.py  flips and metric deltas against a saved run
- render.py   JSON, Markdown and HTML, registered by name in RENDERERS; table.py the terminal view
"""

from factcheck.evaluation.compare import Comparison, compare_runs, load_previous
from factcheck.evaluation.dataset import Dataset, DatasetError, GoldClaim, load_dataset
from factcheck.evaluation.run import DatasetResult, EvalOptions, EvalRun, OracleJudge, evaluate, evaluate_dataset

__all__ = [
    "Comparison",
    "Dataset",
    "DatasetError",
    "DatasetResult",
    "EvalOptions",
    "EvalRun",
    "GoldClaim",
    "OracleJudge",
    "compare_runs",
    "evaluate",
    "evaluate_dataset",
    "load_dataset",
    "load_previous",
]
