"""Checking claims against the corpus: retrieve per document, compare, judge, combine, aggregate."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from factcheck.check.aggregate import aggregate
from factcheck.check.clauses import parts as parts_of
from factcheck.check.combine import Calibration, Finding, Signals, Support, combine, counts
from factcheck.check.conflicts import compare
from factcheck.check.coverage import best_coverage, coverage, terms
from factcheck.check.judge import Judge, judge_all
from factcheck.check.places import place_mismatch, places
from factcheck.check.polarity import polarity_mismatch
from factcheck.check.roles import roles
from factcheck.retrieve import MAX_DOCS_PER_CLAIM, EvidenceIndex, ScoredSentence
from factcheck.schema import ClaimResult, Judgement, ModelUsage, Outcome, Passage, SourceStance, ValueCheck

PARTS_FLOOR = 0.30  # a sentence less similar than this has no clause close to the claim either
PARTS_DOCS = 8  # documents whose sentences are split into clauses, most similar first
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
    usage: ModelUsage = field(default_factory=ModelUsage)  # the judges' tokens and time, summed
    seconds: float = 0.0  # wall time of the whole batch
    trimmed_claims: list[str] = field(default_factory=list)

    def add(self, judgement: Judgement) -> None:
        self.judgements += 1
        self.errors += judgement.error is not None
        self.quotes_discarded += judgement.quote_discarded
        self.usage.add(judgement.usage)

    def as_dict(self) -> dict[str, float]:
        usage, tokens = self.usage, self.usage.tokens
        return {
            "claims": self.claims,
            "judgements": self.judgements,
            "errors": self.errors,
            "quotes_discarded": self.quotes_discarded,
            "model_tokens": tokens,
            "model_tokens_per_claim": round(tokens / self.claims, 1) if self.claims else 0.0,
            "kv_reuse_ratio": round(usage.reused_tokens / usage.prompt_tokens, 4) if usage.prompt_tokens else 0.0,
            "model_seconds": round(usage.seconds, 3),
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
        judge_min_similarity: float | None = None,
        parallel: int = 1,
        max_docs: int = MAX_DOCS_PER_CLAIM,
    ) -> None:
        self.index = index
        self.groups = groups
        self.cal = calibration
        self.judge = judge
        self.parallel = parallel  # judge calls at once for one claim's documents (judge.judge_all)
        self.per_doc = per_doc
        self.deterministic_checks = deterministic_checks
        self.max_docs = max_docs  # documents judged per claim, beside those where a check fires
        # Below this, no sentence of the document is about the claim's subject at all: asking
        # the model would cost a call and could only add noise.
        self.judge_min_similarity = (
            calibration.judge_min_similarity if judge_min_similarity is None else judge_min_similarity
        )
        self.stats = CheckStats()  # the current batch's counters (new_batch starts another)
        self._places: dict[str, list[tuple[int, frozenset[str]]]] = {}

    def new_batch(self) -> CheckStats:
        """Count from zero for a new batch; the counters handed out before stay as they were."""
        self.stats = CheckStats()
        return self.stats

    def check(self, item: ClaimInput) -> ClaimResult:
        started = time.perf_counter()
        claim = item.claim
        if len(claim) > MAX_CLAIM_CHARS:
            self.stats.trimmed_claims.append(item.id)
            claim = claim[:MAX_CLAIM_CHARS].rsplit(" ", 1)[0]
        read, considered = self._read(claim, item)
        sources = tuple(self._paged(combine(signals, self.cal)) for signals in read)
        verdict, independent, confidence = aggregate(sources, self.groups)
        self.stats.claims += 1
        self.stats.seconds += time.perf_counter() - started
        groups = tuple(tuple(g) for g in self.groups if len(g) > 1)
        return ClaimResult(
            item.id,
            item.claim,
            verdict,
            confidence,
            independent,
            sources,
            groups,
            documents_considered=considered,
            documents_judged=len(sources),
        )

    def signals(self, claim: str, item: ClaimInput) -> list[Signals]:
        """What the documents judged for claim say that bears on it, before any threshold is
        applied: combine() decides (and scripts/fit_calibration.py fits it)."""
        return self._read(claim, item)[0]

    def _read(self, claim: str, item: ClaimInput) -> tuple[list[Signals], int]:
        """The signals of each document judged (see judged_documents), by doc id, and how many
        documents retrieval considered."""
        vector = item.vector if item.vector is not None else self.index.embed([claim])[0]
        found = self.index.candidates(claim, vector, exclude=item.exclude, wanted=self.max_docs)
        judged = judged_documents(found.ranked, self.max_docs, lambda d: self._fires(claim, found.best[d]))
        scored = self.index.read(found, judged)
        similarity = {(s.sentence.doc_id, s.sentence.index): s.similarity for s in scored}
        by_doc = self.index.passages_of(scored, per_doc=self.per_doc, exclude=item.exclude)
        reading = _Reading(claim, vector, similarity, self)
        parts = reading.best_parts(by_doc) if "parts" in self.cal.signals else {}
        judged_by = reading.judgements(by_doc)
        signals = [
            reading.signals(doc_id, passages, parts.get(doc_id), judged_by.get(doc_id))
            for doc_id, passages in sorted(by_doc.items())
        ]
        return signals, len(found.ranked)

    def _fires(self, claim: str, candidates: Sequence[ScoredSentence]) -> bool:
        """Whether a number, date or role check finds a conflict that counts (combine.counts) in
        one of a document's candidate sentences."""
        if not self.deterministic_checks:
            return False
        return any(
            result.outcome is Outcome.CONFLICT
            and counts(Finding(result, c.sentence.text, c.sentence.chunk_id, c.similarity), self.cal)
            for c in candidates
            for result in compare(claim, c.sentence.text)
        )

    def _paged(self, source: SourceStance) -> SourceStance:
        """The source with the page its quote is on, when its document is paged (a PDF)."""
        page = self.index.page_of(source.doc_id, source.chunk_id, source.quote)
        return source if page is None else replace(source, page=page)

    @property
    def idf(self) -> dict[str, float]:
        return self.index.idf

    def places_by_sentence(self, doc_id: str) -> list[tuple[int, frozenset[str]]]:
        """(sentence index, places it names) for the document's sentences that name any."""
        if doc_id not in self._places:
            named = [(s.index, frozenset(p.key for p in places(s.text))) for s in self.index.sentences_of(doc_id)]
            self._places[doc_id] = [(index, keys) for index, keys in named if keys]
        return self._places[doc_id]


