"""Settings: one typed object read from CLI options, FACTCHECK_* environment variables,
a `factcheck.toml` in the working directory, and defaults, in that order of precedence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from factcheck.models.presets import DEFAULT_EMBEDDER, DEFAULT_MODEL, DEFAULT_VERIFIER

CONFIG_FILE = "factcheck.toml"
# Who judges each document's stance: the chat model, the verifier (a cross-encoder), both, or
# neither (retrieval similarity and the deterministic checks alone, as --no-model).
JUDGE_CHOICES = ("llm", "verifier", "llm+verifier", "none")
_PATH_KEYS = ("home", "models_dir")


class _RelativeTomlSource(TomlConfigSettingsSource):
    """A factcheck.toml whose relative paths mean 'relative to the file', not to whoever runs us."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls, toml_file=path)
        self._base = path.resolve().parent

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        for key in _PATH_KEYS:
            if isinstance(data.get(key), str):
                data[key] = str(self._base / Path(data[key]).expanduser())
        return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACTCHECK_", extra="forbid")

    home: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("factcheck")),
        description="Where the vector store lives (and models, unless models_dir is set).",
    )
    models_dir: Path | None = Field(None, description="Where model files live; default HOME/models.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Chat model: a preset name, a path to a .gguf file, or an OpenAI-compatible server's URL "
        "(http://HOST:PORT/v1, the served model's name after #).",
    )
    embedder: str = Field(DEFAULT_EMBEDDER, description="Embedding model: a preset name or a .gguf path.")
    judge: str = Field("llm", description="Stance judge: llm, verifier, llm+verifier or none.")
    verifier: str = Field(
        DEFAULT_VERIFIER,
        description="Verifier judge: a preset name or a folder with model.onnx, tokenizer.json and config.json.",
    )
    verifier_weight: float | None = Field(
        None, ge=0.0, le=1.0, description="How much the verifier's labels count (0..1); default: the preset's."
    )
    chunk_tokens: int = Field(192, ge=16, description="Largest chunk, in the embedder's word pieces.")
    chunk_overlap_tokens: int = Field(48, ge=0, description="Sentences repeated between chunks, in word pieces.")
    max_file_mb: float = Field(10.0, gt=0, description="Files (and fetched pages) larger than this are skipped.")
    # The same default as factcheck.retrieve.MAX_DOCS_PER_CLAIM (tests/unit/test_doc_cap.py holds them equal).
    max_docs_per_claim: int = Field(
        20, ge=1, description="Documents judged per claim (the best-scoring; any where a check fires besides)."
    )
    fetch_timeout_s: float = Field(20.0, gt=0, description="Seconds to wait for a server to connect, or to send more.")
    fetch_max_redirects: int = Field(5, ge=0, description="Redirects followed when fetching a URL; more are refused.")
    n_threads: int | None = Field(None, ge=1, description="CPU threads for llama.cpp; default: all cores.")
    n_ctx: int = Field(4096, ge=512, description="Context window for the chat model.")
    llama_extra_buffers: bool = Field(
        False,
        description="Let llama.cpp repack weights into extra buffer types (AMX, CPU_REPACK). Off by default: "
        "the AMX repack crashes llama.cpp on AMX CPUs (ggml-org/llama.cpp#20824); see factcheck/models/llama.py.",
    )
    api_key: SecretStr | None = Field(
        None, description="Key for a model server (--model URL), sent as Authorization: Bearer."
    )
    served_model: str | None = Field(
        None,
        description="The model a server (--model URL) is asked for; default: the URL's #fragment, else the first "
        "model the server lists.",
    )
    model_timeout_s: float = Field(120.0, gt=0, description="Seconds to wait for a model server's answer.")
    model_retries: int = Field(
        3, ge=0, le=10, description="Times a model server request is retried after a timeout or a 5xx answer."
    )
    store_url: str | None = Field(
        None,
        description="A Chroma server to keep the corpus in (http(s)://HOST:PORT), instead of the embedded store "
        "in HOME/store; unset or empty: embedded.",
    )
    store_token: SecretStr | None = Field(
        None, description="Token for the Chroma server (sent as X-Chroma-Token and Authorization: Bearer)."
    )
    store_database: str = Field(
        "default_database",
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,510})[A-Za-z0-9]$",
        description="The database on the Chroma server (created on the first write).",
    )

    @field_validator("home", "models_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("store_url", mode="before")
    @classmethod
    def _server_url(cls, value: object) -> object:
        return _store_url(value) if isinstance(value, str) else value

    @field_validator("store_token", mode="after")
    @classmethod
    def _header_safe_token(cls, value: SecretStr | None) -> SecretStr | None:
        token = value.get_secret_value() if value is not None else ""
        if not token:
            return None
        if not all(33 <= ord(c) < 127 for c in token):  # what Chroma's token auth accepts
            raise ValueError("must be ASCII letters, digits and punctuation only")
        return value

    @field_validator("judge", mode="before")
    @classmethod
    def _known_judge(cls, value: object) -> object:
        """One of JUDGE_CHOICES; "verifier+llm" and spaces are accepted and written canonically."""
        if not isinstance(value, str):
            return value
        parts = sorted({part.strip().lower() for part in value.split("+")} - {""})
        canonical = "+".join(parts)
        if canonical not in JUDGE_CHOICES:
            raise ValueError(f"must be one of {', '.join(JUDGE_CHOICES)}, not {value!r}")
        return canonical

    @property
    def judges(self) -> tuple[str, ...]:
        """The judges asked, in order: () for none."""
        return () if self.judge == "none" else tuple(self.judge.split("+"))

    @model_validator(mode="after")
    def _overlap_smaller_than_chunk(self) -> Settings:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("chunk_overlap_tokens must be smaller than chunk_tokens")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = Path.cwd() / CONFIG_FILE
        if config_file.is_file():
            sources.append(_RelativeTomlSource(settings_cls, config_file))
        return tuple(sources)

    @property
    def model_dir(self) -> Path:
        return self.models_dir if self.models_dir is not None else self.home / "models"

    @property
    def store_dir(self) -> Path:
        return self.home / "store"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def _store_url(value: str) -> str | None:
    """A Chroma server's base URL, without a trailing slash; None for "" (the embedded store)."""
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"must be an http:// or https:// URL of a Chroma server, like http://127.0.0.1:8000, not {value!r}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("must be the server's address only: put a token in FACTCHECK_STORE_TOKEN")
    try:
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"has a bad port: {value!r}") from exc
    return url


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, dropping overrides that were not given (None) so lower sources still apply."""
    import tomllib

    from pydantic import ValidationError

    from factcheck.errors import ConfigError

    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{Path.cwd() / CONFIG_FILE} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
