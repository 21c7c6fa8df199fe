"""Ingest: files on disk and fetched pages -> cleaned documents -> sentence chunks -> embeddings -> the store."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from factcheck.corpus.chunking import chunk_text, split_sentences
from factcheck.corpus.fetch import FetchLimits, canonical_url, doc_id_for, fetch, is_url, looks_like_url
from factcheck.corpus.reader import discover, parse_document, read_document
from factcheck.errors import InputFileError
from factcheck.models.embedding import Embedder, trim_to_tokens
from factcheck.schema import DocumentRecord, IngestOutcome, IngestStatus, IngestSummary, SourceDocument
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
Source = Path | str  # a file or folder, or a URL


class Ingestor:
    def __init__(
        self,
        store: CorpusStore,
        embedder: Embedder,
        policy: ChunkingPolicy,
        max_bytes: int,
        *,
        fetch_limits: FetchLimits | None = None,
        published: date | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.policy = policy
        self.max_bytes = max_bytes
        self.fetch_limits = fetch_limits or FetchLimits(max_bytes=max_bytes)
        self.published = published  # overrides every ingested document's own date (--date)

    def plan(self, sources: Sequence[Source]) -> tuple[list[Source], list[IngestOutcome]]:
        """Expand paths into files to read (URLs stay as they are, once each), and outcomes for
        paths rejected outright."""
        files, errors = discover([Path(s) for s in sources if not looks_like_url(s)])
        urls: dict[str, str] = {}
        for source in sources:
            if isinstance(source, str) and looks_like_url(source):
                urls.setdefault(canonical_url(source), source)  # one page, however it is spelled
        return [*files, *urls.values()], [_skipped(err) for err in errors]

    def run(self, sources: Sequence[Source], summary: IngestSummary, progress: Progress | None = None) -> None:
        """Ingest files and URLs one by one, appending to summary as each finishes (so an
        interrupted run still reports what it did). The store's writer lock is held for the
        orphan clean-up and then for each document's decide-and-write, not across reading or
        fetching: a slow server must not keep other writers waiting. Between documents every
        write is committed, so another ingest's clean-up has nothing of ours to delete."""
        with self.store.writing():
            self.store.drop_orphans()
        first_source_of: dict[str, str] = {}
        for source in sources:
            if isinstance(source, str) and looks_like_url(source):
                outcome = self.ingest_url(source, first_source_of)
            else:
                outcome = self.ingest_file(Path(source), first_source_of)
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)

    def ingest_file(self, path: Path, first_path_of: dict[str, str]) -> IngestOutcome:
        try:
            doc = read_document(path, max_bytes=self.max_bytes)
        except InputFileError as err:
            return _skipped(err)
        shown = doc.path  # as the user named it; the store keeps where it really is
        doc = replace(doc, path=str(Path(doc.path).resolve()))
        with self.store.writing():
            return self._ingest(doc, shown, first_path_of)

    def ingest_url(self, url: str, first_source_of: dict[str, str]) -> IngestOutcome:
        """Fetch and parse outside the lock; the id is chosen under it, where no other writer can
        take it in between. The stored source is the URL as given, not where it redirected."""
        try:
            page = fetch(url, self.fetch_limits)
            doc = parse_document(page.data, source=url, doc_id="", kind=page.kind)
        except InputFileError as err:
            return _skipped(err)
        if note := page.redirect_note:
            doc = replace(doc, notes=(*doc.notes, note))
        with self.store.writing():
            doc = replace(doc, doc_id=doc_id_for(url, lambda doc_id: self._holder(doc_id, first_source_of)))
            return self._ingest(doc, url, first_source_of)

    def _holder(self, doc_id: str, first_source_of: dict[str, str]) -> str | None:
        if doc_id in first_source_of:
            return first_source_of[doc_id]
        record = self.store.document(doc_id)
        return record.source_path if record is not None else None

    def _ingest(self, doc: SourceDocument, shown: str, first_source_of: dict[str, str]) -> IngestOutcome:
        """Store doc unless another source has its id; under the writer lock."""
        if self.published is not None:
            doc = replace(doc, published=self.published)
        existing = self.store.document(doc.doc_id)
        owner = owner_of(existing, doc.path) if existing is not None else None
        refusal = _refusal(doc, existing, owner, first_source_of)
        if refusal is not None:
            return IngestOutcome(shown, IngestStatus.SKIPPED, doc.doc_id, message=refusal)
        if existing is not None and existing.sha256 == doc.sha256 and existing.chunking == self.policy.signature:
            return self._unchanged(doc, shown, existing, owner)
        n_chunks = self._write(doc)
        status = IngestStatus.UPDATED if existing is not None else IngestStatus.ADDED
        moved = _moved_note(existing, owner)
        notes = [*doc.notes, moved] if moved else list(doc.notes)
        return IngestOutcome(shown, status, doc.doc_id, n_chunks, message="; ".join(notes) or None)

    def _unchanged(
        self, doc: SourceDocument, shown: str, existing: DocumentRecord, owner: Owner | None
    ) -> IngestOutcome:
        """Nothing to embed; only where the file now is, and a --date, are recorded."""
        if owner is Owner.OTHER:  # another source's document: not ours to update
            note = f"identical to {existing.source_path}, already stored"
            return IngestOutcome(shown, IngestStatus.UNCHANGED, doc.doc_id, existing.n_chunks, message=note)
        notes = [note] if (note := _moved_note(existing, owner)) else []
        if existing.source_path != doc.path:  # moved, or a relative path from an older version
            self.store.set_source_path(doc.doc_id, doc.path)
        if self.published is not None and existing.published != self.published:
            self.store.set_published(doc.doc_id, self.published)
            notes.append(f"publication date set to {self.published.isoformat()}")
        message = "; ".join(notes) or None
        return IngestOutcome(shown, IngestStatus.UNCHANGED, doc.doc_id, existing.n_chunks, message=message)

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


