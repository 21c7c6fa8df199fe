"""Hybrid retrieval: reciprocal rank fusion, and every document's own best passages."""

from __future__ import annotations

import math

import numpy as np
import pytest
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


# --- candidates from the store's vector index, bounded per claim --------------------------------


class OnlyRows:
    """A Chroma store seen only through `sentences()` and `chunks()`: an index over it scores
    every sentence exactly, in memory (the reference the store's own search must match)."""

    def __init__(self, store):
        self._store = store

    def sentences(self, doc_ids=None):
        return self._store.sentences(doc_ids)

    def chunks(self, doc_id=None):
        return self._store.chunks(doc_id)


MORE_ARTICLES = {
    "summit": "Putin and Trump met in Anchorage on Friday. The talks lasted three hours. Reporters waited.",
    "treaty": "The New START treaty caps deployed warheads at 1,550. It expires in February.",
    "weather": "Snow fell over the harbour. Ferries kept their timetable.",
    "press": "The press centre in Anchorage opened at dawn. Trump spoke to reporters first.",
    "markets": "Oil prices rose after the summit. Traders watched Anchorage closely.",
}
CLAIMS = ["Putin met Trump in Anchorage.", "The treaty caps warheads at 1,550.", "Snow fell.", "Nothing like it."]


@pytest.fixture
def chroma(tmp_path):
    from factcheck.store import CorpusStore
    from tests.unit.test_bm25_persist import ingest

    store = CorpusStore(tmp_path / "store", "fake-embedder")
    ingest(store, tmp_path / "articles", MORE_ARTICLES, FakeEmbedder())
    return store


def _scored(index, claim, **options):
    return {(s.sentence.doc_id, s.sentence.index): s for s in index.score(claim, **options)}


@pytest.mark.parametrize("max_docs", [2, 5])
def test_the_store_search_scores_as_scoring_every_sentence_exactly(chroma, max_docs):
    searched, exact = EvidenceIndex(chroma, FakeEmbedder()), EvidenceIndex(OnlyRows(chroma), FakeEmbedder())
    for claim in CLAIMS:
        found, expected = _scored(searched, claim, max_docs=max_docs), _scored(exact, claim, max_docs=max_docs)
        assert found.keys() == expected.keys()
        assert all(math.isclose(found[k].similarity, expected[k].similarity, abs_tol=1e-6) for k in found)
        assert all(found[k].fused == expected[k].fused for k in found)


def test_candidates_are_only_of_the_documents_given(chroma):
    kept = [r for r in chroma.documents() if r.doc_id in {"weather", "markets"}]
    index = EvidenceIndex(chroma, FakeEmbedder(), kept)
    found = index.candidates("Putin met Trump in Anchorage on Friday.")  # the nearest are of "summit"
    assert set(found.ranked) == {"weather", "markets"}
    assert index.passages("Putin met Trump in Anchorage on Friday.").keys() == {"weather", "markets"}


@pytest.mark.parametrize("k", [1, 3, 50])
@pytest.mark.parametrize("unfiltered", [1, 32])  # 1: straight to the filtered search
def test_a_search_restricted_to_documents_returns_their_nearest_sentences(chroma, k, unfiltered, monkeypatch):
    monkeypatch.setattr("factcheck.store._UNFILTERED_FACTOR", unfiltered)
    [vector] = FakeEmbedder().embed(["Putin met Trump in Anchorage on Friday."])
    versions = {r.doc_id: r.sha256 for r in chroma.documents() if r.doc_id in {"weather", "treaty"}}
    hits = chroma.query_sentences(vector, k, versions)
    rows = chroma.sentences_of(versions)
    similarity = rows.embeddings @ np.asarray(vector, dtype=np.float32)
    by_sentence = {(r.doc_id, r.index): float(x) for r, x in zip(rows.sentences, similarity, strict=True)}
    found = [(h.sentence.doc_id, h.sentence.index) for h in hits]
    assert len(set(found)) == len(found) == min(k, len(by_sentence)) and set(found) <= set(by_sentence)
    # The k best similarities, best first (sentences tied on one similarity may come in any order).
    assert [round(by_sentence[s], 5) for s in found] == sorted(
        (round(x, 5) for x in by_sentence.values()), reverse=True
    )[:k]


def test_orphan_sentences_are_never_candidates(chroma):
    from tests.unit.test_store_integrity import orphan

    claim = "Zebras voted to move the summit to the moon."
    [vector] = FakeEmbedder().embed([claim])
    orphan(chroma, "ghost", "c" * 64, vector, claim)
    orphan(chroma, "summit", "d" * 64, vector, claim)  # another version of a committed document
    found = EvidenceIndex(chroma, FakeEmbedder()).candidates(claim)
    assert "ghost" not in found.ranked
    assert all(s.text != claim for s, _ in found.seen.values())
    assert len(chroma.query_sentences(vector, 3, {r.doc_id: r.sha256 for r in chroma.documents()})) == 3


def test_more_candidates_are_asked_for_until_they_span_the_documents_wanted():
    crowd = [[f"Putin met Trump in Anchorage, report {i}."] for i in range(120)]
    corpus = {"crowd": crowd, "a": [["Trump and Putin talked."]], "b": [["Snow fell."]], "c": [["Ferries ran."]]}
    index = EvidenceIndex(MemoryStore(corpus, FakeEmbedder()), FakeEmbedder())
    assert set(index.candidates("Putin met Trump in Anchorage.", wanted=4).ranked) == set(corpus)
    assert index.passages("Putin met Trump in Anchorage.", max_docs=4).keys() == set(corpus)


def test_in_a_corpus_larger_than_the_cap_only_the_best_documents_are_read():
    corpus = {f"far{i}": [[f"Ferry timetable number {i} changed."]] for i in range(10)}
    corpus |= {"near": [["Putin met Trump in Anchorage."]], "nearer": [["Putin met Trump in Anchorage on Friday."]]}
    index = EvidenceIndex(MemoryStore(corpus, FakeEmbedder()), FakeEmbedder())
    assert index.passages("Putin met Trump in Anchorage on Friday.", max_docs=2).keys() == {"near", "nearer"}


def test_the_paged_read_of_every_sentence_is_the_same_whatever_the_page(chroma):
    versions = {r.doc_id: r.sha256 for r in chroma.documents()}
    whole = chroma.sentence_texts(versions)
    assert len(whole) == len(chroma.sentences().sentences) and whole == sorted(whole)
    assert all(chroma.sentence_texts(versions, page=page) == whole for page in (1, 3, 7))


def test_the_best_similarity_is_that_of_the_nearest_sentence(chroma):
    index, exact = EvidenceIndex(chroma, FakeEmbedder()), EvidenceIndex(OnlyRows(chroma), FakeEmbedder())
    for claim in CLAIMS:
        vector = index.embed([claim])[0]
        assert math.isclose(index.best_similarity(vector), float((exact.vectors @ vector).max()), abs_tol=1e-6)
