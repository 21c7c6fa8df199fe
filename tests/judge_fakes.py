"""A stand-in stance judge for tests of the logic around judging."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from factcheck.schema import Judgement, Passage, Stance


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
