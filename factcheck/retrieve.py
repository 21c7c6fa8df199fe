"""Finding the passages of the corpus that bear on a text: hybrid lexical + vector retrieval.

Evidence is compared sentence by sentence. For a claim, every stored sentence gets a cosine
similarity (from the vectors computed at ingest) and a BM25 score; the two rankings are fused
with reciprocal rank fusion. Then, rather than keeping a global top-k (which can crowd out a
document whose wording differs from the others), every document contributes its own best
sentences, and the chunks around them become that document's passages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from factcheck.models.embedding import Embedder, trim_to_tokens
from factcheck.schema import Chunk, DocumentRecord, Passage, Sentence, page_at
from factcheck.store import ChunkHit, CorpusStore, SentenceRows

RRF_K = 60  # the usual constant of reciprocal rank fusion: damps the weight of the very top ranks


def vector_search(store: CorpusStore, embedder: Embedder, text: str, k: int = 5) -> list[ChunkHit]:
    """The k chunks nearest to text by embedding similarity, best first."""
    [vector] = embedder.embed([trim_to_tokens(embedder, text)])
    return store.query(vector, k)


def rrf(*rankings: Sequence[int], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: item -> sum over rankings of 1 / (k + rank), rank counted from 1."""
    fused: dict[int, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] += 1.0 / (k + rank)
    return dict(fused)


def _bm25_tokens(texts: Sequence[str]) -> list[list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)


def _rows_digest(rows: SentenceRows) -> str:
    """A digest of exactly the sentences and vectors an index was built from: results computed
    over other rows must not be taken for results over these (the check cache keys on it)."""
    import numpy as np

    digest = hashlib.sha256()
    for s in rows.sentences:
        digest.update(json.dumps([s.doc_id, s.index, s.chunk_id, s.start_char, s.end_char, s.text]).encode())
    digest.update(np.ascontiguousarray(rows.embeddings, dtype=np.float32).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    similarity: float
    fused: float


def quote_position(text: str, quote: str) -> int:
    """Where quote starts in text, whitespace compared loosely (a quote may be normalised); 0
    when it is not there, so that a passage's own start stands for it."""
    words = quote.split()
    found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    return found.start() if found else 0


class EvidenceIndex:
    """The corpus's sentences, their vectors and a BM25 index, loaded once for a batch of claims.

    `documents`: the documents to read (a session's, e.g. only those published by --as-of), whose
    records also give passages their title, date and pages; None reads every document the store
    holds, knowing nothing more of them."""

    def __init__(
        self, store: CorpusStore, embedder: Embedder, documents: Sequence[DocumentRecord] | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.documents = {r.doc_id: r for r in documents or ()}
        rows = _read_rows(store, documents)  # committed documents' sentences only (see store.py)
        self.sentences = rows.sentences
        self.vectors = rows.embeddings
        self.state = _rows_digest(rows)

    @cached_property
    def _bm25(self) -> Any:
        import bm25s

        index = bm25s.BM25()
        index.index(_bm25_tokens([s.text for s in self.sentences]), show_progress=False)
        return index

    @cached_property
    def _chunks(self) -> dict[str, Chunk]:
        return {c.chunk_id: c for c in self.store.chunks()}

    @cached_property
    def _by_doc(self) -> dict[str, list[Sentence]]:
        grouped: dict[str, list[Sentence]] = defaultdict(list)
        for sentence in self.sentences:
            grouped[sentence.doc_id].append(sentence)
        return dict(grouped)

    def sentences_of(self, doc_id: str) -> list[Sentence]:
        return self._by_doc.get(doc_id, [])

    @property
    def doc_ids(self) -> list[str]:
        return sorted({s.doc_id for s in self.sentences})

    def page_of(self, doc_id: str, chunk_id: str | None, quote: str | None) -> int | None:
        """The page of a paged document that a quote from one of its chunks is on; None when the
        document is not paged (or not known)."""
        record = self.documents.get(doc_id)
        chunk = self._chunks.get(chunk_id or "")
        if record is None or not record.pages or chunk is None:
            return None
        return page_at(record.pages, chunk.span.start_char + quote_position(chunk.span.text, quote or ""))

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        trimmed = [trim_to_tokens(self.embedder, t) for t in texts]
        return np.asarray(self.embedder.embed(trimmed), dtype=np.float32)

    def score(self, claim: str, claim_vector: Any = None) -> list[ScoredSentence]:
        """Every sentence of the corpus scored against claim (vector and lexical, fused)."""
        import numpy as np

        if not self.sentences:
            return []
        vector = self.embed([claim])[0] if claim_vector is None else claim_vector
        similarity = self.vectors @ vector
        [query] = _bm25_tokens([claim])
        lexical = self._bm25.get_scores(query) if query else np.zeros(len(self.sentences))
        by_vector = list(np.argsort(-similarity, kind="stable"))
        by_lexical = list(np.argsort(-lexical, kind="stable"))
        fused = rrf(by_vector, by_lexical)
        return [ScoredSentence(s, float(similarity[i]), fused[i]) for i, s in enumerate(self.sentences)]

    def passages(
        self,
        claim: str,
        *,
        per_doc: int = 2,
        exclude: Sequence[str] = (),
        claim_vector: Any = None,
    ) -> dict[str, list[Passage]]:
        """For every document (but the excluded ones): its best passages for claim, best first."""
        return self.passages_of(self.score(claim, claim_vector), per_doc=per_doc, exclude=exclude)

    def passages_of(
        self, scored_sentences: Sequence[ScoredSentence], *, per_doc: int = 2, exclude: Sequence[str] = ()
    ) -> dict[str, list[Passage]]:
        """passages(), from sentences already scored against the claim."""
        best: dict[str, list[ScoredSentence]] = defaultdict(list)
        for scored in sorted(scored_sentences, key=lambda s: -s.fused):
            if scored.sentence.doc_id not in exclude and len(best[scored.sentence.doc_id]) < per_doc:
                best[scored.sentence.doc_id].append(scored)
        return {doc_id: self._as_passages(picked) for doc_id, picked in best.items()}

    def _as_passages(self, picked: Sequence[ScoredSentence]) -> list[Passage]:
        passages: list[Passage] = []
        seen_chunks: set[str] = set()
        for scored in picked:
            sentence = scored.sentence
            if sentence.chunk_id in seen_chunks:
                continue
            seen_chunks.add(sentence.chunk_id)
            chunk = self._chunks.get(sentence.chunk_id)
            passages.append(
                Passage(
                    doc_id=sentence.doc_id,
                    chunk_id=sentence.chunk_id,
                    text=chunk.span.text if chunk is not None else sentence.text,
                    sentence=sentence.text,
                    similarity=scored.similarity,
                    fused_score=scored.fused,
                    start_char=chunk.span.start_char if chunk is not None else sentence.start_char,
                    document=self.documents.get(sentence.doc_id),
                )
            )
        return passages


def _read_rows(store: CorpusStore, documents: Sequence[DocumentRecord] | None) -> SentenceRows:
    """The sentences of the given documents (all of the store's when None; none of an empty list)."""
    import numpy as np

    if documents is not None and not documents:  # store.sentences([]) would read every document
        return SentenceRows([], np.zeros((0, 0), dtype=np.float32))
    return store.sentences([r.doc_id for r in documents] if documents is not None else None)
