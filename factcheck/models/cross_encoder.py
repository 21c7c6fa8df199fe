"""A cross-encoder (an NLI or verifier model) run by ONNX Runtime, read with a Hugging Face
tokenizer.json through the `tokenizers` package: no torch, no transformers.

A verifier is a folder with three files, as the Hub's ONNX exports ship them: `model.onnx`
(inputs input_ids and attention_mask, optionally token_type_ids, all int64; the first output is
the logits, one row per pair), `tokenizer.json` and `config.json` (its `id2label` names the
logits). The pure parts (label mapping, softmax, padding) are functions tested on their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.errors import ConfigError, ModelLoadError, ModelNotProvisioned
from factcheck.models.presets import PRESETS, ModelPreset, ModelRole, preset_names
from factcheck.schema import Stance

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
VERIFIER_FILES = (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE)
DEFAULT_MAX_TOKENS = 512  # BERT/DeBERTa position limit, when config.json does not say
MAX_BATCH = 64  # pairs per ONNX run: one document's sentences fit; more are run in slices

# What the labels of NLI and verifier models are called, normalised (lower case, "_" for spaces
# and dashes), and the stance each one means. "not entailment" is a binary model's other class:
# it lumps contradiction with neutral, so it can only mean "not shown", never "refuted".
_LABEL_STANCES: dict[str, Stance] = {
    **dict.fromkeys(("entailment", "entailed", "entails", "supported", "supports", "consistent"), Stance.SUPPORTS),
    **dict.fromkeys(("contradiction", "contradicted", "contradicts", "refuted", "refutes"), Stance.REFUTES),
    **dict.fromkeys(
        ("neutral", "not_entailment", "non_entailment", "not_entailed", "unsupported", "not_supported",
         "inconsistent", "hallucinated", "not_mentioned"),
        Stance.NOT_MENTIONED,
    ),
}  # fmt: skip


def _normalise_label(label: str) -> str:
    return re.sub(r"[\s\-]+", "_", label.strip().lower())


def label_stances(id2label: Mapping[Any, str]) -> tuple[Stance, ...]:
    """The stance of each logit, in logit order, from a config.json `id2label` (keys are the
    indices, as strings or ints; names in any case and order). A 3-way NLI model maps to
    supports / not_mentioned / refutes; a binary verifier to supports / not_mentioned only.
    Raises ConfigError for a label it cannot read, a stance named twice, or no "supports"."""
    try:
        indexed = sorted((int(k), v) for k, v in id2label.items())
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"id2label keys must be logit indices, not {list(id2label)}") from exc
    if [i for i, _ in indexed] != list(range(len(indexed))) or len(indexed) < 2:
        raise ConfigError(f"id2label must number the logits 0..n-1 (at least two), not {sorted(id2label)}")
    stances: list[Stance] = []
    for _, name in indexed:
        stance = _LABEL_STANCES.get(_normalise_label(str(name)))
        if stance is None:
            known = ", ".join(sorted(_LABEL_STANCES))
            raise ConfigError(f"cannot tell what the verifier label {name!r} means; known labels: {known}")
        if stance in stances:
            raise ConfigError(f"two verifier labels both mean {stance.value}: {dict(indexed)}")
        stances.append(stance)
    if Stance.SUPPORTS not in stances or Stance.NOT_MENTIONED not in stances:
        raise ConfigError(f"a verifier needs an entailment label and a neutral/not-entailment one: {dict(indexed)}")
    return tuple(stances)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a 2-D array of logits, stable for large values."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def stance_probabilities(row: Sequence[float], stances: Sequence[Stance]) -> dict[str, float]:
    """One pair's label probabilities as {supports, refutes, not_mentioned}. A stance the model
    has no label for gets probability 0 (a binary verifier's refutes)."""
    out = {s.value: 0.0 for s in (Stance.SUPPORTS, Stance.REFUTES, Stance.NOT_MENTIONED)}
    for p, stance in zip(row, stances):
        out[stance.value] += float(p)
    return out


@dataclass(frozen=True)
class Batch:
    input_ids: np.ndarray  # int64 [pairs, longest]
    attention_mask: np.ndarray
    token_type_ids: np.ndarray


def pad_batch(ids: Sequence[Sequence[int]], type_ids: Sequence[Sequence[int]], pad_id: int) -> Batch:
    """Right-pad every encoding to the batch's longest, with a mask of 1 for real tokens."""
    longest = max((len(row) for row in ids), default=0)
    shape = (len(ids), longest)
    input_ids = np.full(shape, pad_id, dtype=np.int64)
    mask = np.zeros(shape, dtype=np.int64)
    types = np.zeros(shape, dtype=np.int64)
    for n, (row, kinds) in enumerate(zip(ids, type_ids)):
        input_ids[n, : len(row)] = row
        mask[n, : len(row)] = 1
        types[n, : len(kinds)] = kinds
    return Batch(input_ids, mask, types)


@dataclass(frozen=True)
class Scores:
    probabilities: np.ndarray  # [pairs, labels], rows sum to 1
    tokens: int  # real (unpadded) tokens read


# --- finding a verifier -------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifierModel:
    """A verifier folder on disk: a preset's, or one given by path."""

    name: str
    folder: Path
    preset: ModelPreset | None = None

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE


def locate_verifier(spec: str, models_dir: Path) -> VerifierModel:
    """A verifier preset name or a folder path -> the folder with its three files. Raises
    ModelNotProvisioned if it is not on disk, UnknownPreset/ConfigError for a wrong name."""
    from factcheck.models.resolve import find_preset

    if spec not in PRESETS and ("/" in spec or "\\" in spec or Path(spec).expanduser().is_dir()):
        folder = Path(spec).expanduser()
        _require_files(folder, f"verifier folder {folder}")
        return VerifierModel(name=folder.resolve().name, folder=folder.resolve())
    preset = find_preset(spec, ModelRole.VERIFIER)
    folder = models_dir / preset.filename
    if not folder.is_dir():
        raise ModelNotProvisioned(
            f"verifier {spec!r} is not downloaded yet ({folder} is missing); run: factcheck models pull {spec}"
        )
    _require_files(folder, f"verifier {spec!r}")
    return VerifierModel(name=preset.name, folder=folder, preset=preset)


def _require_files(folder: Path, what: str) -> None:
    missing = [name for name in VERIFIER_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelNotProvisioned(f"{what} lacks {', '.join(missing)} (it needs {', '.join(VERIFIER_FILES)})")


def verifier_names() -> list[str]:
    return preset_names(ModelRole.VERIFIER)


# --- running it ---------------------------------------------------------------------------------


class CrossEncoder:
    """Scores (premise, hypothesis) pairs: label probabilities per pair, in id2label order."""

    def __init__(
        self,
        session: InferenceSession,
        tokenizer: Tokenizer,
        stances: tuple[Stance, ...],
        *,
        max_tokens: int,
        pad_id: int,
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.stances = stances
        self.max_tokens = max_tokens
        self.pad_id = pad_id
        self._inputs = {i.name for i in session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - self._inputs
        if missing:
            raise ModelLoadError(f"the verifier's model.onnx lacks the input(s) {', '.join(sorted(missing))}")
        # Truncation is ours, never the tokenizer.json's own: longest_first trims the longer of
        # premise and hypothesis a token at a time, so a long sentence cannot push the claim out.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens, strategy="longest_first")

    @classmethod
    def load(cls, folder: Path, *, n_threads: int | None = None, max_tokens: int | None = None) -> CrossEncoder:
        """Open the folder's model, tokenizer and config; a broken file is a ModelLoadError."""
        config = _read_config(folder / CONFIG_FILE)
        stances = label_stances(config.get("id2label") or {})
        limit = max_tokens or min(int(config.get("max_position_embeddings") or DEFAULT_MAX_TOKENS), DEFAULT_MAX_TOKENS)
        tokenizer = _load_tokenizer(folder / TOKENIZER_FILE)
        session = _load_session(folder / MODEL_FILE, n_threads)
        pad_id = config.get("pad_token_id")
        if not isinstance(pad_id, int):
            pad_id = next((t for t in map(tokenizer.token_to_id, ("[PAD]", "<pad>")) if t is not None), 0)
        return cls(session, tokenizer, stances, max_tokens=limit, pad_id=pad_id)

    def encode(self, pairs: Sequence[tuple[str, str]]) -> Batch:
        encodings = self._tokenizer.encode_batch([list(pair) for pair in pairs])
        return pad_batch([e.ids for e in encodings], [e.type_ids for e in encodings], self.pad_id)

    def score(self, pairs: Sequence[tuple[str, str]]) -> Scores:
        """Label probabilities for every pair, MAX_BATCH pairs per ONNX run (one run for the
        sentences of one document), each run padded to its own longest pair."""
        if not pairs:
            return Scores(np.zeros((0, len(self.stances))), 0)
        logits, tokens = [], 0
        for at in range(0, len(pairs), MAX_BATCH):
            batch = self.encode(pairs[at : at + MAX_BATCH])
            logits.append(self._run(batch))
            tokens += int(batch.attention_mask.sum())
        return Scores(softmax(np.concatenate(logits).astype(np.float64)), tokens)

    def _run(self, batch: Batch) -> np.ndarray:
        feed = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = batch.token_type_ids
        logits = np.asarray(self._session.run(None, feed)[0])
        if logits.ndim != 2 or logits.shape[1] != len(self.stances):
            raise ModelLoadError(
                f"the verifier returned logits of shape {logits.shape}; config.json names {len(self.stances)} labels"
            )
        return logits


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"cannot read the verifier's {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"the verifier's {path} is not a JSON object")
    return data


def _load_tokenizer(path: Path) -> Tokenizer:
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - the tokenizers package raises plain Exception for a bad file
        raise ModelLoadError(f"cannot load the verifier's tokenizer {path}: {_first_line(exc)}") from exc


def _load_session(path: Path, n_threads: int | None) -> InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if n_threads:
        options.intra_op_num_threads = n_threads
    options.log_severity_level = 3  # errors only: ORT's warnings about unused initializers are noise here
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - ORT raises its own pybind exception types for a bad model
        raise ModelLoadError(f"ONNX Runtime cannot load the verifier {path}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
