"""Downloads from the Hugging Face Hub, with the hub client replaced: what is asked for, what is
verified, and how the hub's failures reach the user."""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path

import huggingface_hub
import pytest
from huggingface_hub import constants as hf_constants
from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

from factcheck.errors import ChecksumMismatch, ModelUnavailable
from factcheck.models import hub
from factcheck.models.presets import HubFilesSource, HubSource, ModelPreset, ModelRole
from factcheck.models.provision import pull

CONTENT = b"GGUF pretend weights"
SOURCE = HubSource("someone/Some-Model-GGUF", "some-model.Q4_K_M.gguf", revision="abc123")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeHub:
    """Replaces huggingface_hub.hf_hub_download: writes CONTENT (or raises) and records calls."""

    def __init__(self, content: bytes = CONTENT, error: BaseException | None = None) -> None:
        self.content = content
        self.error = error
        self.calls: list[dict] = []
        self.written: list[Path] = []

    def __call__(self, repo_id, filename, *, revision=None, local_dir=None, **kwargs):
        self.calls.append({"repo_id": repo_id, "filename": filename, "revision": revision, "local_dir": local_dir})
        if self.error is not None:
            raise self.error
        path = Path(local_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.content)
        self.written.append(path)
        return str(path)


@pytest.fixture
def reachable(monkeypatch):
    monkeypatch.setattr(hub, "check_reachable", lambda url, timeout=5.0: None)


@pytest.fixture
def fake_hub(monkeypatch, reachable):
    def install(**kwargs) -> FakeHub:
        fake = FakeHub(**kwargs)
        # hub.download imports hf_hub_download from the package at call time.
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
        return fake

    return install


@pytest.fixture
def hub_sha(monkeypatch):
    """Replaces hub_sha256; set .value for what the hub 'records'."""

    class HubSha:
        value: str | None = sha(CONTENT)
        calls: list[HubSource] = []

        def __call__(self, source: HubSource) -> str | None:
            self.calls.append(source)
            return self.value

    fake = HubSha()
    fake.calls = []
    monkeypatch.setattr(hub, "hub_sha256", fake)
    return fake


class TestCheckReachable:
    def test_closed_port_is_unavailable_within_seconds(self):
        url = f"http://127.0.0.1:{closed_port()}"
        started = time.monotonic()
        with pytest.raises(ModelUnavailable, match="cannot reach the Hugging Face Hub") as info:
            hub.check_reachable(url)  # the default timeout
        assert time.monotonic() - started < 5
        assert url in str(info.value)
        assert "HF_ENDPOINT" in str(info.value)  # tells the user what to change

    def test_listening_port_is_reachable(self):
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            hub.check_reachable(f"http://127.0.0.1:{server.getsockname()[1]}", timeout=2.0)

    @pytest.mark.parametrize(
        ("url", "address"),
        [
            ("https://huggingface.co", ("huggingface.co", 443)),
            ("http://mirror.example", ("mirror.example", 80)),
            ("https://mirror.example:8443/hf", ("mirror.example", 8443)),
        ],
    )
    def test_probe_uses_the_endpoints_host_and_port(self, monkeypatch, url, address):
        tried = []

        class Conn:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        def fake_connect(addr, timeout):
            tried.append(addr)
            return Conn()

        monkeypatch.setattr(hub.socket, "create_connection", fake_connect)
        hub.check_reachable(url)
        assert tried == [address]


class TestDownload:
    def test_asks_the_hub_for_the_sources_file_and_moves_it_to_target(self, tmp_path, fake_hub, hub_sha):
        fake = fake_hub()
        target = tmp_path / "models" / "final.gguf"
        target.parent.mkdir()
        hub.download(SOURCE, target, expected_sha256=sha(CONTENT))
        assert fake.calls == [
            {
                "repo_id": "someone/Some-Model-GGUF",
                "filename": "some-model.Q4_K_M.gguf",
                "revision": "abc123",
                "local_dir": tmp_path / "models" / ".hub",
            }
        ]
        assert target.read_bytes() == CONTENT
        assert not fake.written[0].exists()  # moved, not copied
        assert hub_sha.calls == []  # a known checksum needs no question to the hub

    def test_checksum_mismatch_deletes_the_download_and_keeps_no_target(self, tmp_path, fake_hub, hub_sha):
        fake = fake_hub(content=b"tampered")
        target = tmp_path / "final.gguf"
        with pytest.raises(ChecksumMismatch, match=sha(b"tampered")):
            hub.download(SOURCE, target, expected_sha256=sha(CONTENT))
        assert not target.exists()
        assert not fake.written[0].exists()

    def test_without_a_known_checksum_the_hubs_record_is_used(self, tmp_path, fake_hub, hub_sha):
        fake_hub()
        hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)
        assert hub_sha.calls == [SOURCE]
        assert (tmp_path / "final.gguf").read_bytes() == CONTENT

    def test_hubs_recorded_checksum_is_enforced(self, tmp_path, fake_hub, hub_sha):
        fake_hub(content=b"tampered")
        with pytest.raises(ChecksumMismatch):
            hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)
        assert not (tmp_path / "final.gguf").exists()

    def test_file_without_a_recorded_checksum_is_kept_unverified(self, tmp_path, fake_hub, hub_sha):
        fake_hub(content=b"anything")
        hub_sha.value = None
        hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)
        assert (tmp_path / "final.gguf").read_bytes() == b"anything"

    @pytest.mark.parametrize(
        "error",
        [
            LocalEntryNotFoundError("cannot find the requested files in the local cache"),
            OfflineModeIsEnabled("offline"),
            ConnectionResetError("reset by peer"),
        ],
        ids=["not-found-locally", "offline", "os-error"],
    )
    def test_hub_failures_become_model_unavailable(self, tmp_path, fake_hub, hub_sha, error):
        fake_hub(error=error)
        target = tmp_path / "final.gguf"
        with pytest.raises(ModelUnavailable, match="huggingface.co/someone/Some-Model-GGUF") as info:
            hub.download(SOURCE, target, expected_sha256=sha(CONTENT))
        assert info.value.__cause__ is error
        assert not target.exists()

    def test_offline_mode_says_so(self, tmp_path, fake_hub, hub_sha):
        fake_hub(error=OfflineModeIsEnabled("offline"))
        with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE"):
            hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=sha(CONTENT))

    def test_checksum_lookup_failure_becomes_model_unavailable(self, tmp_path, fake_hub, monkeypatch):
        fake = fake_hub()

        def failing_lookup(source):
            raise LocalEntryNotFoundError("no connection")

        monkeypatch.setattr(hub, "hub_sha256", failing_lookup)
        with pytest.raises(ModelUnavailable):
            hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)
        assert fake.calls == []

    def test_unreachable_hub_fails_before_any_download(self, tmp_path, monkeypatch):
        fake = FakeHub()
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
        monkeypatch.setattr(hub, "endpoint", lambda: f"http://127.0.0.1:{closed_port()}")
        with pytest.raises(ModelUnavailable, match="cannot reach"):
            hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)
        assert fake.calls == []

    def test_checksum_lookup_connection_failure_becomes_model_unavailable(self, tmp_path, fake_hub, monkeypatch):
        fake_hub()
        monkeypatch.setattr(hf_constants, "ENDPOINT", f"http://127.0.0.1:{closed_port()}")
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        with pytest.raises(ModelUnavailable):
            hub.download(SOURCE, tmp_path / "final.gguf", expected_sha256=None)


