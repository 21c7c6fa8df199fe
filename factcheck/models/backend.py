"""The one seam between factcheck and a chat model: the backend interface and its registry.

The stance judge, the answer writer (`ask`) and the claim decomposer (`audit --decompose`) are
all built on one `ChatBackend`, loaded once per command and shared. Two are built in:

- `llama`: the GGUF file run in this process by llama.cpp (factcheck/models/chat.py). Its judge
  reads the labels' probabilities from the logits, reusing the KV cache across documents, and
  writes the quote under a grammar (factcheck/check/llama_judge.py).
- `server`: an OpenAI-compatible endpoint, `http://host:port/v1` (llama.cpp's llama-server,
  `python -m llama_cpp.server`, vLLM, Ollama; factcheck/models/server.py). Its judge reads the
  labels' probabilities from the answer's top_logprobs (factcheck/check/server_judge.py).

`--model` picks the entry: a name registered here (a test's stand-in) is itself, an http(s) URL
is `server`, anything else (a preset name, a .gguf path) is `llama`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from factcheck.registry import Registry

if TYPE_CHECKING:
    from factcheck.check.judge import Judge
    from factcheck.config import Settings


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class TokenChoice:
    """One generated token with its log-probability and the most likely alternatives at its place
    (the token itself among them), as a server's `logprobs.content` gives them."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None  # "stop" when the model ended on its own; "length" when cut off
    prompt_tokens: int
    completion_tokens: int
    # The generated tokens with their top log-probabilities, when asked for (top_logprobs > 0)
    # and the backend gives them; None otherwise.
    tokens: tuple[TokenChoice, ...] | None = None
    # Whether the answer was generated under the JSON schema asked for (False: the backend took
    # no schema, and the text is only what the model chose to write).
    schema_enforced: bool = False


@runtime_checkable
class ChatBackend(Protocol):
    """A chat model behind factcheck's judge, writer and decomposer.

    `smoke_test` marks a model whose answers must never be presented as a judgement. `parallel`
    is how many requests it serves at once: 1 means it must never be called concurrently (the
    in-process llama.cpp model holds one KV cache), more lets `--parallel` default to it."""

    name: str
    smoke_test: bool
    parallel: int

    @property
    def n_ctx(self) -> int: ...

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """The prompt's length in tokens with the chat template's own (an upper bound where the
        backend cannot count exactly)."""
        ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        """The reply, piece by piece as it is written, at temperature 0."""
        ...

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        """The whole reply; under `json_schema` where the backend supports one, and with the top
        `top_logprobs` alternatives of each generated token where it can give them."""
        ...

    def stance_judge(self, prompts_dir: Path | None = None) -> Judge:
        """The stance judge that reads label probabilities best with this backend."""
        ...


BackendFactory = Callable[["Settings"], ChatBackend]
BACKENDS: Registry[BackendFactory] = Registry("chat backend")
register_backend = BACKENDS.register


def is_server_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def backend_kind(spec: str) -> str:
    """The registry entry a --model value names: itself when registered, else server or llama."""
    if BACKENDS.get(spec) is not None:
        return spec
    return "server" if is_server_url(spec) else "llama"


def load_backend(settings: Settings) -> ChatBackend:
    """The chat backend settings.model names, loaded (a model file opened, or a server reached)."""
    return BACKENDS.require(backend_kind(settings.model))(settings)


# The built-in entries import their modules when first used: llama.cpp is native code, slow to import.


def _llama(settings: Settings) -> ChatBackend:
    from factcheck.models.chat import LlamaBackend

    return LlamaBackend.load(settings)


def _server(settings: Settings) -> ChatBackend:
    from factcheck.models.server import ServerBackend

    return ServerBackend.load(settings)


register_backend("llama")(_llama)
register_backend("server")(_server)
