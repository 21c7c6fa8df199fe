"""The MiniLM GGUF we write must embed exactly like the original sentence-transformers model.

The expected vectors come from bert_reference.py, a numpy forward pass over the original safetensors
weights, so this checks the converter against an independent computation, not against itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import llama_cpp
import numpy as np
import pytest

from factcheck.errors import ModelUnavailable
from factcheck.models.bert_gguf import convert_bert_to_gguf
from factcheck.models.llama import open_llama
from tests.integration.bert_reference import BertReference

pytestmark = pytest.mark.integration

LONG_PASSAGE = (
    "The history of the printing press begins in the middle of the fifteenth century, when Johannes "
    "Gutenberg, a goldsmith from Mainz, combined several existing technologies into a single working "
    "system. Movable type had been used in East Asia for centuries, but Gutenberg developed a durable "
    "metal alloy, an oil-based ink that clung to metal, and a hand mould that could cast letters "
    "quickly and in large numbers. He adapted the screw press, long used for pressing grapes and "
    "olives, so that it could push paper evenly against inked type. The result was a machine that "
    "could produce hundreds of identical pages in a day, far more than any team of scribes. Within "
    "fifty years presses were operating in more than two hundred European cities, and millions of "
    "books had been printed. Prices fell, literacy rose, and ideas travelled faster than ever before. "
    "Scholars could compare identical copies of a text, which encouraged careful editing and the "
    "growth of science. Religious reformers used pamphlets to spread their arguments, and governments "
    "soon learned to license printers in an attempt to control what was published. Historians still "
    "debate how much the press caused these changes and how much it simply accelerated trends that "
    "were already under way."
)
PLAIN_SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Water boils at one hundred degrees Celsius at sea level.",
    "Is the Eiffel Tower taller than the Statue of Liberty?",
    LONG_PASSAGE,
]
MIXED_SENTENCE = "Café déjà-vu: in 1998, São Paulo's population grew 3.5% (¡wow!) — naïve estimates said 12,000?"
SENTENCES = [*PLAIN_SENTENCES, MIXED_SENTENCE]


@pytest.fixture(scope="module")
def minilm_gguf(minilm_source_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bert_gguf") / "all-MiniLM-L6-v2.f32.gguf"
    convert_bert_to_gguf(minilm_source_dir, out)
    return out


@pytest.fixture(scope="module")
def llama(minilm_gguf: Path):
    # Non-causal models are encoded in one shot, so n_ubatch must hold a whole batch of tokens.
    model = open_llama(minilm_gguf, embedding=True, n_ctx=512, n_batch=512, n_ubatch=512)
    yield model
    model.close()


@pytest.fixture(scope="module")
def reference(minilm_source_dir: Path) -> BertReference:
    return BertReference.load(minilm_source_dir)


def _unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float64)
    return v / np.linalg.norm(v)


def test_pooling_comes_from_the_gguf(llama) -> None:
    assert llama.pooling_type() == llama_cpp.LLAMA_POOLING_TYPE_MEAN
    assert llama.n_embd() == 384


def test_long_passage_fits_sentence_transformers_window(reference: BertReference) -> None:
    # The reference truncates at max_seq_length (256) and llama.cpp does not, so the comparison
    # below is only fair while the passage stays inside that window.
    assert 200 < len(reference.token_ids(LONG_PASSAGE)) < 256


# The mixed sentence matches too (llama.cpp lowercases and strips accents like BertNormalizer).
@pytest.mark.parametrize("text", SENTENCES, ids=lambda t: t[:24])
def test_token_ids_match_hf_tokenizer(llama, reference: BertReference, text: str) -> None:
    assert llama.tokenize(text.encode("utf-8")) == reference.token_ids(text)


@pytest.mark.parametrize("text", SENTENCES, ids=lambda t: t[:24])
def test_embedding_matches_reference(llama, reference: BertReference, text: str) -> None:
    cosine = float(_unit(llama.embed(text)) @ reference.embed(text))
    assert cosine >= 0.999, f"cosine {cosine:.6f} for {text[:40]!r}"


def test_batched_embed_matches_one_at_a_time(llama) -> None:
    # embed() packs several sequences into one llama_decode; pooling must still be per sequence.
    batched = llama.embed(SENTENCES)
    for text, vector in zip(SENTENCES, batched):
        assert float(_unit(vector) @ _unit(llama.embed(text))) >= 0.99999


def test_missing_weights_raise_model_unavailable(minilm_source_dir: Path, tmp_path: Path) -> None:
    shutil.copy(minilm_source_dir / "config.json", tmp_path / "config.json")
    with pytest.raises(ModelUnavailable, match="model.safetensors"):
        convert_bert_to_gguf(tmp_path, tmp_path / "out.gguf")
