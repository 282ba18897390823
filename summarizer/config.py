"""Settings, resolved once into a frozen, validated object.

Precedence: command-line flag > environment (SUMMARIZER_*) > config file (TOML, given by
--config or SUMMARIZER_CONFIG) > defaults. Nothing here reads the environment at import
time; `resolve_settings` is called by the CLI (or a test) with the mappings it wants.
Unknown keys are rejected so a typo in a config file is an error, not a silent default.
The API key itself is never stored here: only the *name* of the variable that holds it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

BackendName = Literal["rules", "llm", "hybrid"]
InstructorMode = Literal["tools", "json", "md_json"]
OUTPUT_FORMATS = ("json", "md", "html", "docx")

ENV_PREFIX = "SUMMARIZER_"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # real reports are tens of KB; 20 MB is refused
# The text a report may hold once decoded: a long report is about 150,000 characters, and up to
# this bound every stage finishes in seconds and a few hundred MB whatever the text holds
# (measured on generated worst cases: one-line dumps, deep tables, 30,000 headings).
DEFAULT_MAX_CHARS = 500_000
DEFAULT_CONTEXT_TOKENS = 32000  # current hosted endpoints offer 32k-128k; Ollama's default is far smaller


class Settings(BaseModel):
    """Everything a run needs to know, validated and immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: BackendName = "rules"
    formats: tuple[str, ...] = ("json",)
    templates_dir: Path | None = None
    max_bytes: int = Field(DEFAULT_MAX_BYTES, gt=0)
    max_chars: int = Field(DEFAULT_MAX_CHARS, gt=0)
    verify: bool = True
    # Processes for rules batches (CPU-bound); 1 runs everything in this process.
    workers: int = Field(default_factory=lambda: min(2, os.cpu_count() or 1), ge=1, le=64)
    suggestions_file: Path | None = None  # extra 改进措施 library merged over the built-in one

    # LLM backend (only read when backend is llm or hybrid)
    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    mode: InstructorMode = "json"
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    timeout: float = Field(60.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    concurrency: int = Field(4, ge=1, le=64)
    cache_dir: Path | None = None
    cache: bool = True
    encoding: str = "cl100k_base"  # a tiktoken encoding name or a local .tiktoken file
    # The model's context window in tokens. A report that fits (with the prompt, the schema and
    # room for the answer) is one request; a longer one is split at its sections.
    context_tokens: int = Field(DEFAULT_CONTEXT_TOKENS, ge=2048)
    fallback: bool = True  # on LLM failure use the rules result (with a warning) instead of failing
    prompts_dir: Path | None = None  # a folder of prompt templates overriding the built-in ones

    @field_validator("formats", mode="before")
    @classmethod
    def _split_formats(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return tuple(value)

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [fmt for fmt in value if fmt not in OUTPUT_FORMATS]
        if unknown:
            raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(OUTPUT_FORMATS)}")
        return value

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Read the API key from the environment at the moment it is needed."""
        return (environ if environ is not None else os.environ).get(self.api_key_env) or None


def _env_values(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    return values


def _file_values(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config file not found; fix --config or SUMMARIZER_CONFIG", path=path) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file is not valid TOML ({exc})", path=path) from None
    # Accept either top-level keys or a [summarizer] table.
    return dict(data.get("summarizer", data))


def resolve_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge defaults, config file, environment and flags (in rising precedence)."""
    environ = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    file_path = config_file or (Path(environ[ENV_PREFIX + "CONFIG"]) if environ.get(ENV_PREFIX + "CONFIG") else None)
    if file_path is not None:
        merged.update(_file_values(file_path))
    merged.update(_env_values(environ))
    merged.update({key: value for key, value in (flags or {}).items() if value is not None})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
