"""Breakdowns: every place a report states a whole and its parts, found in the text, and checked.

Part of the verification pass (see verify.py). `find` reads the normalised text once through the
TextIndex (quantities, sentences) and reads table rows from the lines themselves (cells split by
| or tab, or one cell per line), so a table the layout analysis did not recognise is still read;
returns `Breakdown` records (with spans) for:

- "X，其中 A a、B b、C c" (其中, also across "；")            kind 其中
- "X。其中：\\n1．A a…\\n2．B b…" (a numbered list under 其中)  kind 分项
- "X 由 A a 和 B b 构成/组成"                               kind 构成 (complete by its wording)
- "X，包括 A a、B b"                                         kind 包括
- a table's 合计/小计/总额 row against the rows it totals    kind 表格

A list is *complete* when its wording says so (构成), when its parts are named in full by a
partition the genre knows (支出 = 人员 + 公用 + 项目, summarizer/genre/identities.toml), or
when its numbers add up; otherwise it is open (其中 naming only some parts).

`breakdown_checks` checks each one: complete → the parts add up within the report's own
rounding; open → the parts do not exceed the whole (and a list that falls just short warns,
in case it is complete). A difference within the rounding of the written digits is a warn,
never a fail. A stated share ("占总收入的 100%") is recomputed against the breakdown's whole;
a list that adds up once one part is read in 元 instead of 万元 is a unit slip. `row_rates`
recomputes a table's rate cell (执行率 B/A) from the amounts of its row.

Reading is conservative: a part list stops at a comparison (同比, 较上年), at a different
measure (到位 after 下达), at an amount that restates the running sum, and skips numbers in
brackets (a nested breakdown is its own record). It never changes the extraction. No I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

from .genre import vocabulary
from .genre.identities import identities
from .numbers import COUNT_UNITS, MONEY_UNITS, Quantity, to_wan
from .schemas import (
    Breakdown,
    BreakdownItem,
    BreakdownKind,
    Check,
    CheckInput,
    CheckStatus,
    RuleId,
    Severity,
    Span,
)
from .verify_text import (
    HUNDRED,
    SUM_TOLERANCE,
    TextIndex,
    fmt,
    make_check,
    new_input,
    percent,
    rate_agrees,
    rate_tolerance,
)

PASS, WARN, FAIL = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL

MAX_REGION = 600  # characters a prose part list may run after its trigger
NEAR_SHORTFALL = Decimal(
    "0.12"
)  # an open list this close below its whole may be a complete one that does not add up

_TRIGGER = re.compile(r"其中[：:]?|包括[：:]?|由(?=[^。；\n]{2,200}?(?:构成|组成))")
_NUMBERED = re.compile(
    r"[ \t]*(?:\d{1,2}[ ]?[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、是]|[①-⑩])"
)
_COMPARISON = re.compile(r"同比|较上年|比上年|与上年|上年同期|比去年|较去年|相比|对比")
_DELTA = re.compile(
    r"(?:增加|减少|下降|增长|节约|节省|降低|提高|上升|超支|多|少)了?\s*$"
)
_MEASURES = (
    "实有",
    "现有",
    "在职",
    "另有",
    "到位",
    "结余",
    "结转",
    "完成",
    "实际",
    "剩余",
    "上缴",
)
_OPPOSITES = (("收入", "支出"), ("预算", "决算"), ("下达", "到位"))
_TOTAL_WORD = re.compile(r"合\s*计|总\s*计|共\s*计|累计|小\s*计|总额")
_TOTAL_WORDS = ("合计", "总计", "小计", "总额")  # what a table total row's label ends in (see _is_total)
_UNREADABLE = re.compile(r"(?:^|[^\d.\s万亿千])[ ]*(?:万元|亿元|千元|元)(?![/／])")
_SIGNED = re.compile(r"调减|调增|核减|扣减|冲减|减少|负数")
_OPEN_BRACKETS, _CLOSE_BRACKETS = "（(【[", "）)】]"
_BRACKET = re.compile(r"[（(【\[）)】\]]")
_CLAUSE_BREAK = re.compile(r"[，,；;、\n]")
_REGION_MARK = re.compile(r"[（(【\[）)】\]。\n]")  # what ends a prose part list (see _region_end)
_DIGIT = re.compile(r"\d")
_PERCENT_NUMBER = re.compile(r"\d+(?:\.\d+)?%")
_COMPOSED = re.compile(r"由([^。；\n]{2,200}?)(?:构成|组成)")


_COUNT_UNITS = frozenset(COUNT_UNITS)  # membership only: a set, not the tuple's scan
_FAMILY_UNITS = _COUNT_UNITS | frozenset(MONEY_UNITS)  # the units _family names a family for (人, 名 are counts)


def _family(quantity: Quantity) -> str | None:
    if quantity.unit in MONEY_UNITS:
        return "money"
    if quantity.unit in ("人", "名"):
        return "人"
    if quantity.unit in _COUNT_UNITS:
        return quantity.unit
    return None


def _amount(quantity: Quantity) -> Decimal:
    wan = to_wan(quantity.value, quantity.unit)
    return wan if wan is not None else quantity.value


def _step(quantity: Quantity) -> Decimal:
    """One unit of the last written digit, in the family's unit (万元 for money)."""
    return _unit_step(quantity.value.as_tuple().exponent, quantity.unit)


@lru_cache(maxsize=256)  # a few (exponent, unit) pairs: most amounts have 0 to 2 decimals
def _unit_step(exponent: int | str, unit: str) -> Decimal:
    step = (
        Decimal(1).scaleb(min(int(exponent), 0))
        if isinstance(exponent, int)
        else Decimal(1)
    )
    wan = to_wan(step, unit)
    return wan if wan is not None else step


_APPROXIMATE = ("约", "近", "逾", "超过", "不足", "以上")  # words just before an approximate number


def _approximate(index: TextIndex, quantity: Quantity) -> bool:
    before = index.text[max(0, quantity.start - 2) : quantity.start]
    raw = quantity.raw
    return any(word in before for word in _APPROXIMATE) or "多" in raw or "余" in raw or "左右" in raw


_SUBJECTS = vocabulary().subjects


