"""`--model URL` against a real OpenAI-compatible server: llama-cpp-python's own
(`python -m llama_cpp.server`, through factcheck.models.llama_server so that it loads with
llama.cpp's extra buffer types off, as the AMX crash needs) serving smollm2-135m on a free local
port; or the server FACTCHECK_TEST_LLM_URL names. smollm is a smoke-test model: nothing here
asserts which label it picks, only that the labels, quotes and answers come through the server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from factcheck.check.judge import LABELS, normalise_whitespace
from factcheck.check.server_judge import ChatJudge
from factcheck.cli import app
from factcheck.models.server import ServerBackend, parse_endpoint
from factcheck.schema import JUDGED_STANCES, Passage
from tests.conftest import SAMPLE_CORPUS

runner = CliRunner()
CLAIM = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."
STARTUP_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_models(base: str, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the model server exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/models", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the model server did not answer /v1/models within {STARTUP_S} s")


def serve_command(model: Path, port: int) -> list[str]:
    return [
        sys.executable, "-m", "factcheck.models.llama_server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2-135m",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def server_url(smollm_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a server serving smollm2-135m: FACTCHECK_TEST_LLM_URL's, or one started here."""
    given = os.environ.get("FACTCHECK_TEST_LLM_URL")
    if given:
        wait_for_models(parse_endpoint(given).base, None, Path(os.devnull))
        yield given
        return
    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(serve_command(smollm_path, port), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for_models(base, process, log)
        yield f"{base}#smollm2-135m"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def home(minilm_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(folder))
        result = runner.invoke(app, ["ingest", str(SAMPLE_CORPUS)])
    assert result.exit_code == 0, result.output
    return folder


def run(home: Path, url: str, *args: str) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(home))
        mp.setenv("FACTCHECK_MODEL", url)
        result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_server_judge_reads_three_label_probabilities_and_a_verbatim_quote(server_url):
    backend = ServerBackend(parse_endpoint(server_url), parse_endpoint(server_url).model or "")
    backend.connect()
    words = (SAMPLE_CORPUS / "000_022d5beb5f24331b.txt").read_text(encoding="utf-8").split()
    passages = [Passage("d", f"d:{i}", " ".join(words[i * 80 : (i + 1) * 80]), "", 0.5, 1.0 - i / 10) for i in range(2)]
    judgement = ChatJudge(backend).judge(CLAIM, "d", passages)
    assert judgement.stance in JUDGED_STANCES, judgement.error
    assert set(judgement.probabilities or {}) == set(LABELS)
    assert sum(judgement.probabilities.values()) == pytest.approx(1.0)
    assert judgement.notes == ()  # llama_cpp.server gives logprobs: no fallback
    if judgement.quote is not None:
        chunk = next(p for p in passages if p.chunk_id == judgement.quote_chunk_id)
        assert normalise_whitespace(judgement.quote) in normalise_whitespace(chunk.text)
    assert backend.notices == set()  # it takes a JSON schema (as json_object)


def test_check_through_the_server_asks_the_model(home, server_url):
    data = run(home, server_url, "check", "--judge-weight", "0.5", "--no-cache", "--format", "json", CLAIM)
    assert data["model"]["name"] == "smollm2-135m" and data["model"]["consulted"]
    [claim] = data["claims"]
    assert any(s["model_stance"] in LABELS for s in claim["sources"])
    assert data["stats"]["judgements"] > 0 and data["stats"]["errors"] == 0
    assert any("smoke-test" in n for n in data["notices"])


def test_ask_streams_an_answer_from_the_server(home, server_url):
    data = run(home, server_url, "ask", "--format", "json", "Where did Putin and Trump meet?")
    assert data["covered"] and data["answer"].strip() and not data["extractive"]
    assert data["model"] == "smollm2-135m"
