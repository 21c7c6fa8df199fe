"""Downloads from the Hugging Face Hub: resumable, with a progress bar, sha256 checked."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

from factcheck.errors import ChecksumMismatch, ModelUnavailable
from factcheck.models.presets import HubFilesSource, HubSource

# A machine with no route to the hub should hear so in seconds, not after the hub client's
# five retries with back-off (about 25 s).
_PROBE_TIMEOUT_S = 5.0


def endpoint() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def check_reachable(url: str, timeout: float = _PROBE_TIMEOUT_S) -> None:
    """Open (and close) one TCP connection to the hub; raise ModelUnavailable if that fails."""
    parsed = urlparse(url)
    host = parsed.hostname or url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise ModelUnavailable(
            f"cannot reach the Hugging Face Hub at {url} ({exc.strerror or exc}). "
            "Check the network or proxy (HTTPS_PROXY), or set HF_ENDPOINT to a mirror."
        ) from exc


def hub_sha256(source: HubSource) -> str | None:
    """The sha256 the hub records for an LFS file (every GGUF is one), or None if it has none."""
    from huggingface_hub import HfApi

    infos = HfApi().get_paths_info(source.repo_id, [source.filename], revision=source.revision, expand=True)
    lfs = getattr(infos[0], "lfs", None) if infos else None
    return getattr(lfs, "sha256", None)


def download(source: HubSource, target: Path, *, expected_sha256: str | None) -> None:
    """Fetch source into target. An interrupted download resumes on the next call."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    from factcheck.models.provision import verify_sha256

    check_reachable(endpoint())
    staging = target.parent / ".hub"  # hf keeps partial files here, which is what makes resuming work
    try:
        expected = expected_sha256 or hub_sha256(source)
        path = Path(hf_hub_download(source.repo_id, source.filename, revision=source.revision, local_dir=staging))
    except OfflineModeIsEnabled as exc:
        raise ModelUnavailable(f"HF_HUB_OFFLINE is set, so {source.describe()} cannot be downloaded") from exc
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, *_http_errors()) as exc:
        raise ModelUnavailable(f"could not download {source.describe()}: {_first_line(exc)}") from exc
    if expected:
        try:
            verify_sha256(path, expected, source.filename)
        except ChecksumMismatch:
            path.unlink(missing_ok=True)
            raise
    path.replace(target)


def download_files(source: HubFilesSource, folder: Path) -> None:
    """Fetch every file of source into folder, under their base names. The folder appears only
    once every file is complete; until then they gather in FOLDER.partial, where a file already
    finished is kept, so an interrupted pull resumes with the next file (and hf resumes that one)."""
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    pinned = dict(source.sha256)
    for one in source.file_sources():
        out = partial / Path(one.filename).name
        if not out.is_file():
            download(one, out, expected_sha256=pinned.get(one.filename))
    shutil.rmtree(partial / ".hub", ignore_errors=True)
    if folder.exists():  # --force: the new files replace the old folder whole
        shutil.rmtree(folder)
    partial.replace(folder)


def _http_errors() -> tuple[type[BaseException], ...]:
    """The transport errors of whichever HTTP client this huggingface_hub uses (httpx, httpx2,
    requests): a connection that drops after the reachability probe must still be a clean error."""
    import importlib

    found: list[type[BaseException]] = []
    for module, name in (("httpx", "HTTPError"), ("httpx2", "HTTPError"), ("requests", "RequestException")):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
