"""The glued form header is searched with a look-ahead on the characters a header can start
with (grid._first_chars reads them from the regex parser). That look-ahead must never change
what is found: these tests pin it to the plain pattern, so a change in Python's private regex
parser shows here rather than as headers silently missed."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from summarizer import grid

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _plain() -> re.Pattern[str]:
    alternatives = "|".join(f"(?:{entry.pattern.pattern})" for entry in grid._GENRE.form_glued_columns)
    return re.compile(rf"(?:(?:{alternatives})[ ]*){{3,8}}")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("年初预算数?", "[年]"),
        ("(?:全年|年度)?预算数", "[全年预]"),
        ("分值|权重", "[分权]"),
        ("[ab]c|d", "[abd]"),
        (r"\w+", None),  # a category: any character may start it
        ("(?i:a)b", None),  # a case-insensitive start: the class would miss the other case
        ("x?", None),  # may match nothing
    ],
)
def test_first_chars(pattern, expected) -> None:
    assert grid._first_chars(pattern) == expected


def test_the_look_ahead_finds_what_the_plain_header_pattern_finds() -> None:
    fast, plain = grid._glued_header(), _plain()
    assert fast is not None and fast.pattern != plain.pattern  # the look-ahead is in use
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(SAMPLES.glob("*.txt"))]
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in sorted(CORPUS.glob("*.txt"))]
    words = ["年初预算数", "调整后预算数", "全年预算数", "预算数", "执行数", "执行率", "分值", "权重", "得分", "（A）", "(B/A)", " ", "合计", "项目"]
    rng = random.Random(7)
    texts += ["".join(rng.choice(words) for _ in range(rng.randrange(1, 12))) for _ in range(3000)]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
