"""What writing an answer needs of a chat model: the part of the chat backend (models/backend.py)
the asker uses. The backend is the session's: the one the judge already loaded (loading a chat
model twice doubles its memory), or loaded now when the judge was skipped (weight 0)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from factcheck.models.backend import Message

if TYPE_CHECKING:
    from factcheck.check.session import CheckSession


@runtime_checkable
class Generator(Protocol):
    """Streams a chat model's reply. `n_ctx` and `count_tokens` let the caller fit the prompt.
    Every ChatBackend is one."""

    name: str

    @property
    def n_ctx(self) -> int: ...

    def count_tokens(self, messages: Sequence[Message]) -> int: ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]: ...


def load_generator(session: CheckSession) -> Generator | None:
    """The session's chat backend, to write with; None when the session runs without a model.
    A judge weight of 0 only skips the model's stance labels: it still writes the answer."""
    if not session.uses_model:
        return None
    return session.backend()