@lru_cache(maxsize=4096)  # the same row and clause labels are looked up many times
def key_of(label: str) -> str | None:
    """The figure key a label names (by the genre's subject patterns), if any."""
    for labelled in _SUBJECTS:
        if labelled.pattern.search(label):
            return labelled.key
    return None


_PARTITIONS = identities().complete_partitions()


_LABEL_CUT = re.compile(r"[，,。；;、：:\n\t|]")
_LABEL_DIGITS = re.compile(r"[\d.%]+")
_LABEL_LEAD = re.compile(r"^(?:其中|包括|以及|及|和|与|另|还有)")
_LABEL_TRAIL = re.compile(r"(?:共计|合计|共|约|达到|达|为|是|计|有)+$")


def _label(index: TextIndex, start: int, floor: int, width: int = 16) -> str:
    """The words right before a number, back to the previous separator (or `floor`)."""
    begin = max(floor, start - width)
    piece = index.text[begin:start]
    piece = _LABEL_CUT.split(piece)[-1]
    piece = _LABEL_DIGITS.sub("", piece)
    piece = _LABEL_LEAD.sub("", piece.strip())
    piece = _LABEL_TRAIL.sub("", piece.strip())
    return piece.strip(' （()）“”"') or "数值"


@dataclass
class Found:
    """A breakdown as read, with the quantities behind its record."""

    record: Breakdown
    whole: Quantity
    parts: list[Quantity]
    shares: list[tuple[Quantity, Quantity]]  # (part or whole, stated share %)
    labels_complete: bool
    numbered: bool
    approximate: bool
    certain: bool = True  # False: the reading is a guess (rows gathered by position), so never a fail
    whole_column: bool = (
        True  # every row of the list has a number in the whole's column
    )
    sentence_start: int | None = None  # a prose whole's sentence: other amounts it may break down (_alternatives)


# Breakdowns, their items and check inputs through their validators alone: the same validated
# models, cheaper than the keyword constructors (a span passed as its fields is built inside).
_new_breakdown = Breakdown.__pydantic_validator__.validate_python
_new_item = BreakdownItem.__pydantic_validator__.validate_python


def _item(index: TextIndex, quantity: Quantity, label: str) -> BreakdownItem:
    return _new_item({
        "label": label,
        "value": quantity.value,
        "unit": quantity.unit,
        "value_wan": to_wan(quantity.value, quantity.unit),
        "span": index.document.span_fields(quantity.start, quantity.end),
    })


def _whole_before(index: TextIndex, position: int) -> Quantity | None:
    """The amount a trigger breaks down: the last number with a unit right before it (only
    punctuation and a few words between, no other number)."""
    before = index.quantities_in(max(0, position - 60), position)
    at = len(before) - 1
    while at >= 0 and before[at].unit not in _FAMILY_UNITS:  # the last one _family reads
        at -= 1
    if at < 0:
        return None
    whole = before[at]
    gap = index.text[whole.end : position]
    if (
        len(gap) > 24
        or "\n\n" in gap
        or _DIGIT.search(_PERCENT_NUMBER.sub("", gap))
    ):
        return None
    between = [q for q in before[at + 1 :] if q.start > whole.end]  # (those before it start before it ends)
    if any(q.unit not in ("%",) for q in between) or len(between) > 1:
        return None  # a bare number (a marker) between: not a simple "X，其中"
    return whole


def _region_end(index: TextIndex, start: int, depth_before: bool) -> tuple[int, bool]:
    """Where a part list that starts at `start` ends, and whether it is a numbered list on the
    following lines."""
    text = index.text
    limit = min(len(text), start + MAX_REGION)
    line_end = text.find("\n", start, limit)
    head = text[start : line_end if line_end != -1 else limit]
    numbered = (
        line_end != -1 and not _DIGIT.search(head) and len(head.strip(" ：:")) <= 12
    )
    if numbered:
        position = line_end + 1
        end = position
        while position < limit:
            next_end = text.find("\n", position)
            next_end = len(text) if next_end == -1 else next_end
            line = text[position:next_end]
            if not line.strip():
                if end > line_end + 1:
                    break
                position = next_end + 1
                continue
            if not _NUMBERED.match(line):
                break
            end = next_end
            position = next_end + 1
        if end > line_end + 1:
            return end, True
    depth = 0
    for mark in _REGION_MARK.finditer(text, start, limit):  # only these characters decide
        char, position = mark.group(), mark.start()
        if char in _OPEN_BRACKETS:
            depth += 1
        elif char in _CLOSE_BRACKETS:
            if depth == 0 and depth_before:
                return position, False
            depth = max(0, depth - 1)
        elif char == "。" or (
            char == "\n" and depth == 0 and index.is_sentence_start(position + 1)
        ):
            return position, False
    return limit, False


