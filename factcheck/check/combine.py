"""One document's stance on one claim, from three signals. Pure functions.

The signals:
- similarity: the cosine similarity between the claim and the document's best sentence;
- deterministic checks: conflicts in numbers, dates and roles between the claim and the
  document's on-topic sentences (factcheck.check.conflicts);
- the model's label probabilities (supports / refutes / not_mentioned), when a model judged.

How they combine. Similarity and the checks give a first distribution over the three stances:

    a = sigmoid((similarity - support_similarity) / softness)     # "the document states this"
    c = conflict_strength if an on-topic sentence conflicts, else 0
    P_sim = {refutes: c, supports: (1 - c) * a, not_mentioned: (1 - c) * (1 - a)}

The model's distribution P_model is mixed in log-linearly with the judge's weight w in [0, 1]:

    P ∝ P_sim ** (1 - w) * P_model ** w

w = 0 ignores the model (a model that judges at chance must not drag down what similarity and the
checks already know); w = 1 lets a model's confident answer overrule a similarity guess. The
stance is the most probable label and its probability is the confidence. w comes from the model
preset (measured by `factcheck eval` where it could be) or `--judge-weight`; the thresholds are
set by the eval (see Calibration).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from factcheck.schema import JUDGED_STANCES, CheckResult, Judgement, SourceStance, Stance

_FLOOR = 1e-6  # keeps log-linear mixing defined when a distribution has a zero


@dataclass(frozen=True)
class Calibration:
    """Thresholds of the combination rule. The similarity defaults are the grid-search optimum for
    minilm-l6 without a model, good on both eval datasets (see README, Accuracy)."""

    support_similarity: float = 0.65  # cosine at which a sentence is taken to state the claim
    topic_similarity: float = 0.40  # cosine at which a sentence is about the same thing
    softness: float = 0.04  # width of the similarity -> probability step
    conflict_strength: float = 0.9  # P(refutes) when an on-topic sentence conflicts with the claim
    judge_weight: float = 0.0  # trust in the model's labels, 0..1


@dataclass(frozen=True)
class Signals:
    """Everything known about one document for one claim."""

    doc_id: str
    similarity: float  # of the best sentence
    sentence: str | None  # that sentence, verbatim
    chunk_id: str | None  # the chunk it is in
    checks: tuple[CheckResult, ...] = ()  # from the document's on-topic sentences
    conflict_sentence: str | None = None  # the sentence a conflict was found in
    conflict_chunk_id: str | None = None
    judgement: Judgement | None = None


def similarity_distribution(similarity: float, conflict: bool, cal: Calibration) -> dict[Stance, float]:
    z = (similarity - cal.support_similarity) / cal.softness
    states = 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))
    c = cal.conflict_strength if conflict else 0.0
    return {Stance.REFUTES: c, Stance.SUPPORTS: (1 - c) * states, Stance.NOT_MENTIONED: (1 - c) * (1 - states)}


def mix(p_sim: dict[Stance, float], p_model: dict[Stance, float] | None, weight: float) -> dict[Stance, float]:
    """P ∝ p_sim^(1-w) * p_model^w, normalised. Without a model, p_sim unchanged."""
    if p_model is None or weight <= 0:
        return dict(p_sim)
    logs = {
        s: (1 - weight) * math.log(max(p_sim[s], _FLOOR)) + weight * math.log(max(p_model.get(s, 0.0), _FLOOR))
        for s in JUDGED_STANCES
    }
    top = max(logs.values())
    exp = {s: math.exp(v - top) for s, v in logs.items()}
    total = sum(exp.values())
    return {s: v / total for s, v in exp.items()}


def has_conflict(checks: tuple[CheckResult, ...]) -> bool:
    return any(c.outcome == "conflict" for c in checks)


def combine(signals: Signals, cal: Calibration) -> SourceStance:
    judgement = signals.judgement
    p_sim = similarity_distribution(signals.similarity, has_conflict(signals.checks), cal)
    if judgement is not None and judgement.stance is Stance.ERROR and cal.judge_weight > 0:
        # The model was meant to count and failed: show that, rather than a guess without it.
        return _source(signals, Stance.ERROR, 0.0, quote=None, chunk_id=None)
    p_model = _model_distribution(judgement)
    final = mix(p_sim, p_model, cal.judge_weight)
    stance = max(JUDGED_STANCES, key=lambda s: (final[s], s is Stance.NOT_MENTIONED))
    quote, chunk_id = _evidence(signals, stance, trust_model=cal.judge_weight > 0)
    return _source(signals, stance, final[stance], quote, chunk_id)


def _model_distribution(judgement: Judgement | None) -> dict[Stance, float] | None:
    if judgement is None or judgement.probabilities is None or judgement.stance is Stance.ERROR:
        return None
    return {Stance(label): p for label, p in judgement.probabilities.items()}


def _evidence(signals: Signals, stance: Stance, *, trust_model: bool) -> tuple[str | None, str | None]:
    """The quote shown for a stance: the model's verified quote when the model counts and agrees,
    else the sentence the deciding signal came from."""
    if stance is Stance.NOT_MENTIONED:
        return None, None
    judgement = signals.judgement
    if trust_model and judgement is not None and judgement.stance is stance and judgement.quote:
        return judgement.quote, judgement.quote_chunk_id
    if stance is Stance.REFUTES and signals.conflict_sentence:
        return signals.conflict_sentence, signals.conflict_chunk_id
    return signals.sentence, signals.chunk_id


def _source(signals: Signals, stance: Stance, confidence: float, quote: str | None, chunk_id: str | None) -> SourceStance:
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
        score=signals.similarity,
        checks=signals.checks,
        model_stance=judgement.stance if judgement else None,
        model_confidence=model_confidence,
        quote_discarded=bool(judgement and judgement.quote_discarded),
    )
