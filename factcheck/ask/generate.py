"""Writing an answer token by token: the interface, its registry, and the llama.cpp implementation
that shares the model the judge already loaded (loading a chat model twice doubles its memory), or
loads it when the judge was skipped (weight 0)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from factcheck.models.chat import Message
from factcheck.registry import Registry

if TYPE_CHECKING:
    from factcheck.check.session import CheckSession
    from factcheck.config import Settings

# Tokens a chat template adds around each message (role header, end marker): an upper bound for
# the templates of the presets, so that counting the contents alone never underestimates by much.
_TEMPLATE_TOKENS_PER_MESSAGE = 8


@runtime_checkable
class Generator(Protocol):
    """Streams a chat model's reply. `n_ctx` and `count_tokens` let the caller fit the prompt."""

    name: str
    n_ctx: int

    def count_tokens(self, messages: Sequence[Message]) -> int: ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]: ...


GeneratorFactory = Callable[["Settings"], Generator]
# Generators known by a name usable as --model, besides llama.cpp models (tests register fakes).
GENERATORS: Registry[GeneratorFactory] = Registry("answer generator")
register_generator = GENERATORS.register


def load_generator(session: CheckSession) -> Generator | None:
    """The generator for the session's chat model; None when the session runs without a model.
    A judge weight of 0 only skips the model's stance labels: it still writes the answer."""
    if not session.uses_model:
        return None
    factory = GENERATORS.get(session.settings.model)
    if factory is not None:
        return factory(session.settings)
    # The judge's own llama.cpp model when it has one, else the chat model loaded to write with.
    return LlamaGenerator(session.chat_llm(), name=session.model_name)


class LlamaGenerator:
    """create_chat_completion(stream=True) at temperature 0, with the model's own chat template."""

    def __init__(self, llm: Any, *, name: str) -> None:
        self._llm = llm
        self.name = name

    @property
    def n_ctx(self) -> int:
        return int(self._llm.n_ctx())

    def count_tokens(self, messages: Sequence[Message]) -> int:
        tokens = (len(self._llm.tokenize(m.content.encode("utf-8"), add_bos=False, special=False)) for m in messages)
        return sum(tokens) + _TEMPLATE_TOKENS_PER_MESSAGE * (len(messages) + 1)

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        chunks = self._llm.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=max_tokens,
            temperature=0.0,  # the same question gives the same answer
            stream=True,
        )
        for chunk in chunks:
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece
