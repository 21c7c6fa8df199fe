"""`factcheck audit --decompose`: sentences the model cannot rewrite are reported, not dropped."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factcheck.cli import app
from tests.conftest import FAKE_CHAT

runner = CliRunner()


def test_sentences_the_model_could_not_rewrite_are_named_in_the_notices_and_still_checked(
    fake_embedder, sample_corpus, monkeypatch
):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    doc_id = sorted(p.stem for p in sample_corpus.glob("*.txt"))[0]
    FAKE_CHAT.enqueue(['{"claims": ["Donald Trump met Vladimir Putin in Anchorage."]}'])  # then nothing valid
    args = ["audit", "--decompose", "--all", "--doc", doc_id, "--judge-weight", "0", "--no-cache", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    failed = [n for n in data["notices"] if "could not be rewritten" in n]
    ids = {c["id"] for c in data["claims"]}
    assert len(FAKE_CHAT.history) == len(ids) >= 2
    assert len(failed) == len(ids) - 1  # every sentence after the first got no valid answer
    assert all(f.split(" ", 1)[0] + ".1" in ids for f in failed)
