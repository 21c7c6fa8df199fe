"""Finding the passages of the corpus that bear on a text: hybrid lexical + vector retrieval, at
a cost per text that does not grow with the corpus.

1. Candidates: the CANDIDATES sentences nearest to the text by embedding (the store's vector
   index over the vectors computed at ingest) and the CANDIDATES best by BM25 (lexical.py, saved
   beside the store), more of each while they span fewer documents than are wanted. Each
   candidate is scored by reciprocal rank fusion of its two ranks.
2. Documents are ranked by their best candidate sentence. The caller reads the best of them (the
   checker: max_docs_per_claim, and any other where a deterministic check fires).
3. Reading a document scores every one of its sentences, fused by rank among all sentences seen,
   and the document contributes its own best sentences (not a global top-k, which can crowd out
   a document whose wording differs from the others), with the chunks around them as passages.

In a corpus of at most as many documents as are read, every document is read, every sentence
is seen, and the scores are those of scoring every sentence against the text.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from factcheck import lexical
from factcheck.models.embedding import Embedder, trim_to_tokens
from factcheck.retrieve_sources import Doc, MemorySource, StoreSource
from factcheck.schema import DocumentRecord, Passage, Sentence, page_at
from factcheck.store import ChunkHit, CorpusStore, SentenceRows

RRF_K = 60  # the usual constant of reciprocal rank fusion: damps the weight of the very top ranks
CANDIDATES = 50  # sentences taken from each ranking per text, before more are asked for
MAX_DOCS_PER_CLAIM = 20  # documents read per claim by default (Settings.max_docs_per_claim; README)
DOC_CACHE = 512  # documents whose sentences, vectors and chunks stay in memory between claims

Key = tuple[str, int]  # (doc id, sentence index)


def vector_search(store: CorpusStore, embedder: Embedder, text: str, k: int = 5) -> list[ChunkHit]:
    """The k chunks nearest to text by embedding similarity, best first."""
    [vector] = embedder.embed([trim_to_tokens(embedder, text)])
    return store.query(vector, k)


def rrf(*rankings: Sequence[Any], k: int = RRF_K) -> dict[Any, float]:
    """Reciprocal rank fusion: item -> sum over rankings of 1 / (k + rank), rank counted from 1."""
    fused: dict[Any, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] += 1.0 / (k + rank)
    return dict(fused)


@dataclass(frozen=True)
class ScoredSentence:
    sentence: Sentence
    similarity: float
    fused: float


@dataclass(frozen=True)
class Candidates:
    """What the index found for one text, before any document is read."""

    vector: Any  # the text's embedding
    lexical_scores: Any  # BM25 of every sentence of the lexical index (None: no index)
    seen: dict[Key, tuple[Sentence, float]]  # every candidate sentence, with its cosine to the text
    ranked: list[str]  # the documents considered (none excluded), best first
    best: dict[str, list[ScoredSentence]]  # each considered document's candidate sentences, best first


def quote_position(text: str, quote: str) -> int:
    """Where quote starts in text, whitespace compared loosely (a quote may be normalised); 0
    when it is not there, so that a passage's own start stands for it."""
    words = quote.split()
    found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    return found.start() if found else 0


