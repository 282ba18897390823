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


# name -> (file name, bytes, words the error message must contain). Used by test_ingest
# (read_document) and test_bad_input (the CLI), so both check the same bad files.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    "empty": ("empty.txt", b"", "empty"),
    "whitespace only": ("blank.txt", " \n\t\r\n\u3000\n".encode("utf-8"), "only whitespace"),
    "bom only": ("bom.md", b"\xef\xbb\xbf", "only whitespace"),
    "png renamed": ("picture.txt", PNG_BYTES + bytes(range(256)) * 4, "binary"),
    "nul bytes": ("nul.txt", "收入合计".encode("utf-8") + b"\x00\x00\x01" * 50, "binary"),
    "control characters": ("controls.txt", bytes(range(1, 9)) * 100 + "预算".encode("utf-8"), "binary"),
    "undecodable": ("latin1.txt", "Résumé du budget: déjà payé, côté élève. ".encode("latin-1") * 20, "cannot decode"),
    "unsupported extension": ("report.rtf", "收入合计 100 万元".encode("utf-8"), "unsupported file type .rtf"),
    "no extension": ("README", "收入合计 100 万元".encode("utf-8"), "unsupported file type"),
    "corrupt docx": ("broken.docx", b"PK\x03\x04" + b"not really a zip" * 10, "corrupt"),
    "doc renamed docx": ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "corrupt"),
    "corrupt pdf": ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< garbage", "corrupt"),
    "corrupt xlsx": ("broken.xlsx", b"PK\x03\x04" + b"not really a zip" * 10, "corrupt"),
    "text named xls": ("sheet.xls", "收入合计 100 万元".encode("utf-8") * 10, "corrupt"),
}


@pytest.fixture
def bad_files(tmp_path) -> dict[str, tuple[Path, str]]:
    """Write every BAD_FILES case into tmp_path/bad; name -> (path, expected words)."""
    folder = tmp_path / "bad"
    folder.mkdir()
    made = {}
    for name, (file_name, data, words) in BAD_FILES.items():
        path = folder / file_name
        path.write_bytes(data)
        made[name] = (path, words)
    return made


@pytest.fixture(params=list(BAD_FILES))
def bad_file(request, tmp_path) -> tuple[Path, str]:
    """One BAD_FILES case at a time (tests using it run once per case): (path, expected words)."""
    file_name, data, words = BAD_FILES[request.param]
    path = tmp_path / file_name
    path.write_bytes(data)
    return path, words
