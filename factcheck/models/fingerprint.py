"""Identifying the exact model file a result came from, without re-hashing gigabytes every run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.models.presets import PRESETS, ModelRole
from factcheck.models.provision import sha256_file
from factcheck.models.resolve import resolve
from factcheck.schema import ModelInfo

if TYPE_CHECKING:
    from factcheck.config import Settings


def file_sha256(path: Path, cache_dir: Path) -> str:
    """sha256 of a file, remembered per (path, size, modification time)."""
    import diskcache

    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with diskcache.Cache(str(cache_dir)) as cache:
        digest = cache.get(key)
        if digest is None:
            digest = sha256_file(path)
            cache.set(key, digest)
    return str(digest)


def model_fingerprint(settings: Settings, judge: Any) -> ModelInfo:
    """Name, file sha256 and smoke-test flag of the chat model behind a judge."""
    preset = PRESETS.get(settings.model)
    if preset is None and not settings.model.endswith(".gguf"):
        return ModelInfo(name=getattr(judge, "name", settings.model), sha256=None)  # a registered stand-in
    model = resolve(settings.model, ModelRole.LLM, settings.model_dir)
    digest = preset.sha256 if preset is not None and preset.sha256 else None
    return ModelInfo(
        name=model.name,
        sha256=digest or file_sha256(model.path, settings.home / "cache" / "fingerprints"),
        smoke_test=model.smoke_test,
    )
