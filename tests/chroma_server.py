"""A real Chroma server for tests: `chroma run` (the script beside sys.executable) on 127.0.0.1 and
a free port, with its data in a temporary folder; ready once its heartbeat answers.

Chroma 1.x's `chroma run` checks no token (its authentication is a no-op: the
CHROMA_SERVER_AUTHN_* variables of 0.x change nothing), so a server that does is built here as
Chroma's docs suggest for 1.x: a small proxy in front of it (TokenGate) that refuses a request
without the right token, as Chroma's token auth does (403, {"error": "AuthError"}).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

READY_TIMEOUT_S = 60.0


def chroma_script() -> Path:
    return Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def heartbeat_ok(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class RunningServer:
    url: str
    ready_s: float  # from starting the process to the first heartbeat


@contextmanager
def chroma_server(data: Path, log: Path) -> Iterator[RunningServer]:
    """Start `chroma run --path DATA` and stop it afterwards; its output goes to log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(chroma_script()), "run", "--path", str(data), "--port", str(port), "--host", "127.0.0.1"]
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        while not heartbeat_ok(url):
            if proc.poll() is not None or time.perf_counter() - started > READY_TIMEOUT_S:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"chroma run did not become ready (exit {proc.returncode}):\n{tail}")
            time.sleep(0.05)
        yield RunningServer(url, time.perf_counter() - started)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --- a server that checks a token -----------------------------------------------------------------

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class _Gate(ThreadingHTTPServer):
    daemon_threads = True
    upstream: str
    token: str
    refused: int  # requests turned away, so a test can see the gate at work
    client: Any  # httpx.Client to upstream


class _GateHandler(BaseHTTPRequestHandler):
    server: _Gate
    protocol_version = "HTTP/1.1"  # keep-alive, as chromadb's client expects
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait between them

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))  # read even to refuse: keep-alive
        if self.headers.get("X-Chroma-Token") != self.server.token:
            self.server.refused += 1
            self._answer(403, b'{"error":"AuthError","message":"Forbidden"}', {"Content-Type": "application/json"})
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        answer = self.server.client.request(
            self.command, self.server.upstream + self.path, headers=headers, content=body
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP | {"content-encoding"}}
        self._answer(answer.status_code, answer.content, kept)

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward  # noqa: N815 (the standard library's names)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def token_gate(upstream: str, token: str) -> Iterator[_Gate]:
    """A proxy on 127.0.0.1 that passes requests with `X-Chroma-Token: token` to upstream."""
    import httpx

    gate = _Gate(("127.0.0.1", 0), _GateHandler)
    gate.upstream, gate.token, gate.refused = upstream, token, 0
    gate.client = httpx.Client(trust_env=False, timeout=60)
    thread = threading.Thread(target=gate.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield gate
    finally:
        gate.shutdown()
        gate.server_close()
        gate.client.close()
        thread.join(5)


def gate_url(gate: _Gate) -> str:
    return f"http://127.0.0.1:{gate.server_address[1]}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers: the URL of a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
