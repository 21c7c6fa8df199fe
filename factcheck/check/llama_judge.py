"""The stance judge on llama.cpp.

For one (claim, document): render the chat with the model's own template, write the answer up to
`{"stance": "`, and read the three labels' probabilities from the logits instead of sampling one.
Only for supports/refutes is a quote generated, greedily, under a grammar for the rest of the JSON.
The prompt puts the claim before the evidence, so consecutive documents for one claim share a
prefix that stays in the KV cache and is not evaluated again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.check.judge import (
    ANSWER_PREFIX,
    LABEL_END,
    LABELS,
    QUOTE_FIELD,
    QUOTE_MAX_CHARS,
    StancePrompt,
    answer_schema,
    fit_to_budget,
    label_probabilities,
    locate_quote,
    make_judgement,
    nothing_to_read,
    quote_candidates,
)
from factcheck.errors import ModelLoadError
from factcheck.models.chat import LlamaBackend
from factcheck.schema import Judgement, ModelUsage, Passage, Stance

if TYPE_CHECKING:
    from llama_cpp import Llama

    from factcheck.models.resolve import ResolvedModel

# The rest of the answer after `"quote": "`: a JSON string body of bounded length, then `"}`.
# Control characters are left out so that what comes back always parses as strict JSON. Used
# only when the passages offer no sentence to choose from (see quote_grammar).
QUOTE_GRAMMAR = (
    r"""
