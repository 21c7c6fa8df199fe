"""What the store returns and creates when it is not in a clean state: orphans of an interrupted
ingest (rows without a committed record) are invisible to every read, reading creates nothing,
and writing waits for no one (another writer's lock is an error, not a race)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.errors import DocumentNotFound, StoreBusy
from factcheck.store import CorpusStore, chunk_id, sentence_id
from factcheck.store_lock import lock_path
from tests.unit.test_store import SHA_A, SHA_B, axis, doc, put


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    return CorpusStore(tmp_path / "store", "test-embedder")


def collection_names(path: Path) -> set[str]:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
    return {getattr(c, "name", c) for c in client.list_collections()}


def orphan(store: CorpusStore, doc_id: str, sha256: str, vector: list[float], text: str = "orphan text.") -> None:
    """A chunk and a sentence as an ingest killed before its record leaves them."""
    cid = chunk_id(doc_id, sha256, 0)
    store._chunks.add(
        ids=[cid],
        embeddings=[vector],
        documents=[text],
        metadatas=[
            {
                "doc_id": doc_id,
                "doc_sha256": sha256,
                "chunk_index": 0,
                "start_char": 0,
                "end_char": len(text),
                "start_byte": 0,
                "end_byte": len(text),
                "n_tokens": 3,
            }
        ],
    )
    store._sentences.add(
        ids=[sentence_id(doc_id, sha256, 0)],
        embeddings=[vector],
        documents=[text],
        metadatas=[
            {
                "doc_id": doc_id,
                "doc_sha256": sha256,
                "sentence_index": 0,
                "start_char": 0,
                "end_char": len(text),
                "chunk_id": cid,
            }
        ],
    )


class TestOrphansAreInvisible:
    def test_query_skips_chunks_without_a_record_and_still_returns_k_hits(self, store):
        put(store, doc("real"), [axis(1), axis(2), axis(3)])
        for i in range(5):  # the nearest rows of all, and more of them than k
            orphan(store, f"ghost{i}", SHA_B, axis(0))
        hits = store.query(axis(0), k=2)
        assert len(hits) == 2
        assert {h.chunk.doc_id for h in hits} == {"real"}

    def test_query_skips_chunks_of_another_version_than_the_record(self, store):
        put(store, doc(sha256=SHA_A), [axis(1)])
        orphan(store, "article", SHA_B, axis(0))
        assert [h.chunk.chunk_id for h in store.query(axis(0), k=5)] == [chunk_id("article", SHA_A, 0)]

    def test_query_restricted_to_documents_skips_their_orphans(self, store):
        put(store, doc("real"), [axis(1)])
        orphan(store, "real", SHA_B, axis(0))
        assert [h.chunk.doc_id for h in store.query(axis(0), k=5, doc_ids=["real"])] == ["real"]

    def test_sentences_and_chunks_skip_orphans(self, store):
        put(store, doc("real"), [axis(1)])
        orphan(store, "ghost", SHA_B, axis(0))
        orphan(store, "real", SHA_B, axis(0))
        rows = store.sentences()
        assert {s.doc_id for s in rows.sentences} == {"real"}
        assert all("orphan" not in s.text for s in rows.sentences)
        assert len(rows.embeddings) == len(rows.sentences)
        assert [c.chunk_id for c in store.chunks()] == [chunk_id("real", SHA_A, 0)]
        assert store.chunks("ghost") == [] and store.sentences(["ghost"]).sentences == []

    def test_a_store_of_orphans_only_reads_as_empty(self, store):
        orphan(store, "ghost", SHA_B, axis(0))
        assert store.query(axis(0), k=3) == []
        assert store.sentences().sentences == [] and store.chunks() == []


class TestReadingCreatesNothing:
    def test_reading_a_new_store_creates_no_collections(self, tmp_path):
        store = CorpusStore(tmp_path / "store", "never-written")
        assert store.documents() == [] and store.chunks() == [] and store.count_chunks() == 0
        assert store.sentences().sentences == [] and store.query(axis(0), k=3) == []
        assert store.document("x") is None
        with pytest.raises(DocumentNotFound):
            store.text("x")
        with pytest.raises(DocumentNotFound):
            store.remove_document("x")
        assert store.drop_orphans() == 0
        assert collection_names(tmp_path / "store") == set()

    def test_the_first_write_creates_the_collections(self, tmp_path):
        put(CorpusStore(tmp_path / "store", "emb"), doc(), [axis(0)])
        assert collection_names(tmp_path / "store") == {"chunks-emb", "sentences-emb", "docs-emb"}

    def test_a_reader_opened_before_the_first_write_sees_it(self, tmp_path):
        reader = CorpusStore(tmp_path / "store", "emb")
        assert reader.documents() == []
        put(CorpusStore(tmp_path / "store", "emb"), doc(), [axis(0)])
        assert [r.doc_id for r in reader.documents()] == ["article"]


class TestWriterLock:
    @pytest.fixture
    def held(self, tmp_path, monkeypatch):
        """The store's lock file held by someone else (another open file description)."""
        import filelock

        monkeypatch.setattr("factcheck.store_lock.WAIT_SECONDS", 0.1)
        other = filelock.FileLock(str(lock_path(tmp_path / "store")))
        other.acquire()
        yield other
        other.release()

    def test_every_write_is_refused_while_another_writer_holds_the_lock(self, store, tmp_path, held):
        with pytest.raises(StoreBusy, match="another factcheck process is writing to the store"):
            put(store, doc(), [axis(0)])
        for write in (lambda: store.remove_document("article", missing_ok=True), store.drop_orphans):
            with pytest.raises(StoreBusy):
                write()
        assert store.documents() == []  # reading does not wait

    def test_writes_go_on_once_the_lock_is_released(self, store, held):
        held.release()
        put(store, doc(), [axis(0)])
        assert store.document("article") is not None

    def test_one_writer_may_nest_its_own_writes(self, store):
        with store.writing():
            put(store, doc(), [axis(0)])
            store.drop_orphans()
            store.remove_document("article")
        assert store.documents() == []
