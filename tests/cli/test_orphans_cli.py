"""After a kill mid-ingest the store can hold chunks and sentences without a committed record:
`corpus search` and `check` must not see them, and a cached verdict must not outlive a change in
the sentences it was computed from."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factcheck.check.pipeline import Checker
from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.resolve import store_key
from factcheck.store import CorpusStore
from tests.conftest import FAKE_EMBEDDER
from tests.unit.test_store_integrity import orphan

runner = CliRunner()
GHOST = "Zebras voted unanimously to move the summit to the moon."


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def store() -> CorpusStore:
    settings = load_settings()
    return CorpusStore(settings.store_dir, store_key(settings))


def leave_orphans() -> None:
    """What an ingest killed between its chunks and its record leaves: a new document's rows,
    and rows of another version of a committed one."""
    s = store()
    [vector] = FAKE_EMBEDDER.embed([GHOST])
    orphan(s, "ghost", "c" * 64, vector, GHOST)
    orphan(s, s.documents()[0].doc_id, "d" * 64, vector, GHOST)


def test_search_returns_k_committed_passages_and_no_orphans(corpus):
    leave_orphans()
    result = runner.invoke(app, ["corpus", "search", GHOST, "-k", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert all(h["doc_id"] != "ghost" and h["text"] != GHOST for h in hits)


def test_check_does_not_read_orphan_sentences(corpus):
    leave_orphans()
    result = runner.invoke(app, ["check", "--no-model", GHOST, "--format", "json"])
    assert result.exit_code == 0, result.output
    [claim] = json.loads(result.stdout)["claims"]
    assert "ghost" not in {s["doc_id"] for s in claim["sources"]}
    assert all(GHOST not in (s["quote"] or "") for s in claim["sources"])


def test_a_cached_verdict_does_not_survive_a_change_in_the_stored_sentences(corpus, monkeypatch):
    computed = []
    original = Checker.check
    monkeypatch.setattr(Checker, "check", lambda self, item: computed.append(item.claim) or original(self, item))
    claim = "The summit took place in Alaska."
    args = ["check", "--no-model", claim, "--format", "json"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0
    assert computed == [claim]  # the rerun came from the cache
    # The records stay as they were; one stored sentence does not.
    s = store()
    first = s._sentences.get(limit=1, include=["documents", "embeddings"])
    s._sentences.update(
        ids=first["ids"], documents=[first["documents"][0] + " Edited."], embeddings=[list(first["embeddings"][0])]
    )
    assert runner.invoke(app, args).exit_code == 0
    assert computed == [claim, claim]
