"""The stance judge: what one document says about one claim.

This module holds the interface, how a judge is loaded (from the chat backend, models/backend.py),
judging a claim's documents concurrently, and the pure parts of judging (the prompt, fitting it
into the context, the label probabilities, checking the quote). The implementations: llama.cpp's
logits in `factcheck/check/llama_judge.py`, a model server's top_logprobs in `server_judge.py`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from factcheck.errors import ConfigError
from factcheck.prompt_files import MESSAGE_ROLES, default_prompts_dir, neutralise, read_template
from factcheck.schema import JUDGED_STANCES, Judgement, Passage, Stance

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

    from factcheck.config import Settings

LABELS = tuple(stance.value for stance in JUDGED_STANCES)
QUOTE_MAX_CHARS = 400
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "stance": {"enum": list(LABELS)},
        "quote": {"type": "string", "maxLength": QUOTE_MAX_CHARS},
    },
    "required": ["stance", "quote"],
    "additionalProperties": False,
}


def quote_candidates(passages: Sequence[Passage]) -> list[str]:
    """The sentences a quote may be: every sentence of the passages, verbatim, short enough."""
    from factcheck.corpus.chunking import split_sentences

    seen: dict[str, None] = {}
    for passage in passages:
        for start, end in split_sentences(passage.text):
            sentence = passage.text[start:end]
            if len(sentence) <= QUOTE_MAX_CHARS:
                seen.setdefault(sentence)
    return list(seen)


def answer_schema(candidates: Sequence[str] = ()) -> dict[str, Any]:
    """ANSWER_SCHEMA, with the quote narrowed to an enum of the candidate sentences when given."""
    if not candidates:
        return ANSWER_SCHEMA
    properties = {**ANSWER_SCHEMA["properties"], "quote": {"enum": list(candidates)}}
    return {**ANSWER_SCHEMA, "properties": properties}


# The answer is written for the model up to the label; the label is scored, not generated.
ANSWER_PREFIX = '{"stance": "'
# What follows a label in the answer. A label is scored together with it, so that the three
# continuations are whole answers-so-far (`",` is one token in common BPE vocabularies, which is
# how the model itself would go on; scoring a lone `"` would ask it about a token it rarely writes).
LABEL_END = '",'
QUOTE_FIELD = '", "quote": "'

SYSTEM_FILE = "stance.system.txt"
USER_FILE = "stance.user.txt"


@runtime_checkable
class Judge(Protocol):
    """Reads the passages of one document and says whether they support, refute or do not mention
    a claim. `smoke_test` marks a model whose judgements must never be presented as such."""

    name: str
    smoke_test: bool

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement: ...

    @property
    def prompt_hash(self) -> str: ...


def load_judge(settings: Settings) -> Judge:
    """The stance judge on the chat backend settings.model names (models/backend.py): the logits
    judge on the in-process llama.cpp model, the top_logprobs judge on a model server."""
    from factcheck.models.backend import load_backend

    return load_backend(settings).stance_judge()


def parallel_of(judge: Judge | None) -> int:
    """How many documents the judge may judge at once by default: what its backend serves (a
    model server's slots), 1 for anything that does not say (in-process models, the verifier)."""
    parts = [part for part, _ in getattr(judge, "parts", ())] or [judge]
    return max(1, min(int(getattr(part, "parallel", 1)) for part in parts))


def judge_all(
    judge: Judge, claim: str, documents: Sequence[tuple[str, Sequence[Passage]]], parallel: int = 1
) -> list[Judgement]:
    """judge.judge for each (doc_id, passages), `parallel` at a time, the answers in the order
    given. With parallel 1 (or one document) the calls run here, one after the other, as always.
    A judge turns a failure of its own into an error judgement; anything it raises (a model
    server that cannot be reached) is raised here, and the calls not yet started are dropped."""
    if parallel <= 1 or len(documents) <= 1:
        return [judge.judge(claim, doc_id, passages) for doc_id, passages in documents]
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=min(parallel, len(documents)), thread_name_prefix="judge")
    try:
        futures = [pool.submit(judge.judge, claim, doc_id, passages) for doc_id, passages in documents]
        answers = [future.result() for future in futures]
    except BaseException:  # Ctrl-C or a raised error: do not wait for calls nobody will read
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return answers


# --- the prompt ---------------------------------------------------------------------------------


