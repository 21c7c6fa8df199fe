"""Which store an embedder opens: keyed by the model's identity, not by how it was spelled."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factcheck.config import load_settings
from factcheck.errors import ModelNotProvisioned, UnknownPreset
from factcheck.models.presets import PRESETS
from factcheck.models.resolve import store_key

MINILM_FILE = PRESETS["minilm-l6"].filename


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder holding a (stand-in) file of the minilm-l6 preset."""
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / MINILM_FILE).write_bytes(b"GGUF minilm stand-in")
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(folder))
    return folder


def key(embedder: str) -> str:
    return store_key(load_settings(embedder=embedder))


def test_a_preset_and_the_path_of_its_file_share_one_store(models_dir, monkeypatch):
    assert key("minilm-l6") == "minilm-l6"
    assert key(str(models_dir / MINILM_FILE)) == "minilm-l6"
    monkeypatch.chdir(models_dir.parent)
    assert key(f"models/{MINILM_FILE}") == "minilm-l6"
    assert key(f"./models/../models/{MINILM_FILE}") == "minilm-l6"


def test_a_copy_of_a_presets_file_elsewhere_is_that_preset(models_dir, tmp_path):
    copy = tmp_path / "elsewhere" / "renamed.gguf"
    copy.parent.mkdir()
    shutil.copy(models_dir / MINILM_FILE, copy)
    assert key(str(copy)) == "minilm-l6"


def test_any_other_gguf_is_keyed_by_its_content(models_dir, tmp_path):
    one = tmp_path / "one" / "embed.gguf"
    same = tmp_path / "two" / "other-name.gguf"
    different = tmp_path / "three" / "embed.gguf"
    for path, data in ((one, b"GGUF e5"), (same, b"GGUF e5"), (different, b"GGUF nomic")):
        path.parent.mkdir()
        path.write_bytes(data)
    assert key(str(one)) == key(str(same))
    assert key(str(one)) != key(str(different))
    assert key(str(one)).startswith("gguf-") and len(key(str(one))) == len("gguf-") + 16


def test_registered_embedders_keep_their_name(fake_embedder):
    assert key("fake-embedder") == "fake-embedder"


def test_unknown_names_and_missing_files_are_errors(models_dir, tmp_path):
    with pytest.raises(UnknownPreset, match="no-such-model"):
        key("no-such-model")
    with pytest.raises(ModelNotProvisioned, match="nope.gguf"):
        key(str(tmp_path / "nope.gguf"))


def test_an_embedding_server_is_keyed_by_the_model_it_serves():
    assert key("http://127.0.0.1:8001/v1#minilm") == key("http://10.0.0.2:9000/v1#minilm")
    assert key("http://127.0.0.1:8001/v1#minilm") != key("http://127.0.0.1:8001/v1#e5-large")
    assert key("http://127.0.0.1:8001/v1") != key("http://127.0.0.1:8002/v1")  # unnamed: where it is
