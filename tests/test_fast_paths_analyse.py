"""The fast paths of the analyse stage (structure, grid, numbers) give what the plain forms they
replace give, on random texts.

Covered: label headings, marker levels and sentence starts; CJK comparisons instead of classes;
the one pass over the lines (structure._scan_lines: lines, headings, blocks, sentence starts),
the table reader on its line codes, section ends, label rows and the form grid's shortcuts;
numbers._find against find_quantities' rules written out plainly; the markdown and bullet
prefixes cut with str methods and _CellsFollow reading forward. The plain forms are kept here as
references and both run on the same inputs.

Texts: random slices of the sample reports in samples/*.txt (the three joined), shuffled with or
inserted among made-up pieces and table-like lines, plus whole sample reports and short made-up
line soups (seeded, so the same every run).
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

from summarizer import chars, grid, numbers, structure
from summarizer.numbers import _RATE_CONTEXT, _RATE_CONTEXT_LAST, find_quantities
from summarizer.structure import (
    _ITEM_FIRST,
    _ITEM_START,
    Cell,
    Line,
    Table,
    TableRow,
    _scan_lines,
    sentence_starts,
    split_lines,
)

SAMPLE_PATHS = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


def _sample_text() -> str:
    """The sample reports' text joined, in file-name order."""
    return "".join(path.read_text(encoding="utf-8") for path in SAMPLE_PATHS)


# ---- label headings, marker levels, sentence starts, CJK comparisons ---------------------------

_PIECES = ["\n", "\n\n", " \n", "\t", "。", "，", "1、", "- ", "# ", "（一）", "①", "一、", "%", "（%）", "（ % ）",
           "存在问题", "整改措施", "12", "万人", "万元", "执行率为", "年", "”", "|", "\u3000", "١", "２"]


def _texts(count: int, seed: int) -> list[str]:
    """A slice of the samples shuffled with a few of _PIECES."""
    rng = random.Random(seed)
    sample = _sample_text()
    texts = []
    for _ in range(count):
        start = rng.randrange(len(sample))
        parts = [sample[start : start + rng.randint(0, 300)]] + [rng.choice(_PIECES) for _ in range(rng.randint(0, 12))]
        rng.shuffle(parts)
        texts.append("".join(parts))
    return texts


def _old_label_heading(text: str, line: Line):
    title = "".join(text.split()).strip("|")
    if not title or len(title) > structure.MAX_HEADING_CHARS or re.search(r"[，,。；;|]", title):
        return None
    if re.search(r"\d", title) and not re.search(r"[（(]%[）)]", title):
        return None
    if structure.role_of(title) is None:
        return None
    return structure.Heading(title.rstrip("：:"), "", structure.LABEL_LEVEL, line.start, line.end, label=True)


def _old_sentence_starts(text: str) -> list[int]:
    starts = [0, *(m.end() for m in re.finditer(r"[。；;！？!?\t]", text))]
    for match in re.finditer(r"\n[ \n]*", text):
        back = match.start()
        while back > 0 and text[back - 1] == " ":
            back -= 1
        previous = text[back - 1] if back else ""
        if previous in structure._SOFT_ENDS:
            continue
        end = match.end()
        if previous in structure._HARD_STOPS or text.count("\n", back, end) >= 2 or structure._ITEM_START.match(text, end) \
                or not re.match(r"[\u3400-\u9fff\d%）)”\"]", previous):
            starts.append(end)
    return sorted(set(starts))


def test_label_headings_and_marker_levels_match_the_plain_tests():
    for text in _texts(150, 1):
        for line in structure.split_lines(text):
            stripped = line.text.strip()
            if stripped:
                assert structure._label_heading(stripped, line) == _old_label_heading(stripped, line)
                match = structure._ANY_MARKER.match(stripped)
                first = next((level for pattern, level in structure._MARKERS if pattern.match(stripped)), None)
                assert (match and structure._MARKERS[match.lastindex - 1][1]) == (first if match else None)


def test_sentence_starts_match_the_plain_scan():
    for text in _texts(200, 2):
        assert sentence_starts(text) == _old_sentence_starts(text)


