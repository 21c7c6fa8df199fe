"""Which judges `--judge` asks and with what weight: each judge kind replaced by a stand-in that
records whether it was loaded, so the rule is tested apart from any model."""

from __future__ import annotations

import pytest

from factcheck.check import selection
from factcheck.check.selection import JUDGE_KINDS, JudgeKind, choose
from factcheck.check.verifier_judge import CompositeJudge
from factcheck.config import Settings
from factcheck.schema import ModelInfo
from tests.judge_fakes import FakeJudge

LLM, VERIFIER = "qwen3-4b-instruct", "nli-deberta-v3-xsmall"  # presets weighing 0.7 and 0.5


@pytest.fixture
def kinds():
    """The real kinds' weight rules, with stand-ins that name a preset and record being loaded."""
    loads: list[str] = []
    saved = {name: JUDGE_KINDS.get(name) for name in ("llm", "verifier")}

    def stand_in(kind: str, name: str, sha: str) -> JudgeKind:
        def load(settings):
            loads.append(kind)
            judge = FakeJudge()
            judge.name = name
            return judge, ModelInfo(name, sha)

        return JudgeKind(lambda settings: ModelInfo(name, sha), saved[kind].weight, load)

    JUDGE_KINDS.register("llm")(stand_in("llm", LLM, "a" * 64))
    JUDGE_KINDS.register("verifier")(stand_in("verifier", VERIFIER, "b" * 64))
    yield loads
    for name, kind in saved.items():
        JUDGE_KINDS.register(name)(kind)


def test_the_verifier_alone_takes_judge_weight_as_its_own(kinds):
    chosen = choose(Settings(judge="verifier"), judge_weight=0.8)
    assert chosen.weight == 0.8 and kinds == ["verifier"]
    assert chosen.model == ModelInfo(VERIFIER, "b" * 64, verifier=VERIFIER, verifier_sha256="b" * 64)


def test_two_judges_are_one_composite_with_the_summed_weight_clipped_to_1(kinds):
    chosen = choose(Settings(judge="llm+verifier"), judge_weight=None)
    assert isinstance(chosen.judge, CompositeJudge) and chosen.weight == 1.0  # 0.7 + 0.5, clipped
    assert [w for _, w in chosen.judge.parts] == [0.7, 0.5]
    assert chosen.model.name == LLM and chosen.model.verifier == VERIFIER


def test_with_two_judges_judge_weight_is_the_llms_and_verifier_weight_the_verifiers(kinds):
    chosen = choose(Settings(judge="llm+verifier", verifier_weight=0.2), judge_weight=0.3)
    assert [w for _, w in chosen.judge.parts] == [0.3, 0.2] and chosen.weight == pytest.approx(0.5)


def test_a_judge_at_weight_0_is_never_loaded_and_the_other_judges_alone(kinds):
    chosen = choose(Settings(judge="llm+verifier"), judge_weight=0.0)
    assert kinds == ["verifier"] and chosen.judge.name == VERIFIER and chosen.weight == 0.5
    assert chosen.model.name == LLM and chosen.model.consulted is False and chosen.model.verifier == VERIFIER


def test_no_judge_that_counts_loads_nothing(kinds):
    chosen = choose(Settings(judge="llm+verifier", verifier_weight=0.0), judge_weight=0.0)
    assert chosen.judge is None and chosen.weight == 0.0 and kinds == []
    assert chosen.model.consulted is False and chosen.model.verifier is None


def test_judge_none_asks_nobody(kinds):
    chosen = choose(Settings(judge="none"), judge_weight=1.0)
    assert chosen.judge is None and chosen.model.name == "none" and kinds == []


def test_a_verifier_beside_an_unasked_llm_is_named_in_the_notice():
    from factcheck.check.session import model_notices

    [notice] = model_notices(ModelInfo("smollm2-135m", None, True, consulted=False, verifier="nli"), use_model=True)
    assert "model not consulted (weight 0)" in notice and "verifier nli" in notice


def test_every_judge_choice_but_none_is_a_registered_kind():
    from factcheck.config import JUDGE_CHOICES

    assert {k for choice in JUDGE_CHOICES if choice != "none" for k in choice.split("+")} == set(JUDGE_KINDS.names())
    assert selection.JUDGE_KINDS is JUDGE_KINDS
