"""The fast paths of numbers._find and structure._scan_lines agree with the plain rules they skip."""

import random
import re
from pathlib import Path

from summarizer import numbers
from summarizer.numbers import _RATE_CONTEXT, _RATE_CONTEXT_LAST, find_quantities

SAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("samples").glob("*.txt"))


def _reference(text: str, start: int, end: int, with_bare: bool) -> list[tuple]:
    """find_quantities' rules, written out plainly (every check, every number parsed)."""
    found = []
    for match in numbers._QUANTITY.finditer(text, start, end):
        number, unit = match.group("number"), match.group("unit")
        n_start, n_end = match.start(), match.start() + len(number)
        after = text[match.end() : match.end() + 1]
        if unit is not None and ((unit, after) in numbers._NOT_A_UNIT or (unit == "万" and "\u4e00" <= after <= "\u9fff")):
            unit = None
        q_end, inferred = match.end(), False
        if unit is None:
            if text[n_end : n_end + 1] in numbers._DATE_OR_CODE_AFTER or (n_start and text[n_start - 1] in numbers._DATE_OR_CODE_BEFORE):
                continue
            if len(number.replace(",", "").split(".")[0]) > 8:
                continue
        value = numbers.parse_decimal(number)
        if value is None:
            continue
        if unit is None:
            if _RATE_CONTEXT.search(text, max(0, n_start - 6), n_start) and not "\u4e00" <= text[n_end : n_end + 1] <= "\u9fff":
                unit, inferred = "%", True
            elif with_bare:
                unit, q_end = "", n_end
            else:
                continue
        found.append((value, unit, text[n_start:q_end], n_start, q_end, inferred))
    return found


def test_rate_context_ends_only_in_its_last_characters():
    words = re.findall(r"[\u4e00-\u9fff]+", _RATE_CONTEXT.pattern)
    assert {word[-1] for word in words} <= _RATE_CONTEXT_LAST
    spaces = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert spaces <= _RATE_CONTEXT_LAST
    assert {char for char in _RATE_CONTEXT_LAST if not char.isspace()} == {word[-1] for word in words}


def test_find_quantities_matches_the_plain_rules():
    rng = random.Random(15)
    texts = [path.read_text(encoding="utf-8") for path in SAMPLES]
    texts.append("执行率为74,增长 30.28,达到\n90以上，占比\t12，5万人，15分钟，3个月，2021年，【2021】1号，第3，13812345678，提高 5")
    for _ in range(60):
        text = rng.choice(texts)
        a = rng.randrange(len(text) + 1)
        b = rng.randrange(a, min(len(text), a + 3000) + 1)
        joined = text[a:b] + rng.choice(["", "\n", "率", " "]) + rng.choice(texts)[:b - a]
        for with_bare in (True, False):
            got = [(q.value, q.unit, q.raw, q.start, q.end, q.inferred_unit) for q in find_quantities(joined, 1, len(joined), with_bare=with_bare)]
            assert got == _reference(joined, 1, len(joined), with_bare)


def test_item_first_holds_every_first_character_of_an_item_but_digits():
    from summarizer.structure import _ITEM_FIRST, _ITEM_START

    tails = ("", "、", "1、", "1）", "一、", "）", "1 .")
    for code in range(0x3400):
        char = chr(code)
        if char in " \t" or char.isdecimal():
            continue
        if any(_ITEM_START.match(char + tail) for tail in tails):
            assert char in _ITEM_FIRST, char
    for char in _ITEM_FIRST:
        assert any(_ITEM_START.match(char + tail) for tail in tails), char


def test_scan_lines_fast_paths_keep_codes_blocks_and_starts():
    from summarizer.structure import _scan_lines

    text = "一、概况\n\t项目名称\n\t\n\t问题与分析\n\t74.36%\na\tb\tc\n\t\tx\n\n（一）项目概况。正文，\n 1、续\n正文\t\n\t\t\n"
    lines, headings, codes, openers, block_starts, block_tables, starts = _scan_lines(text)
    assert codes == [1, 7, 6, 7, 7, 11, 11, 0, 1, 1, 3, 10, 0]
    assert openers == [1, 2, 3, 4, 5, 6, 11]
    assert [h.title for h in headings] == ["概况", "问题与分析", "项目概况", "续"]
    assert block_starts == [0, 0, 5, 13, 28, 34, 39]
    assert block_tables == [None, None, 0, 0, 0, 0, None]
    assert starts == [0, 6, 12, 13, 14, 20, 21, 30, 32, 34, 35, 36, 39, 47, 59, 60, 61, 62, 63]
