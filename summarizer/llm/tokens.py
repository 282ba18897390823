"""Token counting for prompt budgets and usage: tiktoken when its encoding loads, an estimate when not.

`encoding` (setting `encoding`, default cl100k_base) is either a tiktoken encoding name or the
path of a local `.tiktoken` BPE file (base64 token and rank per line, the format tiktoken
downloads). tiktoken fetches named encodings from the network on first use and caches them in
TIKTOKEN_CACHE_DIR; on a machine with no network and no cached file the encoding cannot load.
Then the count falls back to a documented estimate, and a warning is logged once per encoding:

    estimate = (CJK characters) * 1  +  ceil((other non-space characters) / 4)  +  ceil(spaces / 4)

i.e. one token per Chinese/Japanese/Korean character and about four characters per token for
everything else (OpenAI's rule of thumb for English). It is rough: common Chinese characters
are one token in cl100k_base but rarer ones take two or three, so keep `input_budget` well
below the model's context window. The usage a server reports always wins over any local
count, and counts that are estimates are flagged (`TokenUsage.estimated`).

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


def estimate_tokens(text: str) -> int:
    """The documented fallback: 1 token per CJK character, ~4 characters per token otherwise."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    rest = len(text) - cjk
    return cjk + math.ceil(rest / 4)


def _load(encoding: str) -> Any:
    import tiktoken

    path = Path(encoding)
    if encoding.endswith(".tiktoken") or path.is_file():
        from tiktoken.load import load_tiktoken_bpe

        ranks = load_tiktoken_bpe(str(path))
        return tiktoken.Encoding(name=path.stem, pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens={})
    return tiktoken.get_encoding(encoding)


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
                    "(1 per CJK character, ~4 characters per token otherwise). Put the encoding file "
                    "in TIKTOKEN_CACHE_DIR or set SUMMARIZER_ENCODING to a local .tiktoken file.",
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

    @property
    def estimated(self) -> bool:
        return self._encoding is None

    def count(self, text: str) -> int:
        if self._encoding is None:
            return estimate_tokens(text)
        return len(self._encoding.encode(text, disallowed_special=()))

    def count_messages(self, messages: list[dict[str, Any]]) -> int:
        """Tokens of a chat request: contents plus OpenAI's ~4 tokens of framing per message."""
        total = 3
        for message in messages:
            content = message.get("content") or ""
            total += 4 + self.count(content if isinstance(content, str) else str(content))
        return total
