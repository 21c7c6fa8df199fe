"""The check cache through the CLI: the first run asks the judge, a rerun is served from the cache.

Supersedes test_check_cli.py::test_results_are_cached_and_a_rerun_asks_no_model, which never
asserted that the first run asked the judge: had the judge not been consulted at all (a weight of
0, a similarity floor above every document), "the rerun asks no model" would hold without any
cache. Here the first run must ask, its (queued, refuting) answers decide the verdict, and the
rerun, whose judge would answer otherwise if asked, still reports that verdict and asks nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.schema import Judgement, Stance
from tests.conftest import FAKE_JUDGE

runner = CliRunner()
CLAIM = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."
REFUTES = Judgement(Stance.REFUTES, {"supports": 0.01, "refutes": 0.98, "not_mentioned": 0.01})


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def check(*args: str) -> dict:
    result = runner.invoke(app, ["check", "--format", "json", "--judge-weight", "1", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_first_run_asks_the_judge_and_a_rerun_is_served_from_the_cache(corpus):
    FAKE_JUDGE.enqueue([REFUTES] * 10)
    first = check(CLAIM)
    asked = [call["doc_id"] for call in FAKE_JUDGE.history]
    assert asked, "the first run must consult the judge, or the rerun below proves nothing"
    assert first["stats"]["judgements"] == len(asked)
    assert first["claims"][0]["verdict"] == "contradicted"  # the judge's answers decided it

    FAKE_JUDGE.queue.clear()  # asked again, the judge would now say "not mentioned" everywhere
    FAKE_JUDGE.history.clear()
    second = check(CLAIM)
    assert FAKE_JUDGE.history == []
    assert second["claims"] == first["claims"]


def test_no_cache_and_another_claim_ask_the_judge_again(corpus):
    check(CLAIM)
    asked = len(FAKE_JUDGE.history)
    assert asked > 0
    FAKE_JUDGE.history.clear()
    check("--no-cache", CLAIM)
    assert len(FAKE_JUDGE.history) == asked
    FAKE_JUDGE.history.clear()
    check(CLAIM.replace("Anchorage", "Anchorage, Alaska"))
    assert FAKE_JUDGE.history
