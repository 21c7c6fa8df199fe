"""Ingest: files on disk -> cleaned documents -> sentence chunks -> embeddings -> the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from factcheck.corpus.chunking import chunk_text, split_sentences
from factcheck.corpus.reader import discover, read_document
from factcheck.errors import InputFileError
from factcheck.models.embedding import Embedder
from factcheck.retrieve import trim_to_tokens
from factcheck.schema import IngestOutcome, IngestStatus, IngestSummary, SourceDocument
from factcheck.store import CorpusStore


@dataclass(frozen=True)
class ChunkingPolicy:
    max_tokens: int
    overlap_tokens: int

    @classmethod
    def for_embedder(cls, embedder: Embedder, max_tokens: int, overlap_tokens: int) -> ChunkingPolicy:
        # Never exceed what the embedder reads whole: a longer chunk would be cut silently.
        limit = min(max_tokens, embedder.max_tokens)
        return cls(max_tokens=limit, overlap_tokens=min(overlap_tokens, limit // 2))

    @property
    def signature(self) -> str:
        """Stored with each document, so changing the policy re-chunks instead of 'unchanged'."""
        return f"sentences/{self.max_tokens}/{self.overlap_tokens}/v2"


Progress = Callable[[IngestOutcome], None]


class Ingestor:
    def __init__(self, store: CorpusStore, embedder: Embedder, policy: ChunkingPolicy, max_bytes: int) -> None:
        self.store = store
        self.embedder = embedder
        self.policy = policy
        self.max_bytes = max_bytes

    def plan(self, paths: Sequence[Path]) -> tuple[list[Path], list[IngestOutcome]]:
        """Expand paths into files to read, and outcomes for paths rejected outright."""
        files, errors = discover(paths)
        return files, [_skipped(err) for err in errors]

    def run(self, files: Sequence[Path], summary: IngestSummary, progress: Progress | None = None) -> None:
        """Ingest files one by one, appending to summary as each finishes (so an interrupted run
        still reports what it did)."""
        self.store.drop_orphans()
        first_path_of: dict[str, str] = {}
        for path in files:
            outcome = self.ingest_file(path, first_path_of)
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)

    def ingest_file(self, path: Path, first_path_of: dict[str, str]) -> IngestOutcome:
        try:
            doc = read_document(path, max_bytes=self.max_bytes)
        except InputFileError as err:
            return _skipped(err)
        earlier = first_path_of.setdefault(doc.doc_id, doc.path)
        if earlier != doc.path:
            reason = f"document id {doc.doc_id!r} is already taken by {earlier} in this batch"
            return IngestOutcome(doc.path, IngestStatus.SKIPPED, doc.doc_id, message=reason)
        existing = self.store.document(doc.doc_id)
        if existing is not None and existing.sha256 == doc.sha256 and existing.chunking == self.policy.signature:
            return IngestOutcome(doc.path, IngestStatus.UNCHANGED, doc.doc_id, existing.n_chunks)
        n_chunks = self._write(doc)
        status = IngestStatus.UPDATED if existing is not None else IngestStatus.ADDED
        return IngestOutcome(doc.path, status, doc.doc_id, n_chunks, message="; ".join(doc.notes) or None)

    def _write(self, doc: SourceDocument) -> int:
        spans = chunk_text(
            doc.text,
            count_tokens=self.embedder.count_tokens,
            max_tokens=self.policy.max_tokens,
            overlap_tokens=self.policy.overlap_tokens,
        )
        sentences = split_sentences(doc.text)
        # Chunks and sentences in one call: llama.cpp packs them into full batches.
        texts = [span.text for span in spans] + [
            trim_to_tokens(self.embedder, doc.text[start:end]) for start, end in sentences
        ]
        vectors = self.embedder.embed(texts)
        self.store.put_document(
            doc,
            spans,
            vectors[: len(spans)],
            sentences=sentences,
            sentence_embeddings=vectors[len(spans) :],
            chunking=self.policy.signature,
        )
        return len(spans)


def _skipped(err: InputFileError) -> IngestOutcome:
    return IngestOutcome(err.path, IngestStatus.SKIPPED, message=err.reason)
