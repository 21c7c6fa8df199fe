"""Deterministic stand-ins for the embedding and chat models, for tests of logic only."""

from __future__ import annotations

import hashlib
import math
import re
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from factcheck.models.backend import Completion, Message

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Bag-of-words hashed into a small vector: texts sharing words get similar vectors."""

    id = "fake-embedder"
    dimension = 64
    max_tokens = 256

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2  # like [CLS] ... [SEP]

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [self._vector(t) for t in texts]

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in _WORD.findall(text.lower()):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


class FakeBackend:
    """A chat backend (models/backend.py) that answers with queued replies, in order (an empty
    reply once the queue is empty), and records every request: generate() returns a reply whole
    (the decomposer), stream() word by word (the answer writer). Its stance judge is `judge`,
    by default the shared fake judge (tests.judge_fakes.FAKE_JUDGE)."""

    name = "fake-llm"
    smoke_test = False
    n_ctx = 100_000
    parallel = 1

    def __init__(self, judge: Any = None) -> None:
        self.queue: deque[str] = deque()
        self.history: list[dict[str, Any]] = []
        self.judge = judge

    def enqueue(self, replies: Sequence[str]) -> None:
        self.queue.extend(replies)

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return sum(len(m.content.split()) for m in messages)

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        self.history.append({"messages": list(messages), "max_tokens": max_tokens, "json_schema": json_schema})
        text = self.queue.popleft() if self.queue else ""
        return Completion(
            text=text,
            finish_reason="stop",
            prompt_tokens=0,
            completion_tokens=len(text.split()),
            schema_enforced=json_schema is not None,
        )

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        self.history.append({"messages": list(messages), "max_tokens": max_tokens})
        text = self.queue.popleft() if self.queue else ""
        yield from re.findall(r"\s*\S+", text)

    def stance_judge(self, prompts_dir: Any = None) -> Any:
        from tests.judge_fakes import FAKE_JUDGE

        return self.judge if self.judge is not None else FAKE_JUDGE


# The decomposer's and the answer writer's fakes are the one backend fake.
FakeChatModel = FakeBackend
FakeGenerator = FakeBackend


class MemoryStore:
    """The two reads EvidenceIndex makes of a CorpusStore (`sentences()` with their vectors, and
    `chunks()`), over documents given as {doc_id: [chunk, ...]}, each chunk a list of sentences.
    Sentences are embedded once, here, with the given embedder; no Chroma, no files."""

    def __init__(self, documents: dict[str, Sequence[Sequence[str]]], embedder: FakeEmbedder) -> None:
        import numpy as np

        from factcheck.schema import Chunk, ChunkSpan, Sentence
        from factcheck.store import SentenceRows

        sentences: list[Sentence] = []
        self._chunks: list[Chunk] = []
        for doc_id, chunks in documents.items():
            offset, index = 0, 0
            for number, chunk_sentences in enumerate(chunks):
                chunk_id = f"{doc_id}:c{number:04d}"
                text = " ".join(chunk_sentences)
                span = ChunkSpan(number, text, offset, offset + len(text), offset, offset + len(text.encode()), 0)
                self._chunks.append(Chunk(chunk_id, doc_id, span))
                for sentence in chunk_sentences:
                    sentences.append(Sentence(doc_id, index, sentence, offset, offset + len(sentence), chunk_id))
                    index, offset = index + 1, offset + len(sentence) + 1
        vectors = np.asarray(embedder.embed([s.text for s in sentences]), dtype=np.float32)
        self._rows = SentenceRows(sentences, vectors.reshape(len(sentences), embedder.dimension))

    def sentences(self, doc_ids: Sequence[str] | None = None) -> Any:
        return self._rows

    def chunks(self, doc_id: str | None = None) -> list[Any]:
        return [c for c in self._chunks if doc_id is None or c.doc_id == doc_id]


@contextmanager
def registered(registry: Any, name: str, entry: Any) -> Iterator[Any]:
    """entry under name in registry while inside; whatever was there before (conftest's fakes)
    is put back afterwards."""
    previous = registry.get(name)
    registry.register(name)(entry)
    try:
        yield entry
    finally:
        registry.remove(name)
        if previous is not None:
            registry.register(name)(previous)
