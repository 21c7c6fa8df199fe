"""`factcheck models ...` and model errors as a user meets them."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()


@pytest.fixture
def empty_models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(folder))
    return folder


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket closes


def test_list_shows_every_preset_with_role_and_source(empty_models_dir):
    data = json.loads(runner.invoke(app, ["models", "list", "--format", "json"]).stdout)
    by_name = {m["name"]: m for m in data["models"]}
    assert {"qwen3-4b-instruct", "smollm2-135m", "minilm-l6"} <= set(by_name)
    assert by_name["minilm-l6"]["role"] == "embedding" and by_name["smollm2-135m"]["smoke_test"]
    assert not any(m["present"] for m in data["models"])


def test_path_of_a_missing_model_says_how_to_provision_it(empty_models_dir):
    result = runner.invoke(app, ["models", "path", "smollm2-135m"])
    assert result.exit_code == 3
    assert "factcheck models pull smollm2-135m" in result.stderr


def test_path_prints_the_file_as_last_line(empty_models_dir):
    empty_models_dir.mkdir()
    (empty_models_dir / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF")
    result = runner.invoke(app, ["models", "path", "smollm2-135m"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == str(empty_models_dir / "SmolLM2-135M-Instruct.Q4_1.gguf")


def test_unknown_preset_lists_the_known_ones(empty_models_dir):
    result = runner.invoke(app, ["models", "pull", "gpt-17"])
    assert result.exit_code == 2
    assert "gpt-17" in result.stderr and "minilm-l6" in result.stderr


def test_pull_from_an_unreachable_hub_fails_fast_with_a_clear_message(empty_models_dir, monkeypatch):
    monkeypatch.setattr("factcheck.models.hub.endpoint", lambda: f"http://127.0.0.1:{closed_port()}")
    result = runner.invoke(app, ["models", "pull", "qwen3-4b-instruct"])
    assert result.exit_code == 3
    assert "cannot reach the Hugging Face Hub" in result.stderr
    assert "Traceback" not in result.output
    assert not list(empty_models_dir.glob("*.gguf"))


def test_ingest_with_a_missing_embedder_says_which_command_provisions_it(empty_models_dir, sample_corpus):
    result = runner.invoke(app, ["ingest", str(sample_corpus)])
    assert result.exit_code == 3
    assert "factcheck models pull minilm-l6" in result.stderr


def test_a_model_path_that_does_not_exist_is_named(empty_models_dir, sample_corpus, tmp_path):
    result = runner.invoke(app, ["--embedder", str(tmp_path / "x.gguf"), "ingest", str(sample_corpus)])
    assert result.exit_code == 3 and "x.gguf" in result.stderr


def test_invalid_setting_from_the_environment_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("FACTCHECK_CHUNK_TOKENS", "lots")
    result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 2
    assert "chunk_tokens" in result.stderr and "Traceback" not in result.output
