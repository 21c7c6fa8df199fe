"""The `server` chat backend: a model behind an OpenAI-compatible endpoint (models/backend.py).

`--model http://HOST:PORT/v1` (llama.cpp's llama-server, `python -m llama_cpp.server`, vLLM,
Ollama). The model asked for is the URL's fragment (`http://h:8000/v1#qwen3-4b`), else
FACTCHECK_SERVED_MODEL, else the first the server lists at /v1/models. FACTCHECK_API_KEY is sent
as `Authorization: Bearer`. Proxy variables are not read: a model server is a local or LAN
address, and a proxy in between would only break it.

Every request is retried (FACTCHECK_MODEL_RETRIES times, backing off 0.5 s, 1 s, 2 s, ...) after
a timeout (FACTCHECK_MODEL_TIMEOUT_S), a broken connection, a 429 or a 5xx answer. A server that
never accepts a connection raises ModelServerUnreachable; one that keeps failing, or refuses a
request (4xx), raises ModelServerError.

JSON schemas: a request with one is sent with OpenAI's `response_format` `json_schema` (vLLM,
llama-server), and where that is refused (400/422, or llama_cpp.server's 500 naming
response_format), as `{"type": "json_object", "schema": ...}`
(llama_cpp.server, llama-server). A server that takes neither is asked without a schema: the
answer is then whatever the model writes, `Completion.schema_enforced` is False, and `notices`
says so for the report. What worked is remembered for the next request.

What a server advertises is used: llama-server's /props gives its context (n_ctx) and its slots
(how many requests it runs at once, the default --parallel); vLLM's /v1/models its max_model_len.
Where nothing is advertised, the context is FACTCHECK_N_CTX and --parallel defaults to 4.
Tokens are not counted over the network: count_tokens is an upper bound (a byte count / 3; BPE
vocabularies average about 4 characters a token on English text), which fits a prompt a little
more tightly than needed rather than overflowing the server's context.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from factcheck.errors import ConfigError, ModelServerError, ModelServerUnreachable
from factcheck.models.backend import Completion, Message, TokenChoice

if TYPE_CHECKING:
    import httpx

    from factcheck.check.server_judge import ChatJudge
    from factcheck.config import Settings

DEFAULT_PARALLEL = 4  # requests at once when the server does not say how many it serves
TOP_LOGPROBS = 20  # the most OpenAI's API (and vLLM's default max_logprobs) allows
BACKOFF_S = 0.5
SCHEMA_STYLES = ("json_schema", "json_object")
NO_SCHEMA_NOTICE = (
    "the model server at {url} took no JSON schema (response_format), so answers were not constrained: "
    "quotes are whatever the model wrote, and a quote not found word for word in its passages was discarded."
)
_TEMPLATE_TOKENS_PER_MESSAGE = 8  # as the llama backend counts them


@dataclass(frozen=True)
class Endpoint:
    base: str  # the API's base URL, e.g. http://127.0.0.1:8000/v1
    model: str | None = None  # the served model named after '#'

    @property
    def root(self) -> str:
        """The server's own address, where llama-server keeps /props."""
        parts = urlsplit(self.base)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def parse_endpoint(spec: str) -> Endpoint:
    """`http(s)://HOST:PORT[/PATH][#MODEL]` -> the API base (PATH, default /v1) and the model."""
    parts = urlsplit(spec.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"a model server is an http:// or https:// URL like http://127.0.0.1:8000/v1, not {spec!r}")
    if parts.username or parts.password or parts.query:
        raise ConfigError("a model server URL is its address only: put a key in FACTCHECK_API_KEY")
    try:
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError as exc:
        raise ConfigError(f"the model server URL has a bad port: {spec!r}") from exc
    path = parts.path.rstrip("/") or "/v1"
    return Endpoint(urlunsplit((parts.scheme, parts.netloc, path, "", "")), unquote(parts.fragment) or None)


def configured_name(settings: Settings) -> str:
    """What the report calls the server's model before it is asked: the name given (URL fragment or
    FACTCHECK_SERVED_MODEL), else the address. A preset's name here brings its measured weight."""
    endpoint = parse_endpoint(settings.model)
    return endpoint.model or settings.served_model or endpoint.base


