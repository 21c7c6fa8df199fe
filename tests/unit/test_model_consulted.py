"""Paying only for what counts: a model whose judge weight is 0 is not asked, and the report says so."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.combine import Calibration, Finding, Signals, combine
from factcheck.check.session import consults_model, model_notices
from factcheck.schema import JUDGED_STANCES, Judgement, ModelInfo, Stance, ValueCheck

CONFLICT = ValueCheck("number", "conflict", "1,000", "1,550")


@pytest.mark.parametrize(
    ("use_model", "weight", "consulted"),
    [
        (True, 0.0, False),
        (True, 1e-4, True),
        (True, 0.5, True),
        (True, 1.0, True),
        (False, 1.0, False),
        (False, 0.0, False),
    ],
)
def test_a_model_is_consulted_only_when_it_is_used_and_its_weight_is_above_0(use_model, weight, consulted):
    assert consults_model(use_model, weight) is consulted


judgements = st.builds(
    lambda stance, p, quote: Judgement(
        stance=stance,
        probabilities=None
        if stance is Stance.ERROR
        else {s.value: (p if s is stance else (1 - p) / 2) for s in JUDGED_STANCES},
        quote=quote,
        quote_chunk_id="doc:abc:0001" if quote else None,
    ),
    st.sampled_from([*JUDGED_STANCES, Stance.ERROR]),
    st.floats(0.0, 1.0),
    st.none() | st.just("What the model quoted."),
)


@given(st.floats(-1.0, 1.0), st.booleans(), judgements)
def test_a_weight_0_model_changes_no_stance_so_not_asking_it_loses_nothing(similarity, conflict, judgement):
    cal = Calibration(judge_weight=0.0)
    findings = (Finding(CONFLICT, "The cap is 1,550.", "doc:abc:0001", similarity=0.9),) if conflict else ()
    base = Signals("doc", similarity, "The best sentence.", "doc:abc:0000", findings)
    judged = combine(Signals(**{**base.__dict__, "judgement": judgement}), cal)
    alone = combine(base, cal)
    assert (judged.stance, judged.confidence, judged.quote, judged.chunk_id) == (
        alone.stance,
        alone.confidence,
        alone.quote,
        alone.chunk_id,
    )


def test_a_configured_model_that_was_not_consulted_gets_one_notice_instead_of_the_smoke_test_one():
    skipped = ModelInfo("smollm2-135m", "ab" * 32, smoke_test=True, consulted=False)
    [notice] = model_notices(skipped, use_model=True)
    assert notice.startswith("model not consulted (weight 0)") and "smollm2-135m" in notice


def test_no_model_asked_for_means_no_notice_and_a_consulted_smoke_test_model_is_still_flagged():
    assert model_notices(ModelInfo("none", None, consulted=False), use_model=False) == []
    [notice] = model_notices(ModelInfo("tiny", None, smoke_test=True), use_model=True)
    assert "smoke-test" in notice
    assert model_notices(ModelInfo("qwen", "cd" * 32), use_model=True) == []
