"""`factcheck ask` end to end with the real small models (minilm-l6 + smollm2-135m).

SmolLM2-135M rarely writes a citation marker. The answer must cite anyway: when the model's text
carries no valid marker, the asker appends the marker of the passage the answer rests on most
(factcheck.ask.citations.fallback_citation) and says so in a notice. Either way, every citation's
quote must be verbatim in its chunk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from tests.conftest import SAMPLE_CORPUS

runner = CliRunner()
VERDICTS = {"supported", "contradicted", "single-source", "unverified"}


def invoke(home: Path, *args: str, model: str = "smollm2-135m"):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(home))
        mp.setenv("FACTCHECK_MODEL", model)
        return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def home(minilm_path, smollm_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    result = invoke(folder, "ingest", str(SAMPLE_CORPUS))
    assert result.exit_code == 0, result.output
    return folder


def chunk_texts(home: Path) -> dict[str, str]:
    texts = {}
    for path in SAMPLE_CORPUS.glob("*.txt"):
        shown = invoke(home, "corpus", "show", path.stem, "--chunks", "--format", "json")
        texts.update({c["chunk_id"]: c["text"] for c in json.loads(shown.stdout)["chunk_list"]})
    return texts


def test_a_real_answer_cites_verbatim_quotes_and_lists_its_claims(home):
    result = invoke(home, "ask", "--format", "json", "Where did the summit take place?")
    assert result.exit_code == 0, result.output
    assert "smoke-test model" in result.stderr
    data = json.loads(result.stdout)
    assert data["covered"] and data["model"] == "smollm2-135m" and not data["extractive"]
    assert any("smoke-test model" in n for n in data["notices"])
    # Its preset weight is 0: it writes the answer, but the answer's claims are checked without it.
    assert any("model not consulted (weight 0)" in n for n in data["notices"])
    assert data["citations"], data["answer"]
    texts = chunk_texts(home)
    used = {int(n) for group in re.findall(r"\[([\d,\s]+)\]", data["answer"]) for n in re.split(r"[,\s]+", group) if n}
    for citation in data["citations"]:
        assert citation["marker"] in used
        assert " ".join(citation["quote"].split()) in " ".join(texts[citation["chunk_id"]].split())
    assert data["claims"], data["answer"]
    assert all(c["verdict"] in VERDICTS for c in data["claims"])
    timings = data["timings"]
    assert 0 < timings["retrieval_s"] <= timings["first_token_s"] <= timings["answer_s"] <= timings["total_s"]


def test_a_question_the_corpus_does_not_cover_is_not_answered(home):
    result = invoke(home, "ask", "--format", "json", "What is the capital of France?")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert not data["covered"] and data["citations"] == [] and data["timings"]["first_token_s"] is None
    assert "does not cover" in data["answer"]