def _bracket_depths(text: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """Where in text[start:end] the bracket depth changes, and the depth from each such place on
    (read by _depth_at)."""
    positions, depths, depth = [], [], 0
    for mark in _BRACKET.finditer(text, start, end):
        depth = depth + 1 if mark.group() in _OPEN_BRACKETS else max(0, depth - 1)
        positions.append(mark.start())
        depths.append(depth)
    return positions, depths


def _depth_at(marks: tuple[list[int], list[int]], position: int) -> int:
    """The bracket depth at a position (after its own character) of a _bracket_depths range."""
    positions, depths = marks
    at = bisect_right(positions, position)
    return depths[at - 1] if at else 0


def _measure_words(label: str) -> set[str]:
    return {word for word in _MEASURES if word in label}


def _moves_on(label: str, whole_label: str, whole_words: set[str]) -> bool:
    """A part's label names a measure its whole's does not (到位 after 下达), or the other side of
    a pair whose one side the whole names (支出 under 收入, 决算 under 预算)."""
    return bool(_measure_words(label) - whole_words) or any(
        (a in whole_label and b in label and a not in label) or (b in whole_label and a in label and b not in label)
        for a, b in _OPPOSITES
    )


def amount_of(quantity: Quantity) -> Decimal:
    """A quantity in 万元 (money) or as written."""
    return _amount(quantity)


def _triggers(text: str) -> Iterator[re.Match[str]]:
    """_TRIGGER.finditer(text), tried only where one of its leading words stands (a scan of the
    whole text by the pattern costs more than the rest of the breakdown search): where 其 or 包
    stands (one-character finds scan fast; the pattern tells 其中 from 其他), and where 由 stands
    with a 构成/组成 close enough after it for its lookahead (seldom: 由于, 自由 …)."""
    starts = [*_occurrences(text, "其"), *_occurrences(text, "包")]
    for position in _occurrences(text, "由"):
        # the lookahead needs 构成/组成 starting 3 to 201 characters after 由
        if text.find("构成", position + 3, position + 203) != -1 or text.find("组成", position + 3, position + 203) != -1:
            starts.append(position)
    starts.sort()
    end = 0
    for start in starts:
        if start < end:
            continue
        match = _TRIGGER.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def _occurrences(text: str, word: str) -> Iterator[int]:
    position = text.find(word)
    while position != -1:
        yield position
        position = text.find(word, position + 1)


def _prose(index: TextIndex, unreadable: list[Span]) -> list[Found]:
    found: list[Found] = []
    text = index.text
    for match in _triggers(text):
        trigger = match.group(0)
        whole = _whole_before(index, match.start())
        if whole is None or _approximate(index, whole):
            continue
        family = _family(whole)
        sentence_start = index.sentence(whole.start)[0]
        whole_label = _label(index, whole.start, sentence_start)
        whole_key = key_of(whole_label) if family == "money" else None
        opened = text[max(0, match.start() - 1) : match.start()] in _OPEN_BRACKETS
        if trigger.startswith("由"):
            composed = _COMPOSED.match(text, match.start())
            end, numbered = (composed.end() if composed else match.start()), False
            kind = BreakdownKind.COMPOSED
        else:
            end, numbered = _region_end(index, match.end(), opened)
            kind = (
                BreakdownKind.NUMBERED
                if numbered
                else (
                    BreakdownKind.INCLUDING
                    if trigger.startswith("包括")
                    else BreakdownKind.WHICH
                )
            )
        if _UNREADABLE.search(text, match.end(), end) or _SIGNED.search(
            text, match.end(), end
        ):
            unreadable.append(index.span(whole.start, whole.end))
            continue  # an amount left blank or masked, or parts with a sign (调减): no sum to check
        region = index.quantities_in(match.end(), end)
        depths = _bracket_depths(text, match.end(), end)
        parts: list[Quantity] = []
        labels: list[str] = []
        shares: list[tuple[Quantity, Quantity]] = []
        item_lines: set[int] = set()
        floor = match.end()
        running = Decimal(0)
        # Where clauses break in the region: a part's clause starts after the last one before it.
        breaks = [mark.start() for mark in _CLAUSE_BREAK.finditer(text, match.end(), end)]
        whole_words = _measure_words(whole_label)
        for quantity in region:
            if _depth_at(depths, quantity.start) > 0:
                continue  # a nested breakdown (its own record) or a note in brackets
            at = bisect_left(breaks, quantity.start)
            clause_start = max(floor, breaks[at - 1] + 1) if at else floor
            clause = text[clause_start : quantity.start]
            if quantity.unit in ("%", "个百分点"):
                if "占" not in clause:
                    break  # a rate statement ends the enumeration
                shares.append((parts[-1] if parts else whole, quantity))
                continue
            if _COMPARISON.search(clause) or _DELTA.search(
                text[max(clause_start, quantity.start - 4) : quantity.start]
            ):
                break
            if _family(quantity) != family:
                continue
            if numbered:
                line = text.rfind("\n", 0, quantity.start)
                if line in item_lines:
                    continue  # a second number in one numbered item: its detail, not a part
                item_lines.add(line)
            label = _label(index, quantity.start, clause_start)
            part_key = key_of(label) if family == "money" else None
            in_partition = whole_key is not None and any(
                part_key in p for p in _PARTITIONS.get(whole_key, [])
            )
            if not in_partition and not numbered and _moves_on(label, whole_label, whole_words):
                break  # the sentence moved on to another measure (到位 after 下达)
            if _TOTAL_WORD.search(label) or (
                sum(1 for p in parts if p.value) >= 2 and _amount(quantity) == running
            ):
                break  # a total restated after its parts
            if _approximate(index, quantity):
                parts = []
                break
            parts.append(quantity)
            labels.append(label)
            running += _amount(quantity)
            floor = quantity.end
        if not parts:
            continue
        keys = [key_of(label) for label in labels] if family == "money" else []
        labels_complete = bool(
            whole_key
            and keys
            and None not in keys
            and len(set(keys)) == len(keys)
            and frozenset(keys) in _PARTITIONS.get(whole_key, [])
        )
        complete = (
            kind is BreakdownKind.COMPOSED or labels_complete or _adds_up(whole, parts)
        )
        last = (
            max(parts[-1].end, *(share.end for _, share in shares))
            if shares
            else parts[-1].end
        )
        record = _new_breakdown({
            "kind": kind,
            "whole": _item(index, whole, whole_label),
            "parts": [_item(index, part, label) for part, label in zip(parts, labels)],
            "complete": complete,
            "span": index.span(whole.start, last),
            "evidence": index.document.quote(whole.start, last),
        })
        found.append(
            Found(
                record,
                whole,
                parts,
                shares,
                labels_complete,
                numbered,
                False,
                sentence_start=sentence_start,
            )
        )
    return found


def _alternatives(index: TextIndex, item: Found) -> list[Decimal]:
    """Other amounts of a prose whole's sentence (and their total with it): the 其中 may break
    down one of them ("中央下达 100 万元，县级配套 20 万元，其中…" is about 120). Read only for
    a list whose parts exceed its whole."""
    if item.sentence_start is None:
        return []
    family = _family(item.whole)
    earlier = [
        _amount(q)
        for q in index.quantities_in(item.sentence_start, item.whole.start)
        if _family(q) == family
    ]
    return [*earlier, sum(earlier, Decimal(0)) + _amount(item.whole)] if earlier else []


_LISTED_BELOW = re.compile(r"(?:具体|明细|分别|详细)?(?:如下|为|是)[：:]\s*$")


def _colon_lines(text: str) -> Iterator[tuple[int, str]]:
    """(start, line) of each line that ends in a colon (before trailing spaces), in order: found
    from the colons, not by walking every line."""
    line_end = -1
    for colon in sorted({*_occurrences(text, "："), *_occurrences(text, ":")}):
        if colon <= line_end:
            continue  # on the line just read (skipped before searching, so a long line is read once)
        line_end = text.find("\n", colon)
        line_end = line_end if line_end != -1 else len(text)
        # the line's first colon is this one, so the line ends in a colon when its rest from here does
        if text[colon:line_end].rstrip().endswith(("：", ":")):
            start = text.rfind("\n", 0, colon) + 1
            yield start, text[start:line_end]


def _listed_below(index: TextIndex) -> list[Found]:
    """ "…项目支出609.74万元。…具体如下：" and a numbered list on the next lines: the list's whole
    is the amount before it that its parts add up to; when none does, the nearest amount it
    comes close to, as a guess (never a fail)."""
    found: list[Found] = []
    text = index.text
    for start, line in _colon_lines(text):
        if not _LISTED_BELOW.search(line) or "其中" in line[-6:]:
            continue
        end, numbered = _region_end(index, start + len(line), False)
        if not numbered:
            continue
        parts: list[Quantity] = []
        labels: list[str] = []
        seen_lines: set[int] = set()
        for quantity in index.quantities_in(start + len(line), end):
            line_start = text.rfind("\n", 0, quantity.start)
            if quantity.unit not in MONEY_UNITS or line_start in seen_lines:
                continue
            seen_lines.add(line_start)
            parts.append(quantity)
            labels.append(_label(index, quantity.start, line_start + 1))
        before = [
            q
            for q in index.quantities_in(
                max(0, start + len(line) - 240), start + len(line)
            )
            if q.unit in MONEY_UNITS and not _approximate(index, q)
        ]
        if len(parts) < 2 or not before:
            continue
        total = sum((_amount(p) for p in parts), Decimal(0))
        equal = [q for q in before if _adds_up(q, parts)]
        if equal:
            whole, certain = equal[-1], True
        else:
            whole = min(before, key=lambda q: (abs(_amount(q) - total), -q.start))
            certain = False
            if abs(_amount(whole) - total) > _amount(whole) * NEAR_SHORTFALL:
                continue
        record = _new_breakdown({
            "kind": BreakdownKind.NUMBERED,
            "whole": _item(
                index, whole, _label(index, whole.start, index.sentence(whole.start)[0])
            ),
            "parts": [_item(index, part, label) for part, label in zip(parts, labels)],
            "complete": certain,
            "span": index.span(whole.start, parts[-1].end),
            "evidence": index.document.quote(start, min(end, start + len(line) + 300)),
        })
        found.append(
            Found(record, whole, parts, [], False, True, False, certain=certain)
        )
    return found


def _tolerances(quantities: list[Quantity]) -> tuple[Decimal, Decimal]:
    """(certain, rounding): a difference above `rounding` cannot come from rounding the written
    digits; one above `certain` but within `rounding` may."""
    money = any(q.unit in MONEY_UNITS for q in quantities)
    if not money and all(q.value == q.value.to_integral_value() for q in quantities):
        return Decimal(0), Decimal(0)  # counts of units, persons: exact
    steps = [_step(q) for q in quantities]
    coarsest = max(steps)
    certain = max(coarsest / 2, SUM_TOLERANCE if money else Decimal(0))
    rounding = max(certain, sum(steps, Decimal(0)) / 2)
    return certain, rounding


def _adds_up(whole: Quantity, parts: list[Quantity]) -> bool:
    certain, _ = _tolerances([whole, *parts])
    return abs(sum((_amount(p) for p in parts), Decimal(0)) - _amount(whole)) <= certain


# ---- tables -------------------------------------------------------------------------------
#
# Rows are read from the text lines themselves (cells split by | or tab, or a label line followed
# by lines of one number each), so a table that the layout analysis did not recognise is still
# read. A row is (label, cells, start, end); a cell is a Quantity or None when blank or not a number.

_DASH = re.compile(r"[/／\-—－]+")
_LABEL = re.compile(
    r"[\u4e00-\u9fff]{2}"
)  # a row label has words, not just a unit or a sign
# A line holding one number once stripped (and without a trailing |, see _cell_text), in one scan
# for the line breaks before such lines (a literal first character: the scan skips to each \n).
_NUMBER_LINE = r"[^\S\n]*-?[\d,]+(?:\.\d+)?%?[^\S\n]*(?:\|[^\S\n]*)?(?=\n|$)"
_NUMBER_LINES = re.compile("\n" + _NUMBER_LINE)
_FIRST_NUMBER_LINE = re.compile(_NUMBER_LINE)


@dataclass
class Row:
    label: str
    cells: list[Quantity | None]
    start: int
    end: int
    exact: bool  # cells split by separators (columns known), not gathered from lines
    words: int = 0  # cells holding words (not a number, not blank, not a dash): a header or a text row


def _cell(index: TextIndex, start: int, end: int) -> Quantity | None:
    inside = index.quantities_in(start, end)
    if len(inside) != 1:
        return None
    quantity = inside[0]
    rest = index.text[start:end].replace(quantity.raw, "", 1).strip(" \t:：")
    return None if rest else quantity


def _cells(index: TextIndex, spans: list[tuple[int, int]]) -> list[Quantity | None]:
    """_cell of each of a row's cells (spans left to right, not overlapping), from one bisection
    of the row rather than one per cell."""
    if not spans:
        return []
    quantities = index.quantities_in(spans[0][0], spans[-1][1])
    if not quantities:
        return [None] * len(spans)
    text = index.text
    found: list[Quantity | None] = []
    at, count = 0, len(quantities)
    for start, end in spans:
        while at < count and quantities[at].start < start:
            at += 1
        # exactly one quantity starts in the cell (those of a cell with two are passed over by
        # the next cell's skip)
        if at < count and quantities[at].start < end and (at + 1 == count or quantities[at + 1].start >= end):
            quantity = quantities[at]
            rest = text[start:end].replace(quantity.raw, "", 1).strip(" \t:：")
            found.append(None if rest else quantity)
            at += 1
        else:
            found.append(None)
    return found


def _cell_text(line: str) -> str:
    """A line of a cell-per-line table without its trailing separator ("238.93 |")."""
    return line.strip().rstrip("|").strip() if line.count("|") <= 1 else line.strip()


def _piece(line: str) -> str:
    """What a line holds as a cell: without a | it is the stripped line."""
    return _cell_text(line) if "|" in line else line.strip()


_PLUS_ONE = (1).__add__


def table_rows(index: TextIndex) -> list[list[Row]]:
    """Runs of consecutive table rows (each run one table): read once per report, used by the
    table breakdowns and the row rates.

    Outside a run only two kinds of line start one: a line split by separators, and a label
    line whose next non-empty line holds one number. Those are found first (a number line by
    one scan of the text), and the lines in between are skipped rather than read one by one."""
    text = index.text
    runs: list[list[Row]] = []
    current: list[Row] = []
    # The text's lines (the Layout's lines are these) and their starts, split and summed in C.
    split = text.split("\n")
    line_starts = [0, *accumulate(map(_PLUS_ONE, map(len, split[:-1])))]
    piece_of = _piece if "|" in text else str.strip  # without a | anywhere, a line's piece is it stripped
    number_lines = {bisect_left(line_starts, match.start() + 1) for match in _NUMBER_LINES.finditer(text)}
    if _FIRST_NUMBER_LINE.match(text):
        number_lines.add(0)
    # The column separator of each line whose cells are split by | or tab (none without either
    # character in the whole text: then no line is read for them; without a | in the text, a
    # line's only test is for a tab).
    if "|" in text:
        separators = {
            n: separator
            for n, line in enumerate(split)
            if ("|" in line or "\t" in line)
            and (separator := "|" if line.count("|") >= 2 else "\t" if "\t" in line.strip("\t") else None)
        }
    elif "\t" in text:
        separators = {n: "\t" for n, line in enumerate(split) if "\t" in line and "\t" in line.strip("\t")}
    else:
        separators = {}
    starters = set(separators)
    for number_line in number_lines:
        before = number_line - 1
        while before >= 0 and not piece_of(split[before]):
            before -= 1
        if before >= 0 and before not in number_lines:
            label = piece_of(split[before])
            if len(label) <= 30 and _LABEL.search(label):
                starters.add(before)
    starters_sorted = sorted(starters)
    number = 0
    while number < len(split):
        if not current and number not in starters:
            at = bisect_left(starters_sorted, number)
            if at == len(starters_sorted):
                break
            number = starters_sorted[at]  # the lines before it start no run
        line = split[number]
        start = line_starts[number]
        end = start + len(line)
        separator = separators.get(number)
        if separator is not None:
            pieces = line.split(separator)  # each cell's text (text[a:b] of its span)
            while pieces and not pieces[-1].strip():
                pieces.pop()
            if pieces:
                cells, offset = [], start
                for piece in pieces:
                    cells.append((offset, offset + len(piece)))
                    offset += len(piece) + 1
                values = _cells(index, cells[1:])
                words = sum(
                    1
                    for piece, value in zip(pieces[1:], values)
                    if value is None and piece.strip(" /-—－") != ""
                )
                current.append(Row(pieces[0].strip(), values, start, end, True, words))
            number += 1
            continue
        stripped = piece_of(line)
        if (
            stripped
            and number not in number_lines
            and len(stripped) <= 30
            and _LABEL.search(stripped)
        ):
            # A label line followed by lines holding one number each (a cell per line): the
            # cells' spans gathered, then read together (_cells).
            spans, look, last, words = [], number + 1, end, 0
            while look < len(split):
                piece = piece_of(split[look])
                if not piece:
                    look += 1
                    continue
                a = line_starts[look]
                if look in number_lines:
                    spans.append((a, a + len(split[look].rstrip(" |\t"))))
                elif spans and (_DASH.fullmatch(piece) or len(piece) > 30):
                    words += (
                        0 if _DASH.fullmatch(piece) else 1
                    )  # a cell marked empty, or a note in the row
                else:
                    break
                last = a + len(split[look])
                look += 1
            if spans or (current and not current[-1].exact):
                current.append(Row(stripped, _cells(index, spans), start, last, False, words))
                number = look if spans else number + 1
                continue
        if stripped and current:
            runs.append(current)
            current = []
        number += 1
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]


