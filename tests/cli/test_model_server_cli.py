"""`--model URL`: check, audit and ask through a fake OpenAI-compatible server on 127.0.0.1
(tests/openai_server.py), with the fake embedder; `--parallel`."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from tests.http_server import no_proxies, serve
from tests.openai_server import FakeOpenAI, user_text

runner = CliRunner()
CLAIM = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."
CLAIMS = [
    CLAIM,
    "The New START treaty caps deployed strategic warheads at 1,550.",
    "Lavrov travelled to Alaska with Putin.",
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    no_proxies(monkeypatch)
    with serve() as site:
        fake = FakeOpenAI(site).install()
        monkeypatch.setenv("FACTCHECK_MODEL", fake.url)
        monkeypatch.setenv("FACTCHECK_MODEL_RETRIES", "1")
        yield fake


@pytest.fixture
def corpus(fake_embedder, sample_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")  # ingest needs no chat model
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def check_json(*args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["check", "--judge-weight", "0.5", "--no-cache", *args, "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def test_check_through_a_server_names_its_model_and_uses_its_labels(corpus, server):
    server.stance = lambda body: "supports" if "Elmendorf" in user_text(body).split("Passages")[1] else "not_mentioned"
    code, data, err = check_json(CLAIM)
    assert code == 0, err
    assert data["model"]["name"] == "tiny-served" and data["model"]["sha256"] is None
    [claim] = data["claims"]
    judged = [s for s in claim["sources"] if s["model_stance"] is not None]
    assert judged and {s["model_stance"] for s in judged} <= {"supports", "not_mentioned"}
    assert any(s["model_stance"] == "supports" and s["quote"] for s in judged)
    assert not any("log-probabilities" in n for n in data["notices"])


def test_a_server_without_logprobs_is_said_so_in_the_report(corpus, server):
    server.logprobs = False
    code, data, _ = check_json(CLAIM)
    assert code == 0
    assert any("gave no log-probabilities" in n and "certain" in n for n in data["notices"])


def test_an_unreachable_server_is_one_line_and_exit_4(corpus, monkeypatch):
    with serve() as site:
        url = site.url("/v1") + "#tiny"
    monkeypatch.setenv("FACTCHECK_MODEL", url)
    monkeypatch.setenv("FACTCHECK_MODEL_RETRIES", "1")
    code, _, err = check_json(CLAIM)
    assert code == 4
    assert err.strip().count("\n") == 0 and "cannot reach the model server" in err and "is it running?" in err


def test_parallel_4_gives_the_results_of_parallel_1_in_input_order(corpus, server):
    server.stance = lambda body: "refutes" if "1,550" in user_text(body) else "not_mentioned"
    one = check_json("--parallel", "1", *CLAIMS)[1]
    four = check_json("--parallel", "4", *CLAIMS)[1]
    assert [c["claim"] for c in four["claims"]] == CLAIMS
    assert [c["sources"] for c in four["claims"]] == [c["sources"] for c in one["claims"]]
    assert server.most_in_flight >= 2


def test_a_result_does_not_depend_on_parallel_so_the_cache_serves_either(corpus, server):
    first = runner.invoke(app, ["check", "--judge-weight", "0.5", "--parallel", "1", CLAIM, "--format", "json"])
    asked = len(server.chats())
    again = runner.invoke(app, ["check", "--judge-weight", "0.5", "--parallel", "3", CLAIM, "--format", "json"])
    assert first.exit_code == again.exit_code == 0
    assert len(server.chats()) == asked  # served from the cache
    assert json.loads(first.stdout)["claims"] == json.loads(again.stdout)["claims"]


def test_ask_streams_the_answer_from_the_server(corpus, server):
    result = runner.invoke(app, ["ask", "Where did the summit take place?"])
    assert result.exit_code == 0, result.output
    assert "The summit was in Alaska [1]." in result.stdout
    assert any(body.get("stream") for body in server.chats())


def test_audit_decompose_writes_through_the_server_and_a_failed_request_keeps_the_sentence(corpus, server):
    server.replies = deque(['{"claims": ["Donald Trump met Vladimir Putin in Anchorage."]}'])
    server.failures = deque([503, 503])  # the first decomposition fails both its tries
    result = runner.invoke(app, ["audit", "--doc", "000_022d5beb5f24331b", "--decompose", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "the model server failed" in result.stderr
