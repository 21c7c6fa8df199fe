"""Settings: which source wins, how paths in factcheck.toml are read, and how bad values are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.config import Settings, load_settings
from factcheck.errors import ConfigError
from factcheck.models.presets import DEFAULT_EMBEDDER, DEFAULT_MODEL


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with no FACTCHECK_HOME/MODELS_DIR from the environment."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("FACTCHECK_HOME", raising=False)
    monkeypatch.delenv("FACTCHECK_MODELS_DIR", raising=False)
    return folder


def write_toml(folder: Path, text: str) -> Path:
    path = folder / "factcheck.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestPrecedence:
    def test_defaults_apply_when_nothing_is_set(self, project):
        settings = load_settings()
        assert settings.model == DEFAULT_MODEL
        assert settings.embedder == DEFAULT_EMBEDDER
        assert (settings.chunk_tokens, settings.chunk_overlap_tokens) == (192, 48)

    def test_toml_in_the_working_directory_beats_defaults(self, project):
        write_toml(project, 'model = "from-toml"\nchunk_tokens = 100\n')
        settings = load_settings()
        assert settings.model == "from-toml"
        assert settings.chunk_tokens == 100

    def test_environment_beats_toml(self, project, monkeypatch):
        write_toml(project, 'model = "from-toml"\nchunk_tokens = 100\n')
        monkeypatch.setenv("FACTCHECK_MODEL", "from-env")
        settings = load_settings()
        assert settings.model == "from-env"
        assert settings.chunk_tokens == 100  # the toml still fills what the environment leaves out

    def test_init_overrides_beat_environment_and_toml(self, project, monkeypatch):
        write_toml(project, 'model = "from-toml"\nembedder = "toml-embedder"\n')
        monkeypatch.setenv("FACTCHECK_MODEL", "from-env")
        settings = load_settings(model="from-cli")
        assert settings.model == "from-cli"
        assert settings.embedder == "toml-embedder"

    def test_none_overrides_are_ignored_so_lower_sources_apply(self, project, monkeypatch):
        write_toml(project, 'embedder = "toml-embedder"\n')
        monkeypatch.setenv("FACTCHECK_MODEL", "from-env")
        settings = load_settings(model=None, embedder=None, chunk_tokens=None)
        assert settings.model == "from-env"
        assert settings.embedder == "toml-embedder"
        assert settings.chunk_tokens == 192

    def test_toml_outside_the_working_directory_is_not_read(self, project, monkeypatch):
        write_toml(project, 'model = "from-toml"\n')
        child = project / "sub"
        child.mkdir()
        monkeypatch.chdir(child)
        assert load_settings().model == DEFAULT_MODEL

    def test_environment_integer_is_parsed(self, project, monkeypatch):
        monkeypatch.setenv("FACTCHECK_CHUNK_TOKENS", "64")
        monkeypatch.setenv("FACTCHECK_CHUNK_OVERLAP_TOKENS", "8")
        settings = load_settings()
        assert (settings.chunk_tokens, settings.chunk_overlap_tokens) == (64, 8)


class TestPaths:
    def test_relative_paths_in_toml_are_relative_to_the_toml_folder(self, project):
        write_toml(project, 'home = "data"\nmodels_dir = "../shared-models"\n')
        settings = load_settings()
        assert settings.home == project.resolve() / "data"
        assert settings.models_dir == project.resolve() / "../shared-models"

    def test_tilde_in_toml_path_means_the_user_home(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("HOME", str(tmp_path / "user"))
        write_toml(project, 'home = "~/fc"\n')
        assert load_settings().home == tmp_path / "user" / "fc"

    def test_absolute_path_in_toml_is_kept(self, project, tmp_path):
        write_toml(project, f'home = "{(tmp_path / "elsewhere").as_posix()}"\n')
        assert load_settings().home == tmp_path / "elsewhere"

    def test_tilde_in_override_is_expanded(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("HOME", str(tmp_path / "user"))
        settings = load_settings(home="~/fc", models_dir="~/m")
        assert settings.home == tmp_path / "user" / "fc"
        assert settings.models_dir == tmp_path / "user" / "m"

    def test_model_dir_defaults_to_home_models(self, project, tmp_path):
        settings = load_settings(home=tmp_path / "h")
        assert settings.models_dir is None
        assert settings.model_dir == tmp_path / "h" / "models"

    def test_models_dir_setting_replaces_the_default(self, project, tmp_path, monkeypatch):
        monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "m"))
        settings = load_settings(home=tmp_path / "h")
        assert settings.model_dir == tmp_path / "m"

    def test_store_lives_under_home(self, project, tmp_path):
        assert load_settings(home=tmp_path / "h").store_dir == tmp_path / "h" / "store"

    def test_max_file_bytes_converts_megabytes(self, project):
        assert load_settings(max_file_mb=0.5).max_file_bytes == 512 * 1024


class TestValidation:
    def test_overlap_equal_to_chunk_size_is_a_config_error(self, project):
        with pytest.raises(ConfigError, match="chunk_overlap_tokens"):
            load_settings(chunk_tokens=32, chunk_overlap_tokens=32)

    def test_bad_integer_in_environment_names_the_field(self, project, monkeypatch):
        monkeypatch.setenv("FACTCHECK_CHUNK_TOKENS", "lots")
        with pytest.raises(ConfigError, match="chunk_tokens"):
            load_settings()

    def test_bad_integer_in_toml_names_the_field(self, project):
        write_toml(project, 'n_ctx = "big"\n')
        with pytest.raises(ConfigError, match="n_ctx"):
            load_settings()

    def test_value_below_minimum_names_the_field(self, project):
        with pytest.raises(ConfigError, match="n_threads"):
            load_settings(n_threads=0)

    def test_unknown_key_in_toml_is_a_config_error_naming_it(self, project):
        write_toml(project, 'modle = "typo"\n')
        with pytest.raises(ConfigError, match="modle"):
            load_settings()

    def test_config_error_keeps_the_validation_error_as_cause(self, project):
        with pytest.raises(ConfigError) as info:
            load_settings(chunk_tokens=8)
        assert info.value.__cause__ is not None

    def test_malformed_toml_is_a_config_error_naming_the_file(self, project):
        write_toml(project, "chunk_tokens = \n")
        with pytest.raises(ConfigError, match="factcheck.toml"):
            load_settings()

    @given(chunk=st.integers(16, 4096), overlap=st.integers(0, 4096))
    def test_settings_accept_exactly_the_overlaps_smaller_than_the_chunk(self, chunk, overlap):
        # No cwd toml matters here: init kwargs beat every other source for these two fields.
        if overlap < chunk:
            settings = Settings(chunk_tokens=chunk, chunk_overlap_tokens=overlap)
            assert settings.chunk_overlap_tokens < settings.chunk_tokens
        else:
            with pytest.raises(ConfigError):
                load_settings(chunk_tokens=chunk, chunk_overlap_tokens=overlap)
