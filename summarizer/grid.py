"""The form grid: the standard 自评表 forms as flattened text, regrouped into table rows. No I/O.

Web pages and PDFs flatten a form's cells in several ways, all read here into one stream of
cells (with row breaks where the layout marks them):

- separator style: each cell's text between lines holding a single "|" ("||||" ends a row; a
  cell may wrap over several lines);
- trailing style: every cell a line ending in " |", a bare "|" line an empty cell;
- inline rows: "label | 2000 | 1157.97 | 57.89% | ||||" (one row per line);
- blank-line style: one cell per line, cells separated by blank lines.

In that stream a run of known column headers (summarizer/genre/forms.toml: 年初预算数 …
得分, or 一级指标 … 完成值 …) opens a table; the cells after it are regrouped into rows by the
header's width: a label and its values for budget tables, optional merged level cells, a name
and its values for indicator tables. The result is ordinary `Table` rows whose `labels` are the
canonical column names, so the figure and indicator readers need not know the layout.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal

from .chars import han_count
from .genre import vocabulary
from .numbers import parse_decimal

_GENRE = vocabulary()
_TEXT = operator.attrgetter("text")
_START = operator.attrgetter("start")
_BREAK = None  # a row break in the cell stream
_ROW_END = re.compile(r"\s*\|\s*(?:\|\s*)+")
_BARE_PIPE = re.compile(r"\s*\|\s*")
_CELL_SEPARATOR = re.compile(r"[|\t]")
_YEAR = re.compile(r"\d{4}年")
_TOTAL_CELL = re.compile(r"(?:合计|总计|总分)(?:[（(]\d+分[)）])?")
_BUDGET_AMOUNT = re.compile(r"预算数|执行数|决算数|编制数|实有人数")
_EMPTY_VALUE = re.compile(r"^(?:|/|-|—|－|无|\\)$")
MAX_NAME = 60
_NOWHERE = float("inf")  # past every offset


@dataclass
class StreamCell:
    text: str
    start: int
    end: int


def _style(lines) -> str:
    # Lines with a bar counted in C (most reports have none).
    if sum(map(operator.contains, map(_TEXT, lines), itertools.repeat("|"))) < 5:
        return "blank"  # both other styles need five lines with a bar (most reports have none)
    content = [text for line in lines if (text := line.text.strip())]
    if not content:
        return "blank"
    bare = sum(1 for text in content if text == "|")
    trailing = sum(1 for text in content if text != "|" and text.endswith("|"))
    if trailing >= 5 and trailing >= len(content) / 4:
        return "trailing"
    if bare >= 5 and bare >= len(content) / 5:
        return "separator"
    return "blank"


def _compact(text: str) -> str:
    """A cell's text without whitespace, colons and U+FFFD (str.split and re's \\s agree on
    what whitespace is)."""
    return "".join(text.split()).replace(":", "").replace("：", "").replace("\ufffd", "")


def cell_stream(lines, skip) -> list[StreamCell | None]:
    """Every cell of the lines outside `skip` (ranges of tables already read), in order."""
    style = _style(lines)
    cells: list[StreamCell | None] = []
    pending: StreamCell | None = None
    last_separator = False

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            cells.append(pending)
            pending = None

    # The ranges to skip in order, walked along with the lines (which are in text order): a line
    # is skipped when it starts inside one (what covering(skip)(start, start + 1) answers).
    ranges = iter(sorted((a, b) for a, b in skip if a < b))
    skip_start, skip_end = next(ranges, (_NOWHERE, _NOWHERE))
    for line in lines:
        raw = line.text
        start = line.start
        while start >= skip_end:
            skip_start, skip_end = next(ranges, (_NOWHERE, _NOWHERE))
        stripped = raw.strip()
        if not stripped:
            # A blank line ends a cell unless cells wrap over lines; one inside a table read
            # already always does.
            if pending is not None and (style != "separator" or skip_start <= start):
                flush()
            continue
        if skip_start <= start:
            flush()
            continue
        bar = "|" in raw  # the separator lines and inline rows below all hold a bar (or a tab)
        if bar and _ROW_END.fullmatch(raw) and raw.count("|") >= 2:
            flush()
            cells.append(_BREAK)
            last_separator = True
            continue
        if bar and _BARE_PIPE.fullmatch(raw):
            flush()
            if style == "trailing" or (style == "separator" and last_separator):
                cells.append(StreamCell("", line.start, line.start))
            last_separator = True
            continue
        parts = _CELL_SEPARATOR.split(raw) if bar or "\t" in raw else [raw]
        if len(parts) > 1 and sum(1 for part in parts if part.strip()) >= 2:
            # An inline row: "label | 2000 | 1157.97 | ||||".
            flush()
            position = line.start
            row: list[StreamCell] = []
            for part in parts:
                text = part.strip()
                offset = position + (len(part) - len(part.lstrip()))
                row.append(StreamCell(text, offset, offset + len(text)))
                position += len(part) + 1
            while row and not row[-1].text:
                row.pop()
            while row and not row[0].text:
                row.pop(0)
            cells.extend(row)
            cells.append(_BREAK)
            last_separator = True
            continue
        text = stripped.strip("| ")
        start = line.start + raw.index(text) if text else line.start
        cell = StreamCell(text, start, start + len(text))
        if style == "separator" and pending is not None:
            pending = StreamCell(pending.text + text, pending.start, cell.end)
        elif style == "separator":
            pending = cell
        else:
            cells.append(cell)
        last_separator = False
    flush()
    return cells


_COLUMNS = {"budget": _GENRE.form_budget_columns, "indicator": _GENRE.form_indicator_columns}


def stream_form_rows(text: str, lines, skip) -> list[list[FormRow]]:
    """form_rows(cell_stream(lines, skip)) for the lines of `text`, without building the stream
    when its cells cannot pass form_rows' first test (most reports)."""
    if "|" in text:
        return form_rows(cell_stream(lines, skip))  # bars make cells of parts, or of several lines
    # With no bar in the text the stream's cells are the lines outside `skip`, stripped, or for
    # a line with tabs its parts that hold text: counted here as form_rows counts them.
    budget = indicator = 0
    key_value = False
    # The lines outside `skip` (those starting in none of its ranges), found by bisection.
    outside: list = []
    first = 0
    for skip_start, skip_end in sorted((a, b) for a, b in skip if a < b):
        stop = bisect_left(lines, skip_start, first, key=_START)
        outside += lines[first:stop]
        first = max(first, stop, bisect_left(lines, skip_end, first, key=_START))
    outside += lines[first:]
    for line in outside:
        raw = line.text
        if "\t" in raw:
            cells = [part for part in map(str.strip, raw.split("\t")) if part]
        else:
            cell = raw.strip()
            if not cell or len(cell) > 24:  # what _column reads (most lines: prose or blank)
                continue
            cells = [cell]
        for cell in cells:
            if len(cell) <= 24:
                label = _column_named(cell, "budget")
                if label:
                    budget += 1
                    key_value = key_value or label in _KEY_VALUE_LABELS
                if _column_named(cell, "indicator"):
                    indicator += 1
    if budget < 3 and indicator < 3 and not key_value:
        return []
    return form_rows(cell_stream(lines, skip))


