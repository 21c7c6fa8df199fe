"""Turning `--model NAME` / `--embedder PATH` into a file on disk, and into a store key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from factcheck.errors import ConfigError, ModelNotProvisioned, UnknownPreset
from factcheck.models.presets import PRESETS, ModelRole, preset_names
from factcheck.models.resolve import ResolvedModel, find_preset, model_key, resolve, slugify


def provision(models_dir: Path, name: str) -> Path:
    """Put an (empty) file where the preset's model is expected (a folder, for a verifier)."""
    path = models_dir / PRESETS[name].filename
    if PRESETS[name].role is ModelRole.VERIFIER:
        path.mkdir(parents=True, exist_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF")
    return path


class TestPresetNames:
    @pytest.mark.parametrize("name", sorted(PRESETS))
    def test_provisioned_preset_resolves_to_its_file(self, tmp_path, name):
        path = provision(tmp_path, name)
        resolved = resolve(name, PRESETS[name].role, tmp_path)
        assert resolved == ResolvedModel(name=name, path=path, preset=PRESETS[name])

    def test_smoke_test_flag_comes_from_the_preset(self, tmp_path):
        provision(tmp_path, "smollm2-135m")
        provision(tmp_path, "qwen3-4b-instruct")
        assert resolve("smollm2-135m", ModelRole.LLM, tmp_path).smoke_test is True
        assert resolve("qwen3-4b-instruct", ModelRole.LLM, tmp_path).smoke_test is False

    @pytest.mark.parametrize("name", sorted(PRESETS))
    def test_missing_preset_file_tells_the_user_the_pull_command(self, tmp_path, name):
        with pytest.raises(ModelNotProvisioned) as info:
            resolve(name, PRESETS[name].role, tmp_path)
        assert f"factcheck models pull {name}" in str(info.value)
        assert str(tmp_path / PRESETS[name].filename) in str(info.value)

    def test_unknown_name_lists_every_preset(self, tmp_path):
        with pytest.raises(UnknownPreset) as info:
            resolve("gpt-17", None, tmp_path)
        assert "gpt-17" in str(info.value)
        for name in PRESETS:
            assert name in str(info.value)

    def test_unknown_name_with_a_role_lists_only_that_roles_presets(self, tmp_path):
        with pytest.raises(UnknownPreset) as info:
            resolve("gpt-17", ModelRole.EMBEDDING, tmp_path)
        message = str(info.value)
        assert all(name in message for name in preset_names(ModelRole.EMBEDDING))
        assert not any(name in message for name in preset_names(ModelRole.LLM))

    def test_embedder_preset_asked_for_as_chat_model_is_a_config_error(self, tmp_path):
        provision(tmp_path, "minilm-l6")
        with pytest.raises(ConfigError, match="minilm-l6"):
            resolve("minilm-l6", ModelRole.LLM, tmp_path)

    def test_chat_preset_asked_for_as_embedder_is_a_config_error(self):
        with pytest.raises(ConfigError, match="qwen3-4b-instruct"):
            find_preset("qwen3-4b-instruct", ModelRole.EMBEDDING)

    def test_wrong_role_is_reported_before_the_missing_file(self, tmp_path):
        # Pulling would not help: the user asked for the wrong kind of model.
        with pytest.raises(ConfigError):
            resolve("minilm-l6", ModelRole.LLM, tmp_path)

    def test_no_role_accepts_any_preset(self):
        assert find_preset("minilm-l6").role is ModelRole.EMBEDDING
        assert find_preset("smollm2-135m").role is ModelRole.LLM


class TestPaths:
    def test_existing_gguf_path_resolves_to_its_absolute_file(self, tmp_path, monkeypatch):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "My Model.gguf").write_bytes(b"GGUF")
        monkeypatch.chdir(tmp_path)
        resolved = resolve("sub/My Model.gguf", ModelRole.LLM, tmp_path / "models")
        assert resolved.path == (tmp_path / "sub" / "My Model.gguf").resolve()
        assert resolved.path.is_absolute()
        assert resolved.name == "My Model"
        assert resolved.preset is None and resolved.smoke_test is False

    def test_bare_gguf_file_name_is_a_path_not_a_preset(self, tmp_path, monkeypatch):
        (tmp_path / "local.gguf").write_bytes(b"GGUF")
        monkeypatch.chdir(tmp_path)
        assert resolve("local.gguf", ModelRole.EMBEDDING, tmp_path / "models").name == "local"

    def test_tilde_path_is_expanded(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HOME", str(tmp_path))
        (tmp_path / "m.gguf").write_bytes(b"GGUF")
        assert resolve("~/m.gguf", None, tmp_path / "models").path == (tmp_path / "m.gguf").resolve()

    def test_missing_gguf_path_is_not_provisioned_and_names_the_path(self, tmp_path):
        missing = tmp_path / "nope.gguf"
        with pytest.raises(ModelNotProvisioned, match="nope.gguf"):
            resolve(str(missing), ModelRole.LLM, tmp_path)

    def test_a_folder_named_like_a_gguf_is_not_a_model_file(self, tmp_path):
        (tmp_path / "dir.gguf").mkdir()
        with pytest.raises(ModelNotProvisioned):
            resolve(str(tmp_path / "dir.gguf"), ModelRole.LLM, tmp_path)


class TestModelKey:
    def test_preset_name_is_its_own_key(self):
        assert model_key("minilm-l6") == "minilm-l6"

    def test_path_key_is_the_slugged_file_stem(self):
        assert model_key("~/models/My Model (v2).gguf") == "My-Model-v2"
        assert model_key("C:\\models\\e5.gguf") == slugify(Path("C:\\models\\e5.gguf").stem)

    def test_key_of_a_path_matches_the_resolved_models_slug(self, tmp_path):
        # The store is opened by model_key(spec) but the embedder's id is the resolved slug:
        # if they ever differ, ingest and queries use different collections.
        path = tmp_path / "Nomic Embed v1.5.Q8_0.gguf"
        path.write_bytes(b"GGUF")
        assert model_key(str(path)) == resolve(str(path), ModelRole.EMBEDDING, tmp_path).slug

    def test_key_of_a_preset_matches_the_resolved_models_slug(self, tmp_path):
        provision(tmp_path, "minilm-l6")
        assert model_key("minilm-l6") == resolve("minilm-l6", ModelRole.EMBEDDING, tmp_path).slug

    def test_nothing_usable_falls_back_to_model(self):
        assert slugify("...") == "model"
        assert slugify("   ") == "model"
        assert model_key("") == "model"

    @given(st.text())
    def test_slug_uses_only_safe_characters_and_is_short(self, name):
        slug = slugify(name)
        assert re.fullmatch(r"[A-Za-z0-9._-]+", slug)
        assert len(slug) <= 60
        assert slug[0].isascii() and slug[0].isalnum()

    @given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,40}[A-Za-z0-9])?", fullmatch=True))
    def test_an_already_safe_name_is_kept_as_is(self, name):
        assert slugify(name) == name


