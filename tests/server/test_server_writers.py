"""Several writers and one Chroma server: two ingest processes at once lose nothing and duplicate
nothing; a writer waits its turn (the lock is a lease in the server, store_lock.ServerLock), is
refused only after the wait, and never deletes what another writer has not yet committed; a dead
writer's lease runs out; a writer that was overtaken writes nothing more."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.errors import StoreBusy
from factcheck.store import CorpusStore, open_store
from factcheck.store_lock import ServerLock
from tests.conftest import REPO
from tests.unit.test_store import axis, doc, put
from tests.unit.test_store_integrity import orphan

runner = CliRunner()
BUSY = "another factcheck process is writing to the store"


def stored() -> CorpusStore:
    return open_store(load_settings())


def folder_of_articles(root: Path, sample_corpus: Path, prefix: str, n: int) -> Path:
    """The sample corpus (the same bytes in every folder: the same documents) and n of our own."""
    shutil.copytree(sample_corpus, root)
    for i in range(n):
        (root / f"{prefix}-story-{i:02d}.txt").write_text(
            f"Report {prefix} {i}. The summit in Anchorage lasted {i + 2} hours. Officials met reporters afterwards.\n"
        )
    return root


def factcheck_process(args: list[str], home: Path, log: Path, barrier: Path) -> subprocess.Popen:
    """`factcheck ARGS` in a process of its own (with the fake embedder, slowed down), against
    the test's server and database, with a HOME of its own: as on another machine."""
    env = {
        **os.environ,
        "FACTCHECK_HOME": str(home),
        "FACTCHECK_EMBEDDER": "fake-embedder",
        "FAKE_EMBED_DELAY_S": "0.05",
        "FAKE_EMBED_LOG": str(log),
        "FAKE_START_BARRIER": str(barrier),
    }
    command = [sys.executable, "-m", "tests.server.fake_factcheck", *args]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def embed_times(log: Path) -> list[tuple[float, float]]:
    return [tuple(map(float, line.split())) for line in log.read_text().splitlines()]  # type: ignore[misc]