def _column(cell: StreamCell | None, kind: str) -> str | None:
    """The canonical column a header cell names in a "budget" or an "indicator" table."""
    if cell is None or not cell.text or len(cell.text) > 24:
        return None
    return _column_named(cell.text, kind)


@functools.lru_cache(maxsize=4096)
def _column_named(text: str, kind: str) -> str | None:
    # Cached: the grid tries every cell as the start of a header, so it reads each cell often.
    compact = _compact(text)
    for entry in _COLUMNS[kind]:
        if entry.pattern.search(compact):
            return entry.key
    return None


def _is_value(cell: StreamCell | None) -> bool:
    return cell is not None and (parse_decimal(cell.text) is not None or bool(_EMPTY_VALUE.match(cell.text.strip())))


@dataclass
class FormRow:
    """One regrouped row: its cells (None where the form left a merged cell out) under `labels`."""

    cells: list[StreamCell | None]
    labels: list[str]
    kind: str  # "budget" | "indicator"
    unit_hint: str = ""


def _header(cells, index: int, kind: str, group: re.Pattern[str] | None) -> tuple[list[str], int, str] | None:
    """A run of at least three known column headers starting at `index` (group headers skipped)."""
    labels: list[str] = []
    unit = ""
    position = index
    while position < len(cells):
        cell = cells[position]
        if cell is not None and not cell.text and not labels:
            position += 1  # an empty cell under a group header ("预算执行情况(万元)" | "" | 预算数 …)
            continue
        if cell is None:
            if labels:
                position += 1
                break
            return None
        label = _column(cell, kind)
        year = _YEAR.match(_compact(cell.text)) if label else None
        if year and not label.startswith(year.group(0)):
            label = year.group(0) + label  # "2022年决算数": the year decides the period
        if group is not None and group.search(_compact(cell.text)) and (
            _column(cells[position + 1] if position + 1 < len(cells) else None, kind) or not labels
        ):
            unit = "万元" if "万元" in cell.text else "元" if "元" in cell.text else unit
            if label is None or (position + 1 < len(cells) and _column(cells[position + 1], kind)):
                position += 1
                continue
        if label is None or label in labels:
            break
        labels.append(label)
        position += 1
    if len(labels) < 3:
        return None
    return labels, position, unit


