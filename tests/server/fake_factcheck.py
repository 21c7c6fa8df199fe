"""`python -m tests.server.fake_factcheck ARGS...`: the factcheck CLI in a process of its own, with
the fake embedder registered (as tests/conftest.py does in the test process). With
FAKE_EMBED_DELAY_S each embedding call takes that long, so that two such processes overlap; with
FAKE_EMBED_LOG each call appends "START END" (time.time()) to that file, to show that they did;
with FAKE_START_BARRIER=PATH the process, once started up, writes PATH.PID.ready and waits for PATH
to exist, so that two of them begin their work together whichever started up faster."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from factcheck.cli import main
from factcheck.models.embedding import register_embedder
from tests.fakes import FakeEmbedder


class SlowFakeEmbedder(FakeEmbedder):
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        start = time.time()
        time.sleep(float(os.environ.get("FAKE_EMBED_DELAY_S", "0")))
        vectors = super().embed(texts)
        if log := os.environ.get("FAKE_EMBED_LOG"):
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{start} {time.time()}\n")
        return vectors


register_embedder("fake-embedder")(lambda settings: SlowFakeEmbedder())


def wait_at_barrier(barrier: str) -> None:
    with open(f"{barrier}.{os.getpid()}.ready", "w", encoding="utf-8"):
        pass
    deadline = time.monotonic() + 60
    while not os.path.exists(barrier) and time.monotonic() < deadline:
        time.sleep(0.01)


if __name__ == "__main__":
    if barrier := os.environ.get("FAKE_START_BARRIER"):
        wait_at_barrier(barrier)
    main()
