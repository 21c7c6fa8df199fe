"""The embedding interface, its registry, the llama.cpp implementation, and trimming a text to\nwhat an embedder reads whole."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from factcheck.models.llama import open_llama
from factcheck.models.presets import ModelRole
from factcheck.models.resolve import ResolvedModel, resolve, slugify
from factcheck.registry import Registry

if TYPE_CHECKING:
    from factcheck.config import Settings


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors. `id` names the vector space: two embedders with
    the same id must produce comparable vectors, so the store keys its collections on it."""

    id: str
    dimension: int
    max_tokens: int  # the longest input, in the model's own tokens, that is embedded whole

    def count_tokens(self, text: str) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def trim_to_tokens(embedder: Embedder, text: str) -> str:
    """Shorten text (at word boundaries) until the embedder reads it whole."""
    if embedder.count_tokens(text) <= embedder.max_tokens:
        return text
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:  # the longest prefix of words that fits
        mid = (lo + hi + 1) // 2
        if embedder.count_tokens(" ".join(words[:mid])) <= embedder.max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


EmbedderFactory = Callable[["Settings"], Embedder]
# Embedders known by a name usable as --embedder, besides the llama.cpp presets (tests register fakes).
EMBEDDERS: Registry[EmbedderFactory] = Registry("embedder")
register_embedder = EMBEDDERS.register


def load_embedder(settings: Settings) -> Embedder:
    factory = EMBEDDERS.get(settings.embedder)
    if factory is not None:
        return factory(settings)
    from factcheck.models.backend import is_server_url

    if is_server_url(settings.embedder):
        return ServerEmbedder.load(settings)
    model = resolve(settings.embedder, ModelRole.EMBEDDING, settings.model_dir)
    return LlamaEmbedder(model, n_threads=settings.n_threads, extra_buffers=settings.llama_extra_buffers)


class LlamaEmbedder:
    """A BERT-style GGUF run by llama.cpp with mean pooling, vectors L2-normalised."""

    def __init__(self, model: ResolvedModel, *, n_threads: int | None = None, extra_buffers: bool = False) -> None:
        from llama_cpp import LLAMA_POOLING_TYPE_MEAN  # lazy: slow import, native code

        self.model = model
        self.id = model.slug
        self._llm = open_llama(
            model.path,
            extra_buffers=extra_buffers,
            embedding=True,
            pooling_type=LLAMA_POOLING_TYPE_MEAN,
            # n_ctx=0: the context the model was trained with (512 for BERT). llama-cpp-python
            # then caps both batch sizes to it; they must be equal, because a non-causal model
            # must see a whole batch in one micro-batch (llama.cpp aborts the process otherwise).
            n_ctx=0,
            n_batch=1 << 16,
            n_ubatch=1 << 16,
            n_threads=n_threads,
        )
        trained = self._llm.n_ctx()
        preset_limit = model.preset.max_tokens if model.preset else None
        self.max_tokens = min(trained, preset_limit or trained)
        self.dimension = self._llm.n_embd()

    def tokenize(self, text: str) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        for text in texts:
            n = self.count_tokens(text)
            if n > self.max_tokens:
                # The chunker guarantees this never happens for stored chunks; a query this long
                # is trimmed by the caller. Refuse rather than let llama.cpp truncate silently.
                raise ValueError(f"text of {n} tokens exceeds the embedder's {self.max_tokens}")
        vectors = self._llm.embed(list(texts), normalize=True)
        return [list(map(float, v)) for v in vectors]


class ServerEmbedder:
    """An embedding model behind an OpenAI-compatible `/v1/embeddings` endpoint (`--embedder
    http://HOST:PORT/v1#NAME`; the name as for a chat server: the #fragment, else the first model
    listed). Vectors are L2-normalised here. Tokens are not counted over the network: count_tokens
    is an upper bound (bytes / 3), so chunks come out a little shorter than max_tokens allows.
    Requests are retried as the chat server's are (models/server.py)."""

    BATCH = 64  # texts per request

    def __init__(self, client: Any, *, max_tokens: int = 256) -> None:
        self._client = client  # a ServerBackend: its address, key, retries and model name
        self.id = f"server-{slugify(client.name)}"
        self.max_tokens = max_tokens
        self.dimension = len(self.embed(["dimension probe"])[0])

    @classmethod
    def load(cls, settings: Settings) -> ServerEmbedder:
        from factcheck.models.server import ServerBackend, parse_endpoint

        endpoint = parse_endpoint(settings.embedder)
        client = ServerBackend(
            endpoint,
            endpoint.model or "",
            api_key=settings.api_key.get_secret_value() if settings.api_key is not None else None,
            timeout_s=settings.model_timeout_s,
            retries=settings.model_retries,
        )
        client.connect()
        return cls(client)

    def count_tokens(self, text: str) -> int:
        return len(text.encode("utf-8")) // 3 + 2

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.BATCH):
            vectors += self._client.embeddings(list(texts[start : start + self.BATCH]))
        return [_unit(v) for v in vectors]


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [float(x) / norm for x in vector]
