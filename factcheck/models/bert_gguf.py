"""Convert a sentence-transformers BERT folder (all-MiniLM-L6-v2) into a float32 GGUF for llama.cpp.

This follows what llama.cpp's own converter (convert_hf_to_gguf.py, class BertModel) writes, but reads
the files with numpy/safetensors/json only, so factcheck needs neither torch nor transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gguf
import numpy as np
from safetensors import safe_open

from factcheck.errors import ModelUnavailable

_ARCH = gguf.MODEL_ARCH.BERT

# Tensors llama.cpp's BERT graph never reads: position_ids is a constant buffer, and the pooler /
# masked-LM heads are not part of sentence-transformers' mean-pooled embedding.
_SKIPPED_NAMES = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}
_SKIPPED_PREFIXES = ("cls.predictions.", "cls.seq_relationship.")

# Tensors llama.cpp's BERT loader requires; the embedding tables have no bias.
_GLOBAL_TENSORS = (
    gguf.MODEL_TENSOR.TOKEN_EMBD,
    gguf.MODEL_TENSOR.TOKEN_TYPES,
    gguf.MODEL_TENSOR.POS_EMBD,
    gguf.MODEL_TENSOR.TOKEN_EMBD_NORM,
)
_WEIGHT_ONLY = {gguf.MODEL_TENSOR.TOKEN_EMBD, gguf.MODEL_TENSOR.TOKEN_TYPES, gguf.MODEL_TENSOR.POS_EMBD}
# Per-layer tensors, biases included: llama.cpp calls some biases optional, but MiniLM has and needs them all.
_LAYER_TENSORS = (
    gguf.MODEL_TENSOR.ATTN_Q,
    gguf.MODEL_TENSOR.ATTN_K,
    gguf.MODEL_TENSOR.ATTN_V,
    gguf.MODEL_TENSOR.ATTN_OUT,
    gguf.MODEL_TENSOR.ATTN_OUT_NORM,
    gguf.MODEL_TENSOR.FFN_UP,
    gguf.MODEL_TENSOR.FFN_DOWN,
    gguf.MODEL_TENSOR.LAYER_OUT_NORM,
)
_POOLING_MODES = {
    "pooling_mode_mean_tokens": gguf.PoolingType.MEAN,
    "pooling_mode_cls_token": gguf.PoolingType.CLS,
    "pooling_mode_lasttoken": gguf.PoolingType.LAST,
}
# gguf 0.19.0 has no constants for these yet; llama.cpp reads them for its WordPiece normaliser.
_KEY_LOWERCASE = "tokenizer.ggml.normalizer.lowercase"
_KEY_STRIP_ACCENTS = "tokenizer.ggml.normalizer.strip_accents"


def convert_bert_to_gguf(source_dir: Path, out_path: Path, *, name: str = "all-MiniLM-L6-v2") -> None:
    """Write a float32 BERT GGUF to out_path from a sentence-transformers folder."""
    source_dir = Path(source_dir)
    config = _read_json(source_dir / "config.json")
    n_layers = int(_require(config, "num_hidden_layers", "config.json"))
    tensors = _load_tensors(source_dir / "model.safetensors", n_layers)
    pooling = _pooling_type(source_dir)

    writer = gguf.GGUFWriter(Path(out_path), gguf.MODEL_ARCH_NAMES[_ARCH])
    try:
        _add_hparams(writer, config, name, pooling)
        _add_vocab(writer, source_dir, n_vocab=tensors["token_embd.weight"].shape[0])
        for tensor_name, data in tensors.items():
            writer.add_tensor(tensor_name, data)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ModelUnavailable(f"model folder is missing {path.name} (looked for {path})")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise ModelUnavailable(f"{where} has no '{key}'")
    return mapping[key]


def _add_hparams(writer: gguf.GGUFWriter, config: dict[str, Any], name: str, pooling: gguf.PoolingType) -> None:
    def get(key: str) -> Any:
        return _require(config, key, "config.json")

    writer.add_name(name)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(int(get("max_position_embeddings")))
    writer.add_embedding_length(int(get("hidden_size")))
    writer.add_feed_forward_length(int(get("intermediate_size")))
    writer.add_block_count(int(get("num_hidden_layers")))
    writer.add_head_count(int(get("num_attention_heads")))
    writer.add_layer_norm_eps(float(get("layer_norm_eps")))
    writer.add_causal_attention(False)  # an encoder: every token attends to the whole sentence
    writer.add_pooling_type(pooling)
    # llama.cpp refuses a BERT without a token-type count; it always uses type 0 ("sentence A").
    writer.add_token_type_count(int(config.get("type_vocab_size", 1)))


def _pooling_type(source_dir: Path) -> gguf.PoolingType:
    """The pooling sentence-transformers applies, so llama.cpp pools the same way."""
    folder = "1_Pooling"
    modules_file = source_dir / "modules.json"
    if modules_file.is_file():
        pooling_modules = [m for m in _read_json(modules_file) if m.get("type", "").endswith("Pooling")]
        folder = pooling_modules[0]["path"] if pooling_modules else folder
    pooling = _read_json(source_dir / folder / "config.json")
    for key, pooling_type in _POOLING_MODES.items():
        if pooling.get(key):
            return pooling_type
    raise ModelUnavailable(f"{folder}/config.json asks for a pooling mode llama.cpp cannot do")


def _add_vocab(writer: gguf.GGUFWriter, source_dir: Path, *, n_vocab: int) -> None:
    tokenizer = _read_json(source_dir / "tokenizer.json")
    model = _require(tokenizer, "model", "tokenizer.json")
    if model.get("type") != "WordPiece":
        raise ModelUnavailable(f"tokenizer.json is {model.get('type')!r}, expected a WordPiece (BERT) tokenizer")
    vocab: dict[str, int] = model["vocab"]
    control = {t["id"] for t in tokenizer.get("added_tokens", []) if t.get("special")}
    tokens, types = _phantom_space_vocab(vocab, control, n_vocab)

    writer.add_tokenizer_model("bert")  # llama.cpp's WordPiece ("WPM") tokenizer
    writer.add_tokenizer_pre("default")  # WPM ignores it; written as llama.cpp's converter always does
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    _add_normalizer(writer, tokenizer.get("normalizer") or {})
    _add_special_tokens(writer, source_dir, vocab)


def _phantom_space_vocab(vocab: dict[str, int], control: set[int], n_vocab: int) -> tuple[list[str], list[int]]:
    """llama.cpp marks word starts with '▁' instead of marking continuations with '##'."""
    if max(vocab.values()) >= n_vocab:
        raise ModelUnavailable(f"tokenizer.json has ids beyond the {n_vocab} rows of the embedding matrix")
    tokens = [f"[PAD{i}]" for i in range(n_vocab)]
    types = [gguf.TokenType.UNUSED] * n_vocab
    for text, token_id in vocab.items():
        if token_id in control:
            tokens[token_id], types[token_id] = text, gguf.TokenType.CONTROL
        else:
            tokens[token_id] = text[2:] if text.startswith("##") else "\u2581" + text
            types[token_id] = gguf.TokenType.NORMAL
    return tokens, types


def _add_normalizer(writer: gguf.GGUFWriter, normalizer: dict[str, Any]) -> None:
    # HF's BertNormalizer strips accents when strip_accents is None and lowercasing is on.
    lowercase = bool(normalizer.get("lowercase", True))
    strip_accents = normalizer.get("strip_accents")
    writer.add_bool(_KEY_LOWERCASE, lowercase)
    writer.add_bool(_KEY_STRIP_ACCENTS, lowercase if strip_accents is None else bool(strip_accents))


def _add_special_tokens(writer: gguf.GGUFWriter, source_dir: Path, vocab: dict[str, int]) -> None:
    specials = _read_json(source_dir / "special_tokens_map.json")

    def token_id(kind: str) -> int:
        entry = _require(specials, f"{kind}_token", "special_tokens_map.json")
        text = entry["content"] if isinstance(entry, dict) else entry
        if text not in vocab:
            raise ModelUnavailable(f"special token {text!r} ({kind}) is not in the vocabulary")
        return vocab[text]

    # llama.cpp's WordPiece tokenizer uses BOS as [CLS] and the separator as the closing [SEP];
    # EOS = [SEP] and add_bos/add_eos mirror what its converter derives from "[CLS] $A [SEP]".
    writer.add_bos_token_id(token_id("cls"))
    writer.add_eos_token_id(token_id("sep"))
    writer.add_sep_token_id(token_id("sep"))
    writer.add_pad_token_id(token_id("pad"))
    writer.add_unk_token_id(token_id("unk"))
    writer.add_mask_token_id(token_id("mask"))
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(True)


def _load_tensors(weights: Path, n_layers: int) -> dict[str, np.ndarray]:
    """Weights renamed to llama.cpp's names, float32, in file order; unused ones dropped."""
    if not weights.is_file():
        raise ModelUnavailable(f"model folder is missing {weights.name} (looked for {weights})")
    name_map = gguf.get_tensor_name_map(_ARCH, n_layers)
    tensors: dict[str, np.ndarray] = {}
    with safe_open(str(weights), framework="np") as f:
        for hf_name in f.keys():
            short = hf_name.removeprefix("bert.")  # BertForMaskedLM-style checkpoints nest the encoder
            if short in _SKIPPED_NAMES or short.startswith(_SKIPPED_PREFIXES):
                continue
            gguf_name = name_map.get_name(short, try_suffixes=(".weight", ".bias"))
            if gguf_name is None:
                raise ModelUnavailable(f"model.safetensors has a tensor llama.cpp's BERT cannot use: {hf_name}")
            # Plain C-contiguous float32: what the GGUF writer lays out byte for byte.
            tensors[gguf_name] = np.ascontiguousarray(f.get_tensor(hf_name), dtype=np.float32)
    _check_complete(tensors, n_layers)
    return tensors


def _check_complete(tensors: dict[str, np.ndarray], n_layers: int) -> None:
    def names(kind: gguf.MODEL_TENSOR, bid: int | None = None) -> list[str]:
        base = gguf.TENSOR_NAMES[kind].format(bid=bid)
        return [f"{base}.weight"] if kind in _WEIGHT_ONLY else [f"{base}.weight", f"{base}.bias"]

    expected = [n for kind in _GLOBAL_TENSORS for n in names(kind)]
    expected += [n for bid in range(n_layers) for kind in _LAYER_TENSORS for n in names(kind, bid)]
    missing = [n for n in expected if n not in tensors]
    if missing:
        raise ModelUnavailable(f"model.safetensors lacks tensors llama.cpp needs: {', '.join(missing[:5])}")
