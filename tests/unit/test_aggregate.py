"""Verdict aggregation: the four verdicts follow from stances and independence, as documented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.aggregate import aggregate
from factcheck.schema import SourceStance, Stance, Verdict


def source(doc_id: str, stance: Stance, confidence: float = 0.9) -> SourceStance:
    return SourceStance(doc_id=doc_id, stance=stance, confidence=confidence, quote=None, chunk_id=None, similarity=0.5)


stances = st.sampled_from(list(Stance))
docs = st.lists(
    st.tuples(st.sampled_from([f"d{i}" for i in range(8)]), stances, st.floats(0, 1)),
    unique_by=lambda t: t[0],
    max_size=8,
).map(lambda rows: [source(d, s, c) for d, s, c in rows])
groupings = st.lists(
    st.lists(st.sampled_from([f"d{i}" for i in range(8)]), min_size=1, max_size=3, unique=True), max_size=3
)


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


def expected_outcome(sources: list[SourceStance], groups: list[list[str]]) -> tuple[Verdict, int, float]:
    """The README's rule, written out without aggregate's help: documents in one origin group are
    one origin, a document in no group is its own; contradicted if any document refutes, supported
    with two or more supporting origins, single-source with one, else unverified. Confidence: the
    strongest refutation; the second strongest supporting origin (each origin as sure as its surest
    document); the one origin's; the least sure "not mentioned" (1.0 with none)."""

    def origin(doc_id: str) -> tuple[str, object]:
        return next((("group", i) for i, g in enumerate(groups) if doc_id in g), ("doc", doc_id))

    strength: dict[tuple[str, object], float] = {}
    for s in sources:
        if s.stance is Stance.SUPPORTS:
            strength[origin(s.doc_id)] = max(strength.get(origin(s.doc_id), 0.0), s.confidence)
    origins = sorted(strength.values(), reverse=True)
    refutations = [s.confidence for s in sources if s.stance is Stance.REFUTES]
    if refutations:
        return Verdict.CONTRADICTED, len(origins), max(refutations)
    if len(origins) >= 2:
        return Verdict.SUPPORTED, len(origins), origins[1]
    if origins:
        return Verdict.SINGLE_SOURCE, 1, origins[0]
    silent = [s.confidence for s in sources if s.stance is Stance.NOT_MENTIONED]
    return Verdict.UNVERIFIED, 0, min(silent) if silent else 1.0


@given(docs, groupings)
def test_verdict_count_and_confidence_follow_the_documented_rule(sources, groups):
    groups = partition(groups)
    assert aggregate(sources, groups) == expected_outcome(sources, groups)


def test_the_rule_on_hand_made_cases():
    """A few cases with the answer written down, so the rule above is itself checked."""
    s, r, n = Stance.SUPPORTS, Stance.REFUTES, Stance.NOT_MENTIONED
    cases = [
        ([("a", s, 0.9), ("b", s, 0.6), ("c", n, 0.7)], [], (Verdict.SUPPORTED, 2, 0.6)),
        ([("a", s, 0.9), ("b", s, 0.6)], [["a", "b"]], (Verdict.SINGLE_SOURCE, 1, 0.9)),
        ([("a", s, 0.9), ("b", s, 0.6), ("c", s, 0.8)], [["a", "b"]], (Verdict.SUPPORTED, 2, 0.8)),
        ([("a", s, 0.9), ("b", s, 0.6), ("c", r, 0.3)], [], (Verdict.CONTRADICTED, 2, 0.3)),
        ([("a", n, 0.7), ("b", n, 0.4), ("c", Stance.ERROR, 0.0)], [], (Verdict.UNVERIFIED, 0, 0.4)),
        ([("a", Stance.ERROR, 0.0)], [], (Verdict.UNVERIFIED, 0, 1.0)),
    ]
    for rows, groups, expected in cases:
        sources = [source(d, stance, c) for d, stance, c in rows]
        assert aggregate(sources, groups) == expected
        assert expected_outcome(sources, groups) == expected


@given(docs, groupings)
def test_order_of_sources_does_not_matter(sources, groups):
    groups = partition(groups)
    assert aggregate(sources, groups) == aggregate(list(reversed(sources)), groups)
