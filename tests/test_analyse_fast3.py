"""The one pass over the lines (structure._scan_lines: lines, headings, blocks, sentence starts),
the table reader on its line codes, section ends, label rows and the form grid's shortcuts agree
with the plain formulations they replace (randomized over sample text and line soups of
table-like lines; well under a second)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from summarizer import grid, structure
from summarizer.structure import Cell, Line, Table, TableRow, split_lines


def _heading(line):
    """The heading a line opens, tested line by line (the plain form the one-pass scan is held to)."""
    text = line.text.strip()
    return structure._heading_of(line, text) if text else None


SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_LINES = ["", " ", "\t", "\t\t", "\t ", "正文，一句话。", "存在问题", "问题与分析", "（一）项目概况", "1、资金管理", "- 2、整改措施",
          "# 标题", "\t项目名称", "\t12.5", "\t存在问题", "a\tb", "\ta\tb", "a\t", " \ta", "预算数", "执行数", "执行率", "全年预算数",
          "分值", "得分", "一级指标", "二级指标", "三级指标", "指标值", "年初预算数：", "2.38", "| a | b |", "|", "||||", "x |",
          "执行率（%）", "合计", "项", "目", "完成值", "1,234.56", "74.36%", "\u3000", "得分表", "一级指标二级指标三级指标",
          "存在问题\t1、资金支付滞后，管理不到位", "\t整改措施\t加强预算管理工作", "主要成效\t\t", "存在问题 | 1、进度缓慢 | |"]


def _soups(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sample = "".join(path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt")))
    texts = []
    for _ in range(count):
        lines = [rng.choice(_LINES) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.5:
            start = rng.randrange(len(sample))
            lines.insert(rng.randint(0, len(lines)), sample[start : start + rng.randint(0, 600)])
        texts.append("\n".join(lines))
    return texts


# ---- the plain table reader (a line at a time, as before the line codes) ---------------------


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


def _plain_cells_follow(lines, index, window=8):
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
            if not current or not _plain_cells_follow(lines, index):
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
