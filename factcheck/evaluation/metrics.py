"""Scores of predicted verdicts against gold labels. Pure functions over plain values.

Every ratio whose denominator is zero is 0.0 (as scikit-learn's `zero_division=0`): a label never
predicted has precision 0, a label absent from gold has recall 0, and so on. Which labels enter
each average is said where it is computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from factcheck.schema import Stance, Verdict

# Every verdict, in the order tables show them: from most to least support.
LABELS: tuple[str, ...] = tuple(
    v.value for v in (Verdict.SUPPORTED, Verdict.SINGLE_SOURCE, Verdict.CONTRADICTED, Verdict.UNVERIFIED)
)
Confusion = dict[str, dict[str, int]]  # gold label -> predicted label -> count

# The stance a gold evidence document must take for the claim's gold label to count as found.
EVIDENCE_STANCE: dict[str, str] = {
    Verdict.SUPPORTED.value: Stance.SUPPORTS.value,
    Verdict.SINGLE_SOURCE.value: Stance.SUPPORTS.value,
    Verdict.CONTRADICTED.value: Stance.REFUTES.value,
}


@dataclass(frozen=True)
class LabelScores:
    precision: float
    recall: float
    f1: float
    support: int  # gold claims with this label


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or 0.0 when the denominator is 0."""
    return numerator / denominator if denominator else 0.0


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> Confusion:
    """Counts of (gold, predicted) pairs, every label in both axes (zeros included)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    unknown = (set(gold) | set(predicted)) - set(labels)
    if unknown:
        raise ValueError(f"labels not in {list(labels)}: {sorted(unknown)}")
    matrix = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += 1
    return matrix


def total(confusion: Confusion) -> int:
    return sum(sum(row.values()) for row in confusion.values())


def accuracy(confusion: Confusion) -> float:
    return ratio(sum(confusion[label][label] for label in confusion), total(confusion))


def per_label(confusion: Confusion) -> dict[str, LabelScores]:
    """Precision, recall, F1 and support of every label of the matrix."""
    scores = {}
    for label in confusion:
        true_positive = confusion[label][label]
        support = sum(confusion[label].values())
        predicted = sum(row[label] for row in confusion.values())
        precision, recall = ratio(true_positive, predicted), ratio(true_positive, support)
        scores[label] = LabelScores(precision, recall, ratio(2 * precision * recall, precision + recall), support)
    return scores


def labels_in_gold(confusion: Confusion) -> list[str]:
    return [label for label, row in confusion.items() if sum(row.values())]


def labels_seen(confusion: Confusion) -> list[str]:
    """Labels that occur in gold or in the predictions."""
    predicted = {p for row in confusion.values() for p, n in row.items() if n}
    return [label for label in confusion if label in predicted or sum(confusion[label].values())]


def balanced_accuracy(confusion: Confusion) -> float:
    """Mean recall over the labels present in gold (a label with no gold claim has no recall)."""
    scores = per_label(confusion)
    present = labels_in_gold(confusion)
    return ratio(sum(scores[label].recall for label in present), len(present))


def macro_f1(confusion: Confusion) -> float:
    """Mean F1 over the labels present in gold or predicted (scikit-learn's default label set):
    a label that is neither in the dataset nor ever predicted says nothing about the checker, so
    it neither counts as 0 nor as 1."""
    scores = per_label(confusion)
    seen = labels_seen(confusion)
    return ratio(sum(scores[label].f1 for label in seen), len(seen))


def evidence_found(gold: str, evidence: Sequence[str], stances: Mapping[str, str]) -> int:
    """How many of the gold evidence documents took the stance the gold label needs (supports for
    supported and single-source, refutes for contradicted). Unverified claims need none."""
    wanted = EVIDENCE_STANCE.get(gold)
    if wanted is None:
        return 0
    return sum(1 for doc_id in evidence if stances.get(doc_id) == wanted)


def evidence_needed(gold: str, evidence: Sequence[str]) -> int:
    return len(evidence) if gold in EVIDENCE_STANCE else 0


def evidence_recall(cases: Sequence[tuple[str, Sequence[str], Mapping[str, str]]]) -> float:
    """Share of all gold evidence documents (pooled over claims) that were found with the right
    stance. Each case is (gold label, evidence doc ids, doc id -> stance taken)."""
    found = sum(evidence_found(gold, evidence, stances) for gold, evidence, stances in cases)
    needed = sum(evidence_needed(gold, evidence) for gold, evidence, _ in cases)
    return ratio(found, needed)


@dataclass(frozen=True)
class Headline:
    """The figures a split is reported with (scripts/fit_calibration.py, scripts/score_split.py)."""

    n: int
    accuracy: float
    balanced_accuracy: float
    evidence_recall: float
    recall: dict[str, float]  # per gold label present

    COLUMNS = f"{'n':>4} {'acc':>6} {'bal':>6} {'evid':>6}  recall ({' / '.join(LABELS)})"

    def row(self) -> str:
        """The figures under COLUMNS, "-" for a label the gold has none of."""
        recall = " ".join(f"{self.recall[k]:.2f}" if k in self.recall else "  - " for k in LABELS)
        return f"{self.n:>4} {self.accuracy:6.3f} {self.balanced_accuracy:6.3f} {self.evidence_recall:6.3f}  {recall}"


def headline(cases: Sequence[tuple[str, str, Sequence[str], Mapping[str, str]]]) -> Headline:
    """From (gold label, predicted label, gold evidence, doc -> stance cited) per claim."""
    confusion = confusion_matrix([gold for gold, *_ in cases], [predicted for _, predicted, *_ in cases])
    return Headline(
        n=len(cases),
        accuracy=accuracy(confusion),
        balanced_accuracy=balanced_accuracy(confusion),
        evidence_recall=evidence_recall([(gold, evidence, cited) for gold, _, evidence, cited in cases]),
        recall={label: s.recall for label, s in per_label(confusion).items() if s.support},
    )
