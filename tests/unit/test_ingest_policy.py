"""The chunking policy ingest uses, and how the Ingestor decides between added, updated, unchanged
and skipped, with the deterministic fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.corpus.ingest import ChunkingPolicy, Ingestor
from factcheck.schema import IngestStatus, IngestSummary
from factcheck.store import CorpusStore
from tests.fakes import FakeEmbedder


class SizedEmbedder(FakeEmbedder):
    def __init__(self, max_tokens: int) -> None:
        super().__init__()
        self.max_tokens = max_tokens


class TestChunkingPolicy:
    @given(limit=st.integers(2, 2048), chunk=st.integers(16, 4096), overlap=st.integers(0, 4095))
    def test_policy_never_exceeds_the_embedder_and_overlap_stays_smaller(self, limit, chunk, overlap):
        policy = ChunkingPolicy.for_embedder(SizedEmbedder(limit), chunk, min(overlap, chunk - 1))
        assert policy.max_tokens == min(chunk, limit)
        assert 0 <= policy.overlap_tokens < policy.max_tokens
        assert policy.overlap_tokens <= min(overlap, chunk - 1)

    def test_settings_within_the_embedders_limit_are_kept(self):
        assert ChunkingPolicy.for_embedder(SizedEmbedder(256), 192, 48) == ChunkingPolicy(192, 48)

    def test_overlap_is_capped_at_half_of_a_capped_chunk(self):
        assert ChunkingPolicy.for_embedder(SizedEmbedder(64), 192, 48) == ChunkingPolicy(64, 32)

    @given(
        a=st.tuples(st.integers(1, 4096), st.integers(0, 4096)), b=st.tuples(st.integers(1, 4096), st.integers(0, 4096))
    )
    def test_signature_changes_exactly_when_the_policy_does(self, a, b):
        same_policy = ChunkingPolicy(*a) == ChunkingPolicy(*b)
        assert (ChunkingPolicy(*a).signature == ChunkingPolicy(*b).signature) == same_policy


SENTENCE = "The delegation from {n} met for talks about the summit agenda today."


def article(name: str, n_sentences: int = 30) -> str:
    return " ".join(SENTENCE.format(n=f"{name}{i}") for i in range(n_sentences)) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text(article("one"), encoding="utf-8")
    (folder / "two.md").write_text("# Two\n\n" + article("two"), encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    return CorpusStore(tmp_path / "store", "fake-embedder")


def ingest(store: CorpusStore, embedder: FakeEmbedder, folder: Path, policy: ChunkingPolicy) -> IngestSummary:
    ingestor = Ingestor(store, embedder, policy, max_bytes=1 << 20)
    files, rejected = ingestor.plan([folder])
    summary = IngestSummary(list(rejected))
    ingestor.run(files, summary)
    return summary


def statuses(summary: IngestSummary) -> dict[str, IngestStatus]:
    return {Path(o.path).name: o.status for o in summary.outcomes}


WIDE = ChunkingPolicy(max_tokens=128, overlap_tokens=16)
NARROW = ChunkingPolicy(max_tokens=40, overlap_tokens=8)


class TestIngestor:
    def test_first_ingest_adds_every_document(self, store, corpus):
        summary = ingest(store, FakeEmbedder(), corpus, WIDE)
        assert statuses(summary) == {"one.txt": IngestStatus.ADDED, "two.md": IngestStatus.ADDED}
        assert summary.chunks_written == store.count_chunks() > 0
        assert {r.chunking for r in store.documents()} == {WIDE.signature}

    def test_same_files_same_policy_are_unchanged_and_not_embedded(self, store, corpus):
        ingest(store, FakeEmbedder(), corpus, WIDE)
        embedder = FakeEmbedder()
        summary = ingest(store, embedder, corpus, WIDE)
        assert set(statuses(summary).values()) == {IngestStatus.UNCHANGED}
        assert embedder.calls == []
        assert summary.chunks_written == 0

    def test_changed_policy_rechunks_every_document(self, store, corpus):
        ingest(store, FakeEmbedder(), corpus, WIDE)
        wide_chunks = store.count_chunks()
        embedder = FakeEmbedder()
        summary = ingest(store, embedder, corpus, NARROW)
        assert set(statuses(summary).values()) == {IngestStatus.UPDATED}
        assert {r.chunking for r in store.documents()} == {NARROW.signature}
        assert store.count_chunks() > wide_chunks
        assert all(embedder.count_tokens(c.span.text) <= NARROW.max_tokens for c in store.chunks())
        assert sum(r.n_chunks for r in store.documents()) == store.count_chunks()
        # Evidence sentences point at the chunk quoted for them: after re-chunking, a live one.
        live_chunks = {c.chunk_id for c in store.chunks()}
        sentences = store.sentences().sentences
        assert sentences and all(s.chunk_id in live_chunks for s in sentences)

    def test_edited_file_is_updated_and_others_unchanged(self, store, corpus):
        ingest(store, FakeEmbedder(), corpus, WIDE)
        (corpus / "one.txt").write_text(article("edited"), encoding="utf-8")
        summary = ingest(store, FakeEmbedder(), corpus, WIDE)
        assert statuses(summary) == {"one.txt": IngestStatus.UPDATED, "two.md": IngestStatus.UNCHANGED}
        assert "edited0" in store.text("one")

    def test_same_document_id_twice_in_a_batch_skips_the_second(self, store, corpus):
        (corpus / "sub").mkdir()
        (corpus / "sub" / "one.md").write_text(article("dup"), encoding="utf-8")
        summary = ingest(store, FakeEmbedder(), corpus, WIDE)
        skipped = summary.skipped
        assert len(skipped) == 1 and skipped[0].doc_id == "one"
        assert "already taken" in skipped[0].message
        assert "one0" in store.text("one")  # the first file found keeps the id

    def test_unreadable_inputs_are_skipped_and_the_rest_ingested(self, store, corpus):
        (corpus / "empty.txt").write_text("", encoding="utf-8")
        (corpus / "image.png").write_bytes(b"\x89PNG")
        summary = ingest(store, FakeEmbedder(), corpus, WIDE)
        assert summary.count(IngestStatus.ADDED) == 2
        assert {Path(o.path).name for o in summary.skipped} == {"empty.txt", "image.png"}

    def test_run_first_drops_chunks_of_an_interrupted_ingest(self, store, corpus, monkeypatch):
        ingestor = Ingestor(store, FakeEmbedder(), WIDE, max_bytes=1 << 20)

        def stop(**kwargs):
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            m.setattr(store._docs, "add", stop)
            with pytest.raises(KeyboardInterrupt):
                ingestor.run([corpus / "one.txt"], IngestSummary())
        assert store.count_chunks() > 0 and store.documents() == []
        # The next run is about another file, yet the half-written one's chunks must go.
        Ingestor(store, FakeEmbedder(), WIDE, max_bytes=1 << 20).run([corpus / "two.md"], IngestSummary())
        assert {c.doc_id for c in store.chunks()} == {"two"}
        assert sum(r.n_chunks for r in store.documents()) == store.count_chunks()
