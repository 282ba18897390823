"""The verb-first and character-first scans of verification find what their patterns find.

comparison_claims tries its pattern only near a comparison verb, the breakdown triggers look for
由 only with a 构成/组成 in reach, and TextIndex.locate bisects without bounds: each is compared
here with the plain pattern scan or bounded bisection it stands for, on random texts.
"""

from __future__ import annotations

import random
from bisect import bisect_left

import pytest

from summarizer import verify_breakdowns, verify_text
from summarizer.document import Document
from summarizer.schemas import Span

CASES = 3000


def _texts(pieces: list[str], seed: int, length: int = 30) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, length))) for _ in range(CASES)]


def _found(matches) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


@pytest.mark.parametrize("seed", [1, 2])
def test_amount_claims_are_the_patterns_matches(seed):
    pieces = [
        "决算", "实际支出", "实际", "执行数", "支出数", "预算", "大于", "高于", "超过", "多于", "小于", "低于",
        "少于", "于", "过", "大", "超", "数", "资金", "“", "”", "\"", "，", "。", " ", "1", "万元", "a",
    ]
    for text in _texts(pieces, seed):
        expected = _found(verify_text._AMOUNT_CLAIM.finditer(text))
        assert _found(verify_text._amount_claims(text)) == expected, text


@pytest.mark.parametrize("seed", [3, 4])
def test_triggers_reach_a_far_composed_word_as_the_lookahead_does(seed):
    # fillers of 1, 50 and 99 characters put 构成 on either side of the lookahead's 200
    pieces = ["由", "构成", "组成", "构", "组", "成", "。", "\n", "其中", "包括", "甲", "乙" * 50, "丙" * 99]
    for text in _texts(pieces, seed, 12):
        expected = _found(verify_breakdowns._TRIGGER.finditer(text))
        assert _found(verify_breakdowns._triggers(text)) == expected, text


def test_located_spans_are_the_bounded_bisection():
    rnd = random.Random(5)
    for _ in range(300):
        original = "".join(rnd.choice("ab \n") for _ in range(rnd.randint(0, 40)))
        kept = sorted(rnd.sample(range(len(original)), rnd.randint(0, len(original))))
        # the normalised text keeps some characters, one of them now and then twice
        offsets: list[int] = []
        for position in kept:
            offsets += [position] * rnd.choice((1, 1, 1, 2))
        offsets.append(len(original))
        document = Document("x", original, "".join(original[i] for i in offsets[:-1]), offsets)
        index = verify_text.TextIndex(document, [], [0], [0], [None])
        spans = []
        for _ in range(20):
            start = rnd.randint(-2, len(original) + 2)
            spans.append(Span.model_construct(start=start, end=start + rnd.randint(-1, 6)))
        last = len(offsets) - 1
        for span, located in zip(spans, index.locate(spans)):
            if span.start < 0 or span.end > len(original) or span.end < span.start:
                assert located is None
                continue
            start, end = bisect_left(offsets, span.start, 0, last), bisect_left(offsets, span.end, 0, last)
            if span.end > span.start and end <= start:
                end = start + 1
            assert located == (start, min(end, len(document.text)))
