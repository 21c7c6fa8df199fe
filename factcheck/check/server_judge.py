"""The stance judge on any chat backend that generates text: a model server's (models/server.py).

A server cannot be handed the start of the answer (`{"stance": "`) to score each label after it,
as llama_judge does in-process. So for one (claim, document), with the same prompt:

1. **The label.** The model answers under a JSON schema that allows only `{"stance": LABEL}`, a
   few tokens, with `logprobs` and the top 20 `top_logprobs` of each generated token. At the token
   where the label begins (after `{"stance": "`, whatever whitespace the model put), each
   alternative that begins a label counts for it: the three labels' first letters differ
   (s, r, n), so whatever the tokenizer, an alternative begins at most one of them. The labels'
   probabilities are those summed and renormalised (judge.label_probabilities); a label with no
   alternative among the top 20 gets the mass the 20 leave over, at most the 20th's.
   The server's logprobs are those of the model itself (llama.cpp and vLLM report them before the
   schema's grammar masks tokens), so the schema only keeps the model on the answer's format.
2. **No logprobs.** A server that gives none (or an answer whose label cannot be found in them):
   the label the model wrote counts with probability 1, the judgement's notes say so, and so does
   a notice in the report (`notices`).
3. **The quote**, for supports and refutes only: a second answer, under a schema whose stance is
   the label read and whose quote is one of the passages' own sentences (judge.answer_schema), then
   checked verbatim against the passages (judge.locate_quote). Where the server takes no schema,
   the quote is whatever the model wrote in its JSON; one not found word for word is discarded.

A request that fails after the backend's retries makes this document's judgement an error (as a
llama.cpp failure does); a server that cannot be reached at all ends the batch (ModelServerUnreachable).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from factcheck.check.judge import (
    ANSWER_SCHEMA,
    LABELS,
    StancePrompt,
    answer_schema,
    fit_to_budget,
    label_probabilities,
    locate_quote,
    make_judgement,
    nothing_to_read,
    quote_candidates,
)
from factcheck.errors import ModelServerUnreachable
from factcheck.models.backend import ChatBackend, Message, TokenChoice
from factcheck.schema import Judgement, ModelUsage, Passage, Stance

TOP_LOGPROBS = 20
LABEL_TOKENS = 16  # past the label's first token (`{ "stance": "` is about six); every token costs its top_logprobs
QUOTE_OVERHEAD_TOKENS = 24  # the JSON around a quote: `{"stance": "refutes", "quote": "` ... `"}`
STANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"stance": ANSWER_SCHEMA["properties"]["stance"]},
    "required": ["stance"],
    "additionalProperties": False,
}
READING = "label: top_logprobs at the label's first token of a schema-bound answer; quote: a second answer"
NO_LOGPROBS_NOTE = (
    "the model server gave no log-probabilities: the stance is the label the model wrote, counted as certain"
)
NO_LOGPROBS_NOTICE = (
    "the model server at {url} gave no log-probabilities for some answers, so for those documents the stance is "
    "the label the model wrote, counted as certain (probability 1) instead of the model's own probabilities."
)
_LEAD = re.compile(r'\{\s*"stance"\s*:\s*"$')  # the answer up to where the label begins
_MIN_LOGPROB = math.log(1e-9)


def label_position(tokens: Sequence[str]) -> tuple[int, int] | None:
    """(i, k): the label begins in tokens[i] after its first k characters (the end of `{"stance": "`
    may share a token with the label's start); None when the tokens never reach a label."""
    text = ""
    for i, token in enumerate(tokens):
        for k in range(len(token)):
            if _LEAD.search(text + token[:k]):
                return i, k
        text += token
    return None


def _label_begun(rest: str, labels: Sequence[str]) -> str | None:
    """The label that `rest` (what an alternative writes after the lead) begins, or writes whole."""
    if not rest:
        return None
    return next((lb for lb in labels if (lb + '"').startswith(rest) or rest.startswith(lb + '"')), None)


def read_label_logprobs(tokens: Sequence[TokenChoice], labels: Sequence[str] = LABELS) -> dict[str, float] | None:
    """Each label's log-probability at the token where the answer's label begins, from that
    token's top alternatives; None when the label's place, or any label among them, is not found."""
    found = label_position([t.token for t in tokens])
    if found is None:
        return None
    i, k = found
    chosen = tokens[i]
    alternatives = dict(chosen.top)
    alternatives.setdefault(chosen.token, chosen.logprob)
    lead = chosen.token[:k]
    by_label: dict[str, list[float]] = {label: [] for label in labels}
    for token, logprob in alternatives.items():
        label = _label_begun(token[k:], labels) if token.startswith(lead) else None
        if label is not None:
            by_label[label].append(logprob)
    if not any(by_label.values()):
        return None
    # A label missing from the list has at most what the listed alternatives leave, and at most
    # the least of them (the list holds the most likely tokens).
    missing = sum(1 for lps in by_label.values() if not lps)
    left = max(0.0, 1.0 - sum(math.exp(lp) for lp in alternatives.values()))
    floor = min(min(alternatives.values()), math.log(left / missing) if missing and left > 0 else _MIN_LOGPROB)
    return {label: _logsumexp(lps) if lps else max(floor, _MIN_LOGPROB) for label, lps in by_label.items()}


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


_WRITTEN = re.compile(r'"stance"\s*:\s*"([a-z_]+)')


def written_label(text: str, labels: Sequence[str] = LABELS) -> str | None:
    """The label an answer wrote: its JSON's stance (begun is enough: the answer may have been cut
    after the label's first letters, which tell the labels apart), else the first label named in it."""
    answer = first_json_object(text)
    if answer is not None and answer.get("stance") in labels:
        return str(answer["stance"])
    match = _WRITTEN.search(text)
    if match and (label := _label_begun(match.group(1), labels)) is not None:
        return label
    named = [(text.find(label), label) for label in labels if label in text]
    return min(named)[1] if named else None


def first_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in text (a model without a schema may write words around it)."""
    decoder = json.JSONDecoder()
    for start in (m.start() for m in re.finditer(r"\{", text)):
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def quote_schema(label: str, candidates: Sequence[str]) -> dict[str, Any]:
    """The answer's schema with the stance fixed to the label read, the quote one of the candidates."""
    schema = answer_schema(candidates)
    return {**schema, "properties": {**schema["properties"], "stance": {"enum": [label]}}}


class ChatJudge:
    """Judges stances with a chat backend's generated answers and their top_logprobs."""

    def __init__(self, backend: ChatBackend, *, prompts_dir: Path | None = None, max_quote_tokens: int = 160) -> None:
        self.backend = backend
        self.name = backend.name
        self.smoke_test = backend.smoke_test
        self.max_quote_tokens = max_quote_tokens
        self._prompt = StancePrompt.load(prompts_dir)
        self._notices: set[str] = set()
        self._lock = threading.Lock()

    @property
    def parallel(self) -> int:
        return self.backend.parallel

    @property
    def prompt_hash(self) -> str:
        return hashlib.sha256(f"{self._prompt.prompt_hash}\0{READING}".encode()).hexdigest()

    @property
    def notices(self) -> list[str]:
        """What the report must say about how this judge's answers were read."""
        with self._lock:
            return sorted(self._notices | set(getattr(self.backend, "notices", ())))

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        meter = ModelUsage()
        try:
            return self._judge(claim, passages, meter)
        except ModelServerUnreachable:
            raise  # the server is gone: every other document would fail the same way
        except Exception as exc:  # noqa: BLE001 - one document's failure must not end the batch; it is shown
            error = f"{self.name} failed on {doc_id}: {type(exc).__name__}: {exc}"
            return Judgement(stance=Stance.ERROR, error=error, usage=meter)

    def _judge(self, claim: str, passages: Sequence[Passage], meter: ModelUsage) -> Judgement:
        if not passages:
            return nothing_to_read()
        budget = self.backend.n_ctx - self.max_quote_tokens - QUOTE_OVERHEAD_TOKENS
        fitted = fit_to_budget(claim, passages, self._count_tokens, budget)
        if fitted.n_tokens > budget or not fitted.passages:
            error = f"no room for evidence: the prompt needs {fitted.n_tokens} tokens, the context has {budget}"
            return Judgement(stance=Stance.ERROR, error=error)
        messages = self._messages(fitted.claim, fitted.passages)
        notes = list(fitted.notes)
        probabilities = self._label_probabilities(messages, meter, notes)
        if probabilities is None:
            return make_judgement(notes, stance=Stance.ERROR, error="the model's answer names no stance", usage=meter)
        stance = Stance(max(probabilities, key=probabilities.__getitem__))
        if stance is Stance.NOT_MENTIONED:
            return make_judgement(notes, stance=stance, probabilities=probabilities, usage=meter)

        quote, problem = self._quote(messages, stance.value, quote_candidates(fitted.passages), meter)
        if problem is not None:
            return make_judgement(notes, stance=Stance.ERROR, probabilities=probabilities, error=problem, usage=meter)
        found = locate_quote(quote, passages)
        return make_judgement(
            notes,
            stance=stance,
            probabilities=probabilities,
            quote=found[0] if found else None,
            quote_chunk_id=found[1] if found else None,
            quote_discarded=found is None,
            usage=meter,
        )

    def _messages(self, claim: str, passages: Sequence[Passage]) -> list[Message]:
        return [Message(m["role"], m["content"]) for m in self._prompt.messages(claim, passages)]

    def _count_tokens(self, claim: str, passages: Sequence[Passage]) -> int:
        return self.backend.count_tokens(self._messages(claim, passages))

    def _label_probabilities(
        self, messages: Sequence[Message], meter: ModelUsage, notes: list[str]
    ) -> Mapping[str, float] | None:
        """The labels' probabilities from the answer's top_logprobs, or from the label it wrote
        (probability 1, with a note and a notice) when there are none; None when it names none."""
        with meter.timing():
            reply = self.backend.generate(
                messages, max_tokens=LABEL_TOKENS, json_schema=STANCE_SCHEMA, top_logprobs=TOP_LOGPROBS
            )
        meter.prompt_tokens += reply.prompt_tokens
        meter.completion_tokens += reply.completion_tokens
        logprobs = read_label_logprobs(reply.tokens) if reply.tokens else None
        if logprobs is not None:
            return label_probabilities(logprobs)
        label = written_label(reply.text)
        if label is None:
            return None
        notes.append(NO_LOGPROBS_NOTE)
        where = getattr(getattr(self.backend, "endpoint", None), "base", self.name)
        with self._lock:
            self._notices.add(NO_LOGPROBS_NOTICE.format(url=where))
        return {lb: float(lb == label) for lb in LABELS}

    def _quote(
        self, messages: Sequence[Message], label: str, candidates: Sequence[str], meter: ModelUsage
    ) -> tuple[str, str | None]:
        """(quote, None), or ("", why) when the answer was cut off or does not match its schema."""
        import jsonschema

        schema = quote_schema(label, candidates)
        with meter.timing():
            reply = self.backend.generate(
                messages, max_tokens=self.max_quote_tokens + QUOTE_OVERHEAD_TOKENS, json_schema=schema
            )
        meter.prompt_tokens += reply.prompt_tokens
        meter.completion_tokens += reply.completion_tokens
        if reply.finish_reason == "length":
            return "", f"the answer was cut off after {reply.completion_tokens} tokens (max_quote_tokens)"
        if not reply.schema_enforced:  # whatever the model wrote; the verbatim check decides
            answer = first_json_object(reply.text) or {}
            quote = answer.get("quote")
            return (quote if isinstance(quote, str) else ""), None
        try:
            answer = json.loads(reply.text)
            jsonschema.validate(answer, schema)
        except json.JSONDecodeError as exc:
            return "", f"the answer is not valid JSON: {exc}"
        except jsonschema.ValidationError as exc:
            return "", f"the answer does not match the schema: {exc.message}"
        return answer["quote"], None
