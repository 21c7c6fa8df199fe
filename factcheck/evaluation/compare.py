"""What changed between two eval runs: the cases whose prediction flipped, and the metric deltas.
Works on the JSON form of runs, so a run saved with `--format json` is the `--compare` input."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factcheck.errors import ConfigError

COMPARED_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "evidence_recall",
    "error_rate",
    "seconds_per_claim",
    "tokens_per_claim",
)


@dataclass(frozen=True)
class Flip:
    dataset: str
    id: str
    gold: str
    before: str
    after: str

    @property
    def correct(self) -> bool:
        return self.after == self.gold


@dataclass(frozen=True)
class Delta:
    dataset: str
    metric: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    flips: tuple[Flip, ...]
    deltas: tuple[Delta, ...]
    only_now: tuple[str, ...] = ()  # datasets not in the previous run
    only_before: tuple[str, ...] = ()  # datasets of the previous run not in this one

    def as_json(self) -> dict[str, Any]:
        return {
            "flips": [vars(f) | {"correct": f.correct} for f in self.flips],
            "deltas": [vars(d) | {"change": d.change} for d in self.deltas],
            "only_now": list(self.only_now),
            "only_before": list(self.only_before),
        }


def datasets_of(data: Any) -> list[dict[str, Any]]:
    """The dataset objects of a saved run: {"datasets": [...]}, or a bare list of them."""
    found = data.get("datasets") if isinstance(data, dict) else data
    if not isinstance(found, list) or not all(_is_dataset(d) for d in found):
        raise ValueError('expected {"datasets": [...]} as written by factcheck eval --format json')
    return found


def _is_dataset(data: Any) -> bool:
    cases = data.get("cases", []) if isinstance(data, dict) else None
    return (
        isinstance(data, dict)
        and isinstance(data.get("dataset"), str)
        and isinstance(cases, list)
        and all(isinstance(c, dict) and {"id", "gold", "predicted"} <= c.keys() for c in cases)
    )


def load_previous(path: Path) -> list[dict[str, Any]]:
    try:
        return datasets_of(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:  # includes json.JSONDecodeError
        raise ConfigError(f"{path}: not a saved eval run: {exc}") from exc


def compare_runs(previous: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]]) -> Comparison:
    """Flips and deltas for every dataset in both runs, matched by name; cases matched by id."""
    before = {d["dataset"]: d for d in previous}
    flips: list[Flip] = []
    deltas: list[Delta] = []
    for now in current:
        old = before.get(now["dataset"])
        if old is None:
            continue
        flips += _flips(now["dataset"], old.get("cases", []), now.get("cases", []))
        deltas += [
            Delta(now["dataset"], m, float(old[m]), float(now[m]))
            for m in COMPARED_METRICS
            if isinstance(old.get(m), (int, float)) and isinstance(now.get(m), (int, float))
        ]
    names_now = [d["dataset"] for d in current]
    return Comparison(
        tuple(flips),
        tuple(deltas),
        only_now=tuple(n for n in names_now if n not in before),
        only_before=tuple(n for n in before if n not in names_now),
    )


def _flips(dataset: str, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Flip]:
    predicted_before = {c["id"]: c["predicted"] for c in old}
    return [
        Flip(dataset, c["id"], c["gold"], predicted_before[c["id"]], c["predicted"])
        for c in new
        if c["id"] in predicted_before and predicted_before[c["id"]] != c["predicted"]
    ]
