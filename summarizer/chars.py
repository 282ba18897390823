"""Which characters are Chinese, tested by comparison.

A compiled character class holding a CJK range costs about 0.5-1 ms to compile (sre fills a
table of the whole BMP in Python), on every start and in every worker; the stages that only ask
"is this one character Han?" or "how many are?" ask here instead. No I/O, no dependencies.
"""

from __future__ import annotations

# The unified ideographs: what the genre's patterns write as [\u4e00-\u9fff].
HAN_FIRST, HAN_LAST = "\u4e00", "\u9fff"


def is_han(char: str) -> bool:
    """Is `char` in [\u4e00-\u9fff]?"""
    return HAN_FIRST <= char <= HAN_LAST


def han_count(text: str) -> int:
    """len(re.findall(r"[\u4e00-\u9fff]", text))."""
    return sum(1 for char in text if HAN_FIRST <= char <= HAN_LAST)


def is_cjk(char: str) -> bool:
    """Is `char` in [\u3400-\u9fff\uf900-\ufaff] (extension A, the unified and the compatibility
    ideographs: normalise's CJK)?"""
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"
