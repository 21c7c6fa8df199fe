"""Two factcheck processes and one store: a writer holds the store's lock, any other writer is told
to wait (exit 4) and touches nothing; readers never wait. The other process is a real one."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.resolve import store_key
from factcheck.store import CorpusStore
from factcheck.store_lock import lock_path

runner = CliRunner()
BUSY = "another factcheck process is writing to the store"

HOLD_LOCK = """
import sys, time, filelock
lock = filelock.FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()  # hold it until the test says so (or closes our stdin)
"""


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch) -> Path:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    monkeypatch.setattr("factcheck.store_lock.WAIT_SECONDS", 0.2)  # don't sit out the real wait
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


@pytest.fixture
def other_writer(corpus) -> Iterator[subprocess.Popen]:
    """A second process holding the store's writer lock, as a running ingest does."""
    lock_file = lock_path(load_settings().store_dir)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=10)


def store() -> CorpusStore:
    settings = load_settings()
    return CorpusStore(settings.store_dir, store_key(settings))


def snapshot() -> tuple:
    s = store()
    return tuple(s.documents()), tuple(c.chunk_id for c in s.chunks())


@pytest.mark.parametrize("command", [["ingest", "NEW"], ["corpus", "remove", "DOC"], ["corpus", "prune"]])
def test_a_writer_is_refused_while_another_process_writes(corpus, other_writer, tmp_path, command):
    new = tmp_path / "new" / "fresh.txt"
    new.parent.mkdir()
    new.write_text("A fresh article about the summit in Anchorage.")
    doc_id = store().documents()[0].doc_id
    args = [{"NEW": str(new), "DOC": doc_id}.get(a, a) for a in command]
    before = snapshot()
    result = runner.invoke(app, args)
    assert result.exit_code == 4, result.output
    assert BUSY in result.stderr and "wait for it to finish" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot() == before


def test_an_ingest_in_flight_keeps_its_chunks_when_another_ingest_starts(corpus, other_writer, tmp_path):
    # The other process has written a document's chunks and sentences, not yet its record: the
    # state a second ingest's orphan clean-up used to delete.
    from tests.unit.test_store_integrity import orphan

    s = store()
    orphan(s, "in-flight", "c" * 64, [1.0] + [0.0] * 63)
    new = tmp_path / "fresh.txt"
    new.write_text("A fresh article about the summit in Anchorage.")
    assert runner.invoke(app, ["ingest", str(new)]).exit_code == 4
    assert s._chunks.get(where={"doc_id": "in-flight"})["ids"]


def test_readers_do_not_wait_for_a_writer(corpus, other_writer):
    listed = runner.invoke(app, ["corpus", "list", "--format", "json"])
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 5
    assert runner.invoke(app, ["corpus", "search", "summit in Alaska"]).exit_code == 0
    checked = runner.invoke(app, ["check", "--no-model", "The summit took place in Alaska.", "--format", "json"])
    assert checked.exit_code == 0, checked.output


def test_writing_goes_on_once_the_other_process_is_done(corpus, tmp_path):
    lock_file = lock_path(load_settings().store_dir)
    done = subprocess.run(
        [sys.executable, "-c", HOLD_LOCK, str(lock_file)], input="\n", text=True, capture_output=True, timeout=30
    )
    assert done.returncode == 0
    new = tmp_path / "fresh.txt"
    new.write_text("A fresh article about the summit in Anchorage.")
    assert runner.invoke(app, ["ingest", str(new)]).exit_code == 0
