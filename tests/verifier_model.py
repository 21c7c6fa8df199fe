"""A tiny cross-encoder built in the test, so the verifier's plumbing is tested without any
model from a registry: random weights from a fixed seed, in the shape of a Hub ONNX export.

The graph: token embeddings (Gather), plus token-type embeddings when the model takes them, a
mean over the real tokens (the attention mask), one MatMul to the label logits. Padding changes
nothing (the mean ignores it), so a batch must give what each pair gives alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

NLI_LABELS = ("contradiction", "entailment", "neutral")  # cross-encoder/nli-* order
SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")
HIDDEN = 16
WORDS = (
    "the summit was held in anchorage alaska helsinki putin trump met at joint base elmendorf richardson "
    "on august 15 2025 leaders did not take part talks ended without a deal ceasefire ukraine"
)


def build_tokenizer(texts: Iterable[str]) -> object:
    """A WordLevel tokenizer.json over the words of texts, BERT-style pairs: [CLS] a [SEP] b [SEP]."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(list(texts), trainers.WordLevelTrainer(special_tokens=list(SPECIALS)))
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return tokenizer


def build_onnx(vocab_size: int, n_labels: int, *, token_types: bool, seed: int) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    weights = {
        "embeddings": rng.normal(0, 1, (vocab_size, HIDDEN)).astype(np.float32),
        "types": rng.normal(0, 1, (2, HIDDEN)).astype(np.float32),
        "classifier": rng.normal(0, 2, (HIDDEN, n_labels)).astype(np.float32),
        "bias": rng.normal(0, 0.5, (n_labels,)).astype(np.float32),
        "axis1": np.array([1], dtype=np.int64),
        "one": np.array(1.0, dtype=np.float32),
    }
    if not token_types:
        del weights["types"]
    nodes = [helper.make_node("Gather", ["embeddings", "input_ids"], ["tokens"])]
    summed_input = "tokens"
    if token_types:
        nodes += [
            helper.make_node("Gather", ["types", "token_type_ids"], ["type_vectors"]),
            helper.make_node("Add", ["tokens", "type_vectors"], ["embedded"]),
        ]
        summed_input = "embedded"
    nodes += [
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        helper.make_node("Mul", [summed_input, "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask_f", "axis1"], ["count"], keepdims=1),
        helper.make_node("Max", ["count", "one"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["mean"]),
        helper.make_node("MatMul", ["mean", "classifier"], ["scores"]),
        helper.make_node("Add", ["scores", "bias"], ["logits"]),
    ]
    weights["axis2"] = np.array([2], dtype=np.int64)
    names = ["input_ids", "attention_mask", *(["token_type_ids"] if token_types else [])]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"]) for n in names]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", n_labels])
    graph = helper.make_graph(
        nodes, "tiny-cross-encoder", inputs, [output], [numpy_helper.from_array(v, k) for k, v in weights.items()]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    return model.SerializeToString()


def build_verifier(
    folder: Path,
    *,
    labels: Sequence[str] = NLI_LABELS,
    texts: Iterable[str] = (WORDS,),
    token_types: bool = True,
    seed: int = 0,
    max_position_embeddings: int = 128,
) -> Path:
    """Write model.onnx, tokenizer.json and config.json into folder; return folder."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer([WORDS, *texts])
    tokenizer.save(str(folder / "tokenizer.json"))
    vocab_size = tokenizer.get_vocab_size()
    (folder / "model.onnx").write_bytes(build_onnx(vocab_size, len(labels), token_types=token_types, seed=seed))
    config = {
        "architectures": ["TinyCrossEncoderForSequenceClassification"],
        "id2label": {str(i): label for i, label in enumerate(labels)},
        "label2id": {label: i for i, label in enumerate(labels)},
        "max_position_embeddings": max_position_embeddings,
        "pad_token_id": 0,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return folder


def corpus_texts(corpus: Path) -> list[str]:
    """The words of a sample corpus, so the tiny tokenizer knows them (fewer [UNK]s)."""
    return [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*.txt"))]
