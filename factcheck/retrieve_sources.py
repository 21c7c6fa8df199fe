"""Where an EvidenceIndex (retrieve.py) reads sentences from: the Chroma store, searched through
its vector index with a BM25 index saved beside it; or a store that can only hand over all its
sentences at once (a test's in-memory store), searched exactly in memory. Both give the same
reads: nearest(), at(), read() and all_rows(), and a `state` digesting what they read."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from factcheck import lexical
from factcheck.lexical import LexicalIndex
from factcheck.schema import Chunk, DocumentRecord, Sentence
from factcheck.store import CorpusStore, SentenceRows

ALL_ROWS_DOCS = 200  # documents per read when every sentence is read (the audit)


@dataclass(frozen=True)
class Doc:
    """One document as retrieval reads it: its sentences, their vectors, its chunks by id."""

    sentences: list[Sentence]
    vectors: Any  # numpy, one row per sentence
    chunks: dict[str, Chunk]


class StoreSource:
    """The committed sentences of the given documents (all the store's when None), read per text
    through the store's vector index, and a BM25 index over them saved under store.lexical_dir,
    keyed by `state`. Building the state reads every sentence's id and text once, in pages (about
    2 s per 100,000 sentences), and keeps none of them: per text, only the candidates and the
    documents read are fetched."""

    def __init__(self, store: CorpusStore, documents: Sequence[DocumentRecord] | None) -> None:
        self.store = store
        records = store.documents() if documents is None else list(documents)
        self.versions = {r.doc_id: r.sha256 for r in records}
        rows = store.sentence_texts(self.versions)
        self.state = digest(self.versions, rows)
        self.doc_ids = sorted({doc_id for doc_id, _, _ in rows})
        self.lexical = _lexical(store, self.state, rows) if rows else None

    def nearest(self, vector: Any, n: int) -> SentenceRows:
        hits = self.store.query_sentences(vector, n, self.versions)
        return _rows([h.sentence for h in hits], [h.embedding for h in hits])

    def at(self, keys: Sequence[tuple[str, int]]) -> SentenceRows:
        return self.store.sentences_at(keys, self.versions)

    def read(self, doc_ids: Sequence[str]) -> dict[str, Doc]:
        versions = {d: self.versions[d] for d in doc_ids if d in self.versions}
        rows = self.store.sentences_of(versions)
        chunks: dict[str, dict[str, Chunk]] = defaultdict(dict)
        for chunk in self.store.chunks_of(versions):
            chunks[chunk.doc_id][chunk.chunk_id] = chunk
        return {d: Doc(s, v, chunks[d]) for d, (s, v) in _by_doc(rows, doc_ids).items()}

    def all_rows(self) -> SentenceRows:
        """Every sentence with its vector, read ALL_ROWS_DOCS documents at a time (one get of a
        large store's every row fails: too many SQL variables)."""
        import numpy as np

        ids = sorted(self.versions)
        parts = [
            self.store.sentences_of({d: self.versions[d] for d in ids[i : i + ALL_ROWS_DOCS]})
            for i in range(0, len(ids), ALL_ROWS_DOCS)
        ]
        parts = [p for p in parts if p.sentences]
        if not parts:
            return _rows([], [])
        return SentenceRows([s for p in parts for s in p.sentences], np.concatenate([p.embeddings for p in parts]))


class MemorySource:
    """Every sentence (with its vector) of a store that offers only `sentences()` and `chunks()`,
    held in memory and scored exactly: the reference the store's search approximates."""

    def __init__(self, store: Any, documents: Sequence[DocumentRecord] | None) -> None:
        import numpy as np

        self.store = store
        if documents is not None and not documents:  # store.sentences([]) would read every document
            self.rows = SentenceRows([], np.zeros((0, 0), dtype=np.float32))
        else:
            self.rows = store.sentences([r.doc_id for r in documents] if documents is not None else None)
        self.state = _rows_digest(self.rows)
        self.doc_ids = sorted({s.doc_id for s in self.rows.sentences})
        self._position = {(s.doc_id, s.index): i for i, s in enumerate(self.rows.sentences)}
        texts = sorted((s.doc_id, s.index, s.text) for s in self.rows.sentences)
        self.lexical = LexicalIndex.build(texts) if texts else None

    def nearest(self, vector: Any, n: int) -> SentenceRows:
        import numpy as np

        if not self.rows.sentences:
            return self.rows
        similarity = self.rows.embeddings @ vector
        keys = [(s.doc_id, s.index) for s in self.rows.sentences]
        order = sorted(range(len(keys)), key=lambda i: (-float(similarity[i]), keys[i]))[:n]
        return _rows([self.rows.sentences[i] for i in order], np.asarray(self.rows.embeddings)[order])

    def at(self, keys: Sequence[tuple[str, int]]) -> SentenceRows:
        found = [self._position[k] for k in keys if k in self._position]
        return _rows([self.rows.sentences[i] for i in found], self.rows.embeddings[found])

    def read(self, doc_ids: Sequence[str]) -> dict[str, Doc]:
        chunks = {d: {c.chunk_id: c for c in self.store.chunks(d)} for d in doc_ids}
        return {d: Doc(s, v, chunks[d]) for d, (s, v) in _by_doc(self.rows, doc_ids).items()}

    def all_rows(self) -> SentenceRows:
        return self.rows


def digest(versions: dict[str, str], rows: Sequence[tuple[str, int, str]]) -> str:
    """The document versions read and every sentence of theirs (doc id, index, text), in order."""
    hashed = hashlib.sha256(json.dumps(sorted(versions.items())).encode())
    for row in rows:
        hashed.update(json.dumps(row).encode())
    return hashed.hexdigest()


def _lexical(store: CorpusStore, state: str, rows: Sequence[tuple[str, int, str]]) -> LexicalIndex:
    """The BM25 index saved for this state, else built from rows (and saved, where it can be)."""
    root = store.lexical_dir
    if root is not None and (found := lexical.saved(root, state)) is not None:
        lexical.touch(root, state)
        return found
    index = LexicalIndex.build(rows)
    if root is not None:
        lexical.save(root, state, index)
    return index


def _rows_digest(rows: SentenceRows) -> str:
    """A digest of exactly the sentences and vectors an in-memory source holds."""
    import numpy as np

    hashed = hashlib.sha256()
    for s in rows.sentences:
        hashed.update(json.dumps([s.doc_id, s.index, s.chunk_id, s.start_char, s.end_char, s.text]).encode())
    hashed.update(np.ascontiguousarray(rows.embeddings, dtype=np.float32).tobytes())
    return hashed.hexdigest()


def _rows(sentences: list[Sentence], vectors: Any) -> SentenceRows:
    import numpy as np

    array = np.asarray(vectors, dtype=np.float32)
    return SentenceRows(sentences, array if sentences else array.reshape(0, 0))


def _by_doc(rows: SentenceRows, doc_ids: Sequence[str]) -> dict[str, tuple[list[Sentence], Any]]:
    """Each document's sentences and vectors (none, for a document with no sentences read)."""
    import numpy as np

    positions: dict[str, list[int]] = {d: [] for d in doc_ids}
    for i, s in enumerate(rows.sentences):
        if s.doc_id in positions:
            positions[s.doc_id].append(i)
    dimension = rows.embeddings.shape[1] if len(rows.sentences) else 0
    vectors = np.asarray(rows.embeddings, dtype=np.float32).reshape(len(rows.sentences), dimension)
    return {d: ([rows.sentences[i] for i in found], vectors[found]) for d, found in positions.items()}