def test_cjk_comparisons_match_the_class():
    for text in _texts(50, 3):
        assert chars.han_count(text) == len(re.findall(r"[\u4e00-\u9fff]", text))
    # "执行率为74" lost its %; "执行率2省…" (a CJK character after the number) did not; 5万人 is no money.
    found = [(q.raw, q.unit, q.inferred_unit) for q in numbers.find_quantities("执行率为74，执行率2省，5万人，40万")]
    assert found == [("74", "%", True), ("2", "", False), ("5", "", False), ("40万", "万", False)]


# ---- the one pass over the lines, the table reader, sections, label rows, the form grid --------


def _heading(line):
    """The heading a line opens, tested line by line (the plain form the one-pass scan is held to)."""
    text = line.text.strip()
    return structure._heading_of(line, text) if text else None


_LINES = ["", " ", "\t", "\t\t", "\t ", "正文，一句话。", "存在问题", "问题与分析", "（一）项目概况", "1、资金管理", "- 2、整改措施",
          "# 标题", "\t项目名称", "\t12.5", "\t存在问题", "a\tb", "\ta\tb", "a\t", " \ta", "预算数", "执行数", "执行率", "全年预算数",
          "分值", "得分", "一级指标", "二级指标", "三级指标", "指标值", "年初预算数：", "2.38", "| a | b |", "|", "||||", "x |",
          "执行率（%）", "合计", "项", "目", "完成值", "1,234.56", "74.36%", "\u3000", "得分表", "一级指标二级指标三级指标",
          "存在问题\t1、资金支付滞后，管理不到位", "\t整改措施\t加强预算管理工作", "主要成效\t\t", "存在问题 | 1、进度缓慢 | |"]


