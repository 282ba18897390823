"""Verification's faster readings give exactly what the readings they replace give.

Each is held to its reference on random inputs: comparison claims read by hand near a comparison
verb, and table total labels read by hand (the patterns they replace are kept here); breakdown
triggers with 由 tried only where a 构成/组成 is in reach; TextIndex.locate's unbounded bisection;
a row's cells read together; fmt's str() path; one pattern for targets and actual values against
the two it replaces.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left
from decimal import Decimal

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


# The pattern comparison_claims reads by hand (verify_text._amount_claim_at).
AMOUNT_CLAIM = re.compile(
    r"(?P<left>决算|实际支出|实际|执行数|支出数|预算)[\u3400-\u9fff“”\"]{0,10}?"
    r"(?P<verb>大于|高于|超过|多于|小于|低于|少于)[\u3400-\u9fff“”\"]{0,14}?(?P<right>预算|决算|实际支出)"
)
CLAIM_PIECES = [
    "决算", "实际支出", "实际", "执行数", "支出数", "预算", "大于", "高于", "超过", "多于", "小于", "低于",
    "少于", "于", "过", "大", "超", "数", "资金", "“", "”", "\"", "，", "。", " ", "1", "万元", "a", "㐀", "\u9fff", "ꀀ",
]


def _claims(claims) -> list[tuple[int, int, tuple[str, str, str]]]:
    return [(claim.start, claim.end, (claim.left, claim.verb, claim.right)) for claim in claims]


@pytest.mark.parametrize("seed", [1, 2])
def test_amount_claims_are_the_patterns_matches(seed):
    for text in _texts(CLAIM_PIECES, seed):
        expected = _found(AMOUNT_CLAIM.finditer(text))
        assert _claims(verify_text._amount_claims(text)) == expected, text


@pytest.mark.parametrize("seed", [5, 6])
def test_a_claim_read_by_hand_is_the_patterns_match_at_each_start(seed):
    for text in _texts(CLAIM_PIECES, seed, 14):
        for start in range(len(text) + 1):
            claim = verify_text._amount_claim_at(text, start)
            expected = _found(filter(None, [AMOUNT_CLAIM.match(text, start)]))
            assert _claims(filter(None, [claim])) == expected, (text, start)


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
        # and, in text order, the spans of normalised ranges (as figures' spans are made)
        for a in sorted(rnd.sample(range(len(document.text) + 1), min(10, len(document.text) + 1))):
            spans.append(Span.model_construct(**document.span_fields(a, a + rnd.randint(0, 4))))
        last = len(offsets) - 1
        for span, located in zip(spans, index.locate(spans)):
            if span.start < 0 or span.end > len(original) or span.end < span.start:
                assert located is None
                continue
            start, end = bisect_left(offsets, span.start, 0, last), bisect_left(offsets, span.end, 0, last)
            if span.end > span.start and end <= start:
                end = start + 1
            assert located == (start, min(end, len(document.text)))


# The pattern verify_breakdowns._is_total reads by hand (on the label without its spaces).
TABLE_TOTAL = re.compile(r"^(?:其中[：:]?)?\s*(?:[\u4e00-\u9fff]{0,8}(?:合\s*计|总\s*计|小\s*计|总\s*额)|总\s*额)[:：]?$")


def test_a_total_label_read_by_hand_is_the_patterns_match():
    rnd = random.Random(7)
    words = ["合", "计", "总", "额", "小", "支", "出", "一", "\u9fff", "\u4e00", "㐀", "a", "1", "（", "：", " ", "\n"]
    for _ in range(CASES):
        label = rnd.choice(["", "其中", "其中：", "其中:", "其", " 其 中 ：", "中"])
        label += "".join(rnd.choice(words) for _ in range(rnd.choice((0, 1, 3, 6, 7, 8, 9, 10))))
        label += rnd.choice(["合计", "总 计", "小计", "总额", "合", "额", "计总", ""]) + rnd.choice(["", ":", "：", "::", " "])
        verify_breakdowns._is_total.cache_clear()
        expected = bool(TABLE_TOTAL.match(re.sub(r"\s+", "", label)))
        assert verify_breakdowns._is_total(label) == expected, label


def test_cells_of_spans_with_gaps_are_each_cell_alone():
    # a cell-per-line row's number lines, with blank and note lines between them
    from summarizer.document import plain_document

    rnd = random.Random(8)
    pieces = ["12", "3.5万元", " 7 ", "98%", "说明 12 项", "", "—", "1 2", "40 |"]
    for _ in range(1500):
        lines = [rnd.choice(pieces) for _ in range(rnd.randint(1, 7))]
        text = "\n".join(lines)
        index = verify_text.TextIndex.build(plain_document(text))
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        spans = [(a, a + len(line)) for a, line in zip(starts, lines) if rnd.random() < 0.6]
        expected = [verify_breakdowns._cell(index, a, b) for a, b in spans]
        assert verify_breakdowns._cells(index, spans) == expected, (text, spans)


def test_fmt_writes_a_decimal_as_its_fixed_point_format():
    rnd = random.Random(9)
    specials = [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("-0"), Decimal("0E+3"), Decimal("0.000")]
    values = specials + [
        Decimal(rnd.randint(-10**rnd.randint(0, 12), 10**rnd.randint(0, 12))).scaleb(rnd.randint(-12, 8))
        for _ in range(CASES)
    ]
    for value in values:
        expected = format(value.normalize(), "f")
        assert verify_text.fmt(value) == ("0" if expected in ("-0", "") else expected), value


def test_targets_and_actuals_read_by_one_pattern_as_by_their_own():
    from summarizer import verify_indicators as vi

    number, unit = r"(?P<number>\d+(?:\.\d+)?)", r"(?P<unit>%|[\u3400-\u9fff]{1,2}(?:/[\u3400-\u9fff]{1,2})?)?"
    target = re.compile(
        r"^(?P<operator>" + "|".join(re.escape(o) for o in vi._OPERATORS) + r")?\s*" + number + r"\s*" + unit
        + r"\s*(?P<suffix>以上|以下|以内|及以上|及以下)?$"
    )
    actual = re.compile(r"^(?:完成|达到|实际|为)?\s*" + number + r"\s*" + unit + r"$")
    pieces = [
        *vi._OPERATORS, "完成", "达到", "实际", "为", "9", "95", ".", "5", "%", "人", "次", "天", "万元", "/", "以上",
        "以下", "以内", "及以上", "及", "上", " ", "，", "a", "１",
    ]
    # each value also reads through the target pattern's own groups, and a wrong reading would
    # show as a wrong operator, unit or suffix there
    read_targets = 0
    for value in _texts(pieces, 10, 5):
        vi._clean.cache_clear()
        cleaned = vi._clean(value)
        match, own = target.match(cleaned), vi._value_pattern().match(cleaned)
        parsed = vi._parse_target(value)
        assert (parsed is None) == (match is None), value
        if match is not None:
            read_targets += 1
            assert parsed[1:] == (Decimal(match.group("number")), match.group("unit") or ""), value
            assert (own.group("operator"), own.group("suffix")) == (match.group("operator"), match.group("suffix")), value
        match = actual.match(cleaned)
        parsed = vi._parse_actual(value)
        assert (parsed is None) == (match is None), value
        if match is not None:
            assert parsed == (Decimal(match.group("number")), match.group("unit") or ""), value
    assert read_targets > 100


@pytest.mark.parametrize("pattern", ["_GROWTH_WORD", "_CHANGE_AMOUNT", "_OF_BASE"])
def test_a_word_before_a_number_searched_within_bounds_as_in_a_slice(pattern):
    compiled = getattr(verify_text, pattern)
    pieces = ["增长", "增加", "下降了", "减少", "节约", "率", "幅度", "为", "达到", "了", "的", " ", "\n", "5", "万元", "a"]
    rnd = random.Random(11)
    for text in _texts(pieces, 12, 8):
        end = rnd.randint(0, len(text))
        start = max(0, end - rnd.randint(0, 10))
        bounded, sliced = compiled.search(text, start, end), compiled.search(text[start:end])
        assert (bounded and (bounded.groups(), bounded.group())) == (sliced and (sliced.groups(), sliced.group())), (text, start, end)