@lru_cache(maxsize=4096)
def _is_total(label: str) -> bool:
    """A total row's label, spaces aside: at most 8 CJK characters (U+4E00–U+9FFF) and 合计, 总计,
    小计 or 总额, after an optional 其中 (or 其中：) and before an optional colon. Read by hand: as
    a pattern its CJK class costs more to compile than all the labels cost to read."""
    compact = re.sub(r"\s+", "", label)
    if compact.endswith((":", "：")):
        compact = compact[:-1]
    if not compact.endswith(_TOTAL_WORDS):
        return False
    head = compact[:-2]
    heads = [head, head[2:]] if head.startswith("其中") else [head]
    if head.startswith(("其中：", "其中:")):
        heads.append(head[3:])
    return any(len(words) <= 8 and all("\u4e00" <= character <= "\u9fff" for character in words) for words in heads)


def _percent_column(cells: list[Quantity | None]) -> int | None:
    for n, cell in enumerate(cells):
        if cell is not None and cell.unit == "%":
            return n
    return None


def _aligned(
    row: Row, width: int, total: Row | None = None
) -> list[Quantity | None] | None:
    """The row's cells in the total row's columns: as split when columns are known (a shorter row
    lacks its last cells); for a cell-per-line row, lined up on the rate column when both rows
    have one, else right-aligned (the missing number is usually the first column)."""
    if row.exact:
        return (row.cells + [None] * width)[:width]
    if len(row.cells) == width:
        return row.cells
    if total is not None:
        mine, theirs = _percent_column(row.cells), _percent_column(total.cells)
        if mine is not None and theirs is not None:
            shift = theirs - mine
            placed = [None] * max(0, shift) + row.cells[max(0, -shift) :]
            return (placed + [None] * width)[:width]
    if len(row.cells) < width:
        return [None] * (width - len(row.cells)) + row.cells
    return None