def chroma_accepts(name: str) -> bool:
    """Chroma's collection-name rule (chromadb 1.x): 3-512 chars of [A-Za-z0-9._-], first and
    last alphanumeric, no '..', not an IPv4 address."""
    return (
        3 <= len(name) <= 512
        and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]", name) is not None
        and ".." not in name
        and re.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", name) is None
    )


# Names people give model files: dots, dashes, underscores and spaces in long runs.
model_like = st.text(alphabet=st.sampled_from("aZ09.-_ /é"), max_size=120)

STORE_COLLECTIONS = ("chunks", "sentences", "docs")  # the store's collections are named f"{kind}-{key}"
TRAILING_SEPARATOR_AFTER_CUT = "a" * 59 + " b"  # cut to 60 chars leaves "aaa…a-"
DOUBLE_DOT = "my..model.gguf"


class TestStoreNamesFromModelKey:
    @pytest.mark.parametrize("spec", ["minilm-l6", "./models/all-MiniLM-L6-v2.F32.gguf", "x", "", "日本語"])
    def test_ordinary_specs_give_valid_collection_names(self, spec):
        for collection in STORE_COLLECTIONS:
            assert chroma_accepts(f"{collection}-{model_key(spec)}")

    @given(spec=st.one_of(model_like, st.text()))
    @example(spec=TRAILING_SEPARATOR_AFTER_CUT)
    @example(spec=DOUBLE_DOT)
    def test_every_model_key_gives_valid_collection_names(self, spec):
        for collection in STORE_COLLECTIONS:
            assert chroma_accepts(f"{collection}-{model_key(spec)}")

    def test_store_opens_for_an_embedder_file_with_a_double_dot(self, tmp_path):
        from factcheck.store import CorpusStore

        CorpusStore(tmp_path / "store", model_key(DOUBLE_DOT))

    def test_store_opens_for_a_long_embedder_name(self, tmp_path):
        from factcheck.store import CorpusStore

        CorpusStore(tmp_path / "store", model_key(TRAILING_SEPARATOR_AFTER_CUT))
