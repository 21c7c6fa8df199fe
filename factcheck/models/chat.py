"""The chat-model interface, its registry, and the llama.cpp implementation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from factcheck.models.llama import open_llama
from factcheck.models.presets import ModelRole
from factcheck.models.resolve import ResolvedModel, resolve
from factcheck.registry import Registry

if TYPE_CHECKING:
    from factcheck.config import Settings


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None  # "stop" when the model ended on its own; "length" when cut off
    prompt_tokens: int
    completion_tokens: int


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that answers a list of messages. `smoke_test` marks a model whose answers
    must never be presented as a judgement."""

    name: str
    smoke_test: bool

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
    ) -> Completion: ...


ChatFactory = Callable[["Settings"], ChatModel]
# Chat models known by a name usable as --model, besides the llama.cpp presets (tests register
# fakes); CheckSession.writer() looks here first.
CHAT_MODELS: Registry[ChatFactory] = Registry("chat model")
register_chat_model = CHAT_MODELS.register


def llama_options(settings: Settings) -> dict[str, Any]:
    """How settings ask llama.cpp to run a chat model (the judge and the writer alike)."""
    return {"n_ctx": settings.n_ctx, "n_threads": settings.n_threads, "extra_buffers": settings.llama_extra_buffers}


def load_chat_llm(settings: Settings) -> Any:
    """The llama.cpp model settings.model names, loaded."""
    return load_llama(resolve(settings.model, ModelRole.LLM, settings.model_dir), **llama_options(settings))


def load_llama(model: ResolvedModel, *, n_ctx: int, n_threads: int | None = None, extra_buffers: bool = False) -> Any:
    """Open a chat GGUF with llama.cpp; a file it cannot read becomes ModelLoadError."""
    return open_llama(model.path, n_ctx=n_ctx, n_threads=n_threads, extra_buffers=extra_buffers)


class LlamaChatModel:
    """A chat GGUF run by llama.cpp, using the chat template stored in the file."""

    def __init__(self, llm: Any, *, name: str, smoke_test: bool = False) -> None:
        self._llm = llm
        self.name = name
        self.smoke_test = smoke_test

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
    ) -> Completion:
        response_format = {"type": "json_object", "schema": json_schema} if json_schema else None
        result = self._llm.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in messages],
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
        )
