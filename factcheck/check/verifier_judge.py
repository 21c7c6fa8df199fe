"""The verifier judge: a cross-encoder NLI model reads every sentence of a document's passages
against the claim, in one batched ONNX run, and the document's stance is the one its strongest
sentence shows. And the composite judge, which lets the verifier and the LLM judge together.

Per document (MiniCheck's rule, with refutation kept apart from support):
- every sentence of the passages (judge.quote_candidates) is a premise, the claim the hypothesis;
- each pair's logits -> softmax -> label probabilities, the labels mapped from config.json's
  id2label (entailment -> supports, neutral -> not_mentioned, contradiction -> refutes);
- the document's distribution is that of the sentence with the strongest evidence either way,
  max(P(supports), P(refutes)); that sentence, verbatim, is the quote.

A binary verifier (entailment vs not-entailment, supported vs unsupported, consistent vs
hallucinated) cannot refute: "not entailed" lumps contradiction with silence. Its P(refutes) is 0
and its mass goes to not_mentioned; a refutation then comes only from the other signals (the
number, date and role checks, the LLM judge when it is on), which is why such a model should be
combined with them rather than used alone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from factcheck.check.combine import pool
from factcheck.check.judge import LABELS, Judge, locate_quote, make_judgement, quote_candidates
from factcheck.schema import Judgement, ModelUsage, Passage, Stance

if TYPE_CHECKING:
    from factcheck.config import Settings
    from factcheck.models.cross_encoder import CrossEncoder


def evidence_strength(probabilities: Mapping[str, float]) -> float:
    """How strongly one sentence bears on the claim, in either direction."""
    return max(probabilities.get(Stance.SUPPORTS.value, 0.0), probabilities.get(Stance.REFUTES.value, 0.0))


def strongest(rows: Sequence[Mapping[str, float]]) -> int:
    """The index of the sentence with the strongest evidence (the first, on a tie). Needs rows."""
    return max(range(len(rows)), key=lambda i: (evidence_strength(rows[i]), -i))


def most_probable(probabilities: Mapping[str, float]) -> Stance:
    """The label with the highest probability; on a tie, not_mentioned (never claim on a coin toss)."""
    return max(
        (Stance(label) for label in LABELS),
        key=lambda s: (probabilities.get(s.value, 0.0), s is Stance.NOT_MENTIONED),
    )


class VerifierJudge:
    """A cross-encoder judging one document at a time: all its sentences in one batch."""

    smoke_test = False

    def __init__(self, encoder: CrossEncoder, *, name: str, model_sha256: str) -> None:
        self.encoder = encoder
        self.name = name
        self.model_sha256 = model_sha256

    @classmethod
    def load(cls, settings: Settings) -> VerifierJudge:
        from factcheck.models.cross_encoder import CrossEncoder, locate_verifier
        from factcheck.models.fingerprint import file_sha256

        model = locate_verifier(settings.verifier, settings.model_dir)
        max_tokens = model.preset.max_tokens if model.preset is not None else None
        encoder = CrossEncoder.load(model.folder, n_threads=settings.n_threads, max_tokens=max_tokens)
        digest = file_sha256(model.model_path, settings.home / "cache" / "fingerprints")
        return cls(encoder, name=model.name, model_sha256=digest)

    @property
    def prompt_hash(self) -> str:
        """What decides this judge's answers besides the passages: the model file, how its labels
        are read, how far inputs are cut, and the pairing and scoring rule."""
        parts = [self.model_sha256, [s.value for s in self.encoder.stances], self.encoder.max_tokens]
        parts.append("premise=sentence hypothesis=claim; document=strongest sentence")
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        sentences = quote_candidates(passages)
        if not sentences:
            nothing = {label: float(label == Stance.NOT_MENTIONED.value) for label in LABELS}
            return Judgement(stance=Stance.NOT_MENTIONED, probabilities=nothing)
        started = time.perf_counter()
        try:
            scores = self.encoder.score([(sentence, claim) for sentence in sentences])
        except Exception as exc:  # noqa: BLE001 - one document's failure must not end the batch; it is shown
            error = f"verifier {self.name} failed on {doc_id}: {type(exc).__name__}: {exc}"
            return Judgement(stance=Stance.ERROR, error=error, usage=ModelUsage(seconds=time.perf_counter() - started))
        from factcheck.models.cross_encoder import stance_probabilities

        rows = [stance_probabilities(row, self.encoder.stances) for row in scores.probabilities]
        best = strongest(rows)
        stance = most_probable(rows[best])
        found = locate_quote(sentences[best], passages) if stance is not Stance.NOT_MENTIONED else None
        return make_judgement(
            stance=stance,
            probabilities=rows[best],
            quote=found[0] if found else None,
            quote_chunk_id=found[1] if found else None,
            usage=ModelUsage(prompt_tokens=scores.tokens, seconds=time.perf_counter() - started),
        )


# --- two judges as one --------------------------------------------------------------------------


def session_weight(weights: Sequence[float]) -> float:
    """The weight the combination gives the judges together: their sum, clipped to 1."""
    return min(1.0, sum(weights))


def composite_probabilities(parts: Sequence[tuple[Mapping[str, float], float]]) -> dict[str, float]:
    """P ∝ Π P_i^(w_i / S), S = Σ w_i: the judges' distributions pooled log-linearly by weight.

    Mixed in by combine.mix with the session weight W = S, this is exactly
    P_sim^(1-S) · Π P_i^(w_i): each judge counts with its own weight. When S > 1 the session
    weight is clipped to 1 (similarity drops out) and the judges keep their proportions."""
    total = sum(w for _, w in parts)
    return pool([(p, w / total) for p, w in parts], LABELS)


class CompositeJudge:
    """Several judges asked in turn, answering as one (see composite_probabilities). A part
    that fails makes the whole answer an error, as one judge's failure does: the weights in
    effect assume every part counted."""

    def __init__(self, parts: Sequence[tuple[Judge, float]]) -> None:
        if len(parts) < 2 or any(w <= 0 for _, w in parts):
            raise ValueError("a composite judge needs two or more judges, each with a weight above 0")
        self.parts = tuple(parts)
        self.name = "+".join(judge.name for judge, _ in parts)
        self.smoke_test = all(judge.smoke_test for judge, _ in parts)

    @property
    def weight(self) -> float:
        return session_weight([w for _, w in self.parts])

    @property
    def llm(self) -> Any:
        """The loaded chat model of a part that has one, for ask and --decompose to share."""
        return next((j.llm for j, _ in self.parts if getattr(j, "llm", None) is not None), None)

    @property
    def prompt_hash(self) -> str:
        parts = [[judge.prompt_hash, weight] for judge, weight in self.parts]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        answers = [(judge.judge(claim, doc_id, passages), weight) for judge, weight in self.parts]
        usage = _summed_usage([a for a, _ in answers])
        failed = next((a for a, _ in answers if a.stance is Stance.ERROR or a.probabilities is None), None)
        if failed is not None:
            return Judgement(stance=Stance.ERROR, error=failed.error or "a judge gave no probabilities", usage=usage)
        pooled = composite_probabilities([(a.probabilities or {}, w) for a, w in answers])
        stance = most_probable(pooled)
        agreeing = [a for a, _ in answers if a.stance is stance and a.quote]
        quoted = max(agreeing, key=lambda a: (a.probabilities or {}).get(stance.value, 0.0), default=None)
        return make_judgement(
            [note for a, _ in answers for note in a.notes],
            stance=stance,
            probabilities=pooled,
            quote=quoted.quote if quoted and stance is not Stance.NOT_MENTIONED else None,
            quote_chunk_id=quoted.quote_chunk_id if quoted and stance is not Stance.NOT_MENTIONED else None,
            quote_discarded=any(a.quote_discarded for a, _ in answers),
            usage=usage,
        )


def _summed_usage(answers: Sequence[Judgement]) -> ModelUsage:
    total = ModelUsage()
    for answer in answers:
        total.add(answer.usage)
    return total
