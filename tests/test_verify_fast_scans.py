"""The literal-first scans of verification find exactly what their patterns find.

Verification avoids running a pattern over the whole text when the pattern can only match at a
known word or character (a whole-text regex scan costs more than the rest of a check). Each
such scan is compared here with the plain `pattern.finditer` / `search` it stands for, on
random texts built from the words the patterns are about, so a pattern edited without its
scan fails here rather than silently missing matches.
"""

from __future__ import annotations

import random
import re

import pytest

from summarizer import verify, verify_breakdowns

CASES = 4000


def _texts(pieces: list[str], seed: int, length: int = 25) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, length))) for _ in range(CASES)]


def _leading_literals(pattern: re.Pattern[str]) -> list[str]:
    """The literal characters each top-level alternative of a pattern starts with."""
    parsed = re._parser.parse(pattern.pattern)  # type: ignore[attr-defined]
    branches = parsed[0][1][1] if parsed[0][0] is re._constants.BRANCH else [parsed]  # type: ignore[attr-defined]
    leads = []
    for branch in branches:
        word = ""
        for op, value in branch:
            if op is not re._constants.LITERAL:  # type: ignore[attr-defined]
                break
            word += chr(value)
        leads.append(word)
    return leads


def test_every_breakdown_trigger_starts_with_a_word_the_scan_looks_for():
    words = ("其中", "包括", "由")
    for lead in _leading_literals(verify_breakdowns._TRIGGER):
        assert any(lead.startswith(word) for word in words), lead


@pytest.mark.parametrize("seed", [1, 2])
def test_breakdown_triggers_are_the_patterns_matches(seed):
    pieces = ["其中", "包括", "由", "构成", "组成", "：", ":", "。", "；", "\n", " ", "1", "万元", "其", "中", "由于", "分别"]
    for text in _texts(pieces, seed):
        expected = [(m.start(), m.end(), m.group()) for m in verify_breakdowns._TRIGGER.finditer(text)]
        assert [(m.start(), m.end(), m.group()) for m in verify_breakdowns._triggers(text)] == expected, text


@pytest.mark.parametrize("seed", [1, 2])
def test_lines_ending_in_a_colon_are_every_such_line(seed):
    pieces = ["a", "具体如下", "：", ":", "\n", " ", "\t", "\u3000", "\r", "其中"]
    for text in _texts(pieces, seed):
        position, expected = 0, []
        for line in text.split("\n"):
            if line.rstrip().endswith(("：", ":")):
                expected.append((position, line))
            position += len(line) + 1
        assert list(verify_breakdowns._colon_lines(text)) == expected, text


def _band_texts(seed: int) -> list[str]:
    """Texts of grade-band statements ("90分（含）以上为优", "80-89分为良") with random slips."""
    rnd = random.Random(seed)
    slots = [
        ["", "1", "12", "90", "100", "1234"], ["", " ", "\u3000", "\n"], ["", "分", "分分"], ["", " "],
        ["", "（", "(", "-", "—", "至", "到", "~", "～"], ["", "含", "含"], ["", "）", ")"], ["", " "],
        ["", "以上", "及以上", "89", "100"], ["", "分", "，", "的"], ["", "为", "评为", "定为"], ["", "“"],
        ["优", "良", "中等", "差", "合格", "不合格", "x"],
    ]
    return ["".join("".join(rnd.choice(slot) for slot in slots) for _ in range(rnd.randint(1, 4))) for _ in range(CASES)]


@pytest.mark.parametrize("seed", [1, 2])
def test_stated_grade_bands_are_the_patterns_matches(seed):
    pieces = [
        "9", "90", "100", "85", "1234", " ", "\u3000", "\n", "分", "（", "(", "含", "）", ")", "以上", "及以上",
        "为", "评为", "“", "优", "良", "中", "差", "合格", "不合格", "优秀", "-", "—", "至", "到", "~", "～", "，", "。",
    ]
    for text in _texts(pieces, seed, length=30) + _band_texts(seed):
        for pattern, anchors, brackets in verify._BAND_ANCHORS:
            expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in verify._anchored_matches(pattern, text, anchors, brackets)] == expected, text