def _budget_rows(cells, position: int, labels: list[str], unit: str) -> tuple[list[FormRow], int]:
    rows: list[FormRow] = []
    width = len(labels)
    misses = 0
    while position < len(cells) and misses < 6:  # rows whose empty cells the flattening dropped
        cell = cells[position]
        if cell is None:
            position += 1
            continue
        if _column(cell, "budget") or _column(cell, "indicator"):
            break  # the next table's header
        if not rows and _is_value(cell) and parse_decimal(cell.text) is not None:
            # Values right under the header: a table with no row labels ("编制数 | 实有人数 \n 11 | 16").
            values = []
            while position < len(cells) and len(values) < width and _is_value(cells[position]):
                values.append(cells[position])
                position += 1
            values += [None] * (width - len(values))
            rows.append(FormRow([StreamCell("", cell.start, cell.start), *values], ["", *labels], "budget", unit))
            continue
        if _is_value(cell) or len(cell.text) > 30:
            misses += 1
            position += 1
            continue
        values: list[StreamCell | None] = []
        scan = position + 1
        while scan < len(cells) and len(values) < width and cells[scan] is not None and _is_value(cells[scan]):
            values.append(cells[scan])
            scan += 1
        if not any(v is not None and parse_decimal(v.text) is not None for v in values):
            misses += 1
            position += 1
            continue
        misses = 0
        values += [None] * (width - len(values))
        rows.append(FormRow([cell, *values], ["", *labels], "budget", unit))
        position = scan
    return rows, position


def _indicator_rows(cells, position: int, labels: list[str]) -> tuple[list[FormRow], int]:
    rows: list[FormRow] = []
    width = len(labels)
    level2 = _GENRE.indicator_level2
    level1 = _GENRE.form_level1_cell
    name_at = labels.index("三级指标") if "三级指标" in labels else min(2, width - 1)
    misses = 0
    while position < len(cells) and misses < 2:
        cell = cells[position]
        if cell is None or not cell.text:
            position += 1  # a row break, or a cell the form left empty (a blank row between groups)
            continue
        if _column(cell, "budget") and not _column(cell, "indicator"):
            break
        if _TOTAL_CELL.fullmatch(_compact(cell.text)):
            values = []
            scan = position + 1
            while scan < len(cells) and cells[scan] is not None and _is_value(cells[scan]) and len(values) < 3:
                values.append(cells[scan])
                scan += 1
            row = [cell] + [None] * (width - 1)
            numeric = [v for v in values if parse_decimal(v.text) is not None]
            if numeric and "分值" in labels:
                row[labels.index("分值")] = numeric[0]
            if len(numeric) > 1 and "得分" in labels:
                row[labels.index("得分")] = numeric[1]
            rows.append(FormRow(row, labels, "indicator"))
            position = scan
            break
        row: list[StreamCell | None] = [None] * width
        scan = position
        compact = _compact(cell.text)
        if level1.match(compact) and name_at >= 2:
            row[0] = cell
            scan += 1
        nxt = cells[scan] if scan < len(cells) else None
        if nxt is not None and level2.match(_compact(nxt.text)) and name_at >= 1:
            row[1] = nxt
            scan += 1
        nxt = cells[scan] if scan < len(cells) else None
        if nxt is None or not nxt.text or len(nxt.text) > MAX_NAME * 3 or _is_value(nxt) \
                or han_count(nxt.text) < 2:
            misses += 1  # an indicator is named in words ("分)" is a broken cell)
            position = scan + 1
            continue
        row[name_at] = nxt
        scan += 1
        column = name_at + 1
        while column < width and scan < len(cells) and cells[scan] is not None:
            candidate = cells[scan]
            if level1.match(_compact(candidate.text)) or level2.match(_compact(candidate.text)):
                break  # a new row opens before this one filled its columns
            row[column] = candidate
            column += 1
            scan += 1
        misses = 0
        row_labels = labels
        after = cells[scan] if scan < len(cells) else None
        following = cells[scan + 1] if scan + 1 < len(cells) else None
        if "得分" not in labels and after is not None and (value := parse_decimal(after.text)) is not None \
                and 0 <= value <= 100 and not _is_value(following):
            # A score column the flattened header lost: a bare number closing the row.
            row, row_labels = [*row, after], [*labels, "得分"]
            scan += 1
        rows.append(FormRow(row, row_labels, "indicator"))
        position = scan
    return rows, position


