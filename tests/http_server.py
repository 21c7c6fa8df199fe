"""A local web site for tests that fetch URLs (GET pages) or talk to a server (POST handlers): served
from 127.0.0.1 on a free port, in a thread, by the standard library's server. Tests never reach
another host."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering
    send_length: bool = True  # False: no Content-Length, the body ends when the connection does
    on_request: Callable[[], None] | None = None  # run in the server's thread before answering


@dataclass
class Site:
    port: int
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers) as received
    # POST path -> what answers it: called with the request's JSON body (None if it is not JSON),
    # in the server's thread (one per request: they may run at once).
    handlers: dict[str, Callable[[Any], Page]] = field(default_factory=dict)
    posted: list[tuple[str, Any]] = field(default_factory=list)  # (path, JSON body) as received

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str, body: str | bytes, **options: object) -> str:
        """Serve body at path; return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = Page(data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.pages[path] = Page(status=status, headers={"Location": to})
        return self.url(path)


def article(title: str, *paragraphs: str, published: str = "2025-08-15") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        site = self.server.site
        site.requests.append((self.path, dict(self.headers)))
        page = site.pages.get(self.path)
        if page is None:
            self.send_error(404, "Not Found")
            return
        if page.on_request is not None:
            page.on_request()
        time.sleep(page.delay_s)
        try:
            self._answer(page)
        except OSError:  # the client gave up (a timeout test): nothing to report
            pass

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        site = self.server.site
        site.requests.append((self.path, dict(self.headers)))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        site.posted.append((self.path, body))
        handler = site.handlers.get(self.path)
        page = handler(body) if handler is not None else site.pages.get(self.path)
        if page is None:
            self.send_error(404, "Not Found")
            return
        time.sleep(page.delay_s)
        try:
            self._answer(page)
        except OSError:
            pass

    def _answer(self, page: Page) -> None:
        self.send_response(page.status)
        if page.content_type:
            self.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            self.send_header(name, value)
        if page.send_length:
            self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the standard library's name)
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping (a timeout test) must not hold up shutdown
    site: Site

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # a client that hung up is expected here


@contextmanager
def serve() -> Iterator[Site]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = Site(port=server.server_address[1])
    # A short poll: shutdown() waits up to one interval, at the end of every test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 must not go to a proxy the environment names."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