def _tables(index: TextIndex, rows: list[list[Row]]) -> list[Found]:
    found: list[Found] = []
    for run in rows:
        for position, row in enumerate(run):
            genre_total = key_of(row.label) in _TABLE_WHOLES
            if not (_is_total(row.label) or genre_total) or not any(row.cells):
                continue
            following = run[position + 1 :]
            if following and (
                following[0].label.startswith("其中")
                or (genre_total and not _is_total(row.label))
            ):
                members = []
                own = key_of(row.label)
                allowed = set().union(*_PARTITIONS.get(own, [])) if own else set()
                for other in following:
                    if other.words:
                        break  # a header or a row of text: another table part begins
                    if _is_total(other.label) and not other.label.startswith("其中"):
                        break
                    other_key = key_of(other.label)
                    if (
                        other_key is not None
                        and other_key not in allowed
                        and (members or not other.label.startswith("其中"))
                    ):
                        break  # a sibling total (项目支出 after 基本支出), not a part
                    members.append(other)
                found += _table_breakdowns(index, row, members, prefixes=True)
            elif _is_total(row.label):
                members = []
                for other in reversed(run[:position]):
                    if _is_total(other.label) or not any(other.cells) or other.words:
                        break
                    members.insert(0, other)
                found += _table_breakdowns(index, row, members, prefixes=False)
    return found


