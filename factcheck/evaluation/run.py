"""Running a dataset through the real pipeline: ingest its corpus into a store of its own, check
every claim with a CheckSession, and score the verdicts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.evaluation import metrics
from factcheck.evaluation.dataset import Dataset, DatasetError, GoldClaim
from factcheck.evaluation.split import Split, in_split
from factcheck.schema import JUDGED_STANCES, ClaimResult, Judgement, Passage, Stance

if TYPE_CHECKING:
    from factcheck.check.judge import Judge
    from factcheck.check.selection import Choice
    from factcheck.check.session import CheckOptions
    from factcheck.config import Settings
    from factcheck.models.embedding import Embedder

ORACLE_NAME = "oracle-stances"
OnClaim = Callable[[ClaimResult], None]


def _check_options() -> CheckOptions:
    from factcheck.check.session import CheckOptions

    return CheckOptions()


@dataclass(frozen=True)
class EvalOptions:
    """A checking run's options (CheckOptions: the same object `check` uses), and what only an
    eval has: the oracle and the split. The check options' judge_weight None means the model
    preset's own weight, or 1 with the oracle, so that the gold stance decides wherever the judge
    is asked; the result cache is always off, so seconds and tokens per claim mean what they say."""

    check: CheckOptions = field(default_factory=_check_options)
    oracle_stances: bool = False
    split: Split = Split.ALL  # which claims: the training or held-out side, or all (split.py)

    @property
    def use_model(self) -> bool:
        return self.check.use_model

    @property
    def deterministic_checks(self) -> bool:
        return self.check.deterministic_checks

    def check_options(self) -> CheckOptions:
        weight = 1.0 if self.oracle_stances and self.check.judge_weight is None else self.check.judge_weight
        return replace(self.check, judge_weight=weight, use_cache=False)


@dataclass(frozen=True)
class Case:
    id: str
    gold: str
    predicted: str
    cited: dict[str, str]  # document -> stance, for the documents that support or refute the claim
    evidence: tuple[str, ...]  # the gold evidence (not repeated in the JSON: it is in the dataset)

    @property
    def correct(self) -> bool:
        return self.gold == self.predicted

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "gold": self.gold,
            "predicted": self.predicted,
            "cited": self.cited,
            "correct": self.correct,
        }


@dataclass(frozen=True)
class DatasetResult:
    dataset: str
    n: int
    accuracy: float
    balanced_accuracy: float
    macro_f1: float
    per_label: dict[str, metrics.LabelScores]
    confusion: metrics.Confusion
    evidence_recall: float
    error_rate: float  # share of all document stances that are `error`
    seconds_per_claim: float
    tokens_per_claim: float  # model tokens (prompt + completion) per claim
    model: str
    embedder: str
    cases: tuple[Case, ...]
    judge_weight: float = 0.0  # as used; reported once per run, not per dataset

    def as_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "n": self.n,
            "accuracy": self.accuracy,
            "balanced_accuracy": self.balanced_accuracy,
            "macro_f1": self.macro_f1,
            "per_label": {label: vars(s).copy() for label, s in self.per_label.items()},
            "confusion": self.confusion,
            "evidence_recall": self.evidence_recall,
            "error_rate": self.error_rate,
            "seconds_per_claim": self.seconds_per_claim,
            "tokens_per_claim": self.tokens_per_claim,
            "model": self.model,
            "embedder": self.embedder,
            "cases": [case.as_json() for case in self.cases],
        }


@dataclass(frozen=True)
class EvalRun:
    datasets: tuple[DatasetResult, ...]
    options: EvalOptions
    created: str

    def as_json(self) -> dict[str, Any]:
        from factcheck.check.session import consults_model

        weight = self.datasets[0].judge_weight if self.datasets else None
        mode = {
            "use_model": self.options.use_model,
            "deterministic_checks": self.options.deterministic_checks,
            "judge_weight": weight,
            # False: the model was named but not asked (weight 0), as with use_model false.
            "model_consulted": consults_model(self.options.use_model, weight or 0.0),
            "oracle_stances": self.options.oracle_stances,
            "split": self.options.split.value,
            "signals": sorted(self.options.check_options().signals),
        }
        return {"datasets": [d.as_json() for d in self.datasets], "mode": mode, "created": self.created}


# --- scoring ------------------------------------------------------------------------------------


def score(
    name: str,
    claims: Sequence[GoldClaim],
    results: Sequence[ClaimResult],
    *,
    seconds: float,
    model_tokens: int,
    model: str,
    embedder: str,
    judge_weight: float = 0.0,
) -> DatasetResult:
    """The metrics of one dataset from its gold claims and the checker's results (same order)."""
    cases = tuple(_case(gold, result) for gold, result in zip(claims, results, strict=True))
    confusion = metrics.confusion_matrix([c.gold for c in cases], [c.predicted for c in cases])
    stances = [s.stance for r in results for s in r.sources]
    n = len(cases)
    return DatasetResult(
        dataset=name,
        n=n,
        accuracy=metrics.accuracy(confusion),
        balanced_accuracy=metrics.balanced_accuracy(confusion),
        macro_f1=metrics.macro_f1(confusion),
        per_label=metrics.per_label(confusion),
        confusion=confusion,
        evidence_recall=metrics.evidence_recall([(c.gold, c.evidence, c.cited) for c in cases]),
        error_rate=metrics.ratio(sum(s is Stance.ERROR for s in stances), len(stances)),
        seconds_per_claim=metrics.ratio(seconds, n),
        tokens_per_claim=metrics.ratio(model_tokens, n),
        model=model,
        embedder=embedder,
        cases=cases,
        judge_weight=judge_weight,
    )