root ::= char{0,%d} "\"}"
char ::= [^"\\\x00-\x1F\x7F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})
"""
    % QUOTE_MAX_CHARS
)


def quote_grammar(candidates: Sequence[str]) -> str:
    """GBNF for the rest of the answer when the quote must be one of the candidate sentences
    (the JSON schema's `enum`): the model picks a sentence by writing it, so every quote is
    verbatim by construction and as short as the sentence."""
    if not candidates:
        return QUOTE_GRAMMAR
    literals = " | ".join(_gbnf_literal(json.dumps(c, ensure_ascii=False)[1:-1]) for c in candidates)
    return f'root ::= ({literals}) "\\"}}"\n'


def _gbnf_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class LlamaJudge:
    """A chat GGUF judging stances through llama.cpp, one document at a time, on the `llama`
    backend (it holds the backend's lock while it judges: one KV cache, one caller at a time)."""

    parallel = 1  # in-process: never judged concurrently

    def __init__(
        self,
        llm: Llama,
        *,
        name: str,
        smoke_test: bool = False,
        prompts_dir: Path | None = None,
        max_quote_tokens: int = 160,
        reuse_prefix: bool = True,
        backend: LlamaBackend | None = None,
    ) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter  # lazy: native code

        # The backend the writer shares (session.backend()); a bare model gets one of its own.
        self.backend = backend if backend is not None else LlamaBackend(llm, name=name, smoke_test=smoke_test)
        self.reuse_prefix = reuse_prefix
        self.name = name
        self.smoke_test = smoke_test
        self.max_quote_tokens = max_quote_tokens
        self._llm = llm
        self._prompt = StancePrompt.load(prompts_dir)
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelLoadError(f"{name} has no chat template in its GGUF metadata (tokenizer.chat_template)")
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=_token_text(llm, llm.token_eos()),
            bos_token=_token_text(llm, llm.token_bos()),
            add_generation_prompt=True,
        )

    @classmethod
    def load(
        cls,
        model: ResolvedModel,
        *,
        n_ctx: int,
        n_threads: int | None = None,
        extra_buffers: bool = False,
        **options: Any,
    ) -> LlamaJudge:
        backend = LlamaBackend.open(model, n_ctx=n_ctx, n_threads=n_threads, extra_buffers=extra_buffers)
        return cls.on(backend, **options)

    @classmethod
    def on(cls, backend: LlamaBackend, **options: Any) -> LlamaJudge:
        """The judge over a loaded backend's model."""
        return cls(backend.llm, name=backend.name, smoke_test=backend.smoke_test, backend=backend, **options)

    @property
    def llm(self) -> Llama:
        """The loaded model, for other tasks that should share it (loading twice doubles memory)."""
        return self._llm

    @property
    def prompt_hash(self) -> str:
        return self._prompt.prompt_hash

    def prompt_text(self, claim: str, passages: Sequence[Passage]) -> str:
        """The whole prompt as the model reads it, ending with the answer's `{"stance": "`."""
        messages = self._prompt.messages(claim, passages)
        return self._formatter(messages=messages).prompt + ANSWER_PREFIX  # type: ignore[arg-type]

    def tokenize(self, text: str) -> list[int]:
        # special=True: the chat template's control tokens must be read as such (article text
        # cannot spell them: see prompt_files.neutralise). No BOS: the template writes it if it wants one.
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        meter = ModelUsage()
        try:
            with self.backend.lock:
                return self._judge(claim, passages, meter)
        except Exception as exc:  # noqa: BLE001 - one document's failure must not end the batch; it is shown
            error = f"llama.cpp failed on {doc_id}: {type(exc).__name__}: {exc}"
            return Judgement(stance=Stance.ERROR, error=error, usage=meter)

    def _judge(self, claim: str, passages: Sequence[Passage], meter: ModelUsage) -> Judgement:
        if not passages:
            return nothing_to_read()
        budget = self._llm.n_ctx() - self.max_quote_tokens - 32  # room for the label, quote key and EOG
        fitted = fit_to_budget(claim, passages, self._count_tokens, budget)
        if fitted.n_tokens > budget or not fitted.passages:
            error = f"no room for evidence: the prompt needs {fitted.n_tokens} tokens, the context has {budget}"
            return Judgement(stance=Stance.ERROR, error=error)
        text = self.prompt_text(fitted.claim, fitted.passages)
        prefix = self.tokenize(text)
        continuations = [self._continuation(text, prefix, label + LABEL_END) for label in LABELS]
        logprobs = self.continuation_logprobs(prefix, continuations, meter)
        probabilities = label_probabilities(dict(zip(LABELS, logprobs)))
        stance = Stance(max(probabilities, key=probabilities.__getitem__))
        if stance is Stance.NOT_MENTIONED:
            return make_judgement(fitted.notes, stance=stance, probabilities=probabilities, usage=meter)

        quote, problem = self._generate_quote(text, prefix, stance.value, meter, quote_candidates(fitted.passages))
        if problem is not None:
            return make_judgement(
                fitted.notes, stance=Stance.ERROR, probabilities=probabilities, error=problem, usage=meter
            )
        found = locate_quote(quote, passages)
        return make_judgement(
            fitted.notes,
            stance=stance,
            probabilities=probabilities,
            quote=found[0] if found else None,
            quote_chunk_id=found[1] if found else None,
            quote_discarded=found is None,
            usage=meter,
        )

    def _count_tokens(self, claim: str, passages: Sequence[Passage]) -> int:
        return len(self.tokenize(self.prompt_text(claim, passages)))

    def continuation_logprobs(
        self, prefix: Sequence[int], continuations: Sequence[Sequence[int]], meter: ModelUsage | None = None
    ) -> list[float]:
        """log P(continuation | prefix) for each continuation, from the logits after each token.
        The prefix is evaluated once (reusing the KV cache); each continuation token is then
        evaluated on top of the one before it, the cache rolled back between continuations."""
        meter = meter if meter is not None else ModelUsage()
        first = _log_softmax(self._eval(prefix, meter))
        results = []
        for tokens in continuations:
            total = float(first[tokens[0]])
            for k in range(1, len(tokens)):
                total += float(_log_softmax(self._eval([*prefix, *tokens[:k]], meter, counted=None))[tokens[k]])
            results.append(total)
        return results

    def _continuation(self, prefix_text: str, prefix: Sequence[int], continuation: str) -> list[int]:
        """The tokens that follow the prefix when prefix+continuation is tokenised as one text
        (the way the model would have written it), provided the prefix's own tokens stay the same."""
        tokens = self.tokenize(prefix_text + continuation)
        if tokens[: len(prefix)] == list(prefix) and len(tokens) > len(prefix):
            return tokens[len(prefix) :]
        return self._llm.tokenize(continuation.encode("utf-8"), add_bos=False, special=False)

    def _eval(self, tokens: Sequence[int], meter: ModelUsage, *, counted: int | None = 0) -> np.ndarray:
        """Evaluate tokens after the longest prefix already in the KV cache; the last token's logits.
        The first `counted` tokens were counted already as prompt tokens (None: count none)."""
        llm = self._llm
        cached = np.asarray(llm.input_ids[: llm.n_tokens])
        wanted = np.asarray(tokens[: len(cached)])
        differ = np.flatnonzero(cached[: len(wanted)] != wanted)
        common = int(differ[0]) if differ.size else len(wanted)
        # Evaluate at least two tokens. llama.cpp computes a lone token on another code path
        # (matrix-vector) whose logits differ from a batch's by up to ~0.4 in log-probability
        # for a 4-bit model; with two or more, the logits are the same bit for bit however much
        # was cached, so a judgement does not depend on what was judged before it.
        common = max(0, min(common, len(tokens) - 2))
        if counted == 0 and not self.reuse_prefix:
            common = 0  # measuring what the KV cache saves: evaluate every new prompt whole
        llm.n_tokens = common  # Llama.eval drops the rest of the KV cache itself
        with meter.timing():
            llm.eval(list(tokens[common:]))
            logits = self._last_logits()
        if counted is not None:
            meter.prompt_tokens += len(tokens) - counted
            meter.reused_tokens += max(0, common - counted)
        return logits

    def _last_logits(self) -> np.ndarray:
        import llama_cpp

        # Llama.eval keeps logits only with logits_all=True; read the last row from llama.cpp.
        pointer = llama_cpp.llama_get_logits_ith(self._llm.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self._llm.n_vocab(),)).copy()

    def _generate_quote(
        self, prefix_text: str, prefix: Sequence[int], label: str, meter: ModelUsage, candidates: Sequence[str] = ()
    ) -> tuple[str, str | None]:
        """(quote, None), or ("", why) when the answer was cut off or is not valid JSON."""
        import jsonschema
        import llama_cpp

        tokens = list(prefix) + self._continuation(prefix_text, prefix, label + QUOTE_FIELD)
        self._eval(tokens, meter, counted=len(prefix))
        grammar = llama_cpp.LlamaGrammar.from_string(quote_grammar(candidates), verbose=False)
        vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        out: list[int] = []
        finish = "length"
        with meter.timing():
            for token in self._llm.generate(tokens, temp=0.0, grammar=grammar):
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                out.append(token)
                if len(out) >= self.max_quote_tokens:
                    break
        meter.completion_tokens += len(out)
        if finish == "length":
            return "", f"the answer was cut off after {len(out)} quote tokens (max_quote_tokens)"
        generated = self._llm.detokenize(out).decode("utf-8", errors="replace")
        try:
            answer = json.loads(ANSWER_PREFIX + label + QUOTE_FIELD + generated)
            jsonschema.validate(answer, answer_schema(candidates))
        except json.JSONDecodeError as exc:
            return "", f"the answer is not valid JSON: {exc}"
        except jsonschema.ValidationError as exc:
            return "", f"the answer does not match the schema: {exc.message}"
        return answer["quote"], None


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    x = logits.astype(np.float64)
    shifted = x - x.max()
    return shifted - np.log(np.exp(shifted).sum())


def _token_text(llm: Llama, token: int) -> str:
    if token < 0:
        return ""
    return llm.detokenize([token], special=True).decode("utf-8", errors="replace")