class StancePrompt:
    """The two template files as a langchain ChatPromptTemplate: instructions, then the claim,
    then the evidence. Everything before the evidence is the same for every document checked
    against one claim, which is what lets llama.cpp keep it in its KV cache."""

    def __init__(self, template: ChatPromptTemplate, prompt_hash: str) -> None:
        self.template = template
        self.prompt_hash = prompt_hash

    @classmethod
    def load(cls, prompts_dir: Path | None = None) -> StancePrompt:
        from langchain_core.prompts import ChatPromptTemplate  # lazy: slow import

        folder = prompts_dir if prompts_dir is not None else default_prompts_dir()
        system, user = (read_template(folder / name) for name in (SYSTEM_FILE, USER_FILE))
        try:
            template = ChatPromptTemplate.from_messages([("system", system), ("human", user)])
        except ValueError as exc:
            hint = "write literal braces as {{ and }}"
            raise ConfigError(f"{folder}: invalid prompt template ({exc}); {hint}") from exc
        _check_variables(folder, system, user, template.input_variables)
        return cls(template, hash_prompt(system, user))

    def messages(self, claim: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
        """The chat messages for one document, as role/content dicts for a chat template."""
        formatted = self.template.format_messages(claim=neutralise(claim), evidence=format_evidence(passages))
        return [{"role": MESSAGE_ROLES[m.type], "content": str(m.content)} for m in formatted]


def _check_variables(folder: Path, system: str, user: str, variables: Sequence[str]) -> None:
    if set(variables) != {"claim", "evidence"}:
        raise ConfigError(
            f"{folder}: the stance templates must use exactly {{claim}} and {{evidence}}, not {sorted(variables)}"
        )
    if "{claim}" in system or "{evidence}" in system or user.find("{claim}") > user.find("{evidence}"):
        raise ConfigError(f"{folder}: {USER_FILE} must hold {{claim}} first, then {{evidence}}")


def hash_prompt(system: str, user: str) -> str:
    """sha256 of everything that shapes what the model is asked: templates, schema, answer format."""
    digest = hashlib.sha256()
    schema = json.dumps(ANSWER_SCHEMA, sort_keys=True)
    for part in (system, user, schema, ANSWER_PREFIX, LABEL_END, QUOTE_FIELD):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def format_evidence(passages: Sequence[Passage]) -> str:
    return "\n".join(f'<passage id="{n}">\n{neutralise(p.text).strip()}\n</passage>' for n, p in enumerate(passages, 1))


# --- fitting the prompt into the context --------------------------------------------------------


@dataclass(frozen=True)
class FittedPrompt:
    claim: str
    passages: tuple[Passage, ...]
    n_tokens: int  # of the whole prompt; more than the budget only if the template alone is
    notes: tuple[str, ...] = ()


TokenCounter = Callable[[str, Sequence[Passage]], int]  # (claim, passages) -> tokens in the prompt


def fit_to_budget(
    claim: str, passages: Sequence[Passage], count: TokenCounter, budget: int, *, claim_share: float = 0.25
) -> FittedPrompt:
    """Shorten the prompt until it fits in `budget` tokens: a claim longer than its share of the
    room is trimmed, then the best-scored passages are kept whole while they fit and the next one
    is trimmed at a sentence or word boundary to fill what is left. Passages keep their order."""
    notes: list[str] = []
    empty = count("", ())
    claim_limit = empty + int(max(0, budget - empty) * claim_share)
    if count(claim, ()) > claim_limit:
        short = trim_to_fit(claim, lambda text: count(text, ()) <= claim_limit)
        notes.append(f"claim trimmed to {len(short)} of {len(claim)} characters to fit the context")
        claim = short

    ranked = sorted(range(len(passages)), key=lambda i: -passages[i].fused_score)
    kept: dict[int, Passage] = {}
    for i in ranked:
        if count(claim, _in_order({**kept, i: passages[i]})) <= budget:
            kept[i] = passages[i]
            continue
        original = passages[i]
        text = trim_to_fit(
            original.text,
            lambda t, i=i, original=original: (
                count(claim, _in_order({**kept, i: dataclasses.replace(original, text=t)})) <= budget
            ),
        )
        if text:
            kept[i] = dataclasses.replace(original, text=text)
            notes.append(f"passage {original.chunk_id} trimmed to {len(text)} of {len(original.text)} characters")
        break
    if dropped := len(passages) - len(kept):
        notes.append(f"{dropped} of {len(passages)} passages left out (lowest scores) to fit the context")
    fitted = _in_order(kept)
    return FittedPrompt(claim, fitted, count(claim, fitted), tuple(notes))


def _in_order(passages: Mapping[int, Passage]) -> tuple[Passage, ...]:
    return tuple(passages[i] for i in sorted(passages))


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s")


def trim_to_fit(text: str, fits: Callable[[str], bool]) -> str:
    """The longest start of text that fits, cut back to a sentence end (or, failing that, a word
    boundary) so the model never reads half a word. Empty if nothing fits."""
    if fits(text):
        return text
    lo, hi = 0, len(text)  # fits(text[:lo]) or lo == 0; not fits(text[:hi])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid
    head = text[:lo]
    if lo < len(text) and text[lo].isspace():
        return head.rstrip()  # already at a word boundary
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if sentence_ends and sentence_ends[-1] >= len(head) // 2:
        return head[: sentence_ends[-1]].rstrip()
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space].rstrip() if space > 0 else ""


# --- reading the answer -------------------------------------------------------------------------


def label_probabilities(logprobs: Mapping[str, float]) -> dict[str, float]:
    """Softmax over the labels' sequence log-probabilities: the model's choice among just these."""
    top = max(logprobs.values())
    weights = {label: math.exp(lp - top) for label, lp in logprobs.items()}
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()}


# Typographic quotes the model may write straight; one character each, so positions line up.
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def locate_quote(quote: str, passages: Sequence[Passage]) -> tuple[str, str] | None:
    """(the quote as the passage spells it, chunk_id) if the quote is in a passage, comparing
    with whitespace collapsed and curly quotes straightened; None otherwise."""
    needle = normalise_whitespace(quote).translate(_FOLD)
    if not any(ch.isalnum() for ch in needle):
        return None
    for passage in passages:
        haystack = normalise_whitespace(passage.text)
        at = haystack.translate(_FOLD).find(needle)
        if at >= 0:
            return haystack[at : at + len(needle)], passage.chunk_id
    return None


def nothing_to_read() -> Judgement:
    """A document with no passage for the claim: not mentioned, certainly, and no model asked."""
    probabilities = {label: float(label == Stance.NOT_MENTIONED.value) for label in LABELS}
    return Judgement(stance=Stance.NOT_MENTIONED, probabilities=probabilities)


def make_judgement(notes: Sequence[str] = (), **fields: Any) -> Judgement:
    """A Judgement, with `notes`: what was trimmed to fit the context."""
    return Judgement(notes=tuple(notes), **fields)