def _case(gold: GoldClaim, result: ClaimResult) -> Case:
    cited = {s.doc_id: s.stance.value for s in result.sources if s.stance in (Stance.SUPPORTS, Stance.REFUTES)}
    return Case(gold.id, gold.label, result.verdict.value, cited, gold.evidence)


# --- the oracle ---------------------------------------------------------------------------------


def gold_stance(claim: GoldClaim, doc_id: str) -> Stance:
    """What a perfect reader of doc_id would answer: the stance the gold label needs from an
    evidence document, and not_mentioned from every other one."""
    wanted = metrics.EVIDENCE_STANCE.get(claim.label)
    return Stance(wanted) if wanted is not None and doc_id in claim.evidence else Stance.NOT_MENTIONED


class OracleJudge:
    """A Judge that answers every document's gold stance with probability 1. Run with judge
    weight 1, it takes the model out of the evaluation: what is left to score is retrieval (was
    the judge asked about the document at all?) and aggregation."""

    name = ORACLE_NAME
    smoke_test = False

    def __init__(self, claims: Sequence[GoldClaim]) -> None:
        self._by_text = {c.claim: c for c in claims}
        gold = [(c.id, c.claim, c.label, c.evidence) for c in claims]
        self.prompt_hash = hashlib.sha256(json.dumps(gold).encode()).hexdigest()

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        stance = gold_stance(self._gold(claim), doc_id)
        return Judgement(stance=stance, probabilities={s.value: float(s is stance) for s in JUDGED_STANCES})

    def _gold(self, claim: str) -> GoldClaim:
        found = self._by_text.get(claim)
        if found is None:  # the checker trims very long claims
            found = next((c for text, c in self._by_text.items() if text.startswith(claim)), None)
        if found is None:
            raise DatasetError(f"the oracle was asked about a claim that is not in the dataset: {claim[:80]!r}")
        return found


# --- running ------------------------------------------------------------------------------------


def store_dir(settings: Settings, dataset: Dataset) -> Path:
    """The dataset's own store, shared by every run on the same corpus files."""
    return settings.home / "eval" / dataset.corpus_hash[:16]


def ingest_dataset(settings: Settings, dataset: Dataset, embedder: Embedder) -> Path:
    """Ingest the corpus into the dataset's store (unchanged documents are skipped) and return
    where it is. A document that cannot be ingested makes the dataset unusable."""
    from factcheck.corpus.ingest import ChunkingPolicy, Ingestor
    from factcheck.schema import IngestSummary
    from factcheck.store import open_store

    folder = store_dir(settings, dataset)
    store = open_store(settings, folder)  # Ingestor.run holds the store's writer lock
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    summary = IngestSummary()
    Ingestor(store, embedder, policy, settings.max_file_bytes).run(dataset.documents, summary)
    if summary.skipped:
        raise DatasetError("; ".join(f"{o.path}: {o.message}" for o in summary.skipped))
    return folder


def evaluate(
    settings: Settings,
    datasets: Sequence[Dataset],
    options: EvalOptions = EvalOptions(),
    on_claim: Callable[[Dataset, ClaimResult], None] | None = None,
    *,
    judge: Judge | None = None,
) -> EvalRun:
    """Every dataset, one after the other, each against its own store. The embedder and the judge
    are loaded once and shared by every dataset; every corpus is ingested before the judge is
    loaded, so that a broken dataset costs no model load. `judge`: one to ask instead of the one
    settings.model names (the oracle replaces either)."""
    from factcheck.check.session import choose_judging
    from factcheck.models.embedding import load_embedder

    embedder = load_embedder(settings)
    folders = [ingest_dataset(settings, dataset, embedder) for dataset in datasets]
    # The oracle answers each dataset's own gold stances: it is chosen per dataset (nothing to load).
    judging = None if options.oracle_stances else choose_judging(settings, options.check_options(), judge)
    results = []
    for dataset, folder in zip(datasets, folders, strict=True):
        hook = (lambda result, d=dataset: on_claim(d, result)) if on_claim is not None else None
        results.append(_check_dataset(settings, dataset, folder, options, hook, embedder=embedder, judging=judging))
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return EvalRun(tuple(results), options, created)


def evaluate_dataset(
    settings: Settings,
    dataset: Dataset,
    options: EvalOptions = EvalOptions(),
    on_claim: OnClaim | None = None,
    *,
    judge: Judge | None = None,
) -> DatasetResult:
    """One dataset: ingest, check every claim, score (evaluate() over it alone)."""
    hook = (lambda _, result: on_claim(result)) if on_claim is not None else None
    return evaluate(settings, [dataset], options, hook, judge=judge).datasets[0]


def _check_dataset(
    settings: Settings,
    dataset: Dataset,
    folder: Path,
    options: EvalOptions,
    on_claim: OnClaim | None,
    *,
    embedder: Embedder,
    judging: Choice | None,
) -> DatasetResult:
    """Check every claim of the split against the dataset's store, and score the verdicts."""
    from factcheck.check.pipeline import ClaimInput
    from factcheck.check.session import CheckSession, choose_judging

    claims = in_split(dataset.claims, options.split)
    check_options = options.check_options()
    if judging is None:  # the oracle
        judging = choose_judging(settings, check_options, OracleJudge(claims))
    session = CheckSession(settings, check_options, store_dir=folder, embedder=embedder, judging=judging)
    results = session.check([ClaimInput(id=c.id, claim=c.claim) for c in claims], progress=on_claim)
    batch = session.last_batch
    return score(
        dataset.name,
        claims,
        results,
        seconds=batch.seconds,
        model_tokens=batch.usage.tokens,
        model=session.model_name,
        embedder=session.embedder_id,
        judge_weight=session.judge_weight,
    )
