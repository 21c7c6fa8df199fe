"""Hybrid retrieval: reciprocal rank fusion, and every document's own best passages."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.retrieve import RRF_K, EvidenceIndex, ScoredSentence, rrf
from tests.fakes import FakeEmbedder, MemoryStore

# --- reciprocal rank fusion -------------------------------------------------------------------

ranking = st.lists(st.integers(0, 30), unique=True, max_size=20)
rankings = st.lists(ranking, min_size=1, max_size=5)


@given(rankings)
def test_every_ranked_item_is_scored_and_nothing_else(lists):
    fused = rrf(*lists)
    assert set(fused) == {item for ranked in lists for item in ranked}
    assert all(score > 0 for score in fused.values())


@given(rankings)
def test_an_items_score_is_the_sum_of_its_reciprocal_ranks(lists):
    fused = rrf(*lists)
    for item, score in fused.items():
        expected = sum(1 / (RRF_K + ranked.index(item) + 1) for ranked in lists if item in ranked)
        assert math.isclose(score, expected, rel_tol=1e-12)


@given(rankings, st.integers(100, 110))
def test_an_item_ranked_first_in_every_ranking_scores_highest(lists, top):
    fused = rrf(*[[top, *ranked] for ranked in lists])
    assert all(fused[top] > score for item, score in fused.items() if item != top)


@given(rankings, st.randoms(use_true_random=False))
def test_the_order_of_the_rankings_does_not_matter(lists, rng):
    shuffled = list(lists)
    rng.shuffle(shuffled)
    fused, again = rrf(*lists), rrf(*shuffled)
    assert set(fused) == set(again)
    assert all(math.isclose(fused[i], again[i], rel_tol=1e-12) for i in fused)


@given(ranking.filter(lambda r: len(r) >= 2))
def test_within_one_ranking_a_better_rank_scores_more(ranked):
    fused = rrf(ranked)
    assert all(fused[a] > fused[b] for a, b in zip(ranked, ranked[1:], strict=False))


# --- every document's best passages -----------------------------------------------------------

WORDS = ["summit", "anchorage", "treaty", "warheads", "putin", "trump", "ferry", "snow", "press", "base"]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda w: " ".join(w).capitalize() + ".")
chunk = st.lists(sentence, min_size=1, max_size=3)
corpora = st.dictionaries(
    st.sampled_from([f"doc{i}" for i in range(6)]), st.lists(chunk, min_size=1, max_size=3), min_size=1
)


@st.composite
def scored_corpus(draw):
    """An index over a random corpus, each sentence with a random fused score (ties allowed)."""
    index = EvidenceIndex(MemoryStore(draw(corpora), FakeEmbedder()), FakeEmbedder())
    fused = draw(st.lists(st.integers(0, 5), min_size=len(index.sentences), max_size=len(index.sentences)))
    return index, [ScoredSentence(s, 0.0, float(f)) for s, f in zip(index.sentences, fused, strict=True)]


@settings(max_examples=60, deadline=None)
@given(scored_corpus(), st.integers(1, 4), st.data())
def test_every_document_but_the_excluded_gives_its_best_sentences_best_first_no_chunk_twice(corpus, per_doc, data):
    index, scored = corpus
    exclude = data.draw(st.lists(st.sampled_from(index.doc_ids), unique=True))
    passages = index.passages_of(scored, per_doc=per_doc, exclude=exclude)
    assert set(passages) == set(index.doc_ids) - set(exclude)
    for doc_id, found in passages.items():
        own = sorted((s for s in scored if s.sentence.doc_id == doc_id), key=lambda s: -s.fused)
        assert 1 <= len(found) <= per_doc
        assert all(p.doc_id == doc_id for p in found)
        assert [p.fused_score for p in found] == sorted((p.fused_score for p in found), reverse=True)
        assert found[0].fused_score == own[0].fused  # the document's best sentence leads
        chunk_ids = [p.chunk_id for p in found]
        assert len(set(chunk_ids)) == len(chunk_ids)
        # each passage is the whole chunk around one of the document's per_doc best sentences
        cutoff = own[min(per_doc, len(own)) - 1].fused
        chunks = {c.chunk_id: c.span.text for c in index.store.chunks(doc_id)}
        assert all(p.fused_score >= cutoff and p.text == chunks[p.chunk_id] and p.sentence in p.text for p in found)


def test_passages_are_found_for_a_document_worded_unlike_the_claim():
    """No global top-k: a document that shares no word with the claim still contributes."""
    corpus = {
        "close": [["Putin met Trump at the base in Anchorage."], ["Putin met Trump again in Anchorage."]],
        "also-close": [["Trump and Putin met in Anchorage."]],
        "far": [["Snow fell over the harbour."], ["Ferries kept their timetable."]],
    }
    index = EvidenceIndex(MemoryStore(corpus, FakeEmbedder()), FakeEmbedder())
    found = index.passages("Putin met Trump in Anchorage.", per_doc=1)
    assert set(found) == {"close", "also-close", "far"}
    assert all(len(p) == 1 for p in found.values())
    assert index.passages("Putin met Trump in Anchorage.", exclude=["far", "close"]).keys() == {"also-close"}


def test_two_best_sentences_in_one_chunk_give_that_chunk_once():
    corpus = {"doc": [["Putin met Trump.", "Trump met Putin."], ["Snow fell over the harbour."]]}
    index = EvidenceIndex(MemoryStore(corpus, FakeEmbedder()), FakeEmbedder())
    [passage] = index.passages("Putin met Trump.", per_doc=2)["doc"]
    assert passage.chunk_id == "doc:c0000" and passage.sentence in {"Putin met Trump.", "Trump met Putin."}
    assert passage.text == "Putin met Trump. Trump met Putin."


def test_an_empty_index_scores_nothing():
    index = EvidenceIndex(MemoryStore({}, FakeEmbedder()), FakeEmbedder())
    assert index.score("anything", np.zeros(FakeEmbedder.dimension, dtype=np.float32)) == []
    assert index.passages("anything") == {}