class EvidenceIndex:
    """The corpus's sentences as retrieval reads them, for a batch of texts: the store's vector
    index, the BM25 index (loaded, or built once per corpus state), and the documents read lately.

    `documents`: the documents to read (a session's, e.g. only those published by --as-of), whose
    records also give passages their title, date and pages; None reads every document the store
    holds, knowing nothing more of them. `state` digests the sentences this index reads (every
    committed sentence's id and text, of those documents): results over other rows must not be
    taken for results over these (the check cache keys on it)."""

    def __init__(
        self, store: CorpusStore, embedder: Embedder, documents: Sequence[DocumentRecord] | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.documents = {r.doc_id: r for r in documents or ()}
        # A store with a vector index of sentences is searched; one that can only hand over its
        # sentences (a test's in-memory store) is searched exactly, in memory.
        source = StoreSource if hasattr(store, "query_sentences") else MemorySource
        self._source = source(store, documents)
        self.state = self._source.state
        self._docs: OrderedDict[str, Doc] = OrderedDict()

    @property
    def doc_ids(self) -> list[str]:
        return self._source.doc_ids

    @property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of the content terms (check/coverage.py) over the sentences."""
        return self._source.lexical.idf if self._source.lexical is not None else {}

    # --- the whole corpus at once: for the audit, which checks every sentence -----------------

    @cached_property
    def _all(self) -> SentenceRows:
        return self._source.all_rows()

    @property
    def sentences(self) -> list[Sentence]:
        return self._all.sentences

    @property
    def vectors(self) -> Any:
        return self._all.embeddings

    @cached_property
    def _all_by_doc(self) -> dict[str, list[Sentence]]:
        grouped: dict[str, list[Sentence]] = defaultdict(list)
        for sentence in self.sentences:
            grouped[sentence.doc_id].append(sentence)
        return dict(grouped)

    # --- one document ---------------------------------------------------------------------------

    def sentences_of(self, doc_id: str) -> list[Sentence]:
        if "_all" in self.__dict__:  # already read whole (the audit): no need to ask the store
            return self._all_by_doc.get(doc_id, [])
        return self._read([doc_id])[doc_id].sentences

    def page_of(self, doc_id: str, chunk_id: str | None, quote: str | None) -> int | None:
        """The page of a paged document that a quote from one of its chunks is on; None when the
        document is not paged (or not known)."""
        record = self.documents.get(doc_id)
        if record is None or not record.pages:
            return None
        chunk = self._read([doc_id])[doc_id].chunks.get(chunk_id or "")
        if chunk is None:
            return None
        return page_at(record.pages, chunk.span.start_char + quote_position(chunk.span.text, quote or ""))

    def _read(self, doc_ids: Sequence[str]) -> dict[str, Doc]:
        """The documents' sentences, vectors and chunks: from memory, else in one read of the store."""
        missing = [d for d in doc_ids if d not in self._docs]
        if missing:
            for doc_id, doc in self._source.read(missing).items():
                self._docs[doc_id] = doc
        found = {}
        for doc_id in doc_ids:
            self._docs.move_to_end(doc_id)
            found[doc_id] = self._docs[doc_id]
        while len(self._docs) > max(DOC_CACHE, len(doc_ids)):
            self._docs.popitem(last=False)
        return found

    # --- one text ---------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        trimmed = [trim_to_tokens(self.embedder, t) for t in texts]
        return np.asarray(self.embedder.embed(trimmed), dtype=np.float32)

    def best_similarity(self, vector: Any) -> float:
        """The cosine of the corpus's sentence nearest to vector; 0 for an empty corpus."""
        nearest = self._source.nearest(vector, 1)
        return float(nearest.embeddings[0] @ vector) if nearest.sentences else 0.0

    def candidates(
        self, text: str, vector: Any = None, *, exclude: Sequence[str] = (), wanted: int = MAX_DOCS_PER_CLAIM
    ) -> Candidates:
        """The candidate sentences for text, and the documents they are of, best first: the
        CANDIDATES best of each ranking, and more while they span fewer than `wanted` documents
        that are not excluded. Ranks are counted before exclusion, as over the whole corpus."""
        import numpy as np

        vector = self.embed([text])[0] if vector is None else vector
        index = self._source.lexical
        scores = index.scores(lexical.tokens([text])[0]) if index is not None else None
        n = CANDIDATES
        while True:
            near = self._source.nearest(vector, n)
            lexical_rows = _top_rows(scores, n) if scores is not None else []
            ranked_docs = {s.doc_id for s in near.sentences} | {index.key(r)[0] for r in lexical_rows}
            exhausted = len(near.sentences) < n  # every sentence read is among them
            if exhausted or len(ranked_docs - set(exclude)) >= wanted:
                break
            n *= 4
        rows = _with_keys(near)
        more = self._source.at([k for k in map(index.key, lexical_rows) if k not in rows]) if index else None
        rows.update(_with_keys(more) if more is not None else {})
        seen = {key: (s, float(np.dot(v, vector))) for key, (s, v) in rows.items()}
        fused = self._fused(seen, scores)
        best: dict[str, list[ScoredSentence]] = defaultdict(list)
        for key in sorted(seen, key=lambda key: (-fused[key], key)):
            if key[0] not in exclude:
                best[key[0]].append(ScoredSentence(seen[key][0], seen[key][1], fused[key]))
        # dicts keep insertion order: the documents come in the order of their best candidate
        return Candidates(vector=vector, lexical_scores=scores, seen=seen, ranked=list(best), best=dict(best))

    def _fused(self, pool: dict[Key, tuple[Sentence, float]], scores: Any) -> dict[Key, float]:
        """RRF of each sentence's rank by cosine and by BM25 among the pool (ties in document order)."""
        bm25 = self._bm25_of(scores, pool)
        by_vector = sorted(pool, key=lambda key: (-pool[key][1], key))
        by_lexical = sorted(pool, key=lambda key: (-bm25[key], key))
        return rrf(by_vector, by_lexical)

    def read(self, found: Candidates, doc_ids: Sequence[str]) -> list[ScoredSentence]:
        """Every sentence of these documents scored against the text: its cosine, and its fused
        rank by cosine and by BM25 among all the sentences seen (the candidates and these
        documents'), so that the candidates keep the ranks they have over the whole corpus."""
        docs = self._read(doc_ids)
        pool: dict[Key, tuple[Sentence, float]] = dict(found.seen)
        for doc in docs.values():
            values = (doc.vectors @ found.vector).tolist() if doc.sentences else []
            pool.update({(s.doc_id, s.index): (s, float(v)) for s, v in zip(doc.sentences, values, strict=True)})
        fused = self._fused(pool, found.lexical_scores)
        wanted = set(doc_ids)
        return [ScoredSentence(pool[k][0], pool[k][1], fused[k]) for k in sorted(pool) if k[0] in wanted]

    def _bm25_of(self, scores: Any, keys: Any) -> dict[Key, float]:
        index = self._source.lexical
        if scores is None or index is None:
            return dict.fromkeys(keys, 0.0)
        rows = {key: index.row(*key) for key in keys}
        return {key: float(scores[row]) if row is not None else 0.0 for key, row in rows.items()}

    def score(
        self,
        claim: str,
        claim_vector: Any = None,
        *,
        exclude: Sequence[str] = (),
        max_docs: int = MAX_DOCS_PER_CLAIM,
    ) -> list[ScoredSentence]:
        """Every sentence of the max_docs documents (but the excluded) that score best for claim."""
        found = self.candidates(claim, claim_vector, exclude=exclude, wanted=max_docs)
        return self.read(found, found.ranked[:max_docs])

    def passages(
        self,
        claim: str,
        *,
        per_doc: int = 2,
        exclude: Sequence[str] = (),
        claim_vector: Any = None,
        max_docs: int = MAX_DOCS_PER_CLAIM,
    ) -> dict[str, list[Passage]]:
        """For the max_docs best documents (but the excluded ones): their best passages, best first."""
        scored = self.score(claim, claim_vector, exclude=exclude, max_docs=max_docs)
        return self.passages_of(scored, per_doc=per_doc, exclude=exclude)

    def passages_of(
        self, scored_sentences: Sequence[ScoredSentence], *, per_doc: int = 2, exclude: Sequence[str] = ()
    ) -> dict[str, list[Passage]]:
        """Each document's best passages, from its sentences already scored against the claim."""
        best: dict[str, list[ScoredSentence]] = defaultdict(list)
        for scored in sorted(scored_sentences, key=lambda s: -s.fused):
            if scored.sentence.doc_id not in exclude and len(best[scored.sentence.doc_id]) < per_doc:
                best[scored.sentence.doc_id].append(scored)
        return {doc_id: self._as_passages(picked) for doc_id, picked in best.items()}

    def _as_passages(self, picked: Sequence[ScoredSentence]) -> list[Passage]:
        passages: list[Passage] = []
        seen_chunks: set[str] = set()
        chunks = self._read(list(dict.fromkeys(s.sentence.doc_id for s in picked)))
        for scored in picked:
            sentence = scored.sentence
            if sentence.chunk_id in seen_chunks:
                continue
            seen_chunks.add(sentence.chunk_id)
            chunk = chunks[sentence.doc_id].chunks.get(sentence.chunk_id)
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


def _top_rows(scores: Any, n: int) -> list[int]:
    """The rows of the n highest positive scores, best first, ties in row order."""
    import numpy as np

    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        cut = np.partition(scores[positive], len(positive) - n)[len(positive) - n]
        above = positive[scores[positive] > cut]
        tied = positive[scores[positive] == cut][: n - len(above)]
        positive = np.concatenate([above, tied])
    order = np.lexsort((positive, -scores[positive]))
    return [int(r) for r in positive[order]]


def _with_keys(rows: SentenceRows) -> dict[Key, tuple[Sentence, Any]]:
    return {(s.doc_id, s.index): (s, v) for s, v in zip(rows.sentences, rows.embeddings, strict=True)}
