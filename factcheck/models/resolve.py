"""Turning what a user typed (`--model NAME` or a path) into a file on disk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from factcheck.errors import ConfigError, ModelNotProvisioned, UnknownPreset
from factcheck.models.presets import PRESETS, ModelPreset, ModelRole, preset_names

if TYPE_CHECKING:
    from factcheck.config import Settings


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # the preset name, or the file's stem for a bare path
    path: Path
    preset: ModelPreset | None = None

    @property
    def smoke_test(self) -> bool:
        return self.preset is not None and self.preset.smoke_test

    @property
    def slug(self) -> str:
        return slugify(self.name)


def slugify(name: str) -> str:
    """A short identifier safe in file and collection names."""
    # Chroma collection names: [A-Za-z0-9._-], alphanumeric at both ends, no "..".
    safe = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", name))
    return safe[:60].strip("-._") or "model"


def model_key(spec: str) -> str:
    """The identifier of a model as typed, without loading it. Not the store's key: two
    spellings of one model differ here (see store_key)."""
    return slugify(Path(spec).stem if _looks_like_path(spec) else spec)


def store_key(settings: Settings) -> str:
    """The key of the store the embedder's vectors live in: the model's identity, however it was
    named. A preset and the path of its file (or of a copy) share one store, any other .gguf is
    keyed by its content, and a name registered in code (a test fake) is its own key. Raises for
    an unknown name or a missing file, before anything is opened or created."""
    from factcheck.models.backend import is_server_url
    from factcheck.models.embedding import EMBEDDERS  # lazy: embedding imports this module

    spec = settings.embedder
    if EMBEDDERS.get(spec) is not None:
        return slugify(spec)
    if is_server_url(spec):  # the served model's name is all we know of it (or, unnamed, where it is)
        from factcheck.models.server import parse_endpoint

        endpoint = parse_endpoint(spec)
        return slugify(f"server-{endpoint.model or endpoint.base}")
    if not _looks_like_path(spec):
        return find_preset(spec, ModelRole.EMBEDDING).name
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ModelNotProvisioned(f"model file not found: {path}")
    return _file_key(path.resolve(), settings)


def _file_key(path: Path, settings: Settings) -> str:
    from factcheck.models.fingerprint import file_sha256  # lazy: fingerprint imports this module

    presets = [p for p in PRESETS.values() if p.role is ModelRole.EMBEDDING]
    for preset in presets:  # the preset's own file: no need to hash it
        if (settings.model_dir / preset.filename).resolve() == path:
            return preset.name
    cache = settings.home / "cache" / "fingerprints"
    digest = file_sha256(path, cache)
    for preset in presets:
        # Converted presets pin no sha256: compare with the file we converted, where it exists.
        own = settings.model_dir / preset.filename
        pinned = preset.sha256 or (file_sha256(own, cache) if own.is_file() else None)
        if pinned == digest:
            return preset.name
    return f"gguf-{digest[:16]}"


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".gguf") or "/" in spec or "\\" in spec


def find_preset(name: str, role: ModelRole | None = None) -> ModelPreset:
    """The preset called name; with a role, also check it plays that role."""
    preset = PRESETS.get(name)
    if preset is None:
        kind = f"{role.value} presets" if role else "presets"
        raise UnknownPreset(
            f"no model preset named {name!r} and it is not a .gguf path; {kind}: {', '.join(preset_names(role))}"
        )
    if role is not None and preset.role is not role:
        raise ConfigError(f"{name!r} is {_a(preset.role.value)} model, not {_a(role.value)} model")
    return preset


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def resolve(spec: str, role: ModelRole | None, models_dir: Path) -> ResolvedModel:
    """A preset name or a .gguf path -> the file to load. Raises if it is not on disk."""
    if _looks_like_path(spec):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise ModelNotProvisioned(f"model file not found: {path}")
        return ResolvedModel(name=path.stem, path=path.resolve())
    preset = find_preset(spec, role)
    path = models_dir / preset.filename
    if not (path.is_dir() if preset.role is ModelRole.VERIFIER else path.is_file()):  # a verifier is a folder
        raise ModelNotProvisioned(
            f"model {spec!r} is not downloaded yet ({path} is missing); run: factcheck models pull {spec}"
        )
    return ResolvedModel(name=preset.name, path=path, preset=preset)
