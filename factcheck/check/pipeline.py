"""Checking claims against the corpus: retrieve per document, compare, judge, combine, aggregate."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from factcheck.check.aggregate import aggregate
from factcheck.check.combine import Calibration, Signals, combine
from factcheck.check.conflicts import compare
from factcheck.check.judge import Judge
from factcheck.check.roles import roles
from factcheck.retrieve import EvidenceIndex
from factcheck.schema import CheckResult, ClaimResult, Judgement, Passage, SourceStance

MAX_CLAIM_CHARS = 1000  # longer claims are trimmed (with a notice); no real claim is this long


@dataclass(frozen=True)
class ClaimInput:
    id: str
    claim: str
    exclude: tuple[str, ...] = ()  # documents not to check against (e.g. the claim's own article)
    vector: Any = None  # the claim's embedding, when already known (audit: stored sentences)


@dataclass
class CheckStats:
    """Counters for a batch, reported with the results."""

    claims: int = 0
    judgements: int = 0
    errors: int = 0
    quotes_discarded: int = 0
    prompt_tokens: int = 0
    reused_tokens: int = 0
    completion_tokens: int = 0
    model_seconds: float = 0.0
    seconds: float = 0.0
    trimmed_claims: list[str] = field(default_factory=list)

    def add(self, judgement: Judgement) -> None:
        self.judgements += 1
        self.errors += judgement.error is not None
        self.quotes_discarded += judgement.quote_discarded
        self.prompt_tokens += judgement.prompt_tokens
        self.reused_tokens += judgement.reused_tokens
        self.completion_tokens += judgement.completion_tokens
        self.model_seconds += judgement.seconds

    def as_dict(self) -> dict[str, float]:
        tokens = self.prompt_tokens + self.completion_tokens
        return {
            "claims": self.claims,
            "judgements": self.judgements,
            "errors": self.errors,
            "quotes_discarded": self.quotes_discarded,
            "model_tokens": tokens,
            "model_tokens_per_claim": round(tokens / self.claims, 1) if self.claims else 0.0,
            "kv_reuse_ratio": round(self.reused_tokens / self.prompt_tokens, 4) if self.prompt_tokens else 0.0,
            "model_seconds": round(self.model_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


class Checker:
    def __init__(
        self,
        index: EvidenceIndex,
        groups: Sequence[Sequence[str]],
        calibration: Calibration,
        judge: Judge | None = None,
        *,
        per_doc: int = 2,
        deterministic_checks: bool = True,
        judge_min_similarity: float = 0.35,
    ) -> None:
        self.index = index
        self.groups = groups
        self.cal = calibration
        self.judge = judge
        self.per_doc = per_doc
        self.deterministic_checks = deterministic_checks
        # Below this, no sentence of the document is about the claim's subject at all: asking
        # the model would cost a call and could only add noise.
        self.judge_min_similarity = judge_min_similarity
        self.stats = CheckStats()

    def check(self, item: ClaimInput) -> ClaimResult:
        started = time.perf_counter()
        claim = item.claim
        if len(claim) > MAX_CLAIM_CHARS:
            self.stats.trimmed_claims.append(item.id)
            claim = claim[:MAX_CLAIM_CHARS].rsplit(" ", 1)[0]
        by_doc = self.index.passages(claim, per_doc=self.per_doc, exclude=item.exclude, claim_vector=item.vector)
        sources = tuple(self._source(claim, doc_id, passages) for doc_id, passages in sorted(by_doc.items()))
        verdict, independent, confidence = aggregate(sources, self.groups)
        self.stats.claims += 1
        self.stats.seconds += time.perf_counter() - started
        groups = tuple(tuple(g) for g in self.groups if len(g) > 1)
        return ClaimResult(item.id, item.claim, verdict, confidence, independent, sources, groups)

    def check_all(
        self, items: Iterable[ClaimInput], progress: Callable[[ClaimResult], None] | None = None
    ) -> list[ClaimResult]:
        results = []
        for item in items:
            results.append(self.check(item))
            if progress is not None:
                progress(results[-1])
        return results

    def _source(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> SourceStance:
        best = max(passages, key=lambda p: p.similarity)
        checks, conflict = self._checks(claim, doc_id, passages)
        judgement = None
        if self.judge is not None and best.similarity >= self.judge_min_similarity:
            judgement = self.judge.judge(claim, doc_id, passages)
            self.stats.add(judgement)
        signals = Signals(
            doc_id=doc_id,
            similarity=best.similarity,
            sentence=best.sentence,
            chunk_id=best.chunk_id,
            checks=checks,
            conflict_sentence=conflict[0] if conflict else None,
            conflict_chunk_id=conflict[1] if conflict else None,
            judgement=judgement,
        )
        return combine(signals, self.cal)

    def _checks(
        self, claim: str, doc_id: str, passages: Sequence[Passage]
    ) -> tuple[tuple[CheckResult, ...], tuple[str, str] | None]:
        """Deterministic comparisons, and the (sentence, chunk id) of the first conflict.

        Numbers and dates are compared only in on-topic sentences: the same figure means
        different things in different contexts. A person's role is a fact about the person, so
        it is compared in every sentence of the document that names them.
        """
        if not self.deterministic_checks:
            return (), None
        results: list[CheckResult] = []
        conflict: tuple[str, str] | None = None
        on_topic = [(p.sentence, p.chunk_id) for p in passages if p.similarity >= self.cal.topic_similarity]
        for sentence, chunk_id in on_topic:
            found = compare(claim, sentence)
            results.extend(found)
            if conflict is None and any(c.outcome == "conflict" for c in found):
                conflict = (sentence, chunk_id)
        if roles(claim):
            seen = {sentence for sentence, _ in on_topic}
            for sentence in self.index.sentences_of(doc_id):
                if sentence.text in seen:
                    continue
                found = [c for c in compare(claim, sentence.text) if c.kind == "role"]
                results.extend(found)
                if conflict is None and any(c.outcome == "conflict" for c in found):
                    conflict = (sentence.text, sentence.chunk_id)
        return tuple(results), conflict