_TABLE_WHOLES = {
    "three_public_total",
    "expenditure_total",
    "basic_expenditure",
    "income_total",
    "project_expenditure",
    "public_expenditure",
    "personnel_expenditure",
}


def _table_breakdowns(
    index: TextIndex, total: Row, members: list[Row], *, prefixes: bool
) -> list[Found]:
    """One breakdown per column of the total row: the run of member rows that adds up (a prefix
    of the rows below a 其中, a suffix of the rows above a 合计); failing that, all the rows,
    complete only when every row lines up with the total row."""
    found: list[Found] = []
    width = len(total.cells)
    grid = [(row, _aligned(row, width, total)) for row in members]
    grid = [(row, cells) for row, cells in grid if cells is not None]
    if not grid:
        return found
    for column, whole in enumerate(total.cells):
        if whole is None or whole.unit in ("%", "个百分点"):
            continue
        cells = [(row, cells[column]) for row, cells in grid]
        if any(
            cell is not None and cell.unit in ("%", "个百分点") for _, cell in cells
        ):
            continue
        ordered = cells if prefixes else list(reversed(cells))
        chosen = None
        for size in range(1, len(ordered) + 1):
            run = [cell for _, cell in ordered[:size] if cell is not None]
            if (
                run
                and _adds_up(whole, run)
                and (
                    size > 1
                    or len(ordered) == 1
                    or _amount(whole) == 0
                    or all(c is None or _amount(c) == 0 for _, c in ordered[1:])
                )
            ):
                chosen = ordered[:size]
                break
        exact = (
            all(row.exact for row, _ in cells)
            and total.exact
            and all(cell is not None for _, cell in cells)
        )
        # Every member row that holds numbers has one in this column: the column is read whole.
        whole_column = all(cell is not None for row, cell in cells if any(row.cells))
        if chosen is None:
            chosen = ordered
        chosen = chosen if prefixes else list(reversed(chosen))
        parts = [(row, cell) for row, cell in chosen if cell is not None]
        if not parts:
            continue
        quantities = [cell for _, cell in parts]
        adds = _adds_up(whole, quantities)
        complete = adds or (exact and not prefixes)
        record = _new_breakdown({
            "kind": BreakdownKind.TABLE,
            "whole": _item(index, whole, total.label.rstrip(":：")),
            "parts": [
                _item(
                    index, cell, re.sub(r"^其中[：:]?", "", row.label).strip() or "行"
                )
                for row, cell in parts
            ],
            "complete": complete,
            "span": index.span(
                min(total.start, parts[0][0].start), max(total.end, parts[-1][0].end)
            ),
            "evidence": index.document.quote(
                min(total.start, parts[0][0].start), max(total.end, parts[-1][0].end)
            )[:300],
        })
        found.append(
            Found(
                record,
                whole,
                quantities,
                [],
                False,
                False,
                False,
                certain=exact and not prefixes,
                whole_column=whole_column,
            )
        )
    return found


_RATE_HEADER = re.compile(r"执行率|到位率|支出率|完成率|B\s*/\s*A")


def row_rates(index: TextIndex, rows: list[list[Row]] | None = None) -> list[Check]:
    """A rate cell in a table row whose header names a rate (执行率, B/A): it should be the ratio of
    two amounts before it in the row (执行数 ÷ 预算数, either budget column)."""
    checks: list[Check] = []
    text = index.text
    for run in rows if rows is not None else table_rows(index):
        for row in run:
            column = _percent_column(row.cells)
            if column is None or column < 2:
                continue
            header = text[max(0, row.start - 400) : row.start]
            if not _RATE_HEADER.search(header):
                continue
            stated = row.cells[column]
            amounts = [
                cell
                for cell in row.cells[:column]
                if cell is not None and cell.unit != "%"
            ]
            if len(amounts) < 2 or any(
                cell is None for cell in row.cells[column - 2 : column]
            ):
                continue
            pairs = [
                (amounts[i], amounts[k])
                for i in range(len(amounts))
                for k in range(i + 1, len(amounts))
                if _amount(amounts[i]) > 0
            ]
            if not pairs:
                continue
            label = row.label.rstrip(":：") or "行"
            checks += _row_score(index, header, row, column, label)
            agreeing = [
                (a, b)
                for a, b in pairs
                if rate_agrees(_amount(b) / _amount(a) * HUNDRED, stated.value)
            ]
            base, spent = (
                agreeing[0]
                if agreeing
                else (row.cells[column - 2], row.cells[column - 1])
            )
            if base is None or spent is None or _amount(base) <= 0:
                continue
            computed = _amount(spent) / _amount(base) * HUNDRED
            inputs = [
                _input(index, stated, f"{label} 比率"),
                _input(index, spent, f"{label} 执行数"),
                _input(index, base, f"{label} 预算数"),
            ]
            if agreeing:
                checks.append(
                    make_check(
                        RuleId.TABLE_RATE,
                        PASS,
                        Severity.INFO,
                        f"表中“{label}”{fmt(stated.value)}% = {fmt(spent.value)} ÷ {fmt(base.value)}",
                        inputs,
                        percent(computed),
                        stated.value,
                        rate_tolerance(stated.value),
                    )
                )
                continue
            certain = len(amounts) == 2 and row.exact
            checks.append(
                make_check(
                    RuleId.TABLE_RATE,
                    FAIL if certain else WARN,
                    Severity.HIGH if certain else Severity.MEDIUM,
                    f"表中“{label}”比率写为 {fmt(stated.value)}%，按同行 {fmt(spent.value)} ÷ {fmt(base.value)} 计算为 {fmt(percent(computed))}%，请核对",
                    inputs,
                    percent(computed),
                    stated.value,
                    rate_tolerance(stated.value),
                )
            )
    return checks


