"""The fast paths of the verify stage (verify, verify_breakdowns, verify_text, verify_indicators,
assess) give what the plain forms they replace give, on random texts.

Covered: table rows read line by line, prose part lists, rate words, a row's cells, divisible
groups; checks and inputs built through the models' validators; table rows without | or tab;
placed figures, rule ids made once, the figures a check names, a rate's 决算/预算 pairs and
FigureIndex; the literal-first scans (breakdown triggers, colon lines, stated grade bands);
comparison claims and total labels read by hand, TextIndex.locate's bisection, fmt, targets and
actual values read by one pattern, and bounded searches. The plain forms (the code or the
patterns they replaced) are kept here as references and both run on the same inputs.

Texts: random texts and lines built from the words, lines and characters each scan is about
(seeded, so the same every run); the figures a check names are checked on the sample reports in
samples/*.txt.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from summarizer import verify, verify_breakdowns, verify_text
from summarizer import verify_indicators as vi
from summarizer.assess import FigureIndex, check_involves
from summarizer.backends.rules import RulesBackend
from summarizer.document import Document, plain_document
from summarizer.numbers import Quantity
from summarizer.schemas import (
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Period,
    RuleId,
    Severity,
    Span,
)
from summarizer.structure import analyse
from summarizer.verify_breakdowns import Row, _cell, _cell_text
from summarizer.verify_text import (
    _RATE_WORD,
    TextIndex,
    _comparable,
    _divisible_groups,
    _rate_word,
    make_check,
    new_input,
)

SAMPLE_PATHS = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))

SCAN_CASES = 4000  # texts per seed for the literal-first scans
READING_CASES = 3000  # texts per seed for the readings by hand


def _piece_texts(pieces: list[str], seed: int, length: int, count: int) -> list[str]:
    """`count` texts of up to `length` random `pieces` each."""
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, length))) for _ in range(count)]


# ---- table rows, prose part lists, rate words, a row's cells, divisible groups -----------------

_OLD_NUMBER_LINE = re.compile(r"^[ \t]*-?[\d,]+(?:\.\d+)?%?[ \t]*$")


def _old_table_rows(index: TextIndex) -> list[list[Row]]:
    """verify_breakdowns.table_rows as it was: every line read in turn."""
    text = index.text
    runs: list[list[Row]] = []
    current: list[Row] = []
    lines: list[tuple[int, int]] = []
    position = 0
    split = text.split("\n")
    for line in split:
        lines.append((position, position + len(line)))
        position += len(line) + 1
    cell_texts = [_cell_text(line) if "|" in line else line.strip() for line in split]
    number_lines = [bool(piece) and _OLD_NUMBER_LINE.match(piece) is not None for piece in cell_texts]
    number = 0
    while number < len(lines):
        start, end = lines[number]
        line = split[number]
        separator = "|" if "|" in line and line.count("|") >= 2 else ("\t" if "\t" in line and line.strip("\t").count("\t") >= 1 else None)
        if separator is not None:
            cells, offset = [], start
            for piece in line.split(separator):
                cells.append((offset, offset + len(piece)))
                offset += len(piece) + 1
            while cells and not text[cells[-1][0] : cells[-1][1]].strip():
                cells.pop()
            if cells:
                label = text[cells[0][0] : cells[0][1]].strip()
                values = [_cell(index, a, b) for a, b in cells[1:]]
                words = sum(1 for (a, b), value in zip(cells[1:], values) if value is None and text[a:b].strip(" /-—－") != "")
                current.append(Row(label, values, start, end, True, words))
            number += 1
            continue
        stripped = cell_texts[number]
        if stripped and not number_lines[number] and len(stripped) <= 30 and verify_breakdowns._LABEL.search(stripped):
            values, look, last, words = [], number + 1, end, 0
            while look < len(lines):
                a, b = lines[look]
                piece = cell_texts[look]
                if not piece:
                    look += 1
                    continue
                if number_lines[look]:
                    values.append(_cell(index, a, a + len(split[look].rstrip(" |\t"))))
                elif values and (verify_breakdowns._DASH.fullmatch(piece) or len(piece) > 30):
                    words += 0 if verify_breakdowns._DASH.fullmatch(piece) else 1
                else:
                    break
                last = b
                look += 1
            if values or (current and not current[-1].exact):
                current.append(Row(stripped, values, start, last, False, words))
                number = look if values else number + 1
                continue
        if stripped and current:
            runs.append(current)
            current = []
        number += 1
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]


_TABLE_LINES = [
    "", " ", "  \t", "|", " | ", "合计", "基本支出", "项目支出 |", "人员经费", "12", " 3.5 |", "1,234.5%", "-5", "１２",
    "12|", "1|2", "12 ||", "—", "－", "/", "\u3000", "88.6 \r", "项目 | 预算 | 决算", "合计 | 100 | 98.5 | 98.5%",
    "\t1\t2", "基本支出\t60\t59", "\t\t", "公用经费\t", "其中：人员经费 40 万元，公用经费 20 万元。",
    "这是一段很长的说明文字，超过三十个字符的一行，不是表格的标签行，而是正文。", "备注：见附表", "1、2、3",
]


def _line_texts(seed: int, count: int) -> list[str]:
    """Up to 30 of _TABLE_LINES, one a line."""
    rnd = random.Random(seed)
    return ["\n".join(rnd.choice(_TABLE_LINES) for _ in range(rnd.randint(0, 30))) for _ in range(count)]


def test_table_rows_match_the_line_by_line_reading():
    for text in _line_texts(15, 400):
        index = TextIndex.build(plain_document(text))
        expected = _old_table_rows(index)
        assert verify_breakdowns.table_rows(index) == expected, text


def _old_region_end_depth_scan(index: TextIndex, start: int, limit: int, depth_before: bool) -> tuple[int, bool]:
    """The character loop that ended a prose part list in _region_end."""
    text, depth = index.text, 0
    for position in range(start, limit):
        char = text[position]
        if char in "（(【[":
            depth += 1
        elif char in "）)】]":
            if depth == 0 and depth_before:
                return position, False
            depth = max(0, depth - 1)
        elif char == "。" or (char == "\n" and depth == 0 and index.is_sentence_start(position + 1)):
            return position, False
    return limit, False


_PROSE = ["其中", "（", "(", "【", "[", "）", ")", "】", "]", "。", "\n", "\n\n", "人员经费", "12 万元", "、", "，", "1、", "说明"]


def test_prose_part_lists_end_and_nest_as_read_character_by_character():
    rnd = random.Random(15)
    for _ in range(1500):
        text = "".join(rnd.choice(_PROSE) for _ in range(rnd.randint(0, 40)))
        index = TextIndex.build(plain_document(text))
        start = rnd.randint(0, len(text))
        end = rnd.randint(start, len(text))
        limit = min(len(text), start + verify_breakdowns.MAX_REGION)
        for depth_before in (False, True):
            got = verify_breakdowns._region_end(index, start, depth_before)
            if not got[1]:  # a numbered list is read line by line, not by this scan
                assert got == _old_region_end_depth_scan(index, start, limit, depth_before), text
        depths, depth = [], 0
        for char in text[start:end]:
            depth = depth + 1 if char in "（(【[" else max(0, depth - 1) if char in "）)】]" else depth
            depths.append(depth)
        marks = verify_breakdowns._bracket_depths(text, start, end)
        assert [verify_breakdowns._depth_at(marks, p) for p in range(start, end)] == depths, text


_RATE_TEXT = ["执行率", "预算执行率", "比例", "占比", "达到了", "达到", "为", "约为", "不低于", "：", " ", "\u3000", "\n", "“", "”",
              "资金", "12", "万元", "，", "。", "率", "比", "可网办事项", "大于", "满意"]


def test_a_rates_words_are_the_patterns_search_of_the_whole_stretch():
    rnd = random.Random(15)
    for _ in range(3000):
        text = "".join(rnd.choice(_RATE_TEXT) for _ in range(rnd.randint(0, 25)))
        index = TextIndex.build(plain_document(text + "95%"))
        stated = Quantity(value=95, unit="%", raw="95%", start=len(text), end=len(text) + 3)
        start = rnd.randint(0, len(text))
        expected = _RATE_WORD.search(text[start:])
        got = _rate_word(index, stated, start)
        assert (got and (got.start() - start, got.end() - start, got.groups())) == (expected and (expected.start(), expected.end(), expected.groups())), text


def test_a_rows_cells_are_read_as_each_cell_alone():
    rnd = random.Random(15)
    pieces = ["12", "3.5万元", "合计", " ", "", "98%", "1 2", "—", "：", "人员经费 40", "7项"]
    for _ in range(1500):
        cells = [rnd.choice(pieces) for _ in range(rnd.randint(1, 6))]
        text = rnd.choice(["", "说明 12\n"]) + " | ".join(cells) + rnd.choice(["", "\n5 万元"])
        index = TextIndex.build(plain_document(text))
        line_start = text.find(" | ".join(cells))
        spans, offset = [], line_start
        for piece in " | ".join(cells).split("|"):
            spans.append((offset, offset + len(piece)))
            offset += len(piece) + 1
        assert verify_breakdowns._cells(index, spans) == [_cell(index, a, b) for a, b in spans], text


def test_divisible_groups_are_the_money_group_then_the_count_groups():
    units = ["万元", "元", "人", "名", "项", "个", "%", "", "件", "亿元"]
    rnd = random.Random(15)
    for _ in range(2000):
        quantities = [Quantity(value=1, unit=rnd.choice(units), raw="1", start=n, end=n + 1) for n in range(rnd.randint(0, 8))]
        expected = [group for group in (*_comparable(quantities, True), *_comparable(quantities, False)) if group]
        assert _divisible_groups(quantities) == expected


# ---- checks and inputs through the validators, table rows without separators -------------------

def test_checks_and_inputs_are_the_models_the_constructors_make():
    rnd = random.Random(15)
    rules = [rule.value for rule in RuleId] + [*RuleId][:3] + ["custom.rule"]
    for _ in range(500):
        inputs = [
            CheckInput(label=rnd.choice(["预算", "实际支出", ""]), value=Decimal(rnd.randint(-5, 999)) / 10, unit=rnd.choice(["万元", "元", "%", ""]),
                       span=rnd.choice([None, Span(start=3, end=9)]))
            for _ in range(rnd.randint(0, 3))
        ]
        fields = {"label": "执行率", "value": Decimal("87.5"), "unit": "%", "span": rnd.choice([None, Span(start=1, end=4)])}
        made, plain = new_input(fields), CheckInput(**fields)
        assert made == plain and made.model_fields_set == plain.model_fields_set
        rule, status, severity = rnd.choice(rules), rnd.choice([*CheckStatus]), rnd.choice([*Severity])
        numbers = [rnd.choice([None, Decimal(rnd.randint(0, 100))]) for _ in range(3)]
        check = make_check(rule, status, severity, "消息", inputs, *numbers)
        expected = Check(
            rule=rule, status=status, severity=Severity.INFO if status is CheckStatus.PASS else severity, message="消息",
            inputs=list(inputs), expected=numbers[0], observed=numbers[1], tolerance=numbers[2],
        )
        assert check == expected and type(check.rule) is type(expected.rule)
        assert check.model_fields_set == expected.model_fields_set
        assert check.model_dump_json() == expected.model_dump_json()


def test_table_rows_without_separators_are_read_as_with_the_scan():
    rnd = random.Random(15)
    lines = ["", " ", "合计", "基本支出", "人员经费", "12", " 3.5 ", "1,234.5%", "-5", "—", "其中：人员经费 40 万元。", "1、2、3"]
    for _ in range(300):
        text = "\n".join(rnd.choice(lines) for _ in range(rnd.randint(0, 30)))
        index = TextIndex.build(plain_document(text))
        with_tab = TextIndex.build(plain_document(text + "\n\t"))  # the same lines, the scan made
        assert verify_breakdowns.table_rows(index) == verify_breakdowns.table_rows(with_tab)


# ---- table rows of tab lines without a bar -----------------------------------------------------

def test_tab_rows_without_a_bar_are_read_as_with_the_bar_test():
    rnd = random.Random(154)
    cells = ["", " ", "合计", "基本支出", "人员经费", "12", " 3.5 ", "1,234.5%", "-5", "—", "其中：人员经费 40 万元。", "1、2、3"]
    for _ in range(300):
        lines = []
        for _ in range(rnd.randint(0, 30)):
            row = [rnd.choice(cells) for _ in range(rnd.randint(1, 5))]
            lines.append(rnd.choice(["\t", "\t\t", " "]).join(row) if rnd.random() < 0.7 else "\t" + row[0] + "\t")
        text = "\n".join(lines)
        plain = TextIndex.build(plain_document(text))
        barred = TextIndex.build(plain_document(text + "\n|"))  # the same lines, the | or tab test made
        assert verify_breakdowns.table_rows(plain) == verify_breakdowns.table_rows(barred)


# ---- placed figures, rule ids, the figures a check names, rate pairs, FigureIndex --------------

def test_the_skipped_characters_are_whitespace_and_score():
    spaces = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert verify._SPACES_AND_SCORE == spaces | {"分"}


def test_a_placed_figure_has_the_amount_and_currency_of_the_plain_helpers():
    rnd = random.Random(155)
    units = ["元", "万元", "万", "亿元", "千元", "%", "项", "人", "分", ""]
    values = ["0", "1", "12.50", "343.23", "3432300", "0.0001", "1E+2", "99.99", "1000"]
    for _ in range(400):
        value = Decimal(rnd.choice(values))
        figure = Figure(
            key="budget", label="预算", value=value, unit=rnd.choice(units), kind=FigureKind.MONEY,
            value_wan=Decimal(rnd.choice(values)) if rnd.random() < 0.3 else None,
            span=Span(start=0, end=1), evidence="x",
        )
        placed = verify.Placed(figure, 3, 5, 1, current=rnd.random() < 0.5)
        assert (str(placed.amount), placed.money) == (str(verify._amount(figure)), verify._is_money(figure))
        assert placed == verify.Placed(figure, 3, 5, 1) and placed != verify.Placed(figure, 3, 5, 2)


def test_rule_ids_made_once_are_the_validators():
    for key, rule in verify._RATE_RULES.items():
        plain = make_check(f"rate.{key}", CheckStatus.PASS, Severity.INFO, "m").rule
        assert rule == plain and type(rule) is type(plain)
    for identity, rule in verify._IDENTITY_RULES.items():
        plain = make_check(f"identity.{identity}", CheckStatus.PASS, Severity.INFO, "m").rule
        assert rule == plain and type(rule) is type(plain)
    assert set(verify._IDENTITY_RULES) == {identity.id for identity in verify._IDENTITIES}


def test_a_check_names_the_figures_at_its_inputs_start_and_value():
    named = 0
    for path in SAMPLE_PATHS:
        document = plain_document(path.read_text(encoding="utf-8"))
        layout = analyse(document)
        report = RulesBackend().extract(document, layout)
        for check in verify.verify(report, document, layout):
            expected: list[int] = []
            for item in check.inputs:
                if item.span is None:
                    continue
                for number, figure in enumerate(report.figures):
                    if figure.span.start == item.span.start and figure.value == item.value and number not in expected:
                        expected.append(number)
            assert check.figures == expected, check.message
            named += bool(expected)
    assert named > 10


def _random_figure(rnd: random.Random, start: int) -> Figure:
    unit = rnd.choice(["万元", "元", "%", "项"])
    return Figure(
        key=rnd.choice(["basic_expenditure", "project_expenditure", "budget", "execution_rate"]), label="x",
        value=Decimal(rnd.choice(["0", "12.5", "1800", "1860"])), unit=unit, kind=FigureKind.MONEY if unit in ("万元", "元") else FigureKind.COUNT,
        period=rnd.choice(list(Period)), year=rnd.choice([None, 2021, 2022]), span=Span(start=start, end=start + 2), evidence="x",
    )


def test_same_key_pairs_are_every_actual_and_budget_of_one_key_in_the_block():
    """Made once per block and by key, as the plain pairing of every figure with every other."""
    rnd = random.Random(1555)
    paired = 0
    for _ in range(200):
        placed = [verify.Placed(_random_figure(rnd, 3 * n), 3 * n, 3 * n + 2, rnd.randint(0, 2), current=rnd.random() < 0.8) for n in range(rnd.randint(0, 14))]
        context = SimpleNamespace(same_key_pairs={}, in_block=lambda block, placed=placed: [p for p in placed if p.block == block])
        for rate in placed:
            block = [p for p in context.in_block(rate.block) if p.money and p.current]
            expected = [
                (actual, budget) for actual in block if actual.figure.period is Period.ACTUAL for budget in block
                if budget.figure.key == actual.figure.key and budget.figure.period in (Period.BUDGET, Period.ADJUSTED) and budget.amount > 0
            ]
            assert verify._same_key_pairs(context, rate) == expected
            paired += bool(expected)
    assert paired > 20


def test_the_figure_index_finds_what_check_involves_says():
    """FigureIndex.involving (by position) against check_involves over every figure."""
    rnd = random.Random(1556)
    found = 0
    for _ in range(150):
        figures = [_random_figure(rnd, rnd.randint(0, 60)) for _ in range(rnd.randint(0, 12))]
        index = FigureIndex(figures)
        for _ in range(10):
            start = rnd.randint(0, 70)
            span = None if rnd.random() < 0.1 else Span(start=start, end=start + rnd.randint(0, 6))
            value = rnd.choice([figure.value for figure in figures] or [Decimal(1)]) if rnd.random() < 0.8 else Decimal("0.18")
            item = CheckInput(label="x", value=value, unit=rnd.choice(["万元", "元", "%", ""]), span=span)
            assert index.involving(item) == tuple(n for n, figure in enumerate(figures) if check_involves(item, figure))
            found += bool(index.involving(item))
    assert found > 100


# ---- the literal-first scans -------------------------------------------------------------------

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
    for text in _piece_texts(pieces, seed, 25, SCAN_CASES):
        expected = [(m.start(), m.end(), m.group()) for m in verify_breakdowns._TRIGGER.finditer(text)]
        assert [(m.start(), m.end(), m.group()) for m in verify_breakdowns._triggers(text)] == expected, text


@pytest.mark.parametrize("seed", [1, 2])
def test_lines_ending_in_a_colon_are_every_such_line(seed):
    pieces = ["a", "具体如下", "：", ":", "\n", " ", "\t", "\u3000", "\r", "其中"]
    for text in _piece_texts(pieces, seed, 25, SCAN_CASES):
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
    return ["".join("".join(rnd.choice(slot) for slot in slots) for _ in range(rnd.randint(1, 4))) for _ in range(SCAN_CASES)]


@pytest.mark.parametrize("seed", [1, 2])
def test_stated_grade_bands_are_the_patterns_matches(seed):
    pieces = [
        "9", "90", "100", "85", "1234", " ", "\u3000", "\n", "分", "（", "(", "含", "）", ")", "以上", "及以上",
        "为", "评为", "“", "优", "良", "中", "差", "合格", "不合格", "优秀", "-", "—", "至", "到", "~", "～", "，", "。",
    ]
    for text in _piece_texts(pieces, seed, 30, SCAN_CASES) + _band_texts(seed):
        for pattern, anchors, brackets in verify._BAND_ANCHORS:
            expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in verify._anchored_matches(pattern, text, anchors, brackets)] == expected, text


# ---- readings by hand, bisection, fmt, one pattern for targets and actuals, bounded searches ---

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
    for text in _piece_texts(CLAIM_PIECES, seed, 30, READING_CASES):
        expected = _found(AMOUNT_CLAIM.finditer(text))
        assert _claims(verify_text._amount_claims(text)) == expected, text


@pytest.mark.parametrize("seed", [5, 6])
def test_a_claim_read_by_hand_is_the_patterns_match_at_each_start(seed):
    for text in _piece_texts(CLAIM_PIECES, seed, 14, READING_CASES):
        for start in range(len(text) + 1):
            claim = verify_text._amount_claim_at(text, start)
            expected = _found(filter(None, [AMOUNT_CLAIM.match(text, start)]))
            assert _claims(filter(None, [claim])) == expected, (text, start)


@pytest.mark.parametrize("seed", [3, 4])
def test_triggers_reach_a_far_composed_word_as_the_lookahead_does(seed):
    # fillers of 1, 50 and 99 characters put 构成 on either side of the lookahead's 200
    pieces = ["由", "构成", "组成", "构", "组", "成", "。", "\n", "其中", "包括", "甲", "乙" * 50, "丙" * 99]
    for text in _piece_texts(pieces, seed, 12, READING_CASES):
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
    for _ in range(READING_CASES):
        label = rnd.choice(["", "其中", "其中：", "其中:", "其", " 其 中 ：", "中"])
        label += "".join(rnd.choice(words) for _ in range(rnd.choice((0, 1, 3, 6, 7, 8, 9, 10))))
        label += rnd.choice(["合计", "总 计", "小计", "总额", "合", "额", "计总", ""]) + rnd.choice(["", ":", "：", "::", " "])
        verify_breakdowns._is_total.cache_clear()
        expected = bool(TABLE_TOTAL.match(re.sub(r"\s+", "", label)))
        assert verify_breakdowns._is_total(label) == expected, label


def test_cells_of_spans_with_gaps_are_each_cell_alone():
    # a cell-per-line row's number lines, with blank and note lines between them
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
        for _ in range(READING_CASES)
    ]
    for value in values:
        expected = format(value.normalize(), "f")
        assert verify_text.fmt(value) == ("0" if expected in ("-0", "") else expected), value


def test_targets_and_actuals_read_by_one_pattern_as_by_their_own():
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
    for value in _piece_texts(pieces, 10, 5, READING_CASES):
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
    for text in _piece_texts(pieces, 12, 8, READING_CASES):
        end = rnd.randint(0, len(text))
        start = max(0, end - rnd.randint(0, 10))
        bounded, sliced = compiled.search(text, start, end), compiled.search(text[start:end])
        assert (bounded and (bounded.groups(), bounded.group())) == (sliced and (sliced.groups(), sliced.group())), (text, start, end)
