"""The Checker on its own (no CLI, no Chroma): an EvidenceIndex over an in-memory store embedded
with the fake embedder, the fake judge, and the default calibration."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.check.combine import Calibration
from factcheck.check.pipeline import MAX_CLAIM_CHARS, Checker, ClaimInput
from factcheck.retrieve import EvidenceIndex
from factcheck.schema import Judgement, Stance, Verdict
from tests.fakes import FakeEmbedder, MemoryStore
from tests.judge_fakes import FakeJudge

TREATY = "The New START treaty caps deployed strategic warheads at 1,550 on each side."
SUMMIT = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage on Friday."
CORPUS = {
    "treaty": [[TREATY, "Both sides say they will keep to the limit until it expires."]],
    "summit-a": [[SUMMIT, "Reporters waited outside the gates all afternoon."]],
    "summit-b": [["Local cafes stayed open late for the press."], [SUMMIT]],
    "weather": [["Snow fell over the harbour while ferries kept their timetable."]],
}
REFUTES = Judgement(Stance.REFUTES, {"supports": 0.01, "refutes": 0.98, "not_mentioned": 0.01})


def checker(corpus=CORPUS, judge=None, groups=(), **options) -> Checker:
    index = EvidenceIndex(MemoryStore(corpus, FakeEmbedder()), FakeEmbedder())
    return Checker(index, [list(g) for g in groups], Calibration(judge_weight=1.0 if judge else 0.0), judge, **options)


def by_doc(result) -> dict:
    return {s.doc_id: s for s in result.sources}


def test_a_claim_whose_number_conflicts_with_a_document_is_contradicted_quoting_it():
    result = checker().check(ClaimInput("c", TREATY.replace("1,550", "1,000")))
    assert result.verdict is Verdict.CONTRADICTED
    refuting = by_doc(result)["treaty"]
    assert refuting.stance is Stance.REFUTES and refuting.quote == TREATY
    assert any(c.kind == "number" and c.outcome == "conflict" for c in refuting.checks)


def test_without_the_deterministic_checks_the_same_claim_is_not_contradicted():
    """The conflict above comes from the number check, not from similarity alone."""
    result = checker(deterministic_checks=False).check(ClaimInput("c", TREATY.replace("1,550", "1,000")))
    assert result.verdict is not Verdict.CONTRADICTED
    assert by_doc(result)["treaty"].stance is Stance.SUPPORTS


def test_every_document_is_a_source_and_copies_of_one_story_count_once():
    claim = ClaimInput("c", SUMMIT)
    independent = checker().check(claim)
    assert set(by_doc(independent)) == set(CORPUS)
    assert (independent.verdict, independent.independent_sources) == (Verdict.SUPPORTED, 2)
    copies = checker(groups=[("summit-a", "summit-b")]).check(claim)
    assert (copies.verdict, copies.independent_sources) == (Verdict.SINGLE_SOURCE, 1)
    assert copies.groups == (("summit-a", "summit-b"),)


def test_an_excluded_document_is_never_a_source_nor_shown_to_the_judge():
    judge = FakeJudge()
    result = checker(judge=judge, judge_min_similarity=-1.0).check(ClaimInput("c", SUMMIT, exclude=("summit-a",)))
    assert set(by_doc(result)) == set(CORPUS) - {"summit-a"}
    assert "summit-a" not in {call["doc_id"] for call in judge.history}
    assert all(p.doc_id != "summit-a" for call in judge.history for p in call["passages"])


CHECKER = checker()  # one index for every example: building it is what costs


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(sorted(CORPUS))), st.sampled_from([TREATY, SUMMIT, "Snow fell on the harbour."]))
def test_the_sources_are_exactly_the_documents_not_excluded(excluded, claim):
    result = CHECKER.check(ClaimInput("c", claim, exclude=tuple(sorted(excluded))))
    assert {s.doc_id for s in result.sources} == set(CORPUS) - excluded


def test_a_document_less_similar_than_judge_min_similarity_is_not_asked():
    judge = FakeJudge()
    result = checker(judge=judge, judge_min_similarity=0.35).check(ClaimInput("c", SUMMIT))
    asked = [call["doc_id"] for call in judge.history]
    scores = {s.doc_id: s.similarity for s in result.sources}
    assert asked == sorted(d for d, score in scores.items() if score >= 0.35)
    assert "summit-a" in asked and "weather" not in asked  # the threshold separates something here
    assert all((s.model_stance is None) == (s.doc_id not in asked) for s in result.sources)


def test_judge_min_similarity_bounds_who_is_asked_at_both_ends():
    everyone, nobody = FakeJudge(), FakeJudge()
    checker(judge=everyone, judge_min_similarity=-1.0).check(ClaimInput("c", SUMMIT))
    checker(judge=nobody, judge_min_similarity=1.01).check(ClaimInput("c", SUMMIT))
    assert sorted(call["doc_id"] for call in everyone.history) == sorted(CORPUS)
    assert nobody.history == []


def test_a_trusted_judge_decides_the_stance_of_the_documents_it_was_asked_about():
    judge = FakeJudge()
    judge.enqueue([REFUTES] * 2)
    near = checker(judge=judge, judge_min_similarity=0.9)
    result = near.check(ClaimInput("c", "Snow fell over the harbour while ferries kept their timetable."))
    assert [call["doc_id"] for call in judge.history] == ["weather"]
    weather = by_doc(result)["weather"]
    assert (weather.model_stance, weather.stance) == (Stance.REFUTES, Stance.REFUTES)  # similarity alone: supports
    assert result.verdict is Verdict.CONTRADICTED
    assert near.stats.judgements == 1


def test_a_claim_longer_than_allowed_is_trimmed_and_recorded_in_the_stats():
    judge = FakeJudge()
    check = checker(judge=judge, judge_min_similarity=-1.0)
    long_claim = " ".join([SUMMIT] * (MAX_CLAIM_CHARS // len(SUMMIT) + 2))
    assert len(long_claim) > MAX_CLAIM_CHARS
    result = check.check(ClaimInput("long", long_claim))
    check.check(ClaimInput("short", SUMMIT))
    assert check.stats.trimmed_claims == ["long"]
    assert check.stats.claims == 2
    asked = {call["claim"] for call in judge.history}
    trimmed = next(c for c in asked if c != SUMMIT)
    assert len(trimmed) <= MAX_CLAIM_CHARS and long_claim.startswith(trimmed)
    assert long_claim[len(trimmed)] == " "  # cut at a word boundary
    assert result.claim == long_claim  # the report shows what was asked


def test_a_claim_of_exactly_the_limit_is_not_trimmed():
    check = checker()
    exact = ("word " * MAX_CLAIM_CHARS)[:MAX_CLAIM_CHARS]
    check.check(ClaimInput("exact", exact))
    check.check(ClaimInput("over", exact + "s"))
    assert check.stats.trimmed_claims == ["over"]