class ServerBackend:
    """A chat model served over HTTP. Thread-safe: a judge may send `parallel` requests at once."""

    def __init__(
        self,
        endpoint: Endpoint,
        model: str = "",
        *,
        api_key: str | None = None,
        n_ctx: int = 4096,
        parallel: int | None = None,
        timeout_s: float = 120.0,
        retries: int = 3,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        import httpx  # lazy: not needed by a command that runs no model

        self.endpoint = endpoint
        self.model = model
        self.retries, self.backoff_s, self.timeout_s = retries, backoff_s, timeout_s
        self._n_ctx = n_ctx
        self.advertised_parallel = parallel
        self.notices: set[str] = set()  # what the report must say about this server
        self._schema_style: str | None = None  # what worked: a SCHEMA_STYLES entry, "" for none
        self._lock = threading.Lock()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
            trust_env=False,
        )

    @classmethod
    def load(cls, settings: Settings) -> ServerBackend:
        endpoint = parse_endpoint(settings.model)
        backend = cls(
            endpoint,
            endpoint.model or settings.served_model or "",
            api_key=settings.api_key.get_secret_value() if settings.api_key is not None else None,
            n_ctx=settings.n_ctx,
            timeout_s=settings.model_timeout_s,
            retries=settings.model_retries,
        )
        backend.connect()
        return backend

    # --- what the server is --------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.model or self.endpoint.base

    @property
    def smoke_test(self) -> bool:
        from factcheck.models.presets import PRESETS

        preset = PRESETS.get(self.model)
        return preset is not None and preset.smoke_test

    @property
    def parallel(self) -> int:
        return self.advertised_parallel or DEFAULT_PARALLEL

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def connect(self) -> None:
        """Reach the server (ModelServerUnreachable if nothing answers), pick the model when none
        was named, and read what it advertises: its context and its slots."""
        listed = self._get_json(f"{self.endpoint.base}/models")
        models = [m for m in listed.get("data") or [] if isinstance(m, dict) and m.get("id")]
        if not self.model:
            if not models:
                raise ModelServerError(
                    f"the model server at {self.endpoint.base} lists no model; name one: URL#NAME or FACTCHECK_SERVED_MODEL"
                )
            self.model = str(models[0]["id"])
        entry = next((m for m in models if m["id"] == self.model), {})
        if isinstance(entry.get("max_model_len"), int):  # vLLM
            self._n_ctx = entry["max_model_len"]
        self._read_props()

    def _read_props(self) -> None:
        """llama-server's /props: the context per slot and the number of slots. Others have none."""
        try:
            response = self._client.get(f"{self.endpoint.root}/props")
            props = response.json() if response.status_code == 200 else {}
        except Exception:  # noqa: BLE001 - an optional extra of one server; anything wrong means "not advertised"
            return
        if not isinstance(props, dict):
            return
        slots = props.get("total_slots")
        n_ctx = (props.get("default_generation_settings") or {}).get("n_ctx")
        if isinstance(slots, int) and slots > 0:
            self.advertised_parallel = slots
        if isinstance(n_ctx, int) and n_ctx > 0:
            self._n_ctx = n_ctx

    # --- the backend ---------------------------------------------------------------------------

    def count_tokens(self, messages: Sequence[Message]) -> int:
        estimate = sum(len(m.content.encode("utf-8")) // 3 + 1 for m in messages)
        return estimate + _TEMPLATE_TOKENS_PER_MESSAGE * (len(messages) + 1)

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        top_logprobs: int = 0,
    ) -> Completion:
        body = self._body(messages, max_tokens, temperature)
        if top_logprobs > 0:
            body.update(logprobs=True, top_logprobs=min(top_logprobs, TOP_LOGPROBS))
        if json_schema is None:
            return _completion(self._chat(body), schema_enforced=False)
        data, enforced = self._chat_with_schema(body, json_schema)
        return _completion(data, schema_enforced=enforced)

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        """The reply as server-sent events (`stream: true`); retried only before its first piece."""
        import httpx

        body = {**self._body(messages, max_tokens, 0.0), "stream": True}
        url = f"{self.endpoint.base}/chat/completions"
        response = self._send(
            lambda: self._client.send(self._client.build_request("POST", url, json=body), stream=True)
        )
        try:
            if response.status_code >= 400:
                response.read()
                raise self._refused(response)
            for line in response.iter_lines():
                piece = _sse_piece(line)
                if piece is _DONE:
                    return
                if piece:
                    yield piece
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise ModelServerError(f"the model server at {self.endpoint.base} broke off the answer: {exc}") from exc
        finally:
            response.close()

    def embeddings(self, texts: list[str]) -> list[list[float]]:
        """/v1/embeddings for the texts, in their order (ServerEmbedder)."""
        body: dict[str, Any] = {"input": texts, **({"model": self.model} if self.model else {})}
        response = self._post(f"{self.endpoint.base}/embeddings", body)
        if response.status_code >= 400:
            raise self._refused(response)
        try:
            rows = sorted(_json(response, self.endpoint.base)["data"], key=lambda row: row.get("index", 0))
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelServerError(f"the model server's answer is not a list of embeddings: {exc!r}") from exc
        if len(vectors) != len(texts):
            raise ModelServerError(f"the model server gave {len(vectors)} embeddings for {len(texts)} texts")
        return vectors

    def stance_judge(self, prompts_dir: Path | None = None) -> ChatJudge:
        from factcheck.check.server_judge import ChatJudge  # lazy: the check layer builds on this one

        return ChatJudge(self, prompts_dir=prompts_dir)

    def close(self) -> None:
        self._client.close()

    # --- requests ------------------------------------------------------------------------------

    def _body(self, messages: Sequence[Message], max_tokens: int, temperature: float) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if self.model:
            body["model"] = self.model
        return body

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self._post(f"{self.endpoint.base}/chat/completions", body)
        if response.status_code >= 400:
            raise self._refused(response)
        return _json(response, self.endpoint.base)

    def _chat_with_schema(self, body: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The answer under the schema in the first style the server takes, or without a schema
        when it takes none (a 400/422 for each style, then success without)."""
        url = f"{self.endpoint.base}/chat/completions"
        styles = list(SCHEMA_STYLES) if self._schema_style is None else [self._schema_style]
        for style in filter(None, styles):
            request = {**body, "response_format": _response_format(style, schema)}
            response = self._send(lambda request=request: self._client.post(url, json=request), refusal=_format_refused)
            if response.status_code < 400:
                self._schema_style = style
                return _json(response, self.endpoint.base), True
            if not _format_refused(response):
                raise self._refused(response)
        data = self._chat(body)  # a refusal of this one was about something else: it raises
        with self._lock:
            self._schema_style = ""
            self.notices.add(NO_SCHEMA_NOTICE.format(url=self.endpoint.base))
        return data, False

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._send(lambda: self._client.get(url))
        if response.status_code >= 400:
            raise self._refused(response)
        data = _json(response, self.endpoint.base)
        return data if isinstance(data, dict) else {}

    def _post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        return self._send(lambda: self._client.post(url, json=body))

    def _send(
        self, request: Callable[[], httpx.Response], refusal: Callable[[httpx.Response], bool] | None = None
    ) -> httpx.Response:
        """request(), retried with backoff after a timeout, a broken connection, 429 or 5xx, except
        an answer `refusal` says is a refusal (returned as it is: asking again would not change it)."""
        import httpx

        problem, reached = "", False
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = request()
            except httpx.ConnectError as exc:
                problem = f"cannot connect ({_reason(exc)})"
                continue
            except httpx.TimeoutException:
                problem, reached = f"no answer within {self.timeout_s:g} s", True
                continue
            except httpx.TransportError as exc:
                problem, reached = f"the connection broke ({_reason(exc)})", True
                continue
            reached = True
            if response.status_code == 429 or response.status_code >= 500:
                response.read()
                if refusal is not None and refusal(response):
                    return response
                problem = f"HTTP {response.status_code}: {_detail(response)}"
                response.close()
                continue
            return response
        tries = f"{self.retries + 1} tr{'ies' if self.retries else 'y'}"
        if not reached:
            raise ModelServerUnreachable(
                f"cannot reach the model server at {self.endpoint.base}: {problem}, {tries}; is it running?"
            )
        raise ModelServerError(f"the model server at {self.endpoint.base} failed: {problem} ({tries})")

    def _refused(self, response: httpx.Response) -> ModelServerError:
        return ModelServerError(
            f"the model server at {self.endpoint.base} refused the request (HTTP {response.status_code}): "
            f"{_detail(response)}"
        )


def _format_refused(response: httpx.Response) -> bool:
    """Whether the server refused the request's response_format: a 400 or 422, or the 500 with
    which llama_cpp.server answers a request its validation rejects, naming the field."""
    if response.status_code in (400, 422):
        return True
    return response.status_code >= 500 and "response_format" in response.text


def _response_format(style: str, schema: dict[str, Any]) -> dict[str, Any]:
    if style == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


def _completion(data: dict[str, Any], *, schema_enforced: bool) -> Completion:
    try:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        return Completion(
            text=message.get("content") or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            tokens=token_choices(choice.get("logprobs")),
            schema_enforced=schema_enforced,
        )
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise ModelServerError(f"the model server's answer is not a chat completion: {exc!r}") from exc


def token_choices(logprobs: Any) -> tuple[TokenChoice, ...] | None:
    """A chat completion's `logprobs` (`{"content": [{token, logprob, top_logprobs}, ...]}`) as
    TokenChoices; None when the server gave none."""
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not content:
        return None
    return tuple(
        TokenChoice(
            str(t["token"]),
            float(t["logprob"]),
            tuple((str(a["token"]), float(a["logprob"])) for a in t.get("top_logprobs") or ()),
        )
        for t in content
    )


_DONE = object()


def _sse_piece(line: str) -> Any:
    """The text one server-sent event line adds: a str, None (nothing), or _DONE at the end."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return _DONE
    try:
        event = json.loads(data)
    except json.JSONDecodeError:
        return None
    if isinstance(event, dict) and event.get("error"):
        raise ModelServerError(f"the model server failed while answering: {_message(event['error'])}")
    choices = event.get("choices") if isinstance(event, dict) else None
    if not choices:
        return None
    return (choices[0].get("delta") or {}).get("content")


def _json(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ModelServerError(
            f"the model server at {where} did not answer with JSON: {response.text[:120]!r}"
        ) from exc


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200] or response.reason_phrase
    return _message(data.get("error") or data.get("detail") or data) if isinstance(data, dict) else str(data)[:200]


def _message(error: Any) -> str:
    text = error.get("message", error) if isinstance(error, dict) else error
    return " ".join(str(text).split())[:200]


def _reason(exc: Exception) -> str:
    text = str(exc)
    return "connection refused" if "refused" in text.lower() else (text or type(exc).__name__)
