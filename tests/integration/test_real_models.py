"""The real llama.cpp path with the real small models: provisioning, ingest, retrieval, generation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.chat import LlamaBackend, Message
from factcheck.models.embedding import load_embedder
from factcheck.models.presets import PRESETS
from factcheck.models.provision import sha256_file
from factcheck.models.resolve import ResolvedModel
from factcheck.store import CorpusStore

runner = CliRunner()

# Questions whose answer is in exactly one sample article: retrieval must rank that one first.
QUESTIONS = {
    "Which finance minister travelled with the Russian delegation?": "001_976a07284dc4f461",
    "Is Putin wanted by the International Criminal Court for deporting children?": "002_db9833110b663cfb",
    "What chance of an immediate breakthrough did Trump give the meeting?": "003_4367fb0e076358f5",
    "When was Alaska sold to the United States by the Russian Empire?": "004_62a568f4fab62d01",
    "How many possible places to hold the summit did Trump mention?": "000_022d5beb5f24331b",
}


@pytest.fixture(scope="module")
def ingested(minilm_path: Path, smollm_path: Path, sample_corpus_dir: Path, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(home))
        result = runner.invoke(app, ["ingest", str(sample_corpus_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 5
    return home


@pytest.fixture(scope="module")
def sample_corpus_dir() -> Path:
    from tests.conftest import SAMPLE_CORPUS

    return SAMPLE_CORPUS


@pytest.fixture
def in_home(ingested: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FACTCHECK_HOME", str(ingested))
    return ingested


def test_pulled_models_have_the_pinned_checksums(minilm_path, smollm_path):
    assert sha256_file(smollm_path) == PRESETS["smollm2-135m"].sha256
    assert minilm_path.stat().st_size > 80_000_000


def test_pull_through_the_cli_prints_the_path_last(minilm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path))
    result = runner.invoke(app, ["models", "pull", "minilm-l6"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == tmp_path / PRESETS["minilm-l6"].filename
    assert sha256_file(path) == sha256_file(minilm_path)  # conversion is deterministic
    assert not list(tmp_path.glob("*.partial"))


def test_every_stored_chunk_fits_the_real_embedder_window(in_home):
    settings = load_settings()
    embedder = load_embedder(settings)
    chunks = CorpusStore(settings.store_dir, embedder.id).chunks()
    assert len({c.doc_id for c in chunks}) == 5
    assert max(embedder.count_tokens(c.span.text) for c in chunks) <= embedder.max_tokens == 256


def test_reingest_with_real_models_reports_all_unchanged(in_home, sample_corpus_dir):
    result = runner.invoke(app, ["ingest", str(sample_corpus_dir), "--format", "json"])
    assert json.loads(result.stdout)["unchanged"] == 5


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_ranks_the_article_that_answers_first(in_home, question):
    result = runner.invoke(app, ["corpus", "search", question, "--format", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["doc_id"] == QUESTIONS[question], hits[0]


def test_smollm_generates_schema_valid_json(smollm_path):
    resolved = ResolvedModel("smollm2-135m", smollm_path, PRESETS["smollm2-135m"])
    model = LlamaBackend.open(resolved, n_ctx=1024)
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 40}},
        "required": ["city"],
        "additionalProperties": False,
    }
    completion = model.generate(
        [Message("user", "Where did the 2025 Trump-Putin summit take place? Answer in JSON.")],
        max_tokens=64,
        json_schema=schema,
    )
    assert completion.finish_reason == "stop"
    assert isinstance(json.loads(completion.text)["city"], str)
    assert completion.prompt_tokens > 0 and model.smoke_test
