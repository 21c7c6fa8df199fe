"""Checking an answer's citations against the passages it was written from. Pure, given an
embedding function.

For each marker the answer uses, the quote shown under the answer is the sentence of the cited
passage most similar (by embedding) to the answer sentence(s) carrying the marker. A marker is
dropped, with the reason, when it points to no passage, when words the answer puts in quotation
marks are not in the passage it cites, when no verbatim quote can be taken from the passage, or
when the quote gives another number, date or role than the answer sentence does (the
deterministic checks of factcheck.check.conflicts): a citation must not lend its authority to a
figure its passage does not state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from factcheck.ask.markers import MarkedSentence
from factcheck.check.conflicts import compare
from factcheck.check.judge import locate_quote
from factcheck.corpus.chunking import split_sentences
from factcheck.schema import Outcome, Passage, ValueCheck, page_at

Embed = Callable[[Sequence[str]], Any]  # texts -> an array of vectors, one row per text

# Words the answer puts in quotation marks (straight or curly): they must be in the cited passage.
_QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]")


@dataclass(frozen=True)
class Citation:
    marker: int  # the number in the answer, [1] -> 1; passage `marker` of the prompt
    doc_id: str
    chunk_id: str
    quote: str  # a sentence of the chunk, verbatim
    similarity: float  # of the quote to the answer sentence that cites it
    fallback: bool = False  # added because the answer cited nothing valid (see fallback_citation)
    title: str = ""  # the document's, when known
    published: date | None = None
    page: int | None = None  # the quote's, in a paged document (a PDF); None when not paged


def cite(marker: int, passage: Passage, quote: str, similarity: float, *, fallback: bool = False) -> Citation:
    """A citation of quote (verbatim from passage.text), with its document's title and date and
    the page the quote is on, as far as the passage knows them."""
    record = passage.document
    page = None
    if record is not None and record.pages and passage.start_char is not None:
        page = page_at(record.pages, passage.start_char + max(0, passage.text.find(quote)))
    return Citation(
        marker,
        passage.doc_id,
        passage.chunk_id,
        quote,
        similarity,
        fallback,
        title=record.title if record is not None else "",
        published=record.published if record else None,
        page=page,
    )


@dataclass(frozen=True)
class DroppedMarker:
    marker: int
    reason: str


def passage_sentences(passage: Passage) -> list[str]:
    """The sentences of a passage, verbatim (candidates for a quote)."""
    return [passage.text[a:b] for a, b in split_sentences(passage.text)]


def verify_citations(
    sentences: Sequence[MarkedSentence], passages: Sequence[Passage], embed: Embed
) -> tuple[list[Citation], list[DroppedMarker]]:
    """The answer's valid citations and its dropped markers, both in order of first use."""
    used = list(dict.fromkeys(m for s in sentences for m in s.markers))
    vectors = _Vectors(embed)
    cited = [passages[m - 1] for m in used if 1 <= m <= len(passages)]
    vectors.prefetch([s.text for s in sentences], cited)
    citations: list[Citation] = []
    dropped: list[DroppedMarker] = []
    for marker in used:
        if not 1 <= marker <= len(passages):
            dropped.append(DroppedMarker(marker, f"points to no passage (there were {len(passages)})"))
            continue
        passage = passages[marker - 1]
        carriers = [s.text for s in sentences if marker in s.markers]
        misquoted = _misquoted(carriers, passage)
        if misquoted is not None:
            reason = f"the quoted words “{misquoted}” are not in passage {marker} ({passage.doc_id})"
            dropped.append(DroppedMarker(marker, reason))
            continue
        quote, carrier, similarity = best_quote(carriers, passage, vectors)
        if quote is None or locate_quote(quote, [passage]) is None:
            dropped.append(DroppedMarker(marker, f"no sentence of passage {marker} could be quoted verbatim"))
            continue
        conflict = _first_conflict(carrier, quote)
        if conflict is not None:
            reason = f"passage {marker} says {conflict.evidence_value}, not {conflict.claim_value} ({conflict.kind})"
            dropped.append(DroppedMarker(marker, reason))
            continue
        citations.append(cite(marker, passage, quote, similarity))
    return citations, dropped


def fallback_citation(
    sentences: Sequence[MarkedSentence], passages: Sequence[Passage], embed: Embed
) -> Citation | None:
    """When an answer cites nothing valid (small models often write no marker at all): the
    passage sentence most similar to any sentence of the answer, as the answer's basis. The
    answer was written from these passages only, so the closest one is what it rests on; one that
    gives another number, date or role than the answer is not a basis for it."""
    texts = [s.text for s in sentences]
    if not texts or not passages:
        return None
    vectors = _Vectors(embed)
    vectors.prefetch(texts, passages)
    best: Citation | None = None
    for number, passage in enumerate(passages, 1):
        quote, carrier, similarity = best_quote(texts, passage, vectors)
        if quote is None or _first_conflict(carrier, quote) is not None:
            continue
        if best is None or similarity > best.similarity:
            best = cite(number, passage, quote, similarity, fallback=True)
    return best


def best_quote(carriers: Sequence[str], passage: Passage, vectors: _Vectors) -> tuple[str | None, str, float]:
    """(the passage sentence most similar to any carrying sentence, that carrying sentence, their
    similarity)."""
    candidates = passage_sentences(passage)
    if not candidates or not carriers:
        return None, "", 0.0
    similarity = vectors.of(candidates) @ vectors.of(carriers).T  # candidates x carriers
    row, column = divmod(int(similarity.argmax()), similarity.shape[1])
    return candidates[row], carriers[column], float(similarity[row, column])


def _first_conflict(sentence: str, quote: str) -> ValueCheck | None:
    return next((c for c in compare(sentence, quote) if c.outcome is Outcome.CONFLICT), None)


def _misquoted(carriers: Sequence[str], passage: Passage) -> str | None:
    """The first phrase the answer quotes that is not in the passage, if any."""
    for sentence in carriers:
        for match in _QUOTED.finditer(sentence):
            phrase = match.group(1).strip(" ,.")
            if any(ch.isalnum() for ch in phrase) and locate_quote(phrase, [passage]) is None:
                return phrase
    return None


class _Vectors:
    """Unit vectors of texts, each text embedded once per answer (embedding is the slow part)."""

    def __init__(self, embed: Embed) -> None:
        self._embed = embed
        self._known: dict[str, Any] = {}

    def prefetch(self, texts: Sequence[str], passages: Sequence[Passage]) -> None:
        """Embed everything that may be compared in one call: one batch is much faster than many."""
        everything = [*texts, *(c for p in passages for c in passage_sentences(p))]
        if everything:  # an empty answer (a model may write nothing) has nothing to compare
            self.of(everything)

    def of(self, texts: Sequence[str]) -> Any:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            rows = np.asarray(self._embed(missing), dtype=np.float32)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            for text, row in zip(missing, rows / np.where(norms == 0, 1.0, norms)):
                self._known[text] = row
        return np.stack([self._known[t] for t in texts])