def judged_documents(ranked: Sequence[str], cap: int, fires: Callable[[str], bool]) -> list[str]:
    """The documents judged for a claim: the `cap` best of those retrieval considered (ranked best
    first), and any other where a deterministic check fires, so that the cap bounds the cost of a
    claim without hiding a document that contradicts it."""
    return [*ranked[:cap], *(doc_id for doc_id in ranked[cap:] if fires(doc_id))]


@dataclass
class _Reading:
    """One claim read against the documents: the per-claim state the signals share."""

    claim: str
    vector: Any
    similarity: dict[tuple[str, int], float]  # (doc id, sentence index) -> cosine to the claim
    checker: Checker

    @cached_property
    def claim_terms(self) -> frozenset[str]:
        return terms(self.claim)

    @cached_property
    def claim_places(self) -> bool:
        return "places" in self.checker.cal.signals and bool(places(self.claim))

    def coverage(self, sentence: str) -> float:
        return coverage(self.claim_terms, terms(sentence), self.checker.idf)

    def best_parts(self, by_doc: dict[str, list[Passage]]) -> dict[str, Support]:
        """Each document's best clause or claim-sized window of its most similar sentences,
        embedded in one batch. Only documents whose best sentence is at least PARTS_FLOOR similar,
        and at most PARTS_DOCS of them: a part is never closer than a distant sentence allows."""
        ranked = sorted(by_doc.items(), key=lambda kv: -max(p.similarity for p in kv[1]))
        wanted: list[tuple[str, Passage, str]] = []
        for doc_id, passages in ranked[:PARTS_DOCS]:
            for passage in passages:
                if passage.similarity >= PARTS_FLOOR:
                    wanted += [(doc_id, passage, part) for part in parts_of(passage.sentence, self.claim)]
        if not wanted:
            return {}
        vectors = self.checker.index.embed([part for _, _, part in wanted])
        best: dict[str, Support] = {}
        for (doc_id, passage, _), value in zip(wanted, (vectors @ self.vector).tolist(), strict=True):
            if doc_id not in best or value > best[doc_id].value:
                best[doc_id] = Support(float(value), passage.sentence, passage.chunk_id, passage.similarity)
        return best

    def judgements(self, by_doc: dict[str, list[Passage]]) -> dict[str, Judgement]:
        """The judge's answer for each document whose best sentence is close enough to the claim
        to ask about it, `parallel` calls at a time, counted in document order."""
        checker = self.checker
        if checker.judge is None:
            return {}
        asked = [
            (doc_id, passages)
            for doc_id, passages in sorted(by_doc.items())
            if max(p.similarity for p in passages) >= checker.judge_min_similarity
        ]
        answers = judge_all(checker.judge, self.claim, asked, checker.parallel)
        for answer in answers:
            checker.stats.add(answer)
        return {doc_id: answer for (doc_id, _), answer in zip(asked, answers, strict=True)}

    def signals(
        self, doc_id: str, passages: Sequence[Passage], part: Support | None, judgement: Judgement | None = None
    ) -> Signals:
        checker = self.checker
        best = max(passages, key=lambda p: p.similarity)
        covered = (
            self._covered(doc_id) if "coverage" in checker.cal.signals or "negation" in checker.cal.signals else None
        )
        return Signals(
            doc_id=doc_id,
            similarity=best.similarity,
            sentence=best.sentence,
            chunk_id=best.chunk_id,
            findings=self._findings(doc_id, passages, covered),
            judgement=judgement,
            part=part,
            covered=covered if "coverage" in checker.cal.signals else None,
        )

    def _covered(self, doc_id: str) -> Support | None:
        sentences = self.checker.index.sentences_of(doc_id)
        value, where, complete = best_coverage(self.claim, [s.text for s in sentences], self.checker.idf)
        if where < 0:
            return None
        sentence = sentences[where]
        similarity = self.similarity.get((doc_id, sentence.index), 0.0)
        return Support(value, sentence.text, sentence.chunk_id, similarity, complete=complete)

    def _findings(self, doc_id: str, passages: Sequence[Passage], covered: Support | None) -> tuple[Finding, ...]:
        """Comparisons with the document's best sentences (numbers, dates, places, negation), and
        with every sentence that names a person the claim gives a title to (roles). Whether one
        counts is combine's decision, from the sentence's similarity and coverage."""
        checker = self.checker
        nearby = {(p.sentence, p.chunk_id): p.similarity for p in passages}
        if covered is not None:
            nearby.setdefault((covered.sentence, covered.chunk_id), covered.similarity)
        found: list[Finding] = []
        for (sentence, chunk_id), similarity in nearby.items():
            results = list(compare(self.claim, sentence)) if checker.deterministic_checks else []
            results += self._meaning_checks(doc_id, sentence, similarity)
            share = self.coverage(sentence) if results else 0.0
            found += [Finding(r, sentence, chunk_id, similarity, share) for r in results]
        seen = {sentence for sentence, _ in nearby}
        if self.claim_places:  # where a thing happened is said once or twice, not in every sentence
            by_index = {s.index: s for s in checker.index.sentences_of(doc_id)}
            for index, _ in checker.places_by_sentence(doc_id):
                s = by_index[index]
                similarity = self.similarity.get((doc_id, index), 0.0)
                if s.text not in seen and (result := self._place_check(doc_id, s.text, similarity)):
                    found.append(Finding(result, s.text, s.chunk_id, similarity, self.coverage(s.text)))
        if checker.deterministic_checks and roles(self.claim):
            for s in checker.index.sentences_of(doc_id):
                if s.text not in seen:
                    similarity = self.similarity.get((doc_id, s.index), 0.0)
                    found += [
                        Finding(r, s.text, s.chunk_id, similarity)
                        for r in compare(self.claim, s.text)
                        if r.kind == "role"
                    ]
        return tuple(found)

    def _meaning_checks(self, doc_id: str, sentence: str, similarity: float) -> list[ValueCheck]:
        results = []
        if "negation" in self.checker.cal.signals and (flip := polarity_mismatch(self.claim, sentence)):
            ours, theirs = ("negated", "not negated") if flip.claim_negated else ("not negated", "negated")
            results.append(ValueCheck("negation", Outcome.CONFLICT, ours, theirs, flip.detail))
        if self.claim_places and (moved := self._place_check(doc_id, sentence, similarity)):
            results.append(moved)
        return results

    def _place_check(self, doc_id: str, sentence: str, similarity: float) -> ValueCheck | None:
        moved = place_mismatch(self.claim, sentence, self._places_as_near(doc_id, similarity))
        if moved is None:
            return None
        return ValueCheck("place", Outcome.CONFLICT, moved.claimed, moved.stated, moved.detail)

    def _places_as_near(self, doc_id: str, similarity: float) -> set[str]:
        """The places the document names in sentences at least as close to the claim as one at
        `similarity`: the claim's place named there means the document may well say it (a place
        named only in a more distant sentence, "since Helsinki in 2018", is another matter)."""
        return {
            key
            for index, keys in self.checker.places_by_sentence(doc_id)
            if self.similarity.get((doc_id, index), 0.0) >= similarity
            for key in keys
        }