_SCORE_FORMULA = re.compile(r"(\d+(?:\.\d+)?)\s*分\s*[*×xX]\s*(?:预算)?执行率")


def _formula_row(header: str, row: Row, column: int) -> tuple[Decimal, Quantity, Quantity] | None:
    """The weight, rate and score of a row under a header that states its score's formula
    ("得分(20分*执行率)"), the rate in `column` and the score after it."""
    formula = None
    for formula in _SCORE_FORMULA.finditer(header):
        pass
    if formula is None or column + 1 >= len(row.cells):
        return None
    rate, score = row.cells[column], row.cells[column + 1]
    if rate is None or score is None or score.unit not in ("", "分"):
        return None
    return Decimal(formula.group(1)), rate, score


def execution_scores(index: TextIndex, rows: list[list[Row]]) -> list[tuple[Decimal, Decimal]]:
    """(weight, score) of each budget-execution row scored by a stated formula: the part of a
    self-score table that sits outside its indicator rows (预算执行情况(20分) above 产出/效益…)."""
    found = []
    for run in rows:
        for row in run:
            column = _percent_column(row.cells)
            # as row_rates reads it: a budget and a spent amount, then the rate, then the score
            if column is None or column < 2 or any(cell is None or cell.unit == "%" for cell in row.cells[column - 2 : column]):
                continue
            header = index.text[max(0, row.start - 400) : row.start]
            if "执行率" not in header:
                continue
            scored = _formula_row(header, row, column)
            if scored is not None:
                found.append((scored[0], scored[2].value))
    return found


def _row_score(index: TextIndex, header: str, row: Row, column: int, label: str) -> list[Check]:
    """A score cell after the rate whose header states its formula ("得分(20分*执行率)"): the
    score is the weight times the rate, capped at the weight."""
    scored = _formula_row(header, row, column)
    if scored is None:
        return []
    weight, rate, score = scored
    expected = min(weight, weight * rate.value / HUNDRED)
    whole = score.value == score.value.to_integral_value()
    tolerance = Decimal("0.5") if whole else Decimal("0.01")
    inputs = [_input(index, score, f"{label} 得分"), _input(index, rate, f"{label} 执行率")]
    if abs(score.value - expected) <= tolerance:
        return [make_check(RuleId.SELF_SCORE, PASS, Severity.INFO, f"表中“{label}”得分 {fmt(score.value)} = {fmt(weight)} × {fmt(rate.value)}%", inputs, expected, score.value, tolerance)]
    return [make_check(
        RuleId.SELF_SCORE, FAIL, Severity.HIGH,
        f"表中“{label}”得分写为 {fmt(score.value)}，按表头所列 {fmt(weight)}分 × 执行率 {fmt(rate.value)}% 应为 {fmt(expected)}",
        inputs, expected, score.value, tolerance,
    )]


# ---- the record list and its checks ----------------------------------------------------


def find(index: TextIndex, rows: list[list[Row]] | None = None) -> tuple[list[Found], list[Span]]:
    """The breakdowns the report states, and the spans of wholes whose parts cannot be read
    (an amount masked or left blank, parts with a sign such as 调减)."""
    unreadable: list[Span] = []
    found = _prose(index, unreadable) + _listed_below(index) + _tables(index, rows if rows is not None else table_rows(index))
    # The same whole and parts read twice (a 其中 inside a 包括 …): keep the first.
    seen: set[tuple[int, tuple[int, ...]]] = set()
    kept = []
    for item in sorted(found, key=lambda f: f.whole.start):
        signature = (item.whole.start, tuple(p.start for p in item.parts))
        if signature not in seen:
            seen.add(signature)
            kept.append(item)
    return kept, unreadable


def _input(index: TextIndex, quantity: Quantity, label: str) -> CheckInput:
    return new_input({
        "label": label,
        "value": quantity.value,
        "unit": quantity.unit,
        "span": index.document.span_fields(quantity.start, quantity.end),
    })


_ORGANISATION = re.compile(r"单位|机构|人员|人数|编制|科室|股室")


def _partition_like(item: Found) -> bool:
    """Lists that usually name every part: money, persons, and the units or posts of an
    organisation (行政单位 + 事业单位). Counts of activities (登记 12000 件 …) are often partial."""
    return _family(item.whole) in ("money", "人") or bool(
        _ORGANISATION.search(item.record.whole.label)
    )


def _unit_reread(
    item: Found, whole: Decimal, total: Decimal, tolerance: Decimal
) -> tuple[BreakdownItem, str] | None:
    """A part whose amount, read in 元 instead of 万元 (or the reverse), makes the sum hold."""
    for part, quantity in zip(item.record.parts, item.parts):
        if quantity.unit not in MONEY_UNITS:
            continue
        for unit in ("元", "万元"):
            if to_wan(Decimal(1), unit) == to_wan(Decimal(1), quantity.unit):
                continue  # the unit it is written in (万 is 万元)
            other = to_wan(quantity.value, unit)
            if (
                other is not None
                and abs(total - _amount(quantity) + other - whole) <= tolerance
            ):
                return part, unit
    other = "元" if item.whole.unit in ("万元", "万") else "万元"
    wrong = to_wan(item.whole.value, other)
    if (
        wrong is not None
        and item.whole.unit in ("元", "万元", "万")
        and abs(total - wrong) <= tolerance
    ):
        return item.record.whole, other
    return None


def _of(check: Check, number: int) -> Check:
    """The check with the index of the breakdown it read, set in place (it was just made here
    and is held nowhere else: a copy made to be dropped costs more than the check)."""
    check.breakdown = number
    return check