def _soups(count: int, seed: int) -> list[str]:
    """Lines of _LINES, half of the time with a slice of the samples inserted among them."""
    rng = random.Random(seed)
    sample = _sample_text()
    texts = []
    for _ in range(count):
        lines = [rng.choice(_LINES) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.5:
            start = rng.randrange(len(sample))
            lines.insert(rng.randint(0, len(lines)), sample[start : start + rng.randint(0, 600)])
        texts.append("\n".join(lines))
    return texts


# The plain table reader (a line at a time, as before the line codes).


def _is_cell_line(line: Line) -> bool:
    return line.text.startswith("\t") and line.text.find("\t", 1) < 0


def _plain_find_tables(lines: list[Line]) -> list[Table]:
    tables, index = [], 0
    while index < len(lines):
        text = lines[index].text
        if "\t" in text and _is_cell_line(lines[index]):
            table, index = _plain_cell_per_line(lines, index)
        elif "\t" in text and ("\t" in text.strip("\t") or (text.startswith("\t") and text.count("\t") >= 2)):
            table, index = _plain_tsv(lines, index)
        elif "|" in text and structure._is_pipe_row(text):
            table, index = structure._read_pipe(lines, index)
        else:
            index += 1
            continue
        if table is not None and table.rows:
            tables.append(table)
    return tables


def _plain_tsv(lines, index):
    rows = []
    while index < len(lines):
        line = lines[index]
        if "\t" in line.text and not _is_cell_line(line):
            rows.append(TableRow(structure._tsv_cells(line), line.start, line.end))
        elif line.text.strip() and _is_cell_line(line):
            if rows:
                rows[-1].cells.append(Cell(line.text[1:], line.start + 1, line.end))
                rows[-1].end = line.end
        elif line.text.strip():
            break
        elif index + 1 < len(lines) and "\t" not in lines[index + 1].text and lines[index + 1].text.strip():
            break
        index += 1
    return (Table(rows, rows[0].start, rows[-1].end, "tsv") if rows else None), index


def _plain_cells_follow_lines(lines, index, window=8):
    """The plain rule on the lines: a cell line follows `index` before more than `window` non-blank lines."""
    seen = 0
    for line in itertools.islice(lines, index + 1, None):
        if _is_cell_line(line):
            return True
        if line.text.strip():
            seen += 1
            if seen > window:
                return False
    return False


def _plain_cell_per_line(lines, index):
    rows, current, blank_run = [], [], 0
    while index < len(lines):
        line = lines[index]
        if _is_cell_line(line):
            if blank_run and current:
                rows.append(TableRow(current, current[0].start, current[-1].end))
                current = []
            current.append(Cell(line.text[1:], line.start + 1, line.end))
            blank_run = 0
        elif not line.text.strip():
            blank_run += 1
        else:
            if not current or not _plain_cells_follow_lines(lines, index):
                break
            current[-1] = Cell(current[-1].text + "\n" + line.text, current[-1].start, line.end)
            blank_run = 0
        index += 1
    if current:
        rows.append(TableRow(current, current[0].start, current[-1].end))
    return (Table(rows, rows[0].start, rows[-1].end, "cell_per_line") if len(rows) >= 2 else None), index


def test_the_line_scan_matches_the_headings_blocks_and_tables_read_line_by_line():
    for text in _soups(300, 1):
        lines, headings, codes, openers, block_starts, block_tables, starts = structure._scan_lines(text)
        assert lines == split_lines(text)
        assert starts == structure.sentence_starts(text)
        assert headings == [h for line in lines if (h := _heading(line)) is not None]
        assert (block_starts, block_tables) == structure.blocks(text)
        assert codes == [structure._line_code(line.text) for line in lines]
        assert openers == [index for index, code in enumerate(codes) if code & (structure._CELL_LINE | structure._TSV_LINE)]
        assert structure._find_tables(lines) == _plain_find_tables(lines)
        bars = [index for index, line in enumerate(lines) if "|" in line.text]
        assert structure._find_tables(lines, codes, sorted({*openers, *bars})) == _plain_find_tables(lines)


def test_the_form_stream_is_skipped_only_when_it_holds_no_form():
    rng = random.Random(2)
    for text in _soups(300, 2):
        lines = split_lines(text)
        skip = [tuple(sorted(rng.randrange(len(text) + 1) for _ in range(2))) for _ in range(rng.randint(0, 3))]
        assert grid.stream_form_rows(text, lines, skip) == grid.form_rows(grid.cell_stream(lines, skip))


def test_the_glued_and_score_table_shortcuts_only_skip_texts_without_their_headers():
    header = grid._glued_header()
    for text in _soups(300, 3):
        compact = "".join(grid._PAGE_MARKER.sub("", text).split())
        assert bool(grid._INDICATOR_HEAD_SPREAD.search(text)) == (grid._INDICATOR_HEAD in compact)
        if not all(literal in text for literal in grid._GLUED_REQUIRED.values()):
            assert not any(grid._GLUED_REQUIRED.keys() <= set(grid._glued_labels(m.group(0))) for m in header.finditer(text))
        assert grid._tree_heads(text) == [match.span() for match in grid._TREE_HEAD.finditer(text)]


def _plain_section_ends(headings, text_length):
    ends = []
    for index, heading in enumerate(headings):
        end = next((later.start for later in headings[index + 1 :] if later.level <= heading.level or heading.label), text_length)
        ends.append(min(end, heading.limit) if heading.limit is not None else end)
    return ends


def test_section_ends_match_the_plain_search_for_the_next_heading_of_its_level():
    rng = random.Random(4)
    for text in _soups(200, 4):
        headings = [h for line in split_lines(text) if (h := _heading(line)) is not None]
        for heading in headings:
            if rng.random() < 0.2:
                heading.label, heading.level = True, structure.LABEL_LEVEL
                heading.limit = heading.end + rng.randint(0, 50) if rng.random() < 0.5 else None
        sections = structure._sections(headings, len(text))
        assert [section.body_end for section in sections] == _plain_section_ends(headings, len(text))


def _plain_row_end(tables, position):
    for table in tables:
        if table.layout == "cell_per_line" and table.start <= position <= table.end:
            for row in table.rows:
                if row.start <= position + 1 <= row.end:
                    return row.end
    return None


def test_row_ends_and_row_labels_match_the_plain_walks_over_the_tables():
    rng = random.Random(5)
    for text in _soups(200, 5):
        tables = structure._find_tables(split_lines(text))
        row_end = structure._row_ends(tables)
        for position in [rng.randrange(len(text) + 1) for _ in range(20)] + [c.start - 1 for t in tables for r in t.rows for c in r.cells]:
            assert row_end(position) == _plain_row_end(tables, position)
        plain = [heading for table in tables if table.layout != "cell_per_line" for row in table.rows
                 if (cells := [cell for cell in row.cells if not cell.blank]) and (heading := structure._row_label(cells, row.end))]
        assert structure._row_label_headings(tables, []) == plain


def _plain_form_rows(cells):
    tables, position = [], 0
    while position < len(cells):
        header = grid._header(cells, position, "indicator", None)
        if header and "三级指标" in header[0]:
            rows, position = grid._indicator_rows(cells, header[1], header[0])
            tables += [rows] if rows else []
            continue
        header = grid._header(cells, position, "budget", grid._GENRE.form_budget_group)
        if header and any(grid._BUDGET_AMOUNT.search(label) for label in header[0]):
            rows, position = grid._budget_rows(cells, header[1], header[0], header[2])
            tables += [rows] if rows else []
            continue
        pair = grid._key_value(cells, position)
        if pair is not None:
            tables.append([pair])
            position += 2
            continue
        position += 1
    return tables


def test_form_rows_tries_headers_only_where_one_can_start():
    found = 0
    for text in _soups(300, 6):
        cells = grid.cell_stream(split_lines(text), [])
        tables = grid.form_rows(cells)
        found += bool(tables)
        assert tables == _plain_form_rows(cells)
    assert found > 10


def test_the_spread_indicator_head_is_found_where_the_compacted_text_holds_it():
    rng = random.Random(7)
    gaps = ["", " ", "\n", "\t", "\u3000", "\n1、", "\n12、", "\n\n3、", "\n123、", "1、", "、", "x", "\n 2、"]
    for _ in range(400):
        text = "".join(char + "".join(rng.choice(gaps) for _ in range(rng.choice([0, 0, 1, 2]))) for char in grid._INDICATOR_HEAD)
        text = rng.choice(["", "前言\n", "一级指标"]) + text + rng.choice(["", "\n", "得分"])
        compact = "".join(grid._PAGE_MARKER.sub("", text).split())
        assert bool(grid._INDICATOR_HEAD_SPREAD.search(text)) == (grid._INDICATOR_HEAD in compact), repr(text)


# ---- numbers._find and the first characters of items -----------------------------------------


def _plain_find_quantities(text: str, start: int, end: int, with_bare: bool) -> list[tuple]:
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
    texts = [path.read_text(encoding="utf-8") for path in SAMPLE_PATHS]
    texts.append("执行率为74,增长 30.28,达到\n90以上，占比\t12，5万人，15分钟，3个月，2021年，【2021】1号，第3，13812345678，提高 5")
    for _ in range(60):
        text = rng.choice(texts)
        a = rng.randrange(len(text) + 1)
        b = rng.randrange(a, min(len(text), a + 3000) + 1)
        joined = text[a:b] + rng.choice(["", "\n", "率", " "]) + rng.choice(texts)[:b - a]
        for with_bare in (True, False):
            got = [(q.value, q.unit, q.raw, q.start, q.end, q.inferred_unit) for q in find_quantities(joined, 1, len(joined), with_bare=with_bare)]
            assert got == _plain_find_quantities(joined, 1, len(joined), with_bare)


def test_item_first_holds_every_first_character_of_an_item_but_digits():
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
    text = "一、概况\n\t项目名称\n\t\n\t问题与分析\n\t74.36%\na\tb\tc\n\t\tx\n\n（一）项目概况。正文，\n 1、续\n正文\t\n\t\t\n"
    lines, headings, codes, openers, block_starts, block_tables, starts = _scan_lines(text)
    assert codes == [1, 7, 6, 7, 7, 11, 11, 0, 1, 1, 3, 10, 0]
    assert openers == [1, 2, 3, 4, 5, 6, 11]
    assert [h.title for h in headings] == ["概况", "问题与分析", "项目概况", "续"]
    assert block_starts == [0, 0, 5, 13, 28, 34, 39]
    assert block_tables == [None, None, 0, 0, 0, 0, None]
    assert starts == [0, 6, 12, 13, 14, 20, 21, 30, 32, 34, 35, 36, 39, 47, 59, 60, 61, 62, 63]


# ---- heading prefixes cut with str methods, _CellsFollow, the scan's empty lines ---------------


def _prefix_cut(text: str) -> tuple[str, str]:
    """The plain rule: ^(#{1,6})\\s* then ^[-*+]\\s+ (with the rest stripped), by regex."""
    markdown = re.match(r"^(#{1,6})\s*", text) if text.startswith("#") else None
    if markdown:
        text = text[markdown.end():]
    if bullet := re.match(r"^[-*+]\s+", text):
        text = text[bullet.end():].strip()
    return (markdown.group(1) if markdown else ""), text


def _random_lines(rng: random.Random, count: int) -> list[str]:
    prefixes = ["", "#", "##", "######", "#######", "# ", "#\u3000", "- ", "-", "* ", "+\t", "#- ", "## - ", "-- "]
    markers = ["", "一、", "（一）", "(二)", "1、", "1.", "1.5", "12．", "（3）", "①", "123、"]
    tails = ["", " ", "项目概况", "项目概况。道里区", "存在问题", "1、资金支付滞后。", "预算执行率（%）", "科学合理编制预算，严格执行预算。"]
    return [
        rng.choice(["", " ", "\t"]) + rng.choice(prefixes) + rng.choice(prefixes) + rng.choice(markers) + rng.choice(tails)
        for _ in range(count)
    ]


def test_heading_prefixes_cut_as_the_regexes_do():
    rng = random.Random(5)
    lines = _random_lines(rng, 3000) + [line for path in SAMPLE_PATHS for line in path.read_text(encoding="utf-8").split("\n")]
    for raw in lines:
        text = raw.strip()
        if not text or "\t" in raw:
            continue
        markdown, rest = _prefix_cut(text)
        heading = structure._heading_of(Line(raw, 0, len(raw)), text)
        match = structure._ANY_MARKER.match(rest)
        if match:
            if heading is not None and heading.level < structure.LABEL_LEVEL:
                assert heading.marker == match.group(0)
        elif markdown and rest.strip() and len(rest.strip()) <= 60:
            assert heading is not None and (heading.title, heading.marker, heading.level) == (rest.strip(), markdown, len(markdown) + 1)


def _plain_cells_follow_codes(codes: list[int], index: int, window: int = 8) -> bool:
    """The plain rule on the line codes: a cell line follows `index` with at most `window` non-blank lines between."""
    between = 0
    for at in range(index + 1, len(codes)):
        if codes[at] & structure._CELL_LINE:
            return between <= window
        between += bool(codes[at] & structure._FILLED)
    return False


def test_cells_follow_reads_forward_as_the_plain_rule():
    rng = random.Random(6)
    kinds = ["", "\t", "\tcell", "text", "a\tb", "  "]
    for _ in range(300):
        lines = split_lines("\n".join(rng.choice(kinds) for _ in range(rng.randrange(1, 40))))
        codes = [structure._line_code(line.text) for line in lines]
        follows = structure._CellsFollow(codes)
        assert [follows(index) for index in range(len(codes))] == [_plain_cells_follow_codes(codes, index) for index in range(len(codes))]


def test_scan_lines_skip_empty_lines_but_keep_their_codes_and_blocks():
    rng = random.Random(7)
    kinds = ["", "", "\t", "\tcell", "text。", "text", "a\tb", "  ", "一、概况", "\t存在问题"]
    for _ in range(200):
        text = "\n".join(rng.choice(kinds) for _ in range(rng.randrange(0, 30)))
        lines, _, codes, openers, block_starts, block_tables, _ = structure._scan_lines(text)
        assert lines == split_lines(text)
        assert codes == [structure._line_code(line.text) for line in lines]
        assert openers == [index for index, code in enumerate(codes) if code & (structure._CELL_LINE | structure._TSV_LINE)]
        assert (block_starts, block_tables) == structure.blocks(text)
