"""A name -> implementation registry: how factcheck's moving parts (embedders, chat models,
judges, model fetchers and converters, report formats) are extended without if/elif chains."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from factcheck.errors import UnknownBackend

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # what the entries are, for error messages ("judge", "report format")
        self._entries: dict[Hashable, T] = {}

    def register(self, name: Hashable) -> Callable[[T], T]:
        """Decorator: add the decorated object under name (a later one replaces an earlier one)."""

        def decorate(entry: T) -> T:
            self._entries[name] = entry
            return entry

        return decorate

    def remove(self, name: Hashable) -> None:
        """Forget name, if it is there (a plug-in unloaded, a test's stand-in cleaned up)."""
        self._entries.pop(name, None)

    def get(self, name: Hashable) -> T | None:
        return self._entries.get(name)

    def require(self, name: Hashable) -> T:
        """The entry, or UnknownBackend naming the known ones."""
        entry = self._entries.get(name)
        if entry is None:
            raise UnknownBackend(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}")
        return entry

    def names(self) -> list[str]:
        return sorted(str(getattr(n, "__name__", n)) for n in self._entries)
