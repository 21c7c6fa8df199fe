"""A Chroma server that is down, hangs, refuses the token, or is not a Chroma server: one line,
exit 4, no traceback, and soon (not after minutes)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.errors import StoreError
from factcheck.store import open_store
from tests.chroma_server import free_port, gate_url, silent_server, token_gate
from tests.http_server import no_proxies, serve

runner = CliRunner()
COMMANDS = [
    ["ingest", "SAMPLE"],
    ["corpus", "list"],
    ["corpus", "stats"],
    ["check", "--no-model", "The summit took place in Alaska."],
]


def run(args: list[str], sample_corpus):
    started = time.perf_counter()
    result = runner.invoke(app, [str(sample_corpus) if a == "SAMPLE" else a for a in args])
    return result, time.perf_counter() - started


def one_line_error(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return lines[0]


@pytest.fixture
def offline(monkeypatch):
    no_proxies(monkeypatch)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_server_that_is_down_is_exit_4_in_one_line(offline, fake_embedder, sample_corpus, monkeypatch, command):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("FACTCHECK_STORE_URL", url)
    result, took = run(command, sample_corpus)
    assert result.exit_code == 4
    line = one_line_error(result)
    assert f"cannot reach the Chroma server at {url}" in line and "is it running?" in line
    assert took < 5
    assert not load_settings().store_dir.exists()  # no silent fallback to the embedded store


def test_a_server_that_never_answers_fails_within_the_timeout(offline, fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setattr("factcheck.store_client.PROBE_TIMEOUT_S", 0.5)
    with silent_server() as url:
        monkeypatch.setenv("FACTCHECK_STORE_URL", url)
        result, took = run(["corpus", "list"], sample_corpus)
    assert result.exit_code == 4
    assert "did not answer in time" in one_line_error(result)
    assert took < 5


def test_a_wrong_token_is_exit_4_in_one_line_and_writes_nothing(
    server_store, fake_embedder, sample_corpus, monkeypatch
):
    with token_gate(server_store.url, "the-right-token") as gate:
        monkeypatch.setenv("FACTCHECK_STORE_URL", gate_url(gate))
        monkeypatch.setenv("FACTCHECK_STORE_TOKEN", "a-wrong-token")
        result, _ = run(["ingest", "SAMPLE"], sample_corpus)
        assert gate.refused >= 1
    assert result.exit_code == 4
    line = one_line_error(result)
    assert "refused the token in FACTCHECK_STORE_TOKEN" in line and "a-wrong-token" not in result.output
    monkeypatch.setenv("FACTCHECK_STORE_URL", server_store.url)
    assert open_store(load_settings()).documents() == []


def test_no_token_where_one_is_needed_says_which_variable_to_set(server_store, fake_embedder, monkeypatch):
    with token_gate(server_store.url, "the-right-token") as gate:
        monkeypatch.setenv("FACTCHECK_STORE_URL", gate_url(gate))
        result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 4
    assert "asks for a token: set FACTCHECK_STORE_TOKEN" in one_line_error(result)


def test_the_right_token_is_sent_as_chroma_expects(server_store, fake_embedder, sample_corpus, monkeypatch):
    with token_gate(server_store.url, "the-right-token") as gate:
        monkeypatch.setenv("FACTCHECK_STORE_URL", gate_url(gate))
        monkeypatch.setenv("FACTCHECK_STORE_TOKEN", "the-right-token")
        result, _ = run(["ingest", "SAMPLE"], sample_corpus)
        assert result.exit_code == 0, result.output
        assert gate.refused == 0


def test_a_server_lost_in_the_middle_of_a_command_is_a_store_error(server_store, fake_embedder, sample_corpus):
    from tests.unit.test_store import axis, doc, put

    with token_gate(server_store.url, "t0ken") as gate:
        store = open_store(load_settings(store_url=gate_url(gate), store_token="t0ken"))
        put(store, doc(), [axis(0)])
    with pytest.raises(StoreError, match="cannot reach the Chroma server at http://127.0.0.1:"):
        store.documents()  # the gate is gone: as if the server went away


def test_a_web_server_that_is_not_chroma_is_named(offline, fake_embedder, monkeypatch):
    with serve() as site:
        monkeypatch.setenv("FACTCHECK_STORE_URL", site.url(""))
        result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 4
    assert "does not answer as a Chroma server does (HTTP 404" in one_line_error(result)


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://127.0.0.1:8000", "http://user:pw@127.0.0.1:8000"])
def test_a_malformed_store_url_is_a_usage_error(fake_embedder, url):
    result = runner.invoke(app, ["--store-url", url, "corpus", "list"])
    assert result.exit_code == 2
    assert "store_url" in one_line_error(result) and "pw" not in result.output
