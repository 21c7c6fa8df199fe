"""Verdict aggregation: the four verdicts follow from stances and independence, as documented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.aggregate import aggregate
from factcheck.schema import SourceStance, Stance, Verdict


def source(doc_id: str, stance: Stance, confidence: float = 0.9) -> SourceStance:
    return SourceStance(doc_id=doc_id, stance=stance, confidence=confidence, quote=None, chunk_id=None, score=0.5)


stances = st.sampled_from(list(Stance))
docs = st.lists(
    st.tuples(st.sampled_from([f"d{i}" for i in range(8)]), stances, st.floats(0, 1)),
    unique_by=lambda t: t[0],
    max_size=8,
).map(lambda rows: [source(d, s, c) for d, s, c in rows])
groupings = st.lists(st.lists(st.sampled_from([f"d{i}" for i in range(8)]), min_size=1, max_size=3, unique=True), max_size=3)


def partition(groups: list[list[str]]) -> list[list[str]]:
    """Make hypothesis' groups a partition (a document in one group at most)."""
    seen: set[str] = set()
    out = []
    for group in groups:
        fresh = [d for d in group if d not in seen]
        seen.update(fresh)
        if fresh:
            out.append(fresh)
    return out


def test_two_independent_supporters_and_no_refuter_is_supported():
    verdict, n, conf = aggregate([source("a", Stance.SUPPORTS, 0.9), source("b", Stance.SUPPORTS, 0.7)], [])
    assert (verdict, n, conf) == (Verdict.SUPPORTED, 2, 0.7)


def test_copies_of_one_story_count_as_one_source():
    sources = [source("a", Stance.SUPPORTS), source("a-copy", Stance.SUPPORTS)]
    assert aggregate(sources, [["a", "a-copy"]])[:2] == (Verdict.SINGLE_SOURCE, 1)


def test_one_refuter_makes_it_contradicted_even_against_many_supporters():
    sources = [source(f"s{i}", Stance.SUPPORTS) for i in range(4)] + [source("r", Stance.REFUTES, 0.6)]
    verdict, n, conf = aggregate(sources, [])
    assert (verdict, n, conf) == (Verdict.CONTRADICTED, 4, 0.6)


def test_nothing_addressing_the_claim_is_unverified():
    verdict, n, conf = aggregate([source("a", Stance.NOT_MENTIONED, 0.8), source("b", Stance.ERROR, 0.0)], [])
    assert (verdict, n, conf) == (Verdict.UNVERIFIED, 0, 0.8)
    assert aggregate([], []) == (Verdict.UNVERIFIED, 0, 1.0)


def test_error_stances_count_neither_way():
    assert aggregate([source("a", Stance.SUPPORTS), source("b", Stance.ERROR)], [])[0] is Verdict.SINGLE_SOURCE


@given(docs, groupings)
def test_adding_a_refuting_source_never_gives_supported(sources, groups):
    refuted = [*sources, source("new", Stance.REFUTES)]
    assert aggregate(refuted, partition(groups))[0] is Verdict.CONTRADICTED


@given(docs, groupings)
def test_adding_an_independent_supporter_never_lowers_the_count(sources, groups):
    groups = partition(groups)
    before = aggregate(sources, groups)[1]
    after = aggregate([*sources, source("independent", Stance.SUPPORTS)], groups)[1]
    assert after >= before
    if not any(s.stance is Stance.REFUTES for s in sources):
        assert after == before + 1


@given(docs, groupings)
def test_verdict_matches_the_definitions(sources, groups):
    verdict, n, confidence = aggregate(sources, partition(groups))
    refuted = any(s.stance is Stance.REFUTES for s in sources)
    expected = (
        Verdict.CONTRADICTED if refuted
        else Verdict.SUPPORTED if n >= 2
        else Verdict.SINGLE_SOURCE if n == 1
        else Verdict.UNVERIFIED
    )  # fmt: skip
    assert verdict is expected
    assert 0.0 <= confidence <= 1.0


@given(docs, groupings)
def test_order_of_sources_does_not_matter(sources, groups):
    groups = partition(groups)
    assert aggregate(sources, groups) == aggregate(list(reversed(sources)), groups)
