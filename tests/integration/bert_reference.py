"""An independent numpy forward pass of a sentence-transformers BERT, used to check the GGUF conversion.

It reads the original safetensors weights and tokenizer.json directly (no llama.cpp, no GGUF) and
computes what sentence-transformers computes: BERT encoder, mean pooling over tokens, L2 normalisation.
It works in float64 with the exact (erf) GELU, as Hugging Face's "gelu" is, so any mismatch with
llama.cpp is the converter's fault rather than this reference's rounding.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

_erf = np.frompyfunc(math.erf, 1, 1)


@dataclass
class BertReference:
    weights: dict[str, np.ndarray]
    config: dict
    tokenizer: Tokenizer

    @classmethod
    def load(cls, source_dir: Path) -> BertReference:
        weights = {
            k.removeprefix("bert."): v.astype(np.float64)
            for k, v in load_file(source_dir / "model.safetensors").items()
        }
        config = json.loads((source_dir / "config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(source_dir / "tokenizer.json"))
        # tokenizer.json ships with padding/truncation to 128 baked in; sentence-transformers
        # instead truncates at max_seq_length and never pads a single sentence.
        max_len = json.loads((source_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"]
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_len)
        return cls(weights, config, tokenizer)

    def token_ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def embed(self, text: str) -> np.ndarray:
        hidden = self.hidden_states(self.token_ids(text))
        pooled = hidden.mean(axis=0)
        return pooled / np.linalg.norm(pooled)

    def hidden_states(self, ids: list[int]) -> np.ndarray:
        w, eps = self.weights, self.config["layer_norm_eps"]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w, "embeddings.LayerNorm", eps)
        for i in range(self.config["num_hidden_layers"]):
            x = self._layer(x, f"encoder.layer.{i}.", eps)
        return x

    def _layer(self, x: np.ndarray, p: str, eps: float) -> np.ndarray:
        w = self.weights
        attn = self._attention(x, p + "attention.self.")
        x = _layer_norm(x + _linear(attn, w, p + "attention.output.dense"), w, p + "attention.output.LayerNorm", eps)
        up = _linear(x, w, p + "intermediate.dense")
        gelu = 0.5 * up * (1.0 + _erf(up / math.sqrt(2.0)).astype(np.float64))
        return _layer_norm(x + _linear(gelu, w, p + "output.dense"), w, p + "output.LayerNorm", eps)

    def _attention(self, x: np.ndarray, p: str) -> np.ndarray:
        n_heads = self.config["num_attention_heads"]
        seq, dim = x.shape
        head = dim // n_heads

        def split(name: str) -> np.ndarray:  # (heads, seq, head_dim)
            return _linear(x, self.weights, p + name).reshape(seq, n_heads, head).transpose(1, 0, 2)

        q, k, v = split("query"), split("key"), split("value")
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(head)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        return (probs @ v).transpose(1, 0, 2).reshape(seq, dim)


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]
