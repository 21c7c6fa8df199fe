"""Answering a question from the corpus: retrieve, write (or extract), cite, check, compare."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from factcheck.ask.answer import Answer, AnswerClaim, Timings
from factcheck.ask.citations import fallback_citation, verify_citations
from factcheck.ask.disagree import claim_disagreements, distinct, passage_disagreements
from factcheck.ask.generate import Generator, load_generator
from factcheck.ask.markers import MAX_QUESTION_CHARS, answer_claims, marked_sentences, trim_question
from factcheck.ask.prompt import AskPrompt
from factcheck.check.combine import Calibration
from factcheck.check.pipeline import ClaimInput
from factcheck.errors import ConfigError
from factcheck.schema import Passage

if TYPE_CHECKING:
    from factcheck.check.session import CheckSession

OnToken = Callable[[str], None]
NOT_COVERED = (
    "The corpus does not cover this: no sentence in it is close to the question "
    "(best similarity {best:.2f}, needed {needed:.2f}). Nothing was asked of the model."
)
EXTRACTIVE_LEAD = "The corpus says:"
CLAIMS_NOT_JUDGED = (
    "model not consulted (weight 0) on the answer's claims: {model} wrote the answer, but its stance "
    "labels would count for nothing, so the claims were checked by similarity and deterministic checks alone."
)
MIN_ANSWER_TOKENS = 64  # below this an answer cannot hold a sentence and its citation
# A question is covered when some sentence of the corpus is about it: cosine >= this (kept with
# every other threshold in Calibration.question_coverage). Measured on the sample corpus with minilm-l6: questions it answers score 0.30-0.76 (most above 0.45), those
# it does not 0.07-0.26 (capital of France 0.22, Berlin Wall 0.25). It is below the checker's
# Calibration.topic_similarity (0.40) because a question shares fewer words with the sentence that
# answers it than a claim does with the sentence that states it ("Is Trump a former president?"
# scores 0.37 against "former President Donald Trump ... will be meeting in Anchorage"). Between
# the two, a question on a neighbouring subject (Macron on NATO: 0.47) reaches the model, whose
# prompt tells it to say that the passages do not answer it.
QUESTION_COVERAGE = Calibration().question_coverage


class Asker:
    """Answers questions from the passages of a CheckSession's corpus, sharing its index, checker
    and loaded chat model. Without a generator (--no-model), answers extractively."""

    def __init__(
        self,
        session: CheckSession,
        generator: Generator | None = None,
        *,
        passages: int = 5,
        per_doc: int = 2,
        max_tokens: int = 384,
        max_claims: int = 6,
        extract: int = 3,
        coverage: float = QUESTION_COVERAGE,
    ) -> None:
        self.session = session
        self.index = session.index
        self.generator = generator
        self.n_passages, self.per_doc, self.extract = passages, per_doc, extract
        self.max_tokens, self.max_claims = max_tokens, max_claims
        # Below it the passages would be unrelated, and any answer would come from the model's memory.
        self.coverage = coverage
        self.prompt = AskPrompt.load()

    @classmethod
    def for_session(cls, session: CheckSession, **options: Any) -> Asker:
        return cls(session, load_generator(session), **options)

    def retrieve(self, question: str) -> tuple[list[Passage], float]:
        """The best passages across documents (at most per_doc each, by the checker's fused
        ranking), best first; and the best cosine of any corpus sentence to the question."""
        vector = self.index.embed([question])[0]
        best = self.index.best_similarity(vector)
        # Twice per_doc sentences per document: two best sentences in one chunk make one passage.
        by_doc = self.index.passages(question, per_doc=2 * self.per_doc, claim_vector=vector)
        pool = [p for passages in by_doc.values() for p in passages[: self.per_doc]]
        return sorted(pool, key=lambda p: -p.fused_score)[: self.n_passages], best

    def answer(
        self, question: str, on_token: OnToken = lambda _: None, on_checking: Callable[[int], None] | None = None
    ) -> Answer:
        """Answer from the corpus, streaming the text to on_token as it is written. on_checking is
        told how many claims are about to be checked once the text is complete (the slow part
        with a model: each claim is judged against every document)."""
        started = time.perf_counter()
        question, trimmed = trim_question(question)
        notices = [f"the question was longer than {MAX_QUESTION_CHARS} characters and was trimmed"] if trimmed else []
        passages, best = self.retrieve(question)
        timings = Timings(retrieval_s=time.perf_counter() - started)
        model = self.generator.name if self.generator is not None else "none"
        if best < self.coverage or not passages:
            timings.total_s = time.perf_counter() - started
            text = NOT_COVERED.format(best=best, needed=self.coverage)
            return Answer(
                question, text, False, notices=tuple(notices), model=model, best_similarity=best, timings=timings
            )

        def emit(piece: str) -> None:
            if timings.first_token_s is None:
                timings.first_token_s = time.perf_counter() - started
            timings.tokens += 1
            on_token(piece)

        text, passages = self._compose(question, passages, emit, notices)
        timings.answer_s = time.perf_counter() - started
        answer = self._cite_and_check(question, text, passages, on_token, notices, on_checking)
        timings.total_s = time.perf_counter() - started
        timings.check_s = timings.total_s - timings.answer_s
        return dataclasses.replace(answer, model=model, best_similarity=best, timings=timings)

    def _compose(
        self, question: str, passages: list[Passage], emit: OnToken, notices: list[str]
    ) -> tuple[str, list[Passage]]:
        """The answer's text, and the passages it was written from (those that fit the context)."""
        if self.generator is None:
            return self._extract(passages, emit), passages
        if notice := self.session.smoke_test_notice():
            notices.insert(0, notice)
        passages, fit_notes = self._fit(self.generator, question, passages)
        notices += fit_notes
        return "".join(self._write(self.generator, question, passages, emit)), passages

    def _cite_and_check(
        self,
        question: str,
        text: str,
        passages: list[Passage],
        on_token: OnToken,
        notices: list[str],
        on_checking: Callable[[int], None] | None,
    ) -> Answer:
        sentences = marked_sentences(text)
        citations, dropped = verify_citations(sentences, passages, self.index.embed)
        if not citations:
            basis = fallback_citation(answer_claims(text), passages, self.index.embed)
            if basis is not None:
                on_token(f" [{basis.marker}]")  # the screen and the text show the basis like any citation
                text += f" [{basis.marker}]"
                citations = [basis]
                notices.append(f"the answer cited no passage validly; [{basis.marker}] is the passage it rests on most")
        claims = self._check_claims(text, on_checking)
        if claims and self.generator is not None and not self.session.model_consulted:  # wrote, did not judge
            notices.append(CLAIMS_NOT_JUDGED.format(model=self.session.model_name))
        disagreements = distinct(
            [
                *passage_disagreements(passages, self.coverage),  # "about the question": the same bar
                *claim_disagreements([(c.text, c.markers, c.result) for c in claims], citations),
            ]
        )
        return Answer(
            question=question,
            text=text,
            covered=True,
            passages=tuple(passages),
            citations=tuple(citations),
            dropped=tuple(dropped),
            claims=tuple(claims),
            disagreements=tuple(disagreements),
            notices=tuple(notices),
            extractive=self.generator is None,
        )

    def _check_claims(self, text: str, on_checking: Callable[[int], None] | None) -> list[AnswerClaim]:
        claims = answer_claims(text)[: self.max_claims]
        if on_checking is not None and claims:
            on_checking(len(claims))
        items = [ClaimInput(id=f"answer-{n}", claim=c.text) for n, c in enumerate(claims, 1)]
        results = self.session.check(items)
        return [AnswerClaim(c.text, c.markers, r) for c, r in zip(claims, results)]

    def _extract(self, passages: Sequence[Passage], emit: OnToken) -> str:
        """No model: the top passages' best sentences, one per line, each with its marker."""
        lines = [EXTRACTIVE_LEAD]
        seen: set[str] = set()
        for n, passage in enumerate(passages, 1):
            if passage.sentence not in seen and len(seen) < self.extract:
                seen.add(passage.sentence)
                lines.append(f"{' '.join(passage.sentence.split())} [{n}]")
        text = "\n".join(lines)
        emit(text)
        return text

    def _fit(self, generator: Generator, question: str, passages: list[Passage]) -> tuple[list[Passage], list[str]]:
        """Leave out the lowest-ranked passages until the prompt and the answer fit the context."""
        kept = list(passages)
        while len(kept) > 1 and self._room(generator, question, kept) < self.max_tokens:
            kept.pop()
        if self._room(generator, question, kept) < MIN_ANSWER_TOKENS:
            raise ConfigError(
                f"the chat context ({generator.n_ctx} tokens) cannot hold one passage and an answer; "
                "raise FACTCHECK_N_CTX"
            )
        left_out = len(passages) - len(kept)
        return kept, [f"{left_out} of {len(passages)} passages left out to fit the context"] if left_out else []

    def _room(self, generator: Generator, question: str, passages: Sequence[Passage]) -> int:
        return generator.n_ctx - generator.count_tokens(self.prompt.messages(question, passages))

    def _write(self, generator: Generator, question: str, passages: Sequence[Passage], emit: OnToken) -> Iterator[str]:
        budget = min(self.max_tokens, self._room(generator, question, passages))
        for piece in generator.stream(self.prompt.messages(question, passages), max_tokens=budget):
            emit(piece)
            yield piece
