"""One document's stance on one claim, from its signals. Pure functions.

The signals (each switchable, each shown in the report's per-source detail):
- similarity: the cosine similarity between the claim and the document's best sentence;
- part similarity: the claim against the clauses and claim-sized windows of a long sentence
  (factcheck.check.clauses), so a long sentence that states a short claim is not diluted;
- coverage: the idf-weighted share of the claim's content terms that a sentence, or two adjacent
  sentences, contain (factcheck.check.coverage);
- findings: comparisons of the claim with one sentence of the document: numbers, dates and roles
  (factcheck.check.conflicts), places (factcheck.check.places) and negation
  (factcheck.check.polarity), each with how close that sentence is to the claim;
- the model's label probabilities (supports / refutes / not_mentioned), when a model judged.

How they combine. "The document states this" is the strongest of the support signals, each
measured against its own threshold:

    z = max((similarity - support_similarity) / softness,
            (part_similarity - support_part_similarity) / softness,
            (coverage - support_coverage) / coverage_softness
                [if that sentence is coverage_similarity similar and the passage holds every
                 name and number of the claim: coverage.anchors])
    a = sigmoid(z)
    c = conflict_strength if a finding that counts is a conflict, else 0
    P_sim = {refutes: c, supports: (1 - c) * a, not_mentioned: (1 - c) * (1 - a)}

A finding counts when its sentence is about the same thing as the claim: numbers and dates in
sentences at least `topic_similarity` similar, places at `place_similarity` in a sentence that
covers `place_coverage` of the claim (a study in another city is another study, not a conflict); a negation mismatch only in a sentence
that also covers `negation_coverage` of the claim and is `negation_similarity` similar to it (else
any negated sentence nearby would refute);
a person's role in any sentence that names them (a title is a fact about the person).

The model's distribution P_model is mixed in log-linearly with the judge's weight w in [0, 1]:

    P ∝ P_sim ** (1 - w) * P_model ** w

w = 0 ignores the model (a model that judges at chance must not drag down what the other signals
already know); w = 1 lets a model's confident answer overrule them. The stance is the most
probable label and its probability is the confidence. The thresholds are fitted on the training
split of the eval data by scripts/fit_calibration.py (see Calibration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from factcheck.check.signal_names import SIGNALS
from factcheck.schema import JUDGED_STANCES, Judgement, Outcome, SourceStance, Stance, ValueCheck

_FLOOR = 1e-6  # keeps log-linear mixing defined when a distribution has a zero
K = TypeVar("K")
TOPIC_GATED = frozenset({"number", "date"})


@dataclass(frozen=True)
class Calibration:
    """Every similarity threshold of factcheck, in one place. The combination rule's (down to
    negation_similarity) were fitted without a model on the training split of eval/alaska-summit,
    eval/perturbations and ../shared/datasets/check-covid by `scripts/fit_calibration.py`, which
    prints these lines and the held-out figures (README, Accuracy). judge_weight comes from the
    model preset or --judge-weight. The last three are set by hand, each saying from what: no
    labelled data here can fit them (the model modes cannot run with a capable model here, ask
    has no labelled questions, the audit no labelled topics)."""

    support_similarity: float = 0.68  # cosine at which a sentence is taken to state the claim
    topic_similarity: float = 0.60  # cosine at which a sentence is about the same thing
    softness: float = 0.04  # width of the similarity -> probability step
    support_part_similarity: float = 0.70  # the same, for a clause or window of a sentence
    support_coverage: float = 0.50  # share of the claim's content at which a sentence states it
    coverage_softness: float = 0.05
    coverage_similarity: float = 0.23  # the cosine a covering sentence needs to be on topic
    place_similarity: float = 0.65  # the cosine a sentence needs for its place to contradict
    place_coverage: float = 0.00  # and the share of the claim it must cover: else it is another event
    negation_coverage: float = 0.35  # coverage at which a negation mismatch counts as a conflict
    negation_similarity: float = 0.48  # and the cosine its sentence needs
    conflict_strength: float = 0.9  # P(refutes) when an on-topic sentence conflicts with the claim
    judge_weight: float = 0.0  # trust in the model's labels, 0..1
    # Below this, no sentence of a document is about the claim's subject at all: asking the model
    # would cost a call and could only add noise. Set by hand; the oracle run, which asks its judge
    # exactly where this gate lets it, reaches all but one gold evidence document (README, Accuracy).
    judge_min_similarity: float = 0.35
    # ask: a question is covered when some sentence is this similar. Measured on the sample corpus
    # with minilm-l6: questions it answers score 0.30-0.76, those it does not 0.07-0.26 (see
    # factcheck/ask/asker.py). Lower than a claim's gate: a question shares fewer words.
    question_coverage: float = 0.30
    # audit: contradictions whose claims are this similar are shown under one topic (a display
    # grouping: it changes no verdict). Set by hand, not measured.
    topic_grouping: float = 0.55
    signals: frozenset[str] = field(default_factory=lambda: frozenset(SIGNALS))  # those switched on


@dataclass(frozen=True)
class Finding:
    """One comparison of the claim with one sentence of the document."""

    result: ValueCheck
    sentence: str
    chunk_id: str
    similarity: float  # of that sentence to the claim
    coverage: float = 0.0  # of the claim by that sentence


@dataclass(frozen=True)
class Support:
    """A sentence that may state the claim, and how strongly by one signal."""

    value: float
    sentence: str
    chunk_id: str
    similarity: float  # the sentence's own cosine to the claim
    complete: bool = True  # coverage: the passage holds all the claim's names and numbers


@dataclass(frozen=True)
class Signals:
    """Everything known about one document for one claim."""

    doc_id: str
    similarity: float  # of the best sentence
    sentence: str | None  # that sentence, verbatim
    chunk_id: str | None  # the chunk it is in
    findings: tuple[Finding, ...] = ()
    judgement: Judgement | None = None
    part: Support | None = None  # the best clause or window (value: its cosine)
    covered: Support | None = None  # the best-covering sentence (value: its coverage)


def counts(finding: Finding, cal: Calibration) -> bool:
    """Whether a finding is about what the claim is about (see the module docstring)."""
    kind = finding.result.kind
    if kind == "negation":
        return (
            "negation" in cal.signals
            and finding.coverage >= cal.negation_coverage
            and finding.similarity >= cal.negation_similarity
        )
    if kind == "place":
        return (
            "places" in cal.signals
            and finding.similarity >= cal.place_similarity
            and finding.coverage >= cal.place_coverage
        )
    return kind not in TOPIC_GATED or finding.similarity >= cal.topic_similarity


def support_strength(signals: Signals, cal: Calibration) -> tuple[float, str | None, str | None]:
    """z (see the module docstring) and the sentence (and chunk) the strongest signal came from."""
    best = ((signals.similarity - cal.support_similarity) / cal.softness, signals.sentence, signals.chunk_id)
    candidates = [best]
    if "parts" in cal.signals and signals.part is not None:
        p = signals.part
        candidates.append(((p.value - cal.support_part_similarity) / cal.softness, p.sentence, p.chunk_id))
    if (
        "coverage" in cal.signals
        and signals.covered is not None
        and signals.covered.complete
        and signals.covered.similarity >= cal.coverage_similarity
    ):
        c = signals.covered
        candidates.append(((c.value - cal.support_coverage) / cal.coverage_softness, c.sentence, c.chunk_id))
    return max(candidates, key=lambda t: t[0])


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))


def similarity_distribution(similarity: float, conflict: bool, cal: Calibration) -> dict[Stance, float]:
    """P_sim from the similarity signal alone (the other support signals enter through z)."""
    return _distribution((similarity - cal.support_similarity) / cal.softness, conflict, cal)


def _distribution(z: float, conflict: bool, cal: Calibration) -> dict[Stance, float]:
    states = _sigmoid(z)
    c = cal.conflict_strength if conflict else 0.0
    return {Stance.REFUTES: c, Stance.SUPPORTS: (1 - c) * states, Stance.NOT_MENTIONED: (1 - c) * (1 - states)}


def mix(p_sim: dict[Stance, float], p_model: dict[Stance, float] | None, weight: float) -> dict[Stance, float]:
    """P ∝ p_sim^(1-w) * p_model^w, normalised. Without a model, p_sim unchanged."""
    if p_model is None or weight <= 0:
        return dict(p_sim)
    return pool([(p_sim, 1 - weight), (p_model, weight)], JUDGED_STANCES)


def pool(parts: Sequence[tuple[Mapping[K, float], float]], labels: Sequence[K]) -> dict[K, float]:
    """Log-linear pooling: P(l) ∝ Π_i P_i(l)^(w_i) over labels, normalised (a label a
    distribution lacks counts as _FLOOR, so a zero lowers a label without vetoing it)."""
    logs = {label: sum(w * math.log(max(p.get(label, 0.0), _FLOOR)) for p, w in parts) for label in labels}
    top = max(logs.values())
    exp = {label: math.exp(v - top) for label, v in logs.items()}
    total = sum(exp.values())
    return {label: v / total for label, v in exp.items()}


def has_conflict(checks: tuple[ValueCheck, ...]) -> bool:
    return any(c.outcome is Outcome.CONFLICT for c in checks)


def combine(signals: Signals, cal: Calibration) -> SourceStance:
    judgement = signals.judgement
    counted = [f for f in signals.findings if counts(f, cal)]
    conflict = next((f for f in counted if f.result.outcome is Outcome.CONFLICT), None)
    z, sentence, chunk_id = support_strength(signals, cal)
    p_sim = _distribution(z, conflict is not None, cal)
    checks = tuple(f.result for f in counted)
    if judgement is not None and judgement.stance is Stance.ERROR and cal.judge_weight > 0:
        # The model was meant to count and failed: show that, rather than a guess without it.
        return _source(signals, checks, Stance.ERROR, 0.0, quote=None, chunk_id=None)
    final = mix(p_sim, _model_distribution(judgement), cal.judge_weight)
    stance = max(JUDGED_STANCES, key=lambda s: (final[s], s is Stance.NOT_MENTIONED))
    if stance is Stance.NOT_MENTIONED:
        quote, quote_chunk = None, None
    elif cal.judge_weight > 0 and judgement is not None and judgement.stance is stance and judgement.quote:
        # the model's verified quote, when the model counts and agrees
        quote, quote_chunk = judgement.quote, judgement.quote_chunk_id
    elif stance is Stance.REFUTES and conflict is not None:
        quote, quote_chunk = conflict.sentence, conflict.chunk_id
    else:
        quote, quote_chunk = sentence, chunk_id
    return _source(signals, checks, stance, final[stance], quote, quote_chunk)


def _model_distribution(judgement: Judgement | None) -> dict[Stance, float] | None:
    if judgement is None or judgement.probabilities is None or judgement.stance is Stance.ERROR:
        return None
    return {Stance(label): p for label, p in judgement.probabilities.items()}


def _source(
    signals: Signals,
    checks: tuple[ValueCheck, ...],
    stance: Stance,
    confidence: float,
    quote: str | None,
    chunk_id: str | None,
) -> SourceStance:
    judgement = signals.judgement
    model_confidence = None
    if judgement is not None and judgement.probabilities:
        model_confidence = judgement.probabilities.get(judgement.stance.value)
    return SourceStance(
        doc_id=signals.doc_id,
        stance=stance,
        confidence=confidence,
        quote=quote,
        chunk_id=chunk_id,
        similarity=signals.similarity,
        checks=checks,
        model_stance=judgement.stance if judgement else None,
        model_confidence=model_confidence,
        quote_discarded=bool(judgement and judgement.quote_discarded),
        part_similarity=signals.part.value if signals.part is not None else None,
        coverage=signals.covered.value if signals.covered is not None else None,
    )
