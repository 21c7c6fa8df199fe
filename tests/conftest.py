"""Shared fixtures. Every test gets its own FACTCHECK_HOME; model files are shared (big, slow to
provision) in the checkout's models/ folder unless FACTCHECK_TEST_MODELS_DIR says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factcheck.models.backend import register_backend
from factcheck.models.embedding import register_embedder
from tests.fakes import FakeBackend, FakeEmbedder
from tests.judge_fakes import FAKE_JUDGE

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = REPO / "examples" / "alaska-summit"
MODELS_DIR = Path(os.environ.get("FACTCHECK_TEST_MODELS_DIR", REPO / "models"))

# One instance per name, so a test can reach the fake the CLI used.
FAKE_EMBEDDER = FakeEmbedder()
FAKE_CHAT = FakeBackend(judge=FAKE_JUDGE)  # the chat backend "fake-llm": it writes, and FAKE_JUDGE judges
register_embedder("fake-embedder")(lambda settings: FAKE_EMBEDDER)
register_backend("fake-llm")(lambda settings: FAKE_CHAT)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("FACTCHECK_HOME", str(home))
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(MODELS_DIR))
    for name in (
        "FACTCHECK_MODEL",
        "FACTCHECK_EMBEDDER",
        "FACTCHECK_CHUNK_TOKENS",
        "FACTCHECK_CHUNK_OVERLAP_TOKENS",
        "FACTCHECK_JUDGE",
        "FACTCHECK_VERIFIER",
        "FACTCHECK_VERIFIER_WEIGHT",
        "FACTCHECK_API_KEY",
        "FACTCHECK_SERVED_MODEL",
        "FACTCHECK_MAX_DOCS_PER_CLAIM",
    ):
        monkeypatch.delenv(name, raising=False)
    FAKE_CHAT.queue.clear()
    FAKE_CHAT.history.clear()
    FAKE_JUDGE.queue.clear()
    FAKE_JUDGE.history.clear()
    FAKE_EMBEDDER.calls.clear()
    return home


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    monkeypatch.setenv("FACTCHECK_EMBEDDER", "fake-embedder")
    return FAKE_EMBEDDER


@pytest.fixture
def sample_corpus() -> Path:
    return SAMPLE_CORPUS


@pytest.fixture
def tiny_verifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A random-weight ONNX cross-encoder built here (tests/verifier_model.py), knowing the sample
    corpus's words, set as the verifier (FACTCHECK_VERIFIER)."""
    from tests.verifier_model import build_verifier, corpus_texts

    folder = build_verifier(tmp_path / "tiny-verifier", texts=corpus_texts(SAMPLE_CORPUS))
    monkeypatch.setenv("FACTCHECK_VERIFIER", str(folder))
    return folder


@pytest.fixture(autouse=True)
def embedded_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded store in FACTCHECK_HOME, whatever server the environment names (tests/server/
    point these at a test server of their own)."""
    for name in ("FACTCHECK_STORE_URL", "FACTCHECK_STORE_TOKEN", "FACTCHECK_STORE_DATABASE"):
        monkeypatch.delenv(name, raising=False)
