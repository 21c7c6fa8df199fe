"""The `llama` chat backend: a chat GGUF run in this process by llama.cpp (see models/backend.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.models.backend import Completion, Message
from factcheck.models.llama import open_llama
from factcheck.models.presets import ModelRole
from factcheck.models.resolve import ResolvedModel, resolve

if TYPE_CHECKING:
    from factcheck.check.llama_judge import LlamaJudge
    from factcheck.config import Settings

__all__ = ["Completion", "LlamaBackend", "Message", "llama_options", "load_llama"]

# Tokens a chat template adds around each message (role header, end marker): an upper bound for
# the templates of the presets, so that counting the contents alone never underestimates by much.
_TEMPLATE_TOKENS_PER_MESSAGE = 8


def llama_options(settings: Settings) -> dict[str, Any]:
    """How settings ask llama.cpp to run a chat model (the judge and the writer alike)."""
    return {"n_ctx": settings.n_ctx, "n_threads": settings.n_threads, "extra_buffers": settings.llama_extra_buffers}


def load_llama(model: ResolvedModel, *, n_ctx: int, n_threads: int | None = None, extra_buffers: bool = False) -> Any:
    """Open a chat GGUF with llama.cpp; a file it cannot read becomes ModelLoadError."""
    return open_llama(model.path, n_ctx=n_ctx, n_threads=n_threads, extra_buffers=extra_buffers)


class LlamaBackend:
    """A chat GGUF run by llama.cpp, using the chat template stored in the file. One model, one KV
    cache: every call holds `lock`, so the judge and the writer never run on it at once."""

    parallel = 1

    def __init__(self, llm: Any, *, name: str, smoke_test: bool = False) -> None:
        self.llm = llm
        self.name = name
        self.smoke_test = smoke_test
        self.lock = threading.RLock()
        self._judge: LlamaJudge | None = None

    @classmethod
    def load(cls, settings: Settings) -> LlamaBackend:
        model = resolve(settings.model, ModelRole.LLM, settings.model_dir)
        return cls.open(model, **llama_options(settings))

    @classmethod
    def open(cls, model: ResolvedModel, **options: Any) -> LlamaBackend:
        """The backend over a resolved model file; `options` as llama_options gives them."""
        return cls(load_llama(model, **options), name=model.name, smoke_test=model.smoke_test)

    @property
    def n_ctx(self) -> int:
        return int(self.llm.n_ctx())

    def count_tokens(self, messages: Sequence[Message]) -> int:
        tokens = (len(self.llm.tokenize(m.content.encode("utf-8"), add_bos=False, special=False)) for m in messages)
        return sum(tokens) + _TEMPLATE_TOKENS_PER_MESSAGE * (len(messages) + 1)

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        """create_chat_completion(stream=True) at temperature 0 (the same question, the same answer)."""
        with self.lock:
            chunks = self.llm.create_chat_completion(
                messages=_dicts(messages), max_tokens=max_tokens, temperature=0.0, stream=True
            )
            for chunk in chunks:
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        """The reply under a grammar built from json_schema. No token log-probabilities: llama.cpp
        keeps them only for a model opened with logits_all, which costs memory; the judge on this
        backend reads the logits itself (LlamaJudge)."""
        response_format = {"type": "json_object", "schema": json_schema} if json_schema else None
        with self.lock:
            result = self.llm.create_chat_completion(
                messages=_dicts(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                response_format=response_format,
            )
        choice = result["choices"][0]
        usage = result.get("usage", {})
        return Completion(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            schema_enforced=json_schema is not None,
        )

    def stance_judge(self, prompts_dir: Path | None = None) -> LlamaJudge:
        """The logits judge over this model (one per backend: it shares the model's KV cache)."""
        from factcheck.check.llama_judge import LlamaJudge  # lazy: the check layer builds on this one

        if self._judge is None or prompts_dir is not None:
            self._judge = LlamaJudge.on(self, prompts_dir=prompts_dir)
        return self._judge


def _dicts(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]
