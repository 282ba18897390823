"""A response cache on disk (sqlite), so re-runs and evaluation runs cost no requests.

A cached entry is the validated response of one request, keyed by a SHA-256 over everything
that decides the answer: endpoint, model, instructor mode, temperature, prompt hash, response
schema and the messages (which carry the report text). The API key is never part of the key or
the row: a cache file can be shared or attached to a bug report.

Safe for the batch's threads (one connection behind a lock) and for several processes (WAL).
A cache that cannot be used (the folder is a file or read-only, the file is not a database)
never stops a run: one warning is logged and the run goes on uncached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "llm-cache.sqlite"

log = logging.getLogger("summarizer.llm")


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    environ = dict(os.environ) if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summarizer"


def cache_key(**parts: Any) -> str:
    """A stable hash of the request's deciding parts (JSON, sorted keys, UTF-8)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    response: str  # the validated response model as JSON
    input_tokens: int
    output_tokens: int


class ResponseCache:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        try:
            if Path(folder).exists() and not Path(folder).is_dir():
                raise NotADirectoryError(20, "not a folder", str(folder))
            Path(folder).mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            with self._lock, self._connection:
                self._connection.execute("PRAGMA journal_mode=WAL")
                self._connection.execute(
                    """CREATE TABLE IF NOT EXISTS responses (
                        key TEXT PRIMARY KEY,
                        model TEXT NOT NULL,
                        prompt_hash TEXT NOT NULL,
                        schema_hash TEXT NOT NULL,
                        response TEXT NOT NULL,
                        input_tokens INTEGER NOT NULL,
                        output_tokens INTEGER NOT NULL,
                        created REAL NOT NULL
                    )"""
                )
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)

    @property
    def usable(self) -> bool:
        return self._connection is not None

    def _disable(self, exc: Exception) -> None:
        """Stop using the cache after its first fault, with one warning saying what to fix."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except sqlite3.Error:
                pass
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        log.warning(
            "LLM response cache %s cannot be used (%s); running without a cache "
            "(set SUMMARIZER_CACHE_DIR to a writable folder, or pass --no-cache)",
            self.path,
            reason,
        )

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            if self._connection is None:
                return None
            try:
                row = self._connection.execute(
                    "SELECT response, input_tokens, output_tokens FROM responses WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._disable(exc)
                return None
        return None if row is None else CachedResponse(*row)

    def put(self, key: str, *, model: str, prompt_hash: str, schema_hash: str, entry: CachedResponse) -> None:
        with self._lock:
            if self._connection is None:
                return
            try:
                with self._connection:
                    self._connection.execute(
                        "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, model, prompt_hash, schema_hash, entry.response, entry.input_tokens, entry.output_tokens, time.time()),
                    )
            except sqlite3.Error as exc:
                self._disable(exc)

    def __len__(self) -> int:
        with self._lock:
            if self._connection is None:
                return 0
            return self._connection.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
