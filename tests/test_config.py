"""Settings precedence: flag > environment > config file > defaults; unknown keys rejected."""

from __future__ import annotations

import pytest

from summarizer.config import Settings, resolve_settings
from summarizer.errors import ConfigError


def test_defaults():
    settings = resolve_settings(environ={})
    assert settings.backend == "rules" and settings.formats == ("json",)


def test_precedence(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('backend = "llm"\ntimeout = 5\nconcurrency = 3\n', encoding="utf-8")
    environ = {"SUMMARIZER_TIMEOUT": "7", "SUMMARIZER_CONFIG": str(config)}
    settings = resolve_settings(flags={"concurrency": 9, "backend": None}, environ=environ)
    assert settings.backend == "llm"  # from the file
    assert settings.timeout == 7  # env beats file
    assert settings.concurrency == 9  # flag beats both


def test_unknown_key_in_file_is_an_error(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text("bakend = 'rules'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bakend"):
        resolve_settings(environ={}, config_file=config)


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(Exception):
        settings.backend = "llm"  # type: ignore[misc]


def test_api_key_is_read_only_when_asked():
    settings = resolve_settings(environ={"SUMMARIZER_API_KEY_ENV": "MY_KEY"})
    assert settings.api_key({"MY_KEY": "secret"}) == "secret"
    assert "secret" not in settings.model_dump_json()


def test_context_tokens_flag_beats_environment_beats_default():
    assert resolve_settings(environ={}).context_tokens == 32000
    environ = {"SUMMARIZER_CONTEXT_TOKENS": "8192"}
    assert resolve_settings(environ=environ).context_tokens == 8192
    assert resolve_settings(flags={"context_tokens": 131072}, environ=environ).context_tokens == 131072
    with pytest.raises(ConfigError, match="context_tokens"):
        resolve_settings(environ={"SUMMARIZER_CONTEXT_TOKENS": "512"})


def test_the_old_input_budget_key_is_rejected_not_ignored(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text("input_budget = 6000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="input_budget"):
        resolve_settings(environ={}, config_file=config)
