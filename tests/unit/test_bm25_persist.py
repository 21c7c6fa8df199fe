"""The BM25 index saved beside the store (factcheck/lexical.py): built once per corpus state and
loaded while the sentences are unchanged; any change to them (a document added, a sentence
edited in place) is a new state, built and saved again. A store it cannot be saved in only
means building it in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factcheck import lexical
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor
from factcheck.lexical import LexicalIndex
from factcheck.retrieve import EvidenceIndex
from factcheck.schema import IngestSummary
from factcheck.store import CorpusStore
from tests.fakes import FakeEmbedder

ARTICLES = {
    "summit": "Putin and Trump met in Anchorage on Friday. The talks lasted three hours.",
    "treaty": "The New START treaty caps deployed warheads at 1,550. It expires in February.",
    "weather": "Snow fell over the harbour. Ferries kept their timetable.",
}


def ingest(store: CorpusStore, folder: Path, articles: dict[str, str], embedder: FakeEmbedder) -> None:
    """The articles written as files and ingested as the CLI would."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in articles.items():
        (folder / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
    policy = ChunkingPolicy.for_embedder(embedder, 192, 48)
    Ingestor(store, embedder, policy, max_bytes=1 << 20).run(sorted(folder.glob("*.txt")), IngestSummary())


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    store = CorpusStore(tmp_path / "store", "fake-embedder")
    ingest(store, tmp_path / "articles", ARTICLES, FakeEmbedder())
    return store


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """How many times a BM25 index was built, and over how many sentences."""
    built: list[int] = []
    original = LexicalIndex.build.__func__

    def counting(cls, rows):
        built.append(len(rows))
        return original(cls, rows)

    monkeypatch.setattr(LexicalIndex, "build", classmethod(counting))
    return built


def saved_states(store: CorpusStore) -> list[str]:
    root = store.lexical_dir
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) if root.exists() else []


def test_an_unchanged_corpus_loads_the_saved_index_instead_of_building_it(store, builds):
    first = EvidenceIndex(store, FakeEmbedder())
    assert builds == [6] and saved_states(store) == [first.state]
    again = EvidenceIndex(store, FakeEmbedder())
    assert builds == [6] and again.state == first.state
    claim = "The treaty caps warheads at 1,550."
    assert [s.sentence.text for s in again.score(claim)] == [s.sentence.text for s in first.score(claim)]


def test_the_loaded_index_scores_exactly_as_the_one_built(store):
    built = EvidenceIndex(store, FakeEmbedder())._source.lexical
    loaded = lexical.saved(store.lexical_dir, EvidenceIndex(store, FakeEmbedder()).state)
    query = lexical.tokens(["Snow over the harbour in Anchorage"])[0]
    assert loaded is not None and loaded is not built
    assert np.array_equal(loaded.scores(query), built.scores(query))
    assert [loaded.key(r) for r in range(loaded.size)] == [built.key(r) for r in range(built.size)]
    assert loaded.idf == built.idf


def test_a_document_added_is_a_new_state_built_and_saved(store, builds, tmp_path):
    before = EvidenceIndex(store, FakeEmbedder())
    ingest(store, tmp_path / "more", {"ferry": "The ferry to Kodiak sailed at noon."}, FakeEmbedder())
    after = EvidenceIndex(store, FakeEmbedder())
    assert after.state != before.state and builds == [6, 7]
    assert set(saved_states(store)) == {before.state, after.state}
    assert "ferry" in {s.sentence.doc_id for s in after.score("Which ferry sailed to Kodiak at noon?")}


def test_a_sentence_edited_in_place_is_a_new_state(store, builds):
    before = EvidenceIndex(store, FakeEmbedder())
    row = store._sentences.get(limit=1, include=["documents", "embeddings"])
    store._sentences.update(
        ids=row["ids"], documents=[row["documents"][0] + " Edited."], embeddings=[list(row["embeddings"][0])]
    )
    after = EvidenceIndex(store, FakeEmbedder())
    assert after.state != before.state and len(builds) == 2


def test_an_index_of_some_documents_is_saved_apart_from_the_whole_corpus(store, builds):
    whole = EvidenceIndex(store, FakeEmbedder())
    some = EvidenceIndex(store, FakeEmbedder(), [r for r in store.documents() if r.doc_id != "weather"])
    assert some.state != whole.state and builds == [6, 4]
    assert "weather" not in some.doc_ids and "weather" not in {s.sentence.doc_id for s in some.score("Snow fell.")}
    EvidenceIndex(store, FakeEmbedder(), [r for r in store.documents() if r.doc_id != "weather"])
    assert builds == [6, 4]  # loaded, not built again


def test_only_the_most_recently_used_states_are_kept(store, tmp_path):
    for n in range(lexical.KEEP + 2):
        ingest(store, tmp_path / f"more{n}", {f"extra{n}": f"Extra article number {n} arrived."}, FakeEmbedder())
        EvidenceIndex(store, FakeEmbedder())
    assert len(saved_states(store)) == lexical.KEEP


def test_a_store_where_the_index_cannot_be_saved_still_retrieves(store, builds):
    store.lexical_dir.parent.parent.joinpath("bm25").write_text("not a folder")  # saving fails
    index = EvidenceIndex(store, FakeEmbedder())
    assert "treaty" in {s.sentence.doc_id for s in index.score("The treaty caps warheads at 1,550.")}
    EvidenceIndex(store, FakeEmbedder())
    assert len(builds) == 2  # nothing saved, so built each time


def test_a_half_written_index_is_not_loaded(store, builds):
    state = EvidenceIndex(store, FakeEmbedder()).state
    (store.lexical_dir / state / "manifest.json").unlink()  # as a reader killed mid-save leaves it
    EvidenceIndex(store, FakeEmbedder())
    assert len(builds) == 2
