"""A fake OpenAI-compatible model server for tests (on tests/http_server.py): /v1/models, and
/v1/chat/completions answering stance, quote, decomposition and streamed requests the way
llama_cpp.server and vLLM do, with switches for what a real server may lack (logprobs, JSON
schemas) and for failures (5xx answers before a success)."""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.http_server import Page, Site

LABELS = ("supports", "refutes", "not_mentioned")


def label_request(body: dict[str, Any]) -> bool:
    return bool(body.get("logprobs"))


def schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    rf = body.get("response_format") or {}
    if rf.get("type") == "json_schema":
        return rf["json_schema"]["schema"]
    return rf.get("schema")


def user_text(body: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")


@dataclass
class FakeOpenAI:
    site: Site
    model: str = "tiny-served"
    logprobs: bool = True
    schema_styles: tuple[str, ...] = ("json_schema", "json_object")  # the response_format types taken
    refusal_status: int = 422  # how another type is refused (llama_cpp.server: 500, naming the field)
    stance: str | Callable[[dict[str, Any]], str] = "supports"  # or decided per request body
    top: dict[str, float] | None = None  # alternatives where the label begins: token -> probability
    quote: str | None = None  # None: the first sentence the schema allows
    failures: deque[int] = field(default_factory=deque)  # statuses to answer first, one per request
    pieces: tuple[str, ...] = ("The summit ", "was in ", "Alaska [1].")
    replies: deque[str] = field(default_factory=deque)  # answers to requests that are neither of the judge's
    props: dict[str, Any] | None = None  # llama-server's /props, if this server has one
    delay_s: float = 0.0
    in_flight: int = 0
    most_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeOpenAI:
        listed = {"object": "list", "data": [{"id": self.model, "object": "model"}]}
        self.site.page("/v1/models", json.dumps(listed), content_type="application/json")
        if self.props is not None:
            self.site.page("/props", json.dumps(self.props), content_type="application/json")
        self.site.handlers["/v1/chat/completions"] = self.answer
        return self

    @property
    def base(self) -> str:
        return self.site.url("/v1")

    @property
    def url(self) -> str:
        return f"{self.base}#{self.model}"

    def chats(self) -> list[dict[str, Any]]:
        return [body for path, body in self.site.posted if path == "/v1/chat/completions"]

    def answer(self, body: dict[str, Any]) -> Page:
        import time

        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            failure = self.failures.popleft() if self.failures else None
        try:
            time.sleep(self.delay_s)
            return self._answer(body, failure)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, body: dict[str, Any], failure: int | None) -> Page:
        if failure is not None:
            return _json_page({"error": {"message": "busy, try later"}}, failure)
        rf = body.get("response_format")
        if rf is not None and rf.get("type") not in self.schema_styles:
            message = f"('body', 'response_format', 'type'): {rf.get('type')!r} not supported"
            return _json_page({"error": {"message": message}}, self.refusal_status)
        if body.get("stream"):
            events = [json.dumps({"choices": [{"delta": {"content": p}, "index": 0}]}) for p in self.pieces]
            sse = "".join(f"data: {e}\n\n" for e in events) + "data: [DONE]\n\n"
            return Page(sse.encode(), content_type="text/event-stream")
        stance = self.stance(body) if callable(self.stance) else self.stance
        schema = schema_of(body)
        if label_request(body):
            return self._label(stance)
        if schema is not None and "quote" in schema.get("properties", {}):
            allowed = schema["properties"]["quote"].get("enum") or [""]
            quote = self.quote if self.quote is not None else allowed[0]
            return _completion(json.dumps({"stance": stance, "quote": quote}))
        if schema is None and "Passages from one article" in user_text(body):  # a quote asked without a schema
            quote = self.quote or ""
            return _completion(f"Here you are: {json.dumps({'stance': stance, 'quote': quote})}")
        return _completion(self.replies.popleft() if self.replies else "")

    def _label(self, stance: str) -> Page:
        text = json.dumps({"stance": stance})
        if not self.logprobs:
            return _completion(text)
        top = self.top or {stance[:3]: 0.7, **{lb[:3]: p for lb, p in zip(_others(stance), (0.2, 0.05))}}
        tokens = ['{"', "stance", '":', ' "', stance[:3], stance[3:], '"}']
        content = []
        for i, token in enumerate(tokens):
            alternatives = top if i == 4 else {token: 1.0}
            content.append(
                {
                    "token": token,
                    "logprob": math.log(alternatives.get(token, 1e-6)),
                    "top_logprobs": [{"token": t, "logprob": math.log(p)} for t, p in alternatives.items()],
                }
            )
        return _completion(text, logprobs={"content": content})


def _others(stance: str) -> list[str]:
    return [lb for lb in LABELS if lb != stance]


def _completion(text: str, logprobs: dict[str, Any] | None = None) -> Page:
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    if logprobs is not None:
        choice["logprobs"] = logprobs
    data = {"object": "chat.completion", "choices": [choice], "usage": {"prompt_tokens": 100, "completion_tokens": 7}}
    return _json_page(data, 200)


def _json_page(data: Any, status: int) -> Page:
    return Page(json.dumps(data).encode(), content_type="application/json", status=status)
