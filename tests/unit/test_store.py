"""The Chroma-backed corpus store, with small hand-made vectors: round trips, replacement, the
record-as-commit-marker rule, and recovery from an interrupted ingest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.errors import DocumentNotFound, StoreError
from factcheck.schema import ChunkSpan, SourceDocument
from factcheck.store import CorpusStore, chunk_id

SHA_A = "a" * 64
SHA_B = "b" * 64


def doc(doc_id: str = "article", sha256: str = SHA_A, text: str | None = None, **kw) -> SourceDocument:
    text = text if text is not None else f"{doc_id} first. {doc_id} second. {doc_id} third."
    return SourceDocument(
        doc_id=doc_id, path=f"/corpus/{doc_id}.txt", title=f"Title of {doc_id}", text=text, sha256=sha256, **kw
    )


def spans_of(document: SourceDocument, n: int) -> list[ChunkSpan]:
    """n consecutive spans over the document's text (the last one takes the rest)."""
    text = document.text
    step = max(1, len(text) // n)
    out = []
    for i in range(n):
        start, end = i * step, (len(text) if i == n - 1 else (i + 1) * step)
        piece = text[start:end]
        out.append(
            ChunkSpan(
                index=i,
                text=piece,
                start_char=start,
                end_char=end,
                start_byte=len(text[:start].encode()),
                end_byte=len(text[:end].encode()),
                n_tokens=len(piece.split()) + 2,
            )
        )
    return out


def sentences_of(text: str) -> list[tuple[int, int]]:
    """Character spans of the '... .' sentences in text."""
    return [m.span() for m in re.finditer(r"[^.\s][^.]*\.?", text)]


def axis(i: int, dim: int = 4) -> list[float]:
    return [1.0 if j == i % dim else 0.0 for j in range(dim)]


def put(store: CorpusStore, document: SourceDocument, vectors: Sequence[Sequence[float]], chunking: str = "p/1"):
    spans = spans_of(document, len(vectors))
    sentences = sentences_of(document.text)
    store.put_document(
        document,
        spans,
        vectors,
        sentences=sentences,
        sentence_embeddings=[axis(i + 1) for i in range(len(sentences))],
        chunking=chunking,
    )
    return spans


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    return CorpusStore(tmp_path / "store", "test-embedder")


class TestRoundTrip:
    def test_document_record_round_trips(self, store):
        d = doc(published=date(2025, 8, 15))
        put(store, d, [axis(0), axis(1)], chunking="sentences/192/48")
        record = store.document("article")
        assert record is not None
        assert (record.doc_id, record.title, record.source_path, record.sha256) == (
            "article",
            "Title of article",
            "/corpus/article.txt",
            SHA_A,
        )
        assert (record.n_chunks, record.n_chars, record.chunking) == (2, len(d.text), "sentences/192/48")
        assert record.published == date(2025, 8, 15)
        assert (record.authors, record.site, record.pages) == ((), "", ())

    def test_authors_site_and_pages_round_trip(self, store):
        d = doc(authors=("Ann Lee", "Bo Chan"), site="The Daily", pages=(0, 14, 30))
        put(store, d, [axis(0)])
        record = store.document("article")
        assert (record.authors, record.site, record.pages) == (("Ann Lee", "Bo Chan"), "The Daily", (0, 14, 30))
        assert store.documents() == [record]

    def test_document_without_a_date_has_none(self, store):
        put(store, doc(), [axis(0)])
        assert store.document("article").published is None

    def test_text_returns_the_full_clean_text(self, store):
        d = doc(text="Whole text. With é and “quotes”.")
        put(store, d, [axis(0)])
        assert store.text("article") == d.text

    def test_chunks_round_trip_in_order_with_offsets(self, store):
        d = doc()
        spans = put(store, d, [axis(0), axis(1), axis(2)])
        chunks = store.chunks("article")
        assert [c.span for c in chunks] == spans
        assert [c.chunk_id for c in chunks] == [chunk_id("article", SHA_A, i) for i in range(3)]
        assert all(c.doc_id == "article" for c in chunks)
        assert store.count_chunks() == 3

    def test_chunks_without_a_doc_id_lists_all_documents_sorted(self, store):
        put(store, doc("zeta"), [axis(0)])
        put(store, doc("alpha"), [axis(1), axis(2)])
        assert [(c.doc_id, c.span.index) for c in store.chunks()] == [("alpha", 0), ("alpha", 1), ("zeta", 0)]
        assert [r.doc_id for r in store.documents()] == ["alpha", "zeta"]

    def test_data_survives_reopening(self, tmp_path):
        put(CorpusStore(tmp_path / "s", "e"), doc(), [axis(0)])
        assert CorpusStore(tmp_path / "s", "e").document("article") is not None

    def test_stores_for_different_embedders_do_not_mix(self, tmp_path):
        put(CorpusStore(tmp_path / "s", "embedder-one"), doc(), [axis(0)])
        other = CorpusStore(tmp_path / "s", "embedder-two")
        assert other.documents() == [] and other.count_chunks() == 0

    def test_unknown_document_reads_as_missing(self, store):
        assert store.document("nope") is None
        assert store.chunks("nope") == []
        with pytest.raises(DocumentNotFound, match="nope"):
            store.text("nope")


class TestQuery:
    def test_empty_store_returns_no_hits(self, store):
        assert store.query(axis(0), k=5) == []

    def test_nearest_chunk_comes_first_with_zero_distance(self, store):
        spans = put(store, doc(), [axis(0), axis(1), axis(2)])
        hits = store.query(axis(1), k=3)
        assert hits[0].chunk.span == spans[1]
        assert hits[0].distance == pytest.approx(0.0, abs=1e-6)
        assert hits[0].similarity == pytest.approx(1.0, abs=1e-6)
        assert [h.distance for h in hits] == sorted(h.distance for h in hits)

    def test_k_larger_than_the_store_returns_everything(self, store):
        put(store, doc(), [axis(0), axis(1)])
        assert len(store.query(axis(0), k=50)) == 2

    def test_doc_ids_restrict_the_hits(self, store):
        put(store, doc("one"), [axis(0)])
        put(store, doc("two"), [[0.9, 0.1, 0.0, 0.0]])
        hits = store.query(axis(0), k=5, doc_ids=["two"])
        assert [h.chunk.doc_id for h in hits] == ["two"]


class TestReplaceAndRemove:
    def test_new_version_replaces_all_old_chunks(self, store):
        put(store, doc(sha256=SHA_A), [axis(0), axis(1), axis(2)])
        put(store, doc(sha256=SHA_B, text="Shorter new text. Two parts."), [axis(3), axis(0)])
        assert store.document("article").sha256 == SHA_B
        assert [c.chunk_id for c in store.chunks("article")] == [chunk_id("article", SHA_B, i) for i in range(2)]
        assert store.text("article") == "Shorter new text. Two parts."
        assert len(store.documents()) == 1

    def test_same_version_rechunked_replaces_its_chunks(self, store):
        put(store, doc(), [axis(0), axis(1), axis(2)], chunking="p/1")
        put(store, doc(), [axis(0)], chunking="p/2")
        assert store.count_chunks() == 1
        assert store.document("article").chunking == "p/2"

    def test_replacing_one_document_leaves_others_alone(self, store):
        put(store, doc("keep"), [axis(0), axis(1)])
        put(store, doc("change"), [axis(2)])
        put(store, doc("change", sha256=SHA_B), [axis(3)])
        assert len(store.chunks("keep")) == 2

    def test_remove_deletes_record_and_chunks(self, store):
        put(store, doc("gone"), [axis(0), axis(1)])
        put(store, doc("stays"), [axis(2)])
        store.remove_document("gone")
        assert store.document("gone") is None
        assert store.chunks("gone") == []
        assert [c.doc_id for c in store.chunks()] == ["stays"]

    def test_removing_a_missing_document_raises_unless_allowed(self, store):
        with pytest.raises(DocumentNotFound, match="ghost"):
            store.remove_document("ghost")
        store.remove_document("ghost", missing_ok=True)

    @pytest.mark.parametrize("n_vectors", [1, 3])
    def test_mismatched_counts_raise_and_keep_the_previous_version(self, store, n_vectors):
        put(store, doc(sha256=SHA_A), [axis(0), axis(1)])
        new = doc(sha256=SHA_B)
        with pytest.raises(StoreError, match="article"):
            store.put_document(
                new,
                spans_of(new, 2),
                [axis(0)] * n_vectors,
                sentences=sentences_of(new.text),
                sentence_embeddings=[axis(0)] * 3,
                chunking="p/2",
            )
        assert store.document("article").sha256 == SHA_A
        assert [c.chunk_id for c in store.chunks("article")] == [chunk_id("article", SHA_A, i) for i in range(2)]

    def test_no_chunks_is_a_store_error_and_keeps_the_previous_version(self, store):
        put(store, doc(), [axis(0)])
        with pytest.raises(StoreError):
            store.put_document(doc(sha256=SHA_B), [], [], sentences=[], sentence_embeddings=[], chunking="p/1")
        assert store.document("article").sha256 == SHA_A


class TestSentences:
    def test_sentences_round_trip_with_offsets_vectors_and_owning_chunk(self, store):
        d = doc(text="Alpha one. Beta two. Gamma three. Delta four.")
        spans = put(store, d, [axis(0), axis(1)])
        rows = store.sentences()
        bounds = sentences_of(d.text)
        assert [s.text for s in rows.sentences] == ["Alpha one.", "Beta two.", "Gamma three.", "Delta four."]
        assert [(s.start_char, s.end_char) for s in rows.sentences] == bounds
        assert [s.index for s in rows.sentences] == [0, 1, 2, 3]
        for sentence in rows.sentences:
            owner = next(c for c in spans if c.start_char <= sentence.start_char < c.end_char)
            assert sentence.chunk_id == chunk_id("article", SHA_A, owner.index)
        assert rows.embeddings.shape == (4, 4)
        assert rows.embeddings.tolist() == [axis(i + 1) for i in range(4)]

    def test_sentences_can_be_limited_to_some_documents(self, store):
        put(store, doc("one"), [axis(0)])
        put(store, doc("two"), [axis(1)])
        rows = store.sentences(["two"])
        assert {s.doc_id for s in rows.sentences} == {"two"}
        assert len(rows.embeddings) == len(rows.sentences) == 3

    def test_sentences_are_in_document_order(self, store):
        put(store, doc("b"), [axis(0)])
        put(store, doc("a"), [axis(0)])
        assert [(s.doc_id, s.index) for s in store.sentences().sentences] == [
            ("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2),
        ]  # fmt: skip

    def test_new_version_replaces_old_sentences_and_remove_deletes_them(self, store):
        put(store, doc("other"), [axis(2)])
        put(store, doc(sha256=SHA_A), [axis(0)])
        put(store, doc(sha256=SHA_B, text="Only one now."), [axis(1)])
        assert [s.text for s in store.sentences(["article"]).sentences] == ["Only one now."]
        store.remove_document("article")
        assert {s.doc_id for s in store.sentences().sentences} == {"other"}

    def test_mismatched_sentence_vectors_raise_and_keep_the_previous_version(self, store):
        put(store, doc(sha256=SHA_A), [axis(0)])
        new = doc(sha256=SHA_B)
        with pytest.raises(StoreError, match="sentences"):
            store.put_document(
                new,
                spans_of(new, 1),
                [axis(0)],
                sentences=sentences_of(new.text),
                sentence_embeddings=[axis(0)],
                chunking="p/1",
            )
        assert store.document("article").sha256 == SHA_A
        assert len(store.sentences().sentences) == 3

    def test_sentences_of_an_empty_store_are_empty(self, store):
        rows = store.sentences()
        assert rows.sentences == [] and len(rows.embeddings) == 0

    def test_sentences_of_unknown_documents_are_empty(self, store):
        put(store, doc(), [axis(0)])
        assert store.sentences(["nope"]).sentences == []


class TestChunkId:
    @given(
        doc_id=st.text(min_size=1),
        sha=st.text("0123456789abcdef", min_size=12, max_size=64),
        index=st.integers(0, 9999),
    )
    def test_chunk_id_is_stable(self, doc_id, sha, index):
        assert chunk_id(doc_id, sha, index) == chunk_id(doc_id, sha, index)

    @given(
        sha_a=st.text("0123456789abcdef", min_size=64, max_size=64),
        sha_b=st.text("0123456789abcdef", min_size=64, max_size=64),
    )
    def test_chunk_id_differs_when_the_content_hash_differs(self, sha_a, sha_b):
        # Only the first 12 hex digits are kept: a 48-bit prefix, plenty for one document's versions.
        if sha_a[:12] != sha_b[:12]:
            assert chunk_id("doc", sha_a, 0) != chunk_id("doc", sha_b, 0)

    def test_chunk_id_differs_by_index_and_document(self):
        ids = {chunk_id(d, SHA_A, i) for d in ("a", "b") for i in range(3)}
        assert len(ids) == 6


def interrupt_before_commit(
    store: CorpusStore, monkeypatch: pytest.MonkeyPatch, document: SourceDocument, vectors: Sequence[Sequence[float]]
) -> None:
    """put_document that stops (as on Ctrl-C) after writing chunks, before the record."""

    def stop(**kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(store._docs, "add", stop)
        with pytest.raises(KeyboardInterrupt):
            put(store, document, vectors)


class TestOrphans:
    def test_interrupted_write_leaves_no_record_and_its_chunks_are_dropped(self, store, monkeypatch):
        put(store, doc("committed"), [axis(0), axis(1)])
        interrupt_before_commit(store, monkeypatch, doc("half"), [axis(2), axis(3)])
        assert store.document("half") is None
        assert store.drop_orphans() == 2 + len(sentences_of(doc("half").text))  # chunks and sentences
        assert [c.doc_id for c in store.chunks()] == ["committed", "committed"]
        assert {s.doc_id for s in store.sentences().sentences} == {"committed"}

    def test_interrupted_update_loses_the_old_record_not_consistency(self, store, monkeypatch):
        put(store, doc(sha256=SHA_A), [axis(0)])
        interrupt_before_commit(store, monkeypatch, doc(sha256=SHA_B), [axis(1), axis(2)])
        assert store.document("article") is None  # so the next ingest sees it as new
        assert store.drop_orphans() == 2 + len(sentences_of(doc().text))
        assert store.count_chunks() == 0
        assert store.chunks() == []

    def test_chunks_of_another_version_than_the_record_are_dropped(self, store):
        put(store, doc(sha256=SHA_A), [axis(0)])
        stale = doc(sha256=SHA_B)
        # A leftover from an older write of the same document, under its own ids.
        store._chunks.add(
            ids=[chunk_id("article", SHA_B, 7)],
            embeddings=[axis(1)],
            documents=["stale"],
            metadatas=[
                {
                    "doc_id": "article",
                    "doc_sha256": stale.sha256,
                    "chunk_index": 7,
                    "start_char": 0,
                    "end_char": 5,
                    "start_byte": 0,
                    "end_byte": 5,
                    "n_tokens": 3,
                }
            ],  # fmt: skip
        )
        assert store.drop_orphans() == 1
        assert [c.chunk_id for c in store.chunks()] == [chunk_id("article", SHA_A, 0)]

    def test_committed_documents_have_no_orphans(self, store):
        put(store, doc("one"), [axis(0), axis(1)])
        put(store, doc("two", sha256=SHA_B), [axis(2)])
        assert store.drop_orphans() == 0
        assert store.count_chunks() == 3
        assert len(store.sentences().sentences) == 6


class TestOpening:
    def test_store_path_that_is_a_file_is_a_store_error(self, tmp_path):
        blocker = tmp_path / "store"
        blocker.write_text("not a folder")
        with pytest.raises(StoreError, match="cannot open the store"):
            CorpusStore(blocker, "e")
