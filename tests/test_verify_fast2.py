"""Verification's faster scans find exactly what the scans they replaced found.

Each rewritten scan is run beside a plain reference version of it (the code it replaced, kept
here) on random texts built from the lines and words it is about, and both must agree.
"""

from __future__ import annotations

import random
import re

from summarizer import verify_breakdowns
from summarizer.document import plain_document
from summarizer.verify_breakdowns import Row, _cell, _cell_text
from summarizer.verify_text import TextIndex

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


_LINES = [
    "", " ", "  \t", "|", " | ", "合计", "基本支出", "项目支出 |", "人员经费", "12", " 3.5 |", "1,234.5%", "-5", "１２",
    "12|", "1|2", "12 ||", "—", "－", "/", "\u3000", "88.6 \r", "项目 | 预算 | 决算", "合计 | 100 | 98.5 | 98.5%",
    "\t1\t2", "基本支出\t60\t59", "\t\t", "公用经费\t", "其中：人员经费 40 万元，公用经费 20 万元。",
    "这是一段很长的说明文字，超过三十个字符的一行，不是表格的标签行，而是正文。", "备注：见附表", "1、2、3",
]


def _texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return ["\n".join(rnd.choice(_LINES) for _ in range(rnd.randint(0, 30))) for _ in range(count)]


def test_table_rows_match_the_line_by_line_reading():
    for text in _texts(15, 400):
        index = TextIndex.build(plain_document(text))
        expected = _old_table_rows(index)
        assert verify_breakdowns.table_rows(index) == expected, text
        index.lines = []  # an index without the layout's lines splits the text itself
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
    from summarizer.numbers import Quantity
    from summarizer.verify_text import _RATE_WORD, _rate_word

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
    from summarizer.numbers import Quantity
    from summarizer.verify_text import _comparable, _divisible_groups

    units = ["万元", "元", "人", "名", "项", "个", "%", "", "件", "亿元"]
    rnd = random.Random(15)
    for _ in range(2000):
        quantities = [Quantity(value=1, unit=rnd.choice(units), raw="1", start=n, end=n + 1) for n in range(rnd.randint(0, 8))]
        expected = [group for group in (*_comparable(quantities, True), *_comparable(quantities, False)) if group]
        assert _divisible_groups(quantities) == expected