def test_two_ingest_processes_at_once_lose_nothing_and_duplicate_nothing(
    server_store, fake_embedder, sample_corpus, tmp_path
):
    n_own = 6
    folders = [folder_of_articles(tmp_path / name, sample_corpus, name, n_own) for name in ("a", "b")]
    logs = [tmp_path / f"{name}.log" for name in ("a", "b")]
    procs = [
        factcheck_process(["ingest", str(folder), "--format", "json"], tmp_path / f"home-{i}", log, tmp_path / "go")
        for i, (folder, log) in enumerate(zip(folders, logs, strict=True))
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*.ready"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    (tmp_path / "go").touch()  # both have started up: off they go
    outputs = [proc.communicate(timeout=180) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outputs]
    assert sum(s["added"] for s in summaries) == 5 + 2 * n_own  # the sample once, and each one's own
    assert sum(s["unchanged"] for s in summaries) == 5  # the other's copy of the sample: the same documents
    assert all(s["skipped"] == s["updated"] == 0 for s in summaries)

    store = stored()
    records = store.documents()
    assert len(records) == 5 + 2 * n_own
    for record in records:
        assert len(store.chunks(record.doc_id)) == record.n_chunks
    assert store.count_chunks() == sum(r.n_chunks for r in records)  # every row is committed, none twice
    assert store._sentences.count() == len(store.sentences().sentences)

    # They did run at the same time, taking turns document by document.
    a, b = (embed_times(log) for log in logs)
    assert min(s for s, _ in b) < max(e for _, e in a) and min(s for s, _ in a) < max(e for _, e in b)


def test_a_writer_waits_for_the_server_lock_then_is_refused_and_keeps_others_rows(
    server_store, fake_embedder, sample_corpus, tmp_path, monkeypatch
):
    monkeypatch.setattr("factcheck.store_lock.SERVER_WAIT_SECONDS", 0.5)
    new = tmp_path / "fresh.txt"
    new.write_text("A fresh article about the summit in Anchorage.")
    other = stored()
    with other.writing():  # another writer, in the middle of a document it has not committed yet
        orphan(other, "in-flight", "c" * 64, axis(0, 64))
        started = time.perf_counter()
        result = runner.invoke(app, ["ingest", str(new)])
        waited = time.perf_counter() - started
        assert result.exit_code == 4, result.output
        assert BUSY in result.stderr and "wait for it to finish" in result.stderr
        assert "Traceback" not in result.output
        assert 0.5 <= waited < 5
        assert other._chunks.get(where={"doc_id": "in-flight"})["ids"]  # not taken for an orphan
    # Once the other writer is gone (without committing: it died), its rows are orphans.
    result = runner.invoke(app, ["ingest", str(new), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["added"] == 1
    assert not other._chunks.get(where={"doc_id": "in-flight"})["ids"]


HOLD_AND_DIE = """
import sys, time
import tests.server.fake_factcheck  # registers the fake embedder
import factcheck.store_lock as store_lock
from factcheck.config import load_settings
from factcheck.store import open_store

store_lock.LEASE_SECONDS = 1.0
store = open_store(load_settings())
with store.writing():
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_killed_writers_lease_runs_out_and_the_next_writer_goes_on(server_store, fake_embedder, tmp_path):
    env = {**os.environ, "FACTCHECK_EMBEDDER": "fake-embedder"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_DIE], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    finally:
        holder.send_signal(signal.SIGKILL)  # no clean-up of any kind: its lease just stops being renewed
        holder.wait(timeout=10)
    new = tmp_path / "fresh.txt"
    new.write_text("A fresh article about the summit in Anchorage.")
    started = time.perf_counter()
    result = runner.invoke(app, ["ingest", str(new)])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 10  # the lease, not SERVER_WAIT_SECONDS


def test_a_writer_overtaken_after_its_lease_ran_out_writes_nothing_more(server_store, fake_embedder):
    stalled, other = stored(), stored()
    with stalled.writing():
        locks = stalled._space.collection(ServerLock.COLLECTION, create=False)
        got = locks.get()
        locks.update(ids=got["ids"], metadatas=[{"expires": 0.0}] * len(got["ids"]))  # as if it had stalled
        with other.writing():  # takes over the expired lease
            put(other, doc("from-other"), [axis(0)])
        with pytest.raises(StoreBusy, match="lost the writer lock"):
            put(stalled, doc("from-stalled"), [axis(1)])
    assert [r.doc_id for r in stored().documents()] == ["from-other"]
    with stalled.writing():  # and it can take the lock again, as a new writer
        put(stalled, doc("later"), [axis(1)])


def test_orphans_are_found_and_dropped_across_pages_of_ids(server_store, fake_embedder, monkeypatch):
    monkeypatch.setattr("factcheck.store._ID_PAGE", 2)
    store = stored()
    for i in range(3):
        put(store, doc(f"kept-{i}"), [axis(i), axis(i + 1)])
    for i in range(3):
        orphan(store, f"dead-{i}", "d" * 64, axis(i))  # a chunk and a sentence each
    orphan(store, "kept-1", "e" * 64, axis(0))  # another version of a committed document
    assert store.count_chunks() == 3 * 2 + 4
    assert store.drop_orphans() == 2 * 4
    assert store.count_chunks() == 3 * 2 == sum(r.n_chunks for r in store.documents())
    assert len(store.chunks()) == 3 * 2


def test_of_two_writers_taking_one_generation_of_the_lease_exactly_one_gets_it(server_store, fake_embedder):
    # What the lock rests on: the server keeps the first `add` of an id and drops the second.
    first, second = stored()._lock, stored()._lock
    records = first._collection()
    now = first._now()
    try:
        assert first._claim(records, 7, now) is True
        assert second._claim(records, 7, now) is False
        assert records.get(ids=["lease-000000000007"])["metadatas"][0]["owner"] == first.owner
    finally:
        first._release()