def breakdown_checks(index: TextIndex, found: list[Found]) -> list[Check]:
    checks: list[Check] = []
    for number, item in enumerate(found):
        record = item.record
        money = item.whole.unit in MONEY_UNITS
        rule = (
            RuleId.TABLE_TOTAL
            if record.kind is BreakdownKind.TABLE
            else (RuleId.BREAKDOWN if money else RuleId.COUNT_BREAKDOWN)
        )
        unit = "万元" if money else item.whole.unit
        whole = _amount(item.whole)
        amounts = [_amount(p) for p in item.parts]
        total = sum(amounts, Decimal(0))
        certain, rounding = _tolerances([item.whole, *item.parts])
        difference = total - whole
        listed = " + ".join(
            f"{p.label} {fmt(amount)}" for p, amount in zip(record.parts, amounts)
        )
        inputs = [
            _input(index, item.whole, record.whole.label),
            *(_input(index, q, p.label) for p, q in zip(record.parts, item.parts)),
        ]
        name = f"{record.whole.label} {fmt(whole)}{unit}"
        if abs(difference) <= certain:
            check = make_check(
                rule,
                PASS,
                Severity.INFO,
                f"{name} = {listed}",
                inputs,
                total,
                whole,
                certain,
            )
        elif abs(difference) <= rounding:
            check = make_check(
                rule,
                WARN,
                Severity.LOW,
                f"{name}，所列 {listed} = {fmt(total)}{unit}，相差 {fmt(abs(difference))}{unit}，在各数尾数四舍五入的范围内，请核对",
                inputs,
                total,
                whole,
                rounding,
            )
        elif money and (reread := _unit_reread(item, whole, total, certain)) is not None:
            part, reading = reread
            check = make_check(
                RuleId.UNIT_SLIP,
                FAIL if item.certain else WARN,
                Severity.HIGH if item.certain else Severity.MEDIUM,
                f"{name}，所列 {listed} 不平；若“{part.label} {fmt(part.value)}{part.unit}”按{reading}计则恰好相符，疑似元/万元混用",
                inputs,
                total,
                whole,
                certain,
            )
        elif record.kind is BreakdownKind.NUMBERED and not item.certain:
            check = make_check(
                rule,
                WARN,
                Severity.LOW,
                f"下列明细 {listed} = {fmt(total)}{unit}，与前文“{record.whole.label}” {fmt(whole)}{unit} 相差 {fmt(abs(difference))}{unit}，也与前文其他金额都对不上，请核对",
                inputs,
                total,
                whole,
                certain,
            )
        elif record.kind is BreakdownKind.TABLE and not item.certain:
            if not item.whole_column and abs(difference) > whole * NEAR_SHORTFALL:
                continue  # rows missing this column and far off: which rows the total covers is unknown
            check = make_check(
                rule,
                WARN,
                Severity.LOW,
                f"表中“{record.whole.label}” {fmt(whole)}{unit}，其下（上）所列各行 {listed} = {fmt(total)}{unit}，相差 {fmt(abs(difference))}{unit}，请核对",
                inputs,
                total,
                whole,
                certain,
            )
        elif difference > 0 and any(
            total <= other + certain for other in _alternatives(index, item)
        ):
            check = make_check(
                rule,
                WARN,
                Severity.MEDIUM,
                f"{name}，所列 {listed} = {fmt(total)}{unit}，超过该数；同句另有金额，所列分项可能是对另一金额（或合计）的分解，请核对",
                inputs,
                total,
                whole,
                certain,
            )
        elif difference > 0:
            check = make_check(
                rule,
                FAIL,
                Severity.HIGH,
                f"分项之和超过总数：{name}，{'其中' if record.kind is not BreakdownKind.TABLE else '各行'}所列 {listed} = {fmt(total)}{unit}（多 {fmt(difference)}{unit}）",
                inputs,
                total,
                whole,
                certain,
            )
        elif record.complete and (
            item.labels_complete
            or record.kind is BreakdownKind.COMPOSED
            or record.kind is BreakdownKind.TABLE
        ):
            check = make_check(
                rule,
                FAIL,
                Severity.HIGH,
                f"分项之和不等于总数：{name}，所列 {listed} = {fmt(total)}{unit}（少 {fmt(-difference)}{unit}）",
                inputs,
                total,
                whole,
                certain,
            )
        elif len(item.parts) >= 2 and (
            item.numbered
            or (-difference <= whole * NEAR_SHORTFALL and _partition_like(item))
        ):
            check = make_check(
                rule,
                WARN,
                Severity.LOW,
                f"{name}，所列 {listed} = {fmt(total)}{unit}，比总数少 {fmt(-difference)}{unit}；若已列全则不平，请核对",
                inputs,
                total,
                whole,
                certain,
            )
        else:
            check = make_check(
                rule,
                PASS,
                Severity.INFO,
                f"{name}，所列 {listed} = {fmt(total)}{unit}，未超过总数（其中项未必列全）",
                inputs,
                total,
                whole,
                certain,
            )
        checks.append(_of(check, number))
        for part, share in item.shares:
            base = _amount(part)
            if whole <= 0:
                continue
            computed = base / whole * HUNDRED
            share_inputs = [
                _input(index, share, "占比"),
                _input(index, part, "分项"),
                _input(index, item.whole, record.whole.label),
            ]
            if rate_agrees(computed, share.value):
                checks.append(_of(
                    make_check(
                        RuleId.SHARE,
                        PASS,
                        Severity.INFO,
                        f"占比 {fmt(share.value)}% = {fmt(base)} ÷ {fmt(whole)}",
                        share_inputs,
                        percent(computed),
                        share.value,
                        rate_tolerance(share.value),
                    ), number)
                )
            else:
                checks.append(_of(
                    make_check(
                        RuleId.SHARE,
                        WARN,
                        Severity.MEDIUM,
                        f"文中写占比 {fmt(share.value)}%，按 {fmt(base)} ÷ {record.whole.label} {fmt(whole)} 计算为 {fmt(percent(computed))}%，请核对",
                        share_inputs,
                        percent(computed),
                        share.value,
                        rate_tolerance(share.value),
                    ), number)
                )
    return checks
