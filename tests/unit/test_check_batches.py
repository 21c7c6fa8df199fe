"""A CheckSession checks claims batch by batch, and each batch's report carries that batch's own
counters (claims, judgements, tokens, seconds) and trimmed claims, not those of everything the
session checked before (the `ask` prompt runs many batches in one session)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from factcheck.check.pipeline import MAX_CLAIM_CHARS, ClaimInput
from factcheck.check.session import CheckOptions, CheckSession
from factcheck.config import Settings
from factcheck.schema import Judgement, ModelUsage, Passage
from tests.judge_fakes import FakeJudge
from tests.unit.test_session_cache_key import ingest

ARTICLES = {
    "summit.txt": "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage on Friday. "
    "Reporters waited outside the gates all afternoon.",
    "treaty.txt": "The New START treaty caps deployed strategic warheads at 1,550 on each side. "
    "Both sides say they will keep to the limit until it expires.",
}
SUMMIT = "Putin and Trump met in Anchorage."
TREATY = "The New START treaty caps deployed strategic warheads at 1,550."
LONG = SUMMIT + " " + "Reporters waited outside the gates all afternoon." * (MAX_CLAIM_CHARS // 40)
TRIMMED = "was longer than allowed and was trimmed"
PROMPT_TOKENS, COMPLETION_TOKENS = 40, 3


class MeteredJudge(FakeJudge):
    """The fake judge, each answer costing PROMPT_TOKENS + COMPLETION_TOKENS model tokens."""

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        answer = super().judge(claim, doc_id, passages)
        return Judgement(answer.stance, answer.probabilities, usage=ModelUsage(PROMPT_TOKENS, 0, COMPLETION_TOKENS))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    chosen = Settings(home=tmp_path / "home", embedder="fake-embedder", model="fake-llm")
    ingest(chosen, folder)
    return chosen


def test_each_batch_reports_its_own_counts_and_trimmed_claims(settings):
    judge = MeteredJudge()
    session = CheckSession(settings, CheckOptions(use_cache=False, judge_weight=0.5), judge=judge)

    first = session.report(session.check([ClaimInput("long", LONG), ClaimInput("summit", SUMMIT)]))
    asked_first = len(judge.history)
    second = session.report(session.check([ClaimInput("treaty", TREATY)]))
    asked_second = len(judge.history) - asked_first

    assert asked_first > 0 and asked_second > 0  # both batches asked the judge
    assert (first.stats["claims"], first.stats["judgements"]) == (2, asked_first)
    assert (second.stats["claims"], second.stats["judgements"]) == (1, asked_second)
    assert first.stats["model_tokens"] == asked_first * (PROMPT_TOKENS + COMPLETION_TOKENS)
    assert second.stats["model_tokens"] == asked_second * (PROMPT_TOKENS + COMPLETION_TOKENS)
    assert first.stats["seconds"] > 0 and second.stats["seconds"] > 0
    assert [n for n in first.notices if TRIMMED in n] == [f"claim long {TRIMMED}"]
    assert not [n for n in second.notices if TRIMMED in n]  # the first batch's long claim is not re-announced


def test_a_later_batch_counts_what_the_same_batch_counts_in_a_fresh_session(settings):
    options = CheckOptions(use_cache=False, judge_weight=0.5)
    used = CheckSession(settings, options, judge=MeteredJudge())
    used.check([ClaimInput("long", LONG), ClaimInput("summit", SUMMIT)])
    later = used.report(used.check([ClaimInput("treaty", TREATY)])).stats
    fresh = CheckSession(settings, options, judge=MeteredJudge())
    alone = fresh.report(fresh.check([ClaimInput("treaty", TREATY)])).stats
    assert {k: v for k, v in later.items() if "seconds" not in k} == {
        k: v for k, v in alone.items() if "seconds" not in k
    }
