"""The verifier judge end to end with the real embedder (minilm-l6) and the real sample corpus:
the tiny ONNX cross-encoder the tests build always, and the real nli-deberta-v3-xsmall preset
where it has been pulled (`factcheck models pull nli-deberta-v3-xsmall`; skipped otherwise)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.models.presets import PRESETS
from tests.conftest import MODELS_DIR, SAMPLE_CORPUS
from tests.integration.test_check_real import ingest_into

runner = CliRunner()
PRESET_FOLDER = MODELS_DIR / PRESETS["nli-deberta-v3-xsmall"].filename


@pytest.fixture(scope="module")
def home(minilm_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    ingest_into(folder, SAMPLE_CORPUS)
    return folder


def check(home: Path, verifier: str, *claims: str) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(home))
        mp.setenv("FACTCHECK_VERIFIER", verifier)
        result = runner.invoke(app, ["check", "--judge", "verifier", "--no-cache", "--format", "json", *claims])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def chunk_texts(home: Path) -> dict[str, str]:
    chunks: dict[str, str] = {}
    for path in SAMPLE_CORPUS.glob("*.txt"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("FACTCHECK_HOME", str(home))
            shown = runner.invoke(app, ["corpus", "show", path.stem, "--chunks", "--format", "json"])
        chunks.update({c["chunk_id"]: c["text"] for c in json.loads(shown.stdout)["chunk_list"]})
    return chunks


def test_the_tiny_verifier_runs_the_real_pipeline_with_verbatim_quotes(home, tmp_path):
    from tests.verifier_model import build_verifier, corpus_texts

    folder = build_verifier(tmp_path / "tiny", texts=corpus_texts(SAMPLE_CORPUS))
    data = check(home, str(folder), "The summit was held in Helsinki.", "Putin met Trump in Anchorage, Alaska.")
    assert data["model"]["verifier"] == "tiny" and data["stats"]["judgements"] > 0
    chunks = chunk_texts(home)
    for claim in data["claims"]:
        for source in claim["sources"]:
            if source["quote"]:
                assert " ".join(source["quote"].split()) in " ".join(chunks[source["chunk_id"]].split())


@pytest.mark.skipif(not PRESET_FOLDER.is_dir(), reason="nli-deberta-v3-xsmall is not pulled (needs the Hub)")
def test_the_real_verifier_refutes_the_wrong_place_and_supports_the_right_one(home):
    data = check(
        home, "nli-deberta-v3-xsmall", "The summit was held in Helsinki.", "Putin met Trump in Anchorage, Alaska."
    )
    wrong, right = data["claims"]
    assert any(s["stance"] == "refutes" for s in wrong["sources"])
    assert any(s["stance"] == "supports" for s in right["sources"])