def form_rows(cells: list[StreamCell | None]) -> list[list[FormRow]]:
    """Tables found in a cell stream, each a list of regrouped rows."""
    tables: list[list[FormRow]] = []
    # A header is three cells or more that name columns of its kind, a key-value pair a cell
    # naming one of a few budget columns: a stream without them (most prose, where at most a
    # heading such as 原因 names a column) holds no table, and is not tried cell by cell.
    budget_labels = [_column(cell, "budget") for cell in cells]
    indicator_labels = [_column(cell, "indicator") for cell in cells]
    budget = [label for label in budget_labels if label]
    indicator = sum(1 for label in indicator_labels if label)
    if len(budget) < 3 and indicator < 3 and not any(label in _KEY_VALUE_LABELS for label in budget):
        return tables
    # Where a header or a key-value pair can start: a cell that names a column or a group, or an
    # empty cell (a header skips those); elsewhere _header and _key_value fail at the first cell.
    group = _GENRE.form_budget_group
    opens = [
        cell is not None and (not cell.text or bool(budget_label) or bool(indicator_label) or (group is not None and bool(group.search(_compact(cell.text)))))
        for cell, budget_label, indicator_label in zip(cells, budget_labels, indicator_labels)
    ]
    position = 0
    while position < len(cells):
        if not opens[position]:
            position += 1
            continue
        header = _header(cells, position, "indicator", None)
        if header and "三级指标" in header[0]:
            rows, position = _indicator_rows(cells, header[1], header[0])
            if rows:
                tables.append(rows)
            continue
        header = _header(cells, position, "budget", group)
        if header and any(_BUDGET_AMOUNT.search(label) for label in header[0]):
            rows, position = _budget_rows(cells, header[1], header[0], header[2])
            if rows:
                tables.append(rows)
            continue
        pair = _key_value(cells, position)
        if pair is not None:
            tables.append([pair])
            position += 2
            continue
        position += 1
    return tables


_KEY_VALUE_LABELS = ("年初预算数", "调整后预算数", "全年预算数", "全年执行数", "执行率")


def _key_value(cells, position: int) -> FormRow | None:
    """"预算数: | 2.38": a budget column's name and its value, as forms without a header row give them."""
    cell = cells[position]
    value = cells[position + 1] if position + 1 < len(cells) else None
    if cell is None or value is None or not cell.text.strip().endswith((":", "：")) or parse_decimal(value.text) is None:
        return None
    label = _column(cell, "budget")
    if label not in _KEY_VALUE_LABELS:
        return None
    return FormRow([StreamCell("", cell.start, cell.start), value], ["", label], "budget")


# ---- glued forms: cells pasted with no separator ----------------------------------------------

_GLUED_LABEL_END = re.compile(r"[。；;！？]")
_NUMBER_PIECE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?")
MAX_GLUED_RUN = 32
RATE_SLACK = Decimal("0.06")  # rates are rounded or truncated to two decimals


@functools.cache
def _glued_header() -> re.Pattern[str] | None:
    columns = _GENRE.form_glued_columns
    if not columns:
        return None
    alternatives = "|".join(f"(?:{entry.pattern.pattern})" for entry in columns)
    header = rf"(?:(?:{alternatives})[ ]*){{3,8}}"  # glued: no tab, pipe or line between
    # A look-ahead on the characters a header can start with: the engine rejects most positions
    # of a report with one test instead of trying every column (an eighth of the time).
    first = _first_chars(header)
    return re.compile(header if first is None else f"(?={first}){header}")


