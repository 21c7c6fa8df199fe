"""What asking a question returns, and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from factcheck.ask.citations import Citation, DroppedMarker
from factcheck.ask.disagree import Disagreement
from factcheck.schema import ClaimResult, Passage, Verdict


@dataclass(frozen=True)
class AnswerClaim:
    """A sentence of the answer, checked against the corpus like any claim."""

    text: str
    markers: tuple[int, ...]  # the passages the answer cited for it
    result: ClaimResult

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict


@dataclass
class Timings:
    retrieval_s: float = 0.0
    first_token_s: float | None = None  # from the question to the first token (retrieval + prompt)
    answer_s: float = 0.0  # from the question to the last token
    check_s: float = 0.0  # citations, claims and their verdicts
    total_s: float = 0.0
    tokens: int = 0  # pieces streamed by the model (one per token with llama.cpp)

    @property
    def tokens_per_s(self) -> float | None:
        if self.first_token_s is None or self.tokens < 2 or self.answer_s <= self.first_token_s:
            return None
        return (self.tokens - 1) / (self.answer_s - self.first_token_s)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # as streamed, markers included; the not-covered message when covered is False
    covered: bool  # False: nothing in the corpus is close enough; the model was not asked
    passages: tuple[Passage, ...] = ()  # numbered from 1, as the prompt numbered them
    citations: tuple[Citation, ...] = ()
    dropped: tuple[DroppedMarker, ...] = ()
    claims: tuple[AnswerClaim, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    notices: tuple[str, ...] = ()
    extractive: bool = False  # no model: the answer is the top passages' sentences
    model: str = "none"
    best_similarity: float = 0.0  # of the corpus sentence closest to the question
    timings: Timings = field(default_factory=Timings)


def answer_json(answer: Answer) -> dict[str, Any]:
    timings = asdict(answer.timings)
    timings["tokens_per_s"] = answer.timings.tokens_per_s
    return {
        "question": answer.question,
        "answer": answer.text,
        "covered": answer.covered,
        "extractive": answer.extractive,
        "model": answer.model,
        "best_similarity": round(answer.best_similarity, 4),
        "passages": [
            {"n": n, "doc_id": p.doc_id, "chunk_id": p.chunk_id, "sentence": p.sentence, "similarity": round(p.similarity, 4)}
            for n, p in enumerate(answer.passages, 1)
        ],
        "citations": [
            {"marker": c.marker, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "quote": c.quote,
             "similarity": round(c.similarity, 4), "fallback": c.fallback, "title": c.title,
             "published": c.published.isoformat() if c.published else None, "page": c.page}
            for c in answer.citations
        ],
        "dropped": [{"marker": d.marker, "reason": d.reason} for d in answer.dropped],
        "claims": [_claim_json(c) for c in answer.claims],
        "disagreements": [asdict(d) for d in answer.disagreements],
        "notices": list(answer.notices),
        "timings": {k: round(v, 4) if isinstance(v, float) else v for k, v in timings.items()},
    }  # fmt: skip


def _claim_json(claim: AnswerClaim) -> dict[str, Any]:
    result = claim.result
    return {
        "claim": claim.text,
        "markers": list(claim.markers),
        "verdict": result.verdict.value,
        "confidence": round(result.confidence, 4),
        "independent_sources": result.independent_sources,
        "sources": [{"doc_id": s.doc_id, "stance": s.stance.value, "quote": s.quote} for s in result.sources],
    }
