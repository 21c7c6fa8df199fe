"""Finding the passages of the corpus that bear on a text."""

from __future__ import annotations

from factcheck.models.embedding import Embedder
from factcheck.store import ChunkHit, CorpusStore


def trim_to_tokens(embedder: Embedder, text: str) -> str:
    """Shorten text (at word boundaries) until the embedder reads it whole."""
    if embedder.count_tokens(text) <= embedder.max_tokens:
        return text
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:  # the longest prefix of words that fits
        mid = (lo + hi + 1) // 2
        if embedder.count_tokens(" ".join(words[:mid])) <= embedder.max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def vector_search(store: CorpusStore, embedder: Embedder, text: str, k: int = 5) -> list[ChunkHit]:
    """The k chunks nearest to text by embedding similarity, best first."""
    query = trim_to_tokens(embedder, text)
    [vector] = embedder.embed([query])
    return store.query(vector, k)