def _first_chars(pattern: str) -> str | None:
    """A character class holding every character a match of `pattern` can start with, or None
    when the pattern's parse is not understood here (the pattern then runs as it is)."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]

    def first(items) -> tuple[list[str], bool] | None:
        """(class items a match of `items` starts with, whether `items` can match nothing)."""
        found: list[str] = []
        for op, argument in items:
            if op is parser.LITERAL:
                return [*found, re.escape(chr(argument))], False
            if op is parser.IN:
                if any(kind not in (parser.LITERAL, parser.RANGE) for kind, _ in argument):
                    return None  # a category or a negated class: any character may start it
                for kind, value in argument:
                    found.append(re.escape(chr(value)) if kind is parser.LITERAL else f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                return found, False
            if op in (parser.AT, parser.ASSERT, parser.ASSERT_NOT):
                continue  # zero-width: the next item starts the match
            if op is parser.SUBPATTERN:
                if argument[1] & re.IGNORECASE:
                    return None  # the class below would miss the other case
                inner = first(argument[-1])
            elif op is parser.BRANCH:
                branches = [first(branch) for branch in argument[1]]
                if any(branch is None for branch in branches):
                    return None
                inner = ([item for chars, _ in branches for item in chars], any(empty for _, empty in branches))
            elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
                inner = first(argument[2])
                if inner is not None and argument[0] == 0:
                    inner = (inner[0], True)
            else:
                return None
            if inner is None:
                return None
            found += inner[0]
            if not inner[1]:
                return found, False
        return found, True

    try:
        parsed = parser.parse(pattern)
        result = None if parsed.state.flags & re.IGNORECASE else first(parsed)
    except Exception:  # noqa: BLE001 - a private parser's change must only cost speed
        return None
    if result is None or result[1] or not result[0]:
        return None
    return "[" + "".join(dict.fromkeys(result[0])) + "]"


def _glued_labels(header: str) -> list[str]:
    labels: list[str] = []
    position = 0
    compact = re.sub(r"\s+", "", header)
    while position < len(compact):
        for entry in _GENRE.form_glued_columns:
            match = entry.pattern.match(compact, position)
            if match and match.end() > position:
                labels.append(entry.key)
                position = match.end()
                break
        else:
            return []
    return labels


def split_glued(run: str, labels: list[str]) -> list[tuple[str, int, int]] | None:
    """Cut a run of glued digits ("319.65134.0241.93%") into the header's columns, or None.

    The cut is accepted only when it is the one cut under which the budget, the spending and
    the rate agree (spending / budget = rate) and weights and scores are whole numbers up to 100.
    Returns (text, start, end) per column, offsets into `run`.
    """
    if "执行率" not in labels or "%" not in run or run.count("%") != 1:
        return None
    rate_at = labels.index("执行率")
    before, after = labels[: rate_at + 1], labels[rate_at + 1 :]
    head, _, tail = run.partition("%")
    solutions = []
    for cut in _cuts(head, len(before)):
        pieces = [head[a:b] for a, b in cut]
        values = dict(zip(before, (Decimal(piece) for piece in pieces)))
        if not _agree(values):
            continue
        tail_pieces = _tail(tail, after, values)
        if tail_pieces is None:
            continue
        offset = len(head) + 1
        solutions.append((values["全年执行数"] == 0, [*cut, *((a + offset, b + offset) for a, b in tail_pieces)]))
    # Nothing spent agrees with any budget at a 0% rate, so such a cut proves nothing.
    solutions = [cut for degenerate, cut in solutions if not degenerate]
    if len(solutions) != 1:
        return None
    cells = []
    for index, (a, b) in enumerate(solutions[0]):
        end = b + 1 if index == rate_at else b  # the rate keeps its %
        cells.append((run[a:end], a, end))
    return cells


def _cuts(text: str, count: int, start: int = 0):
    """Every way to cut text[start:] into `count` valid numbers."""
    if count == 1:
        if _NUMBER_PIECE.fullmatch(text, start):
            yield [(start, len(text))]
        return
    for end in range(start + 1, len(text)):
        if _NUMBER_PIECE.fullmatch(text, start, end):
            for rest in _cuts(text, count - 1, end):
                yield [(start, end), *rest]


def _agree(values: dict[str, Decimal]) -> bool:
    rate = values.get("执行率")
    if rate is None or rate > 150:
        return False
    budget, spent = values.get("全年预算数"), values.get("全年执行数")
    if budget is None or spent is None or budget <= 0:
        return False
    if abs(spent / budget * 100 - rate) > RATE_SLACK or (rate == 0) != (spent == 0):
        return False
    weight = values.get("分值")
    return weight is None or (weight == weight.to_integral_value() and 0 < weight <= 100)


def _tail(tail: str, labels: list[str], values: dict[str, Decimal]) -> list[tuple[int, int]] | None:
    """The columns after the rate (a score): one whole number, not above the weight."""
    if not labels:
        return [] if not tail else None
    if labels != ["得分"] or not tail:
        return None
    if not re.fullmatch(r"\d{1,3}(?:\.\d)?", tail):
        return None
    score, weight = Decimal(tail), values.get("分值", Decimal(100))
    return [(0, len(tail))] if score <= weight else None


@functools.cache
def _glued_row() -> re.Pattern[str]:
    # Compiled when a glued header is found (its CJK range costs ~0.7 ms to compile).
    return re.compile(r"(?:\d{1,2}(?=[\u4e00-\u9fff]))?([^\d。；;]{1,40}?)(\d[\d.]*%\d{0,3}(?:\.\d)?|\d[\d.]*)")


# The columns a glued header must name, each with a literal its pattern (forms.toml) cannot match without.
_GLUED_REQUIRED = {"全年预算数": "预算数", "全年执行数": "执行数", "执行率": "执行率"}


def glued_rows(text: str) -> list[list[FormRow]]:
    """Budget tables whose cells were pasted together, read row by row after their header."""
    header_pattern = _glued_header()
    # A header is read only when it names the three columns below (the literals their patterns
    # require): most reports lack one, and skip the header scan (a regex with no literal to seek).
    if header_pattern is None or not all(literal in text for literal in _GLUED_REQUIRED.values()):
        return []
    tables = []
    consumed = 0
    for header in header_pattern.finditer(text):
        if header.start() < consumed:
            continue  # a header repeated after a page break inside a table already read
        labels = _glued_labels(header.group(0))
        if not _GLUED_REQUIRED.keys() <= set(labels):
            continue
        rows: list[FormRow] = []
        position = header.end()
        misses = 0
        while misses < 5:  # page markers and broken cells inside the table
            match = _glued_row().match(text, position)
            if match is None or _GLUED_LABEL_END.search(match.group(1)):
                break
            position = match.end()
            run = match.group(2)
            tail_digits = len(run) - len(run.rstrip("0123456789.")) if "得分" not in labels else 0
            if tail_digits and "%" in run:
                # No score column: digits after the % open the next row ("41.93%3省…").
                run, position = run[: len(run) - tail_digits], position - tail_digits
            label = re.sub(r"^[\s、.．:：|]+|[\s:：|]+$", "", match.group(1))
            pieces = split_glued(run, labels) if len(run) <= MAX_GLUED_RUN else None
            if pieces is None or not re.search(r"[\u4e00-\u9fff]", label):
                misses += 1
                continue
            misses = 0
            run_start = match.start(2)
            label_start = match.start(1) + match.group(1).index(label[0])
            cells = [StreamCell(label, label_start, label_start + len(label))]
            cells += [StreamCell(piece, run_start + a, run_start + b) for piece, a, b in pieces]
            rows.append(FormRow(cells, ["", *labels], "budget"))
            consumed = position
        if rows:
            tables.append(rows)
    return tables


# ---- glued indicator tables ------------------------------------------------------------------

_GLUED_LEVEL1 = _GENRE.form_glued["level1"]
_GLUED_LEVEL2 = _GENRE.form_glued["level2"]
_GLUED_STOP = _GENRE.form_glued["stop"]
_GLUED_TOTAL = re.compile(r"(总分|合计)(?P<weight>100)(?P<score>100|\d{1,2}(?:\.\d{1,2})?)(?![\d.])")
_INDICATOR_HEAD = "一级指标二级指标三级指标"
_PAGE_MARKER = re.compile(r"\n\d{1,2}、")
# The head in the text, its characters apart by whitespace and page markers only (what _compacted
# drops): sought from its first character, a literal, instead of compacting the whole text.
_INDICATOR_HEAD_SPREAD = re.compile(r"(?:\s|\n\d{1,2}、)*".join(_INDICATOR_HEAD))
_NON_SPACE = re.compile(r"\S+")
_SEPARATOR_OR_LINE = re.compile(r"[\t|\n]")


def _compacted(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """text[start:end] without whitespace and the page markers ("\\n2、") of a mirror, with the
    original offset of every kept character."""
    # Runs of non-space characters between the markers, found by the regex engine: a Python
    # test per character was a large share of a report's analysis (\S rejects what str.isspace accepts).
    segments, position = [], start
    for marker in _PAGE_MARKER.finditer(text, start, end):
        segments.append((position, marker.start()))
        position = marker.end()
    segments.append((position, end))
    pieces: list[str] = []
    kept: list[int] = []
    for segment_start, segment_end in segments:
        for run in _NON_SPACE.finditer(text, segment_start, segment_end):
            pieces.append(run.group())
            kept.extend(range(run.start(), run.end()))
    return "".join(pieces), kept


def _glued_indicator_columns(compact: str, position: int) -> tuple[list[str], int]:
    labels: list[str] = []
    while True:
        for entry in _GENRE.form_glued_indicator_columns:
            match = entry.pattern.match(compact, position)
            if match and match.end() > position and entry.key not in labels:
                labels.append(entry.key)
                position = match.end()
                break
        else:
            return labels, position


@functools.cache
def _glued_row_pattern(labels: tuple[str, ...]) -> re.Pattern[str] | None:
    """One row of a glued indicator table under these columns: a name, then its values."""
    units = _GENRE.form_glued_value_units
    # A unitless number may not run on into a digit ("50" of "500吨"), except a bare 0 ("00": 0 and 0).
    value = (
        rf"(?:{_GENRE.form_glued['operators'].pattern})?"
        rf"(?:(?:0|[1-9]\d*)(?:\.\d+)?(?:{units})|[1-9]\d*(?:\.\d+)?(?![\d.])|0(?:\.\d+)?(?![.]))"
    )
    points = r"(?:100|[1-9]\d?)(?:\.\d)?"
    levels = rf"{_GLUED_LEVEL1.pattern}|{_GLUED_LEVEL2.pattern}|{_GLUED_STOP.pattern}"
    counted = rf"\d+(?:{_GENRE.form_glued['name_units'].pattern})"  # "5000吨稻谷…到位率"
    name = rf"(?P<name>(?:{counted}|(?!{levels})[^\d≥≤<>=%。；;…]){{2,40}}?)"
    pair = rf"(?:(?P<target>{value})(?P<actual>{value}|无)|(?P<same>[\u4e00-\u9fff]{{1,6}})(?P=same))"
    if labels[:2] == ("分值", "指标值") and "完成值" in labels:
        tail = rf"(?P<score>{points})(?![\d.%])" if "得分" in labels else ""
        return re.compile(rf"{name}(?P<weight>{points}){pair}{tail}")
    if labels[:2] == ("指标值", "完成值"):
        tail = rf"(?P<score>{points})(?![\d.%])" if labels[2:3] == ("得分",) else ""
        return re.compile(rf"{name}{pair}{tail}")
    return None


def glued_indicator_rows(text: str) -> list[list[FormRow]]:
    """Indicator tables whose cells were pasted together: levels, names and values read one
    token at a time after the glued header "一级指标二级指标三级指标…"."""
    # Most reports hold no such header: look for it, its characters apart by what _compacted
    # drops (whitespace and page markers), before recording the offset of every kept character.
    if not _INDICATOR_HEAD_SPREAD.search(text):
        return []
    tables = []
    compact, kept = _compacted(text, 0, len(text))
    for head in re.finditer(_INDICATOR_HEAD, compact):
        if _SEPARATOR_OR_LINE.search(text, kept[head.start()], kept[head.end() - 1]):
            continue  # a table with separators: the form grid reads it
        labels, position = _glued_indicator_columns(compact, head.end())
        row_pattern = _glued_row_pattern(tuple(labels))
        if row_pattern is None:
            continue
        columns = ["一级指标", "二级指标", "三级指标", *[label for label in labels if label != "原因"]]
        rows: list[FormRow] = []
        level1 = level2 = None
        skipped = 0
        while position < len(compact) and skipped < 40:
            if _GLUED_STOP.match(compact, position):
                total = _GLUED_TOTAL.match(compact, position)
                if total and "分值" in labels and "得分" in labels:
                    # "总分100100": the full 100 points, then the score.
                    cells = [None] * len(columns)
                    cells[2] = _cell(total.group(1), total.start(1), kept)
                    cells[columns.index("分值")] = _span(total, "weight", kept)
                    cells[columns.index("得分")] = _span(total, "score", kept)
                    rows.append(FormRow(cells, columns, "indicator"))
                break
            match = _GLUED_LEVEL1.match(compact, position) or _GLUED_LEVEL2.match(compact, position)
            if match and match.re is _GLUED_LEVEL1:
                level1, level2 = _cell(match.group(0).split("(")[0].split("（")[0], match.start(), kept), None
                level1.end = kept[match.end() - 1] + 1
                position = match.end()
                continue
            if match:
                level2 = _cell(match.group(0), match.start(), kept)
                position = match.end()
                continue
            row = row_pattern.match(compact, position)
            if row is None:
                position += 1
                skipped += 1
                continue
            skipped = 0
            values = {"三级指标": _span(row, "name", kept)}
            if row.group("same"):
                values["指标值"] = values["完成值"] = _span(row, "same", kept)
            else:
                values["指标值"], values["完成值"] = _span(row, "target", kept), _span(row, "actual", kept)
            for group, label in (("weight", "分值"), ("score", "得分")):
                if group in row.re.groupindex and row.group(group):
                    values[label] = _span(row, group, kept)
            weight, score = values.get("分值"), values.get("得分")
            if weight and score and Decimal(score.text) > Decimal(weight.text):
                position += 1
                continue  # a score above its weight: not this cut
            cells = [level1, level2] + [values.get(label) for label in columns[2:]]
            rows.append(FormRow(cells, columns, "indicator"))
            position = row.end()
        if rows:
            tables.append(rows)
    return tables


def _cell(text: str, start: int, kept: list[int]) -> StreamCell:
    return StreamCell(text, kept[start], kept[start + len(text) - 1] + 1)


def _span(match: re.Match[str], group: str, kept: list[int]) -> StreamCell:
    return StreamCell(match.group(group), kept[match.start(group)], kept[match.end(group) - 1] + 1)


# ---- score trees: "名称(5 分) 得分" ------------------------------------------------------------


@functools.cache
def _tree_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A node "名称(5 分)" and the score after it; compiled when a score table's head is found
    (their CJK ranges cost ~2.5 ms to compile)."""
    node = re.compile(r"(?P<name>[\u4e00-\u9fff](?:[\u4e00-\u9fff]|[ \t](?=[\u4e00-\u9fff])){1,24}?)\s*[（(](?P<weight>\d{1,3})\s*分[)）]")
    score = re.compile(r"\s*(?P<score>\d{1,3}(?:\.\d{1,2})?)(?=\s|$|[\u4e00-\u9fff])")
    return node, score


