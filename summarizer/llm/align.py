"""Align an evidence quote from a model to a span of the source text. No I/O.

The model proposes a quote; this module finds where, if anywhere, the report says it. Three
passes, each first inside the windows the quote should come from (the chunk the model was
shown) and then anywhere in the text:

1. exact: the quote occurs verbatim;
2. normalised: it occurs once both sides are NFKC-folded (full-width digits and punctuation),
   lower-cased and stripped of whitespace and table/markdown marks (| * #) — models re-flow
   lines and drop the tabs of table rows;
3. fuzzy: per character (so Chinese counts one per character), the best window around the
   longest common run scores at least `threshold` on difflib's ratio 2·M / (|quote| + |window|).

A quote with an ellipsis ("A……B") is aligned by its first and last pieces. The result is
always offsets into the text that was given, computed here, never an offset a model stated.
Quotes that cannot be aligned return None; the caller drops or flags the item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property, lru_cache

from ..schemas import Alignment

DEFAULT_THRESHOLD = 0.8
MIN_FUZZY_CHARS = 6  # shorter quotes must match exactly or after normalisation
_ELLIPSIS = re.compile(r"(?:…+|\.{3,}|。{3,})")
_DROP = re.compile(r"[\s|*#>`]")
_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "、": ","})


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    alignment: Alignment
    score: float = 1.0


@lru_cache(maxsize=16384)
def _fold_char(char: str) -> str:
    """One source character folded (possibly to several characters, or none)."""
    if _DROP.match(char):
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", char).translate(_FOLD).lower())


def _normalise(text: str) -> tuple[str, list[int]]:
    """Folded text and, per folded character, the index of the source character it came from."""
    chars: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        # A report uses a few hundred distinct characters: fold each once (cached), not per use.
        for piece in _fold_char(char):
            chars.append(piece)
            index.append(position)
    return "".join(chars), index


class Aligner:
    """Aligns many quotes against one text; the folded text is computed once, when first needed."""

    def __init__(self, text: str, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.text = text
        self.threshold = threshold

    @cached_property
    def _normalised_text(self) -> tuple[str, list[int]]:
        # Folded once, and only when a quote is not found verbatim (most are).
        return _normalise(self.text)

    @property
    def folded(self) -> str:
        return self._normalised_text[0]

    @property
    def index(self) -> list[int]:
        return self._normalised_text[1]

    # -- public ---------------------------------------------------------------------------

    def align(self, quote: str, windows: Sequence[tuple[int, int]] = (), *, anywhere: bool = True) -> Match | None:
        """Where the text says `quote`: first inside `windows`, then (unless `anywhere` is off)
        anywhere in the text."""
        quote = (quote or "").strip()
        if not quote:
            return None
        scopes = [*windows, (0, len(self.text))] if anywhere else list(windows)
        for strategy in (self._exact, self._normalised, self._fuzzy):
            for start, end in scopes:
                found = strategy(quote, start, end)
                if found is not None:
                    return found
        return self._elided(quote, scopes)

    # -- passes ---------------------------------------------------------------------------

    def _exact(self, quote: str, start: int, end: int) -> Match | None:
        at = self.text.find(quote, start, end)
        return None if at < 0 else Match(at, at + len(quote), Alignment.EXACT)

    def _folded_range(self, start: int, end: int) -> tuple[int, int]:
        from bisect import bisect_left

        return bisect_left(self.index, start), bisect_left(self.index, end)

    def _to_source(self, folded_start: int, folded_end: int) -> tuple[int, int]:
        return self.index[folded_start], self.index[folded_end - 1] + 1

    def _normalised(self, quote: str, start: int, end: int) -> Match | None:
        needle, _ = _normalise(quote)
        if not needle:
            return None
        lo, hi = self._folded_range(start, end)
        at = self.folded.find(needle, lo, hi)
        if at < 0:
            return None
        source_start, source_end = self._to_source(at, at + len(needle))
        return Match(source_start, source_end, Alignment.NORMALISED)

    def _fuzzy(self, quote: str, start: int, end: int) -> Match | None:
        needle, _ = _normalise(quote)
        if len(needle) < MIN_FUZZY_CHARS:
            return None
        lo, hi = self._folded_range(start, end)
        haystack = self.folded[lo:hi]
        if not haystack:
            return None
        matcher = SequenceMatcher(None, needle, haystack, autojunk=False)
        anchor = matcher.find_longest_match(0, len(needle), 0, len(haystack))
        if anchor.size < max(2, len(needle) // 5):
            return None
        slack = len(needle) // 4 + 2
        region_start = max(0, anchor.b - anchor.a - slack)
        region_end = min(len(haystack), anchor.b - anchor.a + len(needle) + slack)
        region = haystack[region_start:region_end]
        blocks = [block for block in SequenceMatcher(None, needle, region, autojunk=False).get_matching_blocks() if block.size]
        if not blocks:
            return None
        matched = sum(block.size for block in blocks)
        first, last = blocks[0].b, blocks[-1].b + blocks[-1].size
        score = 2 * matched / (len(needle) + (last - first))
        if score < self.threshold:
            return None
        source_start, source_end = self._to_source(lo + region_start + first, lo + region_start + last)
        return Match(source_start, source_end, Alignment.FUZZY, round(score, 3))

    def _elided(self, quote: str, scopes: list[tuple[int, int]]) -> Match | None:
        pieces = [piece.strip() for piece in _ELLIPSIS.split(quote) if piece.strip()]
        if len(pieces) < 2:
            return None
        head, tail = pieces[0], pieces[-1]
        for start, end in scopes:
            first = self._exact(head, start, end) or self._normalised(head, start, end)
            if first is None:
                continue
            last = self._exact(tail, first.end, end) or self._normalised(tail, first.end, end)
            if last is not None and last.start - first.end <= 4 * len(quote) + 200:
                return Match(first.start, last.end, Alignment.FUZZY, 0.0)
        return None


def align(quote: str, text: str, windows: Sequence[tuple[int, int]] = (), threshold: float = DEFAULT_THRESHOLD) -> Match | None:
    """Align one quote against one text (see Aligner for many quotes)."""
    return Aligner(text, threshold).align(quote, windows)
