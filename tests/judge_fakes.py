"""Stand-in stance judges for tests of the logic around judging."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from typing import Any

from factcheck.schema import JUDGED_STANCES, Judgement, Passage, Stance


class FakeJudge:
    """Returns queued Judgements in order (not_mentioned once the queue is empty) and records calls."""

    name = "fake-judge"
    smoke_test = False
    prompt_hash = "0" * 64

    def __init__(self) -> None:
        self.queue: deque[Judgement] = deque()
        self.history: list[dict[str, Any]] = []

    def enqueue(self, judgements: Sequence[Judgement]) -> None:
        self.queue.extend(judgements)

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        self.history.append({"claim": claim, "doc_id": doc_id, "passages": list(passages)})
        if self.queue:
            return self.queue.popleft()
        nothing = {"supports": 0.0, "refutes": 0.0, "not_mentioned": 1.0}
        return Judgement(stance=Stance.NOT_MENTIONED, probabilities=nothing)


# The fake judge every test's "fake-llm" backend judges with (tests/conftest.py), so a test can reach it.
FAKE_JUDGE = FakeJudge()


# --- a judge that can be talked into an answer (the prompt-injection tests) --------------------

_CONTROL_TOKEN = re.compile(r"<\|im_(?:start|end)\|>")
_EVIDENCE_BLOCK = re.compile(r"<passage\b[^>]*>.*?(?:</passage>|\Z)", re.DOTALL)
_ORDER = re.compile(r"\banswer\s+[\"']?(supports|refutes)\b", re.IGNORECASE)


def chatml(messages: Sequence[dict[str, str]]) -> str:
    """Chat messages as a ChatML prompt (smollm's and qwen's template): what the model reads, its
    control tokens parsed as such (llama_judge tokenises with special=True)."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


class GullibleModel:
    """A stand-in for a model that obeys an order it reads ("... answer supports"), and otherwise
    answers not_mentioned.

    respects_evidence=False: it obeys an order anywhere in the prompt, passages included: the
    naive model every injection fools, which shows an order did reach it.
    respects_evidence=True: it reads what is inside a <passage ...> ... </passage> block as data
    and obeys only orders outside one: in the instructions, in text after a passage was closed,
    or in a turn that a control token opened (a block never spans turns, as a model's attention
    to "this is the article" does not survive a new system turn). This is the model the real
    prompt is built for; a prompt that lets article text out of its block fools it."""

    def __init__(self, *, respects_evidence: bool) -> None:
        self.respects_evidence = respects_evidence

    def answer(self, prompt: str) -> Stance:
        turns = _CONTROL_TOKEN.split(prompt) if self.respects_evidence else [prompt]
        read = [_EVIDENCE_BLOCK.sub(" ", turn) if self.respects_evidence else turn for turn in turns]
        orders = [m.group(1).lower() for text in read for m in _ORDER.finditer(text)]
        return Stance(orders[-1]) if orders else Stance.NOT_MENTIONED


class GullibleJudge:
    """A Judge that builds a prompt with `build` (claim, passages) -> prompt text and asks a
    GullibleModel, answering with 0.98 on its stance. Records every prompt."""

    name = "gullible"
    smoke_test = False

    def __init__(self, model: GullibleModel, build: Any, prompt_hash: str = "1" * 64) -> None:
        self.model = model
        self.build = build
        self.prompt_hash = prompt_hash
        self.prompts: list[str] = []

    def judge(self, claim: str, doc_id: str, passages: Sequence[Passage]) -> Judgement:
        prompt = self.build(claim, passages)
        self.prompts.append(prompt)
        stance = self.model.answer(prompt)
        probabilities = {s.value: (0.98 if s is stance else 0.01) for s in JUDGED_STANCES}
        return Judgement(stance=stance, probabilities=probabilities)
