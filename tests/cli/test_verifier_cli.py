"""`--judge` through the CLI: the verifier (a tiny ONNX cross-encoder built by the test), the LLM
judge (the fake), both at once, and none; and the verifier's errors as a user meets them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from tests.cli.test_eval_cli import make_dataset
from tests.conftest import FAKE_JUDGE

runner = CliRunner()
CLAIM = "The summit was held in Helsinki."


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def check_json(*args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["check", "--no-cache", *args, "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def test_the_verifier_alone_judges_every_document_and_the_report_names_it(corpus, tiny_verifier):
    code, data, err = check_json("--judge", "verifier", CLAIM)
    assert code == 0, err
    assert data["model"]["name"] == "tiny-verifier" and data["model"]["verifier"] == "tiny-verifier"
    assert len(data["model"]["verifier_sha256"]) == 64 and data["model"]["consulted"] is True
    assert data["stats"]["judgements"] > 0 and FAKE_JUDGE.history == []  # the chat model was not asked
    [claim] = data["claims"]
    assert claim["model"]["verifier"] == "tiny-verifier"
    assert {s["stance"] for s in claim["sources"]} <= {"supports", "refutes", "not_mentioned"}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in corpus.glob("*.txt")}
    for source in claim["sources"]:
        if source["quote"]:
            assert " ".join(source["quote"].split()) in " ".join(texts[source["doc_id"]].split())


def test_both_judges_are_asked_and_the_prompt_hash_covers_both(corpus, tiny_verifier):
    _, alone, _ = check_json("--judge", "llm", "--judge-weight", "0.5", CLAIM)
    FAKE_JUDGE.history.clear()
    code, both, err = check_json("--judge", "llm+verifier", "--judge-weight", "0.5", CLAIM)
    assert code == 0, err
    assert FAKE_JUDGE.history  # the LLM judge was asked
    assert both["model"]["name"] == "fake-judge" and both["model"]["verifier"] == "tiny-verifier"
    assert "verifier" not in alone["model"]  # a report without a verifier keeps its keys
    assert both["prompt_hash"] != alone["prompt_hash"]


def test_a_verifier_weight_of_0_is_not_loaded(corpus, tiny_verifier, monkeypatch):
    (tiny_verifier / "model.onnx").write_bytes(b"would fail to load")
    monkeypatch.setenv("FACTCHECK_VERIFIER_WEIGHT", "0")
    code, data, err = check_json("--judge", "verifier", CLAIM)
    assert code == 0, err
    assert data["model"]["consulted"] is False and data["stats"]["judgements"] == 0
    assert any("model not consulted (weight 0)" in n for n in data["notices"])


def test_judge_none_is_no_model(corpus):
    _, none, _ = check_json("--judge", "none", CLAIM)
    _, no_model, _ = check_json("--no-model", CLAIM)
    assert none["model"] == no_model["model"] and none["model"]["name"] == "none"
    assert [c["verdict"] for c in none["claims"]] == [c["verdict"] for c in no_model["claims"]]
    assert none["notices"] == no_model["notices"] and FAKE_JUDGE.history == []


def test_a_broken_verifier_model_is_one_line_and_exit_4(corpus, tiny_verifier):
    (tiny_verifier / "model.onnx").write_bytes(b"not an onnx model")
    result = runner.invoke(app, ["check", "--judge", "verifier", CLAIM])
    assert result.exit_code == 4
    assert "model.onnx" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_verifier_preset_not_downloaded_says_how_to_pull_it(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setenv("FACTCHECK_EMBEDDER", "fake-embedder")
    result = runner.invoke(app, ["check", "--judge", "verifier", CLAIM])
    assert result.exit_code == 3
    assert "factcheck models pull nli-deberta-v3-xsmall" in result.stderr


def test_an_unknown_judge_is_a_usage_error(corpus):
    result = runner.invoke(app, ["check", "--judge", "oracle", CLAIM])
    assert result.exit_code == 2 and "judge" in result.stderr and "Traceback" not in result.output


def test_audit_takes_the_verifier_too(corpus, tiny_verifier):
    result = runner.invoke(app, ["audit", "--judge", "verifier", "--all", "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["verifier"] == "tiny-verifier"


def test_eval_takes_the_verifier_too(tmp_path, fake_embedder, tiny_verifier, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    dataset = make_dataset(tmp_path / "tiny")
    result = runner.invoke(app, ["eval", str(dataset), "--judge", "verifier", "--format", "json"])
    assert result.exit_code == 0, result.output
    [scores] = json.loads(result.stdout)["datasets"]
    assert scores["model"] == "tiny-verifier" and FAKE_JUDGE.history == []


def test_models_list_shows_the_verifier_preset(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "models"))
    data = json.loads(runner.invoke(app, ["models", "list", "--format", "json"]).stdout)
    [row] = [m for m in data["models"] if m["role"] == "verifier"]
    assert row["name"] == "nli-deberta-v3-xsmall" and row["license"] == "Apache-2.0" and row["present"] is False
    assert "cross-encoder/nli-deberta-v3-xsmall" in row["source"]


def test_pulling_the_verifier_from_an_unreachable_hub_is_the_usual_clear_error(tmp_path, monkeypatch):
    from tests.unit.test_hub import closed_port

    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr("factcheck.models.hub.endpoint", lambda: f"http://127.0.0.1:{closed_port()}")
    result = runner.invoke(app, ["models", "pull", "nli-deberta-v3-xsmall"])
    assert result.exit_code == 3
    assert "cannot reach the Hugging Face Hub" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "models" / "nli-deberta-v3-xsmall-onnx").exists()
