"""Shared fixtures: the real sample reports and default settings. Keep this file small."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted(SAMPLES_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    assert SAMPLE_FILES, f"no sample reports in {SAMPLES_DIR}"
    return SAMPLE_FILES


@pytest.fixture
def settings():
    """Default settings, independent of the caller's SUMMARIZER_* environment."""
    from summarizer.config import resolve_settings

    return resolve_settings(environ={})
