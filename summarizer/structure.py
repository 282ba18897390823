"""Structure: find headings, sections (with a role each) and tables in a Document's text. No I/O.

The genre's layout grammar lives here:
- headings by Chinese markers 一、 （一） (一) 1. 1、 （1） ① and markdown #, plus short
  "label lines" (a table cell such as 问题与分析, or a bare 存在问题) that name a known role;
- tables in three dresses: tab-separated rows, one-cell-per-line blocks (each cell a line
  starting with a tab, rows separated by blank lines) and markdown pipes; multi-row headers are
  aligned to value columns by taking, per column, the lowest non-empty header cell;
- a role per section from its title (problems, measures, both merged, achievements ...).
All positions are offsets into `Document.text`.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from .document import Document, covering
from .genre import vocabulary
from .grid import glued_indicator_rows, glued_rows, score_tree_rows, stream_form_rows
from .numbers import Quantity, find_quantities, parse_decimal


class Role(str, Enum):
    BASIC = "basic"  # 基本情况 / 单位概况
    FINANCE = "finance"  # 收支 / 预算执行 / 资金使用
    TARGETS = "targets"  # 绩效目标
    PERFORMANCE = "performance"  # 绩效分析 / 指标完成
    ACHIEVEMENTS = "achievements"  # 主要成效 / 取得的成绩
    PROBLEMS = "problems"
    MEASURES = "measures"
    PROBLEMS_AND_MEASURES = "problems_and_measures"
    SCORE = "score"  # 自评结论 / 得分 / 等次
    OTHER = "other"


_CN_NUM = "一二三四五六七八九十"
# (pattern, level). Lower level = higher in the tree. Markdown # depth is used only when the
# line carries no Chinese marker, because these reports mix the two freely.
_MARKERS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"^[{_CN_NUM}]{{1,3}}[、.．]"), 1),
    (re.compile(rf"^[（(][{_CN_NUM}]{{1,3}}[）)]"), 2),
    (re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))"), 3),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 4),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]"), 5),
]
_TERMINAL = "。；;，,：:！？!?"
LABEL_LEVEL = 9
MAX_HEADING_CHARS = 32

# Role keywords come from the genre's vocabulary (summarizer/genre/sections.toml).
_GENRE = vocabulary()
_PROBLEM = _GENRE.problem
_MEASURE = _GENRE.measure
_NOT_PROBLEM = _GENRE.not_problem
_ROLE_PATTERNS: list[tuple[Role, re.Pattern[str]]] = [(Role(entry.key), entry.pattern) for entry in _GENRE.roles]


@functools.lru_cache(maxsize=1024)
def role_of(title: str) -> Role | None:
    # Cached: a title is read when its heading is found and again when its section gets a role.
    compact = "".join(title.split())
    problem = bool(_PROBLEM.search(compact)) and not _NOT_PROBLEM.search(compact)
    measure = bool(_MEASURE.search(compact))
    if problem and measure:
        return Role.PROBLEMS_AND_MEASURES
    if problem:
        return Role.PROBLEMS
    if measure:
        return Role.MEASURES
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(compact):
            return role
    return None


@dataclass
class Heading:
    title: str  # without marker
    marker: str
    level: int
    start: int  # line start in Document.text
    end: int  # line end
    label: bool = False  # a label line (no numbering marker), e.g. a table cell
    limit: int | None = None  # a label cell's section ends with its table row


@dataclass
class Section:
    heading: Heading
    role: Role
    body_start: int
    body_end: int
    own_role: bool  # role from this title, not inherited

    @property
    def title(self) -> str:
        return self.heading.title


@dataclass
class Cell:
    text: str
    start: int
    end: int

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class TableRow:
    cells: list[Cell]
    start: int
    end: int
    labels: list[str] | None = None  # column labels from the header above (value rows only)
    paths: list[str] | None = None

    def texts(self) -> list[str]:
        return [cell.text.strip() for cell in self.cells]


@dataclass
class Table:
    rows: list[TableRow]
    start: int
    end: int
    layout: str  # "tsv" | "cell_per_line" | "pipe" | "form" (a flattened form regrouped by grid.py)
    caption: str = ""  # nearest preceding non-table line(s), for units such as （万元）
    column_labels: list[str] = field(default_factory=list)
    column_paths: list[str] = field(default_factory=list)


@dataclass
class Line:
    text: str
    start: int
    end: int


@dataclass
class Layout:
    """The one analysis of a Document: every later stage reads it, none re-scans the text.

    lines, headings, sections (with roles), tables (form grids included); every number with its
    unit (`quantities`, bare table numbers included); where sentences and blocks (a table row,
    a paragraph) start.
    """

    lines: list[Line]
    headings: list[Heading]
    sections: list[Section]
    tables: list[Table]
    is_report: bool
    quantities: list[Quantity] = field(default_factory=list)
    sentence_starts: list[int] = field(default_factory=lambda: [0])
    block_starts: list[int] = field(default_factory=lambda: [0])
    block_tables: list[int | None] = field(default_factory=lambda: [None])
    quantity_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.quantity_starts = [q.start for q in self.quantities]

    def quantities_in(self, start: int, end: int, *, with_bare: bool = True) -> list[Quantity]:
        """The quantities inside text[start:end] (bisected, not re-scanned)."""
        starts = self.quantity_starts
        found = self.quantities[bisect_left(starts, start) : bisect_left(starts, end)]
        return [q for q in found if q.end <= end and (with_bare or q.unit)]

    def sections_with(self, *roles: Role) -> list[Section]:
        return [section for section in self.sections if section.role in roles]

    def section_at(self, position: int) -> Section | None:
        """The innermost (last-starting) section whose body holds this position."""
        found = None
        for section in self.sections:
            if section.body_start <= position < section.body_end:
                found = section
        return found

    def table_at(self, position: int) -> Table | None:
        for table in self.tables:
            if table.start <= position < table.end:
                return table
        return None


def split_lines(text: str) -> list[Line]:
    lines, position = [], 0
    for raw in text.split("\n"):
        lines.append(Line(raw, position, position + len(raw)))
        position += len(raw) + 1
    return lines


_RUN_ON_TITLE = re.compile(r"([^，,；;。：:\t]{2,20})[。：:]")


# Any of the markers above, one group each (match.lastindex: the marker's index in _MARKERS).
_ANY_MARKER = re.compile("|".join(f"({pattern.pattern})" for pattern, _ in _MARKERS))
_LIST_SEPARATOR = re.compile(r"[，,；;]")
_DIGIT = re.compile(r"\d")
_PERCENT_COLUMN = re.compile(r"[（(]%[）)]")
_SENTENCE_MARK = re.compile(r"[，,。；;]")
_SENTENCE_OR_DIGIT = re.compile(r"[，,。；;\d]")
# The first characters of a markdown heading, a list bullet and every marker but level 3's \d.
_MARKED_FIRST = frozenset("#-*+一二三四五六七八九十（(①②③④⑤⑥⑦⑧⑨⑩")
_HEADING_END_STOPS = _TERMINAL.replace("：", "").replace(":", "")


def _compact(text: str) -> str:
    """text without whitespace (str.split and re's \\s agree on what whitespace is)."""
    return "".join(text.split())


def _heading_of(line: Line, text: str) -> Heading | None:
    """The heading a line opens, given its stripped text (not empty)."""
    raw = line.text
    # The line's one non-blank tab-separated cell: its stripped text, unless that holds a tab
    # (then two cells have text: a table row).
    if "\t" in text:
        return None
    in_table_row = "\t" in raw
    if in_table_row and raw.startswith("\t"):
        # A single tab-led cell may still be a role label (问题与分析 in a one-cell-per-line table).
        return _label_heading(text, line)
    if text[0] not in _MARKED_FIRST and not text[0].isdecimal():  # isdecimal is re's \d
        return _label_heading(text, line)  # no markdown, bullet or marker can start the line
    offset = 0 if raw[0] == text[0] else raw.index(text)  # text is raw stripped
    # A markdown "#" to "######" and the whitespace after it (^(#{1,6})\s*), then a list bullet
    # (^[-*+]\s+), cut with str methods (their whitespace is re's \s).
    markdown = ""
    if text[0] == "#":
        markdown = text[: min(len(text) - len(text.lstrip("#")), 6)]
        text = text[len(markdown):].lstrip()  # (nothing to strip when a seventh # follows)
    if text[:1] in ("-", "*", "+") and text[1:2].isspace():
        text = text[1:].strip()
    match = _ANY_MARKER.match(text)  # its first matching alternative is the first marker that matches
    if match:
        return _marked_heading(line, text, offset, match, _MARKERS[match.lastindex - 1][1], in_table_row)
    if markdown:
        title = text.strip()
        if title and len(title) <= 60:
            return Heading(title, markdown, len(markdown) + 1, line.start + offset, line.end)
        return None
    return _label_heading(text, line)


def _marked_heading(line: Line, text: str, offset: int, match: re.Match[str], level: int, in_table_row: bool) -> Heading | None:
    title = text[match.end():].strip()
    if in_table_row and level > 2:
        return None  # "1、局机关" is a row label in a table
    run_on = _RUN_ON_TITLE.match(title) if level <= 2 and not in_table_row else None
    if run_on and len(title) > run_on.end():
        # "（一）项目概况。道里区……": a short title closed by 。 or ：, its body on the same line.
        head = run_on.group(1).strip()
        title_start = line.start + offset + text.index(title)
        return Heading(head, match.group(0), level, line.start + offset, title_start + run_on.end())
    if not title or len(title) > MAX_HEADING_CHARS or title[-1] in _HEADING_END_STOPS:
        return None
    # "1、科学合理编制预算，严格执行预算。" is a list item, not a heading.
    if "。" in title or (level >= 3 and _LIST_SEPARATOR.search(title)):
        return None
    return Heading(title.rstrip("：: "), match.group(0), level, line.start + offset, line.end)


def _label_heading(text: str, line: Line) -> Heading | None:
    # A sentence, or a number that is not a (%) column (tested on text: the title below only
    # loses its whitespace and outer bars; most lines of prose and table cells end here).
    if _SENTENCE_OR_DIGIT.search(text) and (
        "%" not in text or _SENTENCE_MARK.search(text) or not _PERCENT_COLUMN.search(_compact(text))
    ):
        return None
    return _label_title(text, line)


def _label_title(text: str, line: Line) -> Heading | None:
    """_label_heading for a text with no sentence mark and no digit."""
    title = "".join(text.split()).strip("|")  # _compact; "存在问题 |": a form cell flattened with its bar
    if not title or len(title) > MAX_HEADING_CHARS or "|" in title:
        return None  # a row of several cells ("资金管理情况 | 情况说明 | 存在问题和改进措施")
    if role_of(title) is None:
        return None
    return Heading(title.rstrip("：:"), "", LABEL_LEVEL, line.start, line.end, label=True)


def _sections(headings: list[Heading], text_length: int) -> list[Section]:
    sections: list[Section] = []
    stack: list[Section] = []
    # A section runs to the next heading of the same or a higher level (a label line ends at the
    # next heading of any kind): each heading closes the open ones it ends, found on a stack of
    # the headings not yet ended (their levels rise towards its top).
    ends = [text_length] * len(headings)
    unended: list[int] = []
    for index, heading in enumerate(headings):
        while unended and (headings[unended[-1]].level >= heading.level or headings[unended[-1]].label):
            ends[unended.pop()] = heading.start
        unended.append(index)
    inherits: list[Role] = []  # per section on the stack: the nearest role not OTHER at or below it
    for index, heading in enumerate(headings):
        end = ends[index]
        if heading.limit is not None:
            end = min(end, heading.limit)
        while stack and stack[-1].heading.level >= heading.level:
            stack.pop()
            inherits.pop()
        own = role_of(heading.title)
        inherited = inherits[-1] if inherits else Role.OTHER
        # Sub-points under 存在问题 (such as "1、资金支付滞后") keep the parent's role.
        if own is not None and inherited in (Role.PROBLEMS, Role.MEASURES, Role.PROBLEMS_AND_MEASURES) and not heading.label:
            if own not in (Role.PROBLEMS, Role.MEASURES, Role.PROBLEMS_AND_MEASURES) and heading.level > stack[-1].heading.level:
                own = None
        section = Section(heading, own or inherited, heading.end, end, own is not None)
        sections.append(section)
        if not heading.label:
            stack.append(section)
            inherits.append(inherited if section.role is Role.OTHER else section.role)
    return sections


def _tsv_cells(line: Line) -> list[Cell]:
    cells, position = [], line.start
    for part in line.text.split("\t"):
        cells.append(Cell(part, position, position + len(part)))
        position += len(part) + 1
    return cells


# What the one pass over the lines (_scan_lines) records of each line, as bits of a code.
_FILLED = 1  # not blank (line.strip())
_TAB = 2  # holds a tab
_CELL_LINE = 4  # a tab first and no other: the one cell of a one-cell-per-line table
_TSV_LINE = 8  # a row of tab-separated cells (a tab between two cells, or two tabs after the first)


def _line_code(raw: str) -> int:
    """The code _scan_lines records for a line."""
    code = _FILLED if raw.strip() else 0
    if "\t" in raw:
        code |= _TAB
        if raw.startswith("\t") and raw.find("\t", 1) < 0:
            code |= _CELL_LINE
        elif "\t" in raw.strip("\t") or (raw.startswith("\t") and raw.count("\t") >= 2):
            code |= _TSV_LINE
    return code


def _find_tables(lines: list[Line], codes: list[int] | None = None, openers: list[int] | None = None) -> list[Table]:
    """Tables of tab-separated rows, one-cell-per-line blocks and markdown pipes, in line order.

    `codes` (each line's _line_code) and `openers` (in order, the lines that can open a table:
    cell and tsv lines, and lines holding a "|") are what the analysis's one pass over the lines
    recorded; without them they are found here. The other lines are skipped by index.
    """
    if codes is None:
        codes = [_line_code(line.text) for line in lines]
    if openers is None:
        openers = [index for index, code in enumerate(codes) if code & (_CELL_LINE | _TSV_LINE) or "|" in lines[index].text]
    tables: list[Table] = []
    index = 0
    follows = _CellsFollow(codes)
    for opener in openers:
        if opener < index:
            continue  # inside the table read last
        index = opener
        code = codes[index]
        if code & _CELL_LINE:
            table, index = _read_cell_per_line(lines, codes, index, follows)
        elif code & _TSV_LINE:
            table, index = _read_tsv(lines, codes, index)
        elif _is_pipe_row(lines[index].text):
            table, index = _read_pipe(lines, index)
        else:
            continue
        if table is not None and len(table.rows) >= 1:
            tables.append(table)
    return tables


def _read_tsv(lines: list[Line], codes: list[int], index: int) -> tuple[Table | None, int]:
    rows: list[TableRow] = []
    while index < len(lines):
        line, code = lines[index], codes[index]
        if code & _TAB and not code & _CELL_LINE:
            rows.append(TableRow(_tsv_cells(line), line.start, line.end))
        elif code & _FILLED and code & _CELL_LINE:
            # A continuation of a multi-line cell: append to the previous row's last cell.
            if rows:
                last = rows[-1]
                extra = Cell(line.text[1:], line.start + 1, line.end)
                last.cells.append(extra)
                last.end = line.end
        elif code & _FILLED:
            break
        elif index + 1 < len(lines) and codes[index + 1] == _FILLED:  # a line of text, no tab
            break
        index += 1
    if not rows:
        return None, index
    return Table(rows, rows[0].start, rows[-1].end, "tsv"), index


def _read_cell_per_line(lines: list[Line], codes: list[int], index: int, follows: _CellsFollow) -> tuple[Table | None, int]:
    rows: list[TableRow] = []
    current: list[Cell] = []
    blank_run = 0
    for index, code in enumerate(itertools.islice(codes, index, None), index):  # (the block's lines are many)
        if code & _CELL_LINE:
            if blank_run and current:
                rows.append(TableRow(current, current[0].start, current[-1].end))
                current = []
            line = lines[index]
            current.append(Cell(line.text[1:], line.start + 1, line.end))
            blank_run = 0
        elif not code & _FILLED:
            blank_run += 1
        else:
            # A non-tab line inside the block continues the previous cell when more cells follow
            # soon (vertical text such as 项/目/管/理 or a multi-paragraph cell).
            if not current or not follows(index):
                break
            line = lines[index]
            current[-1] = Cell(current[-1].text + "\n" + line.text, current[-1].start, line.end)
            blank_run = 0
    else:
        index = len(lines)  # read to the last line
    if current:
        rows.append(TableRow(current, current[0].start, current[-1].end))
    if len(rows) < 2:
        return None, index
    return Table(rows, rows[0].start, rows[-1].end, "cell_per_line"), index


class _CellsFollow:
    """Whether a cell line follows line `index` with at most `window` non-blank lines between
    (read forward from the line: a block asks a few times, about lines a cell soon follows)."""

    def __init__(self, codes: list[int], window: int = 8) -> None:
        self.codes, self.window = codes, window

    def __call__(self, index: int) -> bool:
        between = 0
        for code in itertools.islice(self.codes, index + 1, None):
            if code & _CELL_LINE:
                return True
            if code & _FILLED:
                between += 1
                if between > self.window:
                    return False
        return False


def _is_pipe_row(text: str) -> bool:
    """"| a | b |": a markdown row. A bare "|" or "||||" is a flattened form's separator (grid.py)."""
    stripped = text.strip()
    return stripped.startswith("|") and stripped.endswith("|") and bool(stripped.strip("| \t"))


_PIPE_SEPARATOR = re.compile(r"\|[\s:|-]+\|")


def _read_pipe(lines: list[Line], index: int) -> tuple[Table | None, int]:
    rows: list[TableRow] = []
    while index < len(lines):
        line = lines[index]
        stripped = line.text.strip()
        separator = _PIPE_SEPARATOR.fullmatch(stripped)
        if not _is_pipe_row(stripped) and not separator:
            break
        if not separator:
            inner_start = line.start + line.text.index("|") + 1
            cells, position = [], inner_start
            for part in stripped[1:-1].split("|"):
                cells.append(Cell(part, position, position + len(part)))
                position += len(part) + 1
            rows.append(TableRow(cells, line.start, line.end))
        index += 1
    if not rows:
        return None, index
    return Table(rows, rows[0].start, rows[-1].end, "pipe"), index


def is_value(text: str) -> bool:
    """A cell that holds a number (127, 74.36%, 1,179.61)."""
    return parse_decimal(text.strip()) is not None


def is_key_value_row(row: TableRow) -> bool:
    """人员编制 | 34 | 实有人数 | 34: every value sits right after a text label (no digits)."""
    return is_key_value_texts(row.texts())


def is_key_value_texts(texts: list[str]) -> bool:
    """is_key_value_row for a row's cell texts (row.texts()), for a reader that has them already."""
    return _is_key_value(texts, [is_value(text) for text in texts])


def _is_key_value(texts: list[str], values: list[bool]) -> bool:
    value_columns = [i for i, value in enumerate(values) if value]
    if not value_columns or len([t for t in texts if t]) > 4:
        return False
    return all(
        i > 0 and texts[i - 1] and not values[i - 1] and not _DIGIT.search(texts[i - 1])
        for i in value_columns
    )


def _column_labels(header: list[TableRow]) -> tuple[list[str], list[str]]:
    width = max(len(row.cells) for row in header)
    labels, paths = [], []
    for column in range(width):
        parts = []
        for row in header:
            if column < len(row.cells):
                text = _compact(row.cells[column].text)
                if text and text not in ("其中", "其中：", "其中:"):
                    parts.append(text)
        labels.append(parts[-1] if parts else "")
        paths.append("/".join(parts))
    return labels, paths


def _label_columns(table: Table) -> None:
    """Give every value row the column labels of the header rows above it.

    A header is a run of non-numeric rows of three or more cells right before a numeric row;
    per column the label is the lowest non-empty header cell (merged cells leave the upper
    rows' labels in place), and the path joins all of them ("实际到位金额/到位金额").
    Rows that are neither (key-value rows such as 人员编制 34 实有人数 34) keep no labels.
    """
    pending: list[TableRow] = []
    labels: list[str] | None = None
    paths: list[str] | None = None
    for row in table.rows:
        texts = [cell.text.strip() for cell in row.cells]  # row.texts()
        filled = len(texts) - texts.count("")
        if not filled:
            continue
        values = [parse_decimal(text) is not None for text in texts]  # is_value: texts are stripped
        # _is_key_value needs a value and at most four cells with text.
        if filled <= 4 and True in values and _is_key_value(texts, values):
            pending = []
            continue
        if True in values[1:]:  # a numeric row
            if pending:
                labels, paths = _column_labels(pending)
                pending = []
            if labels is not None and len(row.cells) >= 3:
                row.labels, row.paths = labels, paths
            continue
        if len(row.cells) >= 3 and filled >= 2:
            if labels is not None and not pending:
                # Rows of text under an existing header (合计 with blanks) keep it until a new header.
                if filled <= 2 and len(row.cells) == len(labels):
                    continue
            pending.append(row)
            pending = pending[-4:]
        elif len(row.cells) < 3:
            pending = []
            labels = paths = None
    first = next((row for row in table.rows if row.labels), None)
    if first is not None:
        table.column_labels, table.column_paths = first.labels or [], first.paths or []


def _caption(lines: list[Line], table: Table, headings: list[Heading]) -> str:
    # The last two non-blank lines before the table, found from the table backwards (lines are
    # in text order): reading every line for every table was quadratic in a long report.
    recent: list[str] = []
    for index in range(bisect_right(lines, table.start, key=lambda line: line.end) - 1, -1, -1):
        if len(recent) == 2:
            break
        if text := lines[index].text.strip():
            recent.insert(0, text)
    heading = next((h.title for h in reversed(headings) if h.end <= table.start), "")
    return " ".join([heading, *recent])


_TEXT_ROLES = (Role.PROBLEMS, Role.MEASURES, Role.PROBLEMS_AND_MEASURES, Role.ACHIEVEMENTS)


def _row_label(cells: list[Cell], row_end: int) -> Heading | None:
    """"存在问题 | 1、……2、……": a row whose first cell names a text role and whose other cells
    hold the text is a section over the rest of that row."""
    if len(cells) < 2:
        return None
    title = _compact(cells[0].text)
    if len(title) > MAX_HEADING_CHARS or role_of(title) not in _TEXT_ROLES:
        return None
    if sum(len(cell.text.strip()) for cell in cells[1:]) < 6:
        return None
    return Heading(title, "", LABEL_LEVEL, cells[0].start, cells[0].end, label=True, limit=row_end)


def _row_label_headings(tables: list[Table], headings: list[Heading]) -> list[Heading]:
    """Row labels in the tables the row reader found (tab and pipe tables)."""
    taken = {heading.start for heading in headings}
    found = []
    for table in tables:
        if table.layout == "cell_per_line":
            continue  # its label cells are already label lines
        for row in table.rows:
            first = next((cell for cell in row.cells if cell.text.strip()), None)
            if first is None or first.start in taken:
                continue
            title = _compact(first.text)  # what _row_label tests first (most rows fail)
            if len(title) > MAX_HEADING_CHARS or role_of(title) not in _TEXT_ROLES:
                continue
            cells = [cell for cell in row.cells if not cell.blank]
            if heading := _row_label(cells, row.end):
                found.append(heading)
    return found


_CELL_SEPARATOR = re.compile(r"([|\t])")  # the separators are kept in the parts


def _inline_row_headings(lines: list[Line], tables: list[Table], headings: list[Heading]) -> list[Heading]:
    """Row labels in form rows flattened onto one line outside any table ("存在问题 | 1、… | |")."""
    taken = {heading.start for heading in headings}
    in_table = covering((t.start, t.end + 1) for t in tables)
    found = []
    for line in lines:
        if "|" not in line.text or line.start in taken or in_table(line.start, line.start + 1):
            continue
        cells, position = [], line.start
        for part in _CELL_SEPARATOR.split(line.text):
            if part not in ("|", "\t") and part.strip():
                start = position + len(part) - len(part.lstrip())
                cells.append(Cell(part.strip(), start, start + len(part.strip())))
            position += len(part)
        if heading := _row_label(cells, line.end):
            found.append(heading)
    return found


def _row_ends(tables: list[Table]) -> Callable[[int], int | None]:
    """For a label cell's line start: the end of the one-cell-per-line table row holding the
    cell (its content is that row), or None. The rows of those tables (in text order, apart)
    are listed once: only the last one starting by position + 1 can hold the cell."""
    rows = [(row.start, row.end, table.start, table.end) for table in tables if table.layout == "cell_per_line" for row in table.rows]
    starts = [row[0] for row in rows]

    def row_end(position: int) -> int | None:
        at = bisect_right(starts, position + 1) - 1
        if at < 0:
            return None
        _, end, table_start, table_end = rows[at]
        return end if position + 1 <= end and table_start <= position <= table_end else None

    return row_end


def _form_start(form) -> int:
    return min(cell.start for row in form for cell in row.cells if cell is not None)


def _form_end(form) -> int:
    return max(cell.end for row in form for cell in row.cells if cell is not None)


def _form_tables(text: str, lines: list[Line], tables: list[Table], headings: list[Heading]) -> list[Table]:
    """Flattened forms (grid.py) as tables whose rows carry canonical column labels."""
    found = []
    # Tables the row reader understood stay its own; the rest (a tab row with no header the
    # reader knows, such as a whole form on one line) go to the form grid as cells.
    understood = [t for t in tables if t.layout == "cell_per_line" or any(row.labels for row in t.rows) or len(t.rows) > 1]
    streamed = stream_form_rows(text, lines, [(table.start, table.end + 1) for table in understood])
    trees = score_tree_rows(text)  # the most specific reading of its region: it wins an overlap
    claimed = [(tree[0].cells[2].start, tree[-1].cells[-1].end) for tree in trees]
    others = [
        form for form in streamed + glued_rows(text) + glued_indicator_rows(text)
        if not any(a < _form_end(form) and _form_start(form) < b for a, b in claimed)
    ]
    for form in others + trees:
        rows = []
        for form_row in form:
            present = [cell for cell in form_row.cells if cell is not None]
            anchor = present[0].start
            cells = [Cell(c.text, c.start, c.end) if c is not None else Cell("", anchor, anchor) for c in form_row.cells]
            rows.append(TableRow(cells, present[0].start, max(c.end for c in present), list(form_row.labels), list(form_row.labels)))
        table = Table(rows, rows[0].start, rows[-1].end, "form", column_labels=list(form[0].labels), column_paths=list(form[0].labels))
        table.caption = " ".join(filter(None, [_caption(lines, table, headings), form[0].unit_hint and f"（{form[0].unit_hint}）"]))
        found.append(table)
    return found


# ---- sentences and blocks ------------------------------------------------------------------
#
# A *sentence* ends at 。；！？, a tab (a table cell) or a line break that starts a new item; a
# line wrapped in the middle of a sentence (PDF text) does not end it. A *block* is what figures
# must share to be compared: one table row (a tab-separated line, or the run of
# one-cell-per-line cells between blank lines) or one paragraph of prose.

_HARD_STOPS = "。；;！？!?\t"
_HARD_STOP = re.compile(f"[{re.escape(_HARD_STOPS)}]")
_SOFT_ENDS = "，,、：:（(“\""
_ITEM_START = re.compile(r"[ \t]*(?:[-*#+]|\d{1,2}[ ]?[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|[①-⑩])")
# The characters an _ITEM_START item can open with but its digits (isdecimal is re's \d).
_ITEM_FIRST = frozenset("-*#+（(一二三四五六七八九十①②③④⑤⑥⑦⑧⑨⑩")
_NEWLINES = re.compile(r"\n[ \n]*")
# A line ending in [\u3400-\u9fff\d%）)”"] may wrap mid-sentence: tested with comparisons (a
# compiled class of those ranges costs ~1.5 ms at import).
_RUNS_ON_MARKS = "%）)”\""
_PLUS_ONE = (1).__add__




def sentence_starts(text: str) -> list[int]:
    """Where the sentences of text start (see above), in order. analyse() finds the same in its
    one pass over the lines (_scan_lines); this is the plain scan of the text."""
    starts = [0]
    starts.extend(map(re.Match.end, _HARD_STOP.finditer(text)))
    append, soft_ends, hard_stops, item_start = starts.append, _SOFT_ENDS, _HARD_STOPS, _ITEM_START.match
    for match in _NEWLINES.finditer(text):
        back = match.start()
        previous = text[back - 1] if back else ""
        if previous == " ":
            while back > 0 and text[back - 1] == " ":
                back -= 1  # the last character before the break (no copy of the text before it)
            previous = text[back - 1] if back else ""
        if previous in soft_ends:  # "" (the text's start) too
            continue
        end = match.end()
        # An item marker never spans a line break, so it is matched in place (no copy of the line).
        # isdecimal is re's \d.
        if previous in hard_stops or text.count("\n", back, end) >= 2 or not (
            "\u3400" <= previous <= "\u9fff" or previous in _RUNS_ON_MARKS or previous.isdecimal()
        ) or item_start(text, end):
            append(end)
    return sorted(set(starts))


def _line_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if "\t" in line.strip("\t") or (line.startswith("\t") and line.count("\t") >= 2):
        return "tsv"
    if line.startswith("\t"):
        return "cell"
    return "text"


def blocks(text: str) -> tuple[list[int], list[int | None]]:
    """Start offsets of blocks, and for each the table it belongs to (None for prose)."""
    starts: list[int] = [0]
    tables: list[int | None] = [None]
    table_id = -1
    previous = "blank"  # kind of the previous non-blank line
    blank = True  # a blank line since then
    last_char = ""
    position = 0
    for line in text.split("\n"):
        # A line with no tab is text or blank (most lines: _line_kind is not called for them).
        kind = _line_kind(line) if "\t" in line else "text" if line.strip() else "blank"
        if kind == "blank":
            blank = True
        else:
            if kind in ("tsv", "cell"):
                if previous not in ("tsv", "cell"):
                    table_id += 1
                if kind == "tsv" or previous != "cell" or blank:
                    starts.append(position)
                    tables.append(table_id)
                previous = kind
            elif previous == "cell" and not blank:
                pass  # a multi-line cell goes on (vertical text, a cell of several paragraphs)
            else:
                soft = previous == "text" and last_char in _SOFT_ENDS
                # A line after a finished sentence starts a paragraph (documents without blank
                # lines); a line wrapped mid-sentence (PDF text) does not.
                finished = previous == "text" and last_char in "。！？!?"
                if previous != "text" or (blank and not soft) or finished:
                    starts.append(position)
                    tables.append(None)
                previous = "text"
            blank = False
            last_char = line.rstrip()[-1:]
        position += len(line) + 1
    return starts, tables




def _scan_lines(text: str) -> tuple[list[Line], list[Heading], list[int], list[int], list[int], list[int | None], list[int]]:
    """The one pass over the lines of text: the lines (split_lines), their headings, each line's
    code (_line_code), the lines that can open a tab table (cell and tsv lines, read by
    _find_tables), the blocks (what blocks() finds) and the sentence starts (sentence_starts()),
    all from the same facts of each line."""
    raws = text.split("\n")
    # The lines (split_lines) made in one go: a line starts after the previous one and its break.
    line_starts = list(itertools.accumulate(map(_PLUS_ONE, map(len, raws)), initial=0))
    lines = list(map(Line, raws, line_starts, map(operator.add, line_starts, map(len, raws))))
    headings: list[Heading] = []
    codes = [0] * len(raws)  # an empty line's code stays 0: the loop below skips those lines
    openers: list[int] = []
    add_heading, add_opener = headings.append, openers.append
    block_starts: list[int] = [0]
    block_tables: list[int | None] = [None]
    table_id = -1
    previous = 0  # the previous non-blank line's kind: 1 text, 2 tsv, 3 cell (0: none yet)
    blank = True  # a blank line since then
    last_char = ""
    # Sentence starts: the hard stops', from the lengths of the pieces between their occurrences
    # (cheaper than a regex class over the text, or a loop of finds), all marks made the first
    # (one character each: the offsets stay) so that one split finds them; a line break's below,
    # from the lines around its run of breaks.
    starts = [0]
    add_start = starts.append
    one_stop, stopped = _HARD_STOPS[0], text
    for mark in _HARD_STOPS[1:]:
        if mark in stopped:
            stopped = stopped.replace(mark, one_stop)
    if one_stop in stopped:
        pieces = stopped.split(one_stop)
        pieces.pop()
        starts += itertools.accumulate(map(_PLUS_ONE, map(len, pieces)))
    last_held = -1  # the last line holding more than spaces (-1: none yet) ...
    held_mark = ""  # ... and its last character but spaces
    marked_first, sentence_or_digit, soft_ends = _MARKED_FIRST, _SENTENCE_OR_DIGIT.search, _SOFT_ENDS
    hard_stops, item_start, item_first, level3 = _HARD_STOPS, _ITEM_START.match, _ITEM_FIRST, _MARKERS[2][0].match
    last_index = -1  # the last line read (a line not read between it and this one is empty)
    for index in itertools.compress(range(len(raws)), raws):  # the lines that are not empty
        if index - last_index > 1:
            blank = True
        last_index = index
        line = lines[index]
        raw, line_start = line.text, line.start
        # A run of line breaks (and spaces) ends at this line's first character but spaces, when
        # it holds one: sentence_starts' test of the run, with the run's first break after the
        # last line held (its last character but spaces: `previous` there) and as many breaks as
        # lines since.
        content = raw.strip()
        if raw[0] != " " and raw[-1] != " ":
            run_end, mark = line_start, raw[-1]
        elif held := raw.strip(" "):
            run_end, mark = line_start + raw.index(held[0]), held[-1]
        else:
            run_end = -1  # spaces only: inside a run
        if run_end >= 0:
            if last_held >= 0 and held_mark not in soft_ends and (
                held_mark in hard_stops or index - last_held >= 2 or not (
                    "\u3400" <= held_mark <= "\u9fff" or held_mark in _RUNS_ON_MARKS or held_mark.isdecimal()
                ) or (
                    # No call where the line's first character but whitespace opens no item.
                    (content[:1] in item_first or content[:1].isdecimal()) and item_start(text, run_end)
                )
            ):
                add_start(run_end)
            last_held, held_mark = index, mark
        if "\t" in raw:
            if "\t" in content:
                # Two cells with text: a table row (_line_code: a tab between two cells), no
                # heading; decided here without the tests below.
                codes[index] = _TAB | _FILLED | _TSV_LINE
                add_opener(index)
                if previous < 2:
                    table_id += 1
                block_starts.append(line_start)  # (blocks: "tsv")
                block_tables.append(table_id)
                previous = 2
                blank = False
                last_char = content[-1]
                continue
            if raw[0] == "\t" and raw.find("\t", 1) < 0:
                # A tab first and no other: the one cell of a one-cell-per-line table (_line_code),
                # the commonest tab line of a form report; decided here without the tests below.
                codes[index] = _TAB | _FILLED | _CELL_LINE if content else _TAB | _CELL_LINE
                add_opener(index)
                if not content:
                    blank = True
                    continue
                # It may still be a role label (问题与分析); what _label_heading rejects first (a
                # sentence, a number) is tested here without a call.
                if not sentence_or_digit(content):
                    if (heading := _label_title(content, line)) is not None:
                        add_heading(heading)
                elif "%" in content and (heading := _label_heading(content, line)) is not None:
                    add_heading(heading)
                if previous < 2:
                    table_id += 1
                if previous != 3 or blank:  # (blocks: "cell"; else the table's cell goes on)
                    block_starts.append(line_start)
                    block_tables.append(table_id)
                previous = 3
                blank = False
                last_char = content[-1]
                continue
            # _line_code, in place (the other tab lines).
            code = _TAB | _FILLED if content else _TAB
            if raw[0] == "\t" and raw.find("\t", 1) < 0:
                code |= _CELL_LINE
            elif "\t" in raw.strip("\t") or (raw[0] == "\t" and raw.count("\t") >= 2):
                code |= _TSV_LINE
            codes[index] = code
            if code & (_TSV_LINE | _CELL_LINE):
                add_opener(index)
            if not content:
                blank = True
                continue
            if raw[0] != "\t":
                if (heading := _heading_of(line, content)) is not None:
                    add_heading(heading)
            # A single tab-led cell may still be a role label (问题与分析); what _label_heading
            # rejects first (a sentence, a number) is tested here without a call.
            elif not sentence_or_digit(content):
                if (heading := _label_title(content, line)) is not None:
                    add_heading(heading)
            elif "%" in content and (heading := _label_heading(content, line)) is not None:
                add_heading(heading)
            if code & (_TSV_LINE | _CELL_LINE):  # a table row or cell (blocks: "tsv", "cell")
                kind = 2 if code & _TSV_LINE else 3
                if previous < 2:
                    table_id += 1
                if kind == 2 or previous != 3 or blank:
                    block_starts.append(line_start)
                    block_tables.append(table_id)
                previous = kind
                blank = False
                last_char = content[-1]
                continue
        elif content:
            codes[index] = _FILLED
            # A label line holds no sentence mark and no digit (but a (%) column): most prose and
            # list items end at that test or at their first character without a call.
            first = content[0]
            if first in marked_first:
                if (heading := _heading_of(line, content)) is not None:
                    add_heading(heading)
            elif first.isdecimal():
                # A digit opens no markdown, bullet or marker but level 3's; without it such a
                # line is a label's only with a (%) column (else a number: no label).
                if ("%" in content or level3(content)) and (heading := _heading_of(line, content)) is not None:
                    add_heading(heading)
            elif not sentence_or_digit(content):
                if (heading := _label_title(content, line)) is not None:
                    add_heading(heading)
            elif "%" in content and (heading := _label_heading(content, line)) is not None:
                add_heading(heading)
        else:  # spaces only (its code stays 0)
            blank = True
            continue
        # A line of text (blocks: "text").
        if previous != 3 or blank:  # else a multi-line cell goes on
            # A line after a finished sentence starts a paragraph (documents without blank
            # lines); a line wrapped mid-sentence (PDF text) does not.
            if previous != 1 or (blank and last_char not in soft_ends) or last_char in "。！？!?":
                block_starts.append(line_start)
                block_tables.append(None)
            previous = 1
        blank = False
        last_char = content[-1]
    # The run of breaks closing the text, after its last line held.
    if 0 <= last_held < len(lines) - 1 and held_mark not in soft_ends and (
        held_mark in hard_stops or len(lines) - 1 - last_held >= 2
        or not ("\u3400" <= held_mark <= "\u9fff" or held_mark in _RUNS_ON_MARKS or held_mark.isdecimal())
    ):
        add_start(len(text))  # (no item starts at the text's end)
    starts.sort()  # no start is found twice: a stop's follows its mark, a break's a space or a break
    return lines, headings, codes, openers, block_starts, block_tables, starts


_REPORT_CUES = re.compile(r"绩效|自评|预算|支出|收入|资金|万元|得分|评价")
# A title that names the genre makes a report whatever its layout (a web page pasted as one line).
_GENRE_TITLE = re.compile(r"绩效(?:自评|评价)(?:报告|表)|自评报告|绩效目标自评表|支出绩效")


def _has_report_cues(text: str, headings: list[Heading], tables: list[Table]) -> bool:
    """Enough of the genre's words for a text whose title does not name the genre (counted
    only then: most reports name it, and the count reads the whole text)."""
    cues = len(_REPORT_CUES.findall(text))
    return cues >= 3 and (len(headings) >= 2 or len(tables) >= 1 or cues >= 10 or bool(_GENRE_TITLE.search(text[:2000])))


def analyse(document: Document) -> Layout:
    """Find lines, headings, sections and tables in a Document."""
    text = document.text
    lines, headings, codes, openers, block_starts, block_tables, starts = _scan_lines(text)
    if "|" in text:  # the lines with a bar may open a pipe table too
        openers = sorted({*openers, *(index for index, line in enumerate(lines) if "|" in line.text)})
    tables = _find_tables(lines, codes, openers)
    row_end = _row_ends(tables)
    for heading in headings:
        if heading.label:
            heading.limit = row_end(heading.start)
    found = _row_label_headings(tables, headings) + (_inline_row_headings(lines, tables, headings) if "|" in text else [])
    if found:  # the scan's headings are in text order already
        headings = sorted(headings + found, key=lambda h: h.start)
    sections = _sections(headings, len(text))
    for table in tables:
        _label_columns(table)
        table.caption = _caption(lines, table, headings)
    forms = _form_tables(text, lines, tables, headings)
    # A tab row the row reader did not understand and the form grid did is the grid's alone.
    tables = [
        t for t in tables
        if not (len(t.rows) == 1 and not any(r.labels for r in t.rows) and any(f.start < t.end and t.start < f.end for f in forms))
    ]
    tables = sorted(tables + forms, key=lambda table: table.start)
    analysis = {
        "quantities": list(find_quantities(text)), "sentence_starts": starts,
        "block_starts": block_starts, "block_tables": block_tables,
    }  # fmt: skip
    is_report = bool(_GENRE_TITLE.search(text[:300])) or _has_report_cues(text, headings, tables)
    return Layout(lines, headings, sections, tables, is_report, **analysis)
