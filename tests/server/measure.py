"""`python -m tests.server.measure [RUNS]`: how long the test server takes to be ready, and the
sample corpus's ingest (examples/alaska-summit, fake embedder, in this process) through a Chroma
server against the embedded store. Not a test: figures for the README and reviews."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import tests.conftest  # noqa: F401 (registers the fake embedder)
from factcheck.cli import app
from tests.chroma_server import chroma_server
from tests.conftest import SAMPLE_CORPUS


def ingest_seconds(runner, env: dict[str, str]) -> tuple[float, float]:
    """(first ingest, re-ingest of the unchanged files), in a fresh HOME (and database)."""
    os.environ.update(env, FACTCHECK_HOME=tempfile.mkdtemp(), FACTCHECK_EMBEDDER="fake-embedder")
    times = []
    for _ in range(2):
        started = time.perf_counter()
        result = runner.invoke(app, ["ingest", str(SAMPLE_CORPUS)])
        times.append(time.perf_counter() - started)
        if result.exit_code != 0:
            raise RuntimeError(result.output)
    return times[0], times[1]


def summary(label: str, values: list[float]) -> str:
    return f"{label}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main(runs: int) -> None:
    import chromadb  # noqa: F401 (imported before any timing, as a warm process has it)
    from typer.testing import CliRunner

    runner = CliRunner()
    ready, embedded, served = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            with chroma_server(Path(tmp) / f"data-{i}", Path(tmp) / f"log-{i}") as server:
                ready.append(server.ready_s)
                database = f"measure-{uuid.uuid4().hex[:8]}"
                served.append(
                    ingest_seconds(runner, {"FACTCHECK_STORE_URL": server.url, "FACTCHECK_STORE_DATABASE": database})
                )
            os.environ.pop("FACTCHECK_STORE_URL")
            embedded.append(ingest_seconds(runner, {}))
    print(summary("chroma run ready (heartbeat answers)", ready))
    print(summary("ingest, embedded", [first for first, _ in embedded]))
    print(summary("ingest, server", [first for first, _ in served]))
    print(summary("re-ingest (all unchanged), embedded", [again for _, again in embedded]))
    print(summary("re-ingest (all unchanged), server", [again for _, again in served]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
