"""Combining similarity, deterministic checks and the model into one stance per document."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.combine import (
    Calibration,
    Finding,
    Signals,
    Support,
    combine,
    counts,
    mix,
    similarity_distribution,
)
from factcheck.schema import JUDGED_STANCES, Judgement, Stance, ValueCheck

CAL = Calibration(support_similarity=0.7, topic_similarity=0.5, softness=0.04, conflict_strength=0.9)
CONFLICT = ValueCheck("number", "conflict", "1,000", "1,550")


def signals(similarity: float, checks=(), judgement=None, **more) -> Signals:
    findings = tuple(Finding(c, "The best sentence.", "doc:abc:0000", similarity) for c in checks)
    return Signals("doc", similarity, "The best sentence.", "doc:abc:0000", findings, judgement=judgement, **more)


def model(stance: Stance, p: float, quote: str | None = None) -> Judgement:
    rest = (1 - p) / 2
    probs = {s.value: (p if s is stance else rest) for s in JUDGED_STANCES}
    return Judgement(stance=stance, probabilities=probs, quote=quote, quote_chunk_id="doc:abc:0001" if quote else None)


def test_a_paraphrase_supports_and_an_unrelated_sentence_is_not_mentioned():
    assert combine(signals(0.85), CAL).stance is Stance.SUPPORTS
    assert combine(signals(0.3), CAL).stance is Stance.NOT_MENTIONED


def test_a_deterministic_conflict_refutes_and_quotes_the_conflicting_sentence():
    s = Signals("doc", 0.9, "best", "c0", (Finding(CONFLICT, "the cap is 1,550", "c1", similarity=0.6),))
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
    assert (
        similarity_distribution(high, False, CAL)[Stance.SUPPORTS]
        >= similarity_distribution(low, False, CAL)[Stance.SUPPORTS]
    )


probabilities = st.tuples(st.floats(0.001, 1), st.floats(0.001, 1), st.floats(0.001, 1)).map(
    lambda t: {s: v / sum(t) for s, v in zip(JUDGED_STANCES, t, strict=True)}
)


@given(probabilities, probabilities, st.floats(0, 1))
def test_mixing_gives_a_distribution_between_its_inputs(p_sim, p_model, weight):
    """mix is log-linear: before normalisation each label's log-probability is (1-w)·log p_sim +
    w·log p_model, between its inputs'. Normalising subtracts one constant from every label, so
    what can be seen in the output is the log-odds of any two labels: exactly the same weighted
    average of the inputs' log-odds, hence between them. (The probabilities themselves need not
    lie between the inputs': normalisation can lift a label above both.) The endpoints follow."""
    mixed = mix(p_sim, p_model, weight)
    assert math.isclose(sum(mixed.values()), 1.0, rel_tol=1e-9)
    for a in JUDGED_STANCES:
        for b in JUDGED_STANCES:
            ours = math.log(mixed[a] / mixed[b])
            sim, mod = math.log(p_sim[a] / p_sim[b]), math.log(p_model[a] / p_model[b])
            assert math.isclose(ours, (1 - weight) * sim + weight * mod, rel_tol=1e-9, abs_tol=1e-9)
            assert min(sim, mod) - 1e-9 <= ours <= max(sim, mod) + 1e-9
    assert mix(p_sim, p_model, 0.0) == p_sim
    full = mix(p_sim, p_model, 1.0)
    assert all(math.isclose(full[s], p_model[s], rel_tol=1e-6, abs_tol=1e-9) for s in JUDGED_STANCES)


# --- the signals beside similarity -----------------------------------------------------------

NEGATION = ValueCheck("negation", "conflict", "negated", "not negated")
PLACE = ValueCheck("place", "conflict", "Helsinki", "Anchorage")


def test_a_conflict_in_an_off_topic_sentence_does_not_count_but_a_role_does_anywhere():
    far = CAL.topic_similarity - 0.01
    assert not counts(Finding(CONFLICT, "s", "c", far), CAL)
    assert counts(Finding(CONFLICT, "s", "c", CAL.topic_similarity), CAL)
    assert counts(Finding(ValueCheck("role", "conflict", "former president", "president"), "s", "c", 0.0), CAL)
    assert not counts(Finding(PLACE, "s", "c", CAL.place_similarity - 0.01), CAL)
    assert counts(Finding(PLACE, "s", "c", CAL.place_similarity), CAL)


def test_a_negation_mismatch_counts_only_in_a_sentence_that_covers_the_claim():
    cal = Calibration(**{**CAL.__dict__, "negation_coverage": 0.8})
    assert not counts(Finding(NEGATION, "s", "c", 0.9, coverage=0.79), cal)
    assert counts(Finding(NEGATION, "s", "c", 0.9, coverage=0.8), cal)
    assert not counts(Finding(NEGATION, "s", "c", cal.negation_similarity - 0.01, coverage=1.0), cal)


def test_a_switched_off_signal_never_counts_or_supports():
    off = Calibration(**{**CAL.__dict__, "signals": frozenset()})
    assert not counts(Finding(NEGATION, "s", "c", 0.9, coverage=1.0), off)
    assert not counts(Finding(PLACE, "s", "c", 0.9), off)
    covered = signals(0.3, covered=Support(1.0, "Long sentence.", "c2", similarity=0.9))
    assert combine(covered, CAL).stance is Stance.SUPPORTS
    assert combine(covered, off).stance is Stance.NOT_MENTIONED


def test_a_long_sentence_that_covers_a_short_claim_supports_it_and_is_quoted():
    covered = signals(
        0.44, covered=Support(0.95, "At the base in Anchorage, on Friday, they met.", "c2", similarity=0.44)
    )
    result = combine(covered, CAL)
    assert (result.stance, result.quote, result.chunk_id) == (
        Stance.SUPPORTS,
        "At the base in Anchorage, on Friday, they met.",
        "c2",
    )
    assert result.coverage == 0.95


def test_coverage_without_the_claims_names_and_numbers_does_not_support():
    covered = signals(0.44, covered=Support(0.95, "s", "c2", similarity=0.44, complete=False))
    assert combine(covered, CAL).stance is Stance.NOT_MENTIONED


def test_coverage_of_an_off_topic_sentence_does_not_support():
    covered = signals(0.3, covered=Support(1.0, "s", "c2", similarity=CAL.coverage_similarity - 0.01))
    assert combine(covered, CAL).stance is Stance.NOT_MENTIONED


def test_a_close_clause_supports_and_the_report_shows_its_similarity():
    result = combine(signals(0.5, part=Support(0.9, "The whole sentence.", "c3", similarity=0.5)), CAL)
    assert (result.stance, result.quote, result.part_similarity) == (Stance.SUPPORTS, "The whole sentence.", 0.9)


supports = st.builds(Support, st.floats(0, 1), st.just("s"), st.just("c"), st.floats(-1, 1))


@given(st.floats(-1, 1), st.none() | supports, st.none() | supports, st.floats(0, 1))
def test_another_support_signal_never_lowers_support(similarity, part, covered, delta):
    """Support is the strongest of the signals: adding one, or raising it, never lowers P(supports)."""
    alone = combine(signals(similarity), CAL)
    more = combine(signals(similarity, part=part, covered=covered), CAL)
    p_alone = alone.confidence if alone.stance is Stance.SUPPORTS else 0.0
    if more.stance is Stance.SUPPORTS:
        assert more.confidence >= p_alone - 1e-12
    else:
        assert alone.stance is not Stance.SUPPORTS