_SENTENCE_END = re.compile(r"[。；;]")
_TREE_HEAD = re.compile(r"得分表|三级\s*指标")
_TREE_HEAD_LEVEL3 = re.compile(r"三级\s*指标")  # _TREE_HEAD's second branch
_TREE_COLUMNS = re.compile(r"(?:\s*(?:[一二三]\s*级\s*指\s*标|得\s*分|分\s*值|权\s*重))*")


def _tree_heads(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every _TREE_HEAD match, in order, each branch sought from its
    literal by str.find (the regex tries every position). The branches share no character,
    and neither can overlap itself, so their matches are all the regex's matches."""
    heads = []
    at = text.find("得分表")
    while at >= 0:
        heads.append((at, at + 3))
        at = text.find("得分表", at + 3)
    at = text.find("三级")
    while at >= 0:
        if match := _TREE_HEAD_LEVEL3.match(text, at):
            heads.append(match.span())
        at = text.find("三级", at + 2)
    return sorted(heads)


def score_tree_rows(text: str) -> list[list[FormRow]]:
    """A score table flattened into "部门决策(25 分) 目标任务(15 分) 相关性(5 分)\n5 明确性(5 分)\n5":
    a name with its full marks in brackets is a level heading, unless a score follows it, which
    makes it an indicator row. A heading stays open until its rows' marks fill its own."""
    tables = []
    for head_start, head_end in _tree_heads(text):
        if tables and head_start < tables[-1][-1].cells[-1].end:
            continue
        tree_node, tree_score = _tree_patterns()
        rows: list[FormRow] = []
        headings: list[list] = []  # [name cell, full marks, marks not yet given to rows], outermost first
        position = _TREE_COLUMNS.match(text, head_end).end()
        misses = 0
        while misses < 2:
            node = tree_node.search(text, position, min(len(text), position + 80))
            if node is None or _SENTENCE_END.search(text, position, node.start()):
                break
            name = StreamCell(re.sub(r"\s+", "", node.group("name")), node.start("name"), node.end("name"))
            weight = int(node.group("weight"))
            score = tree_score.match(text, node.end())
            position = node.end()
            if score is None or Decimal(score.group("score")) > weight:
                while headings and headings[-1][2] < weight:
                    headings.pop()  # it cannot hold this heading: the new one is not its child
                headings.append([name, weight, weight])
                continue
            misses = 0
            level1 = headings[-2][0] if len(headings) >= 2 else None
            level2 = headings[-1][0] if headings else None
            weight_cell = StreamCell(node.group("weight"), node.start("weight"), node.end("weight"))
            score_cell = StreamCell(score.group("score"), score.start("score"), score.end("score"))
            rows.append(FormRow([level1, level2, name, weight_cell, score_cell], ["一级指标", "二级指标", "三级指标", "分值", "得分"], "indicator"))
            for heading in headings:
                heading[2] -= weight
            while headings and headings[-1][2] <= 0:
                headings.pop()  # its rows have filled it
            position = score.end()
        if len(rows) >= 2:
            tables.append(rows)
    return tables