class TestPullFromHub:
    def test_pull_passes_the_presets_checksum_and_filename(self, tmp_path, fake_hub, hub_sha):
        fake_hub()
        preset = ModelPreset("hub-model", ModelRole.LLM, "local-name.gguf", SOURCE, "MIT", "d", sha256=sha(CONTENT))
        target = pull(preset, tmp_path / "models")
        assert target == tmp_path / "models" / "local-name.gguf"
        assert target.read_bytes() == CONTENT
        assert hub_sha.calls == []


FILES = HubFilesSource("someone/Some-Verifier", ("onnx/model.onnx", "tokenizer.json", "config.json"), "f" * 40)
VERIFIER = ModelPreset("some-verifier", ModelRole.VERIFIER, "some-verifier-onnx", FILES, "MIT", "d")


class TestPullSeveralFilesFromHub:
    def test_every_file_lands_in_the_presets_folder_under_its_base_name(self, tmp_path, fake_hub, hub_sha):
        fake = fake_hub()
        folder = pull(VERIFIER, tmp_path / "models")
        assert folder == tmp_path / "models" / "some-verifier-onnx"
        assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.onnx", "tokenizer.json"]
        assert [(c["repo_id"], c["filename"], c["revision"]) for c in fake.calls] == [
            ("someone/Some-Verifier", name, "f" * 40) for name in FILES.files
        ]
        assert [s.filename for s in hub_sha.calls] == list(FILES.files)  # each checked against the hub's record
        assert not (tmp_path / "models" / "some-verifier-onnx.partial").exists()

    def test_an_interrupted_pull_leaves_no_folder_and_resumes_with_the_missing_files(
        self, tmp_path, fake_hub, hub_sha, monkeypatch
    ):
        fake = fake_hub()
        real = fake.__call__

        def fail_on_config(repo_id, filename, **kwargs):
            if filename == "config.json":
                raise ConnectionResetError("reset by peer")
            return real(repo_id, filename, **kwargs)

        monkeypatch.setattr(huggingface_hub, "hf_hub_download", fail_on_config)
        with pytest.raises(ModelUnavailable, match="config.json"):
            pull(VERIFIER, tmp_path / "models")
        assert not (tmp_path / "models" / "some-verifier-onnx").exists()
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
        fake.calls.clear()
        pull(VERIFIER, tmp_path / "models")
        assert [c["filename"] for c in fake.calls] == ["config.json"]  # the finished two were kept
        assert (tmp_path / "models" / "some-verifier-onnx" / "config.json").is_file()

    def test_a_pinned_sha256_is_enforced_per_file(self, tmp_path, fake_hub, hub_sha):
        fake_hub(content=b"tampered")
        source = HubFilesSource(FILES.repo_id, FILES.files, FILES.revision, sha256=(("onnx/model.onnx", sha(CONTENT)),))
        preset = ModelPreset("v", ModelRole.VERIFIER, "v-onnx", source, "MIT", "d")
        with pytest.raises(ChecksumMismatch):
            pull(preset, tmp_path / "models")
        assert not (tmp_path / "models" / "v-onnx").exists()

    def test_an_unreachable_hub_is_the_usual_clear_error(self, tmp_path, monkeypatch):
        fake = FakeHub()
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
        monkeypatch.setattr(hub, "endpoint", lambda: f"http://127.0.0.1:{closed_port()}")
        with pytest.raises(ModelUnavailable, match="cannot reach the Hugging Face Hub"):
            pull(VERIFIER, tmp_path / "models")
        assert fake.calls == [] and not (tmp_path / "models" / "some-verifier-onnx").exists()