def _refusal(
    doc: SourceDocument, existing: DocumentRecord | None, owner: Owner | None, first_path_of: dict[str, str]
) -> str | None:
    """Why doc must not be stored under its id (another file has it), or None. Ids are file
    stems, so two files of one name in different folders would otherwise replace each other."""
    earlier = first_path_of.setdefault(doc.doc_id, doc.path)
    if earlier != doc.path:
        return f"document id {doc.doc_id!r} is already taken by {earlier} in this batch"
    if existing is not None and owner is Owner.OTHER and existing.sha256 != doc.sha256:
        # Same bytes under the same name are the same article (a second checkout, a copy): no clash.
        return (
            f"document id {doc.doc_id!r} is already taken by {existing.source_path}; rename the file or "
            f"remove the document first: factcheck corpus remove {doc.doc_id}"
        )
    return None


def _moved_note(existing: DocumentRecord | None, owner: Owner | None) -> str | None:
    if existing is not None and owner is Owner.MOVED:
        return f"moved: replaces the document ingested from {existing.source_path}, which no longer exists"
    return None


# --- where a stored document's file is ------------------------------------------------------------


class Owner(enum.Enum):
    """Whose a stored document is, seen from a file of the same id about to be ingested."""

    SAME = "same"  # this very file's
    MOVED = "moved"  # a file that no longer exists: this one replaces it
    OTHER = "other"  # another file that still exists: refuse, or one would silently replace the other


def owner_of(record: DocumentRecord, source: str) -> Owner:
    """source: a URL, or a path absolute and resolved, as the store keeps source paths."""
    if is_url(source) or is_url(record.source_path):
        # A page is never "moved": a file and a page, or two pages, are two sources.
        same = is_url(source) and is_url(record.source_path)
        return Owner.SAME if same and canonical_url(source) == canonical_url(record.source_path) else Owner.OTHER
    path = Path(source)
    old = Path(record.source_path)
    if old.is_absolute():
        if Path(os.path.normpath(old)) == path:
            return Owner.SAME
        return Owner.OTHER if old.exists() else Owner.MOVED
    # A relative path, written by an older factcheck: relative to wherever it ran from.
    here = Path.cwd() / old
    if here.exists():
        return Owner.SAME if here.resolve() == path else Owner.OTHER
    # Not found from here: the same file if it ends this path (a bare file name is too weak a sign).
    tail = Path(os.path.normpath(old)).parts
    if len(tail) > 1 and path.parts[-len(tail) :] == tail:
        return Owner.SAME
    return Owner.MOVED


def source_missing(record: DocumentRecord) -> bool | None:
    """Whether the document's file is gone; None where we cannot tell (a relative path from an
    older factcheck that does not resolve from the current folder) or do not check (a URL: a
    page that is down today is not gone, and prune must never remove it for that)."""
    if is_url(record.source_path):
        return None
    path = Path(record.source_path)
    if path.exists():
        return False
    return True if path.is_absolute() else None


def missing_sources(store: CorpusStore) -> list[DocumentRecord]:
    return [r for r in store.documents() if source_missing(r)]


def prune(store: CorpusStore) -> list[DocumentRecord]:
    """Remove the documents whose file is gone (renamed, moved away or deleted); return them."""
    with store.writing():  # decide under the lock: an ingest may be writing records right now
        gone = missing_sources(store)
        for record in gone:
            store.remove_document(record.doc_id, missing_ok=True)
    return gone
