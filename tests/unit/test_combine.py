"""Combining similarity, deterministic checks and the model into one stance per document."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.combine import Calibration, Signals, combine, mix, similarity_distribution
from factcheck.schema import JUDGED_STANCES, CheckResult, Judgement, Stance

CAL = Calibration(support_similarity=0.7, topic_similarity=0.5, softness=0.04, conflict_strength=0.9)
CONFLICT = CheckResult("number", "conflict", "1,000", "1,550")


def signals(similarity: float, checks=(), judgement=None) -> Signals:
    return Signals("doc", similarity, "The best sentence.", "doc:abc:0000", tuple(checks), judgement=judgement)


def model(stance: Stance, p: float, quote: str | None = None) -> Judgement:
    rest = (1 - p) / 2
    probs = {s.value: (p if s is stance else rest) for s in JUDGED_STANCES}
    return Judgement(stance=stance, probabilities=probs, quote=quote, quote_chunk_id="doc:abc:0001" if quote else None)


def test_a_paraphrase_supports_and_an_unrelated_sentence_is_not_mentioned():
    assert combine(signals(0.85), CAL).stance is Stance.SUPPORTS
    assert combine(signals(0.3), CAL).stance is Stance.NOT_MENTIONED


def test_a_deterministic_conflict_refutes_and_quotes_the_conflicting_sentence():
    s = Signals("doc", 0.9, "best", "c0", (CONFLICT,), conflict_sentence="the cap is 1,550", conflict_chunk_id="c1")
    result = combine(s, CAL)
    assert (result.stance, result.quote, result.chunk_id) == (Stance.REFUTES, "the cap is 1,550", "c1")
    assert result.checks == (CONFLICT,)


def test_a_model_with_zero_weight_changes_nothing():
    for sim in (0.2, 0.6, 0.9):
        alone = combine(signals(sim), CAL)
        judged = combine(signals(sim, judgement=model(Stance.REFUTES, 0.99)), CAL)
        assert (judged.stance, judged.confidence) == (alone.stance, alone.confidence)
        assert judged.model_stance is Stance.REFUTES


def test_a_trusted_confident_model_overrules_a_similarity_guess():
    cal = Calibration(**{**CAL.__dict__, "judge_weight": 0.8})
    result = combine(signals(0.9, judgement=model(Stance.REFUTES, 0.97, quote="It was not so.")), cal)
    assert result.stance is Stance.REFUTES
    assert result.quote == "It was not so." and result.chunk_id == "doc:abc:0001"


def test_a_model_error_is_shown_when_the_model_counts():
    error = Judgement(stance=Stance.ERROR, error="truncated")
    trusted = Calibration(**{**CAL.__dict__, "judge_weight": 0.5})
    assert combine(signals(0.9, judgement=error), trusted).stance is Stance.ERROR
    assert combine(signals(0.9, judgement=error), CAL).stance is Stance.SUPPORTS


def test_not_mentioned_has_no_quote():
    result = combine(signals(0.1), CAL)
    assert result.quote is None and result.chunk_id is None


@given(st.floats(-1, 1), st.booleans())
def test_similarity_distribution_is_a_distribution(similarity, conflict):
    p = similarity_distribution(similarity, conflict, CAL)
    assert math.isclose(sum(p.values()), 1.0)
    assert all(0 <= v <= 1 for v in p.values())


@given(st.floats(-1, 1), st.floats(-1, 1))
def test_more_similar_never_means_less_support(a, b):
    low, high = sorted((a, b))
    assert similarity_distribution(high, False, CAL)[Stance.SUPPORTS] >= similarity_distribution(low, False, CAL)[Stance.SUPPORTS]


probabilities = st.tuples(st.floats(0.001, 1), st.floats(0.001, 1), st.floats(0.001, 1)).map(
    lambda t: {s: v / sum(t) for s, v in zip(JUDGED_STANCES, t, strict=True)}
)


@given(probabilities, probabilities, st.floats(0, 1))
def test_mixing_gives_a_distribution_between_its_inputs(p_sim, p_model, weight):
    mixed = mix(p_sim, p_model, weight)
    assert math.isclose(sum(mixed.values()), 1.0, rel_tol=1e-9)
    assert mix(p_sim, p_model, 0.0) == p_sim
    full = mix(p_sim, p_model, 1.0)
    assert all(math.isclose(full[s], p_model[s], rel_tol=1e-6, abs_tol=1e-9) for s in JUDGED_STANCES)
