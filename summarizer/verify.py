"""Verification pass: check an extraction against the report it came from. No I/O.

`verify_report(report, document)` returns the report with `breakdowns` (every whole-and-parts
statement, found in the text by verify_breakdowns) and `checks` filled in; `verify` returns the
checks alone. It runs after every backend (rules or LLM) and trusts neither: each number is
looked up in the source text, each total is recomputed from its parts, each stated rate from its
amounts. It never changes the extraction and never raises on odd input.

Severity is calibrated: a fail means the numbers certainly belong together (one breakdown
sentence, one table row, an identity of summarizer/genre/identities.toml between figures of one
block) and disagree beyond the rounding of their written digits. Where the relation is a guess
(several candidate totals or operands, rows gathered by position, a difference within rounding,
an open list that falls just short) the check is a warn that says what to look at. A keyed sum
that fails where the report's own breakdown of that whole adds up is the extractor's
mislabelling, and defers to the breakdown. Rule ids are `schemas.RuleId`; each check names the
figures it used (`Check.figures`) and the breakdown (`Check.breakdown`).

Cost is linear in the report: figures are indexed by key, block and amount once; repeated
values are compared only among the few readings of one key and item; no scan pairs all figures.

Rules (rule id: what it checks; status when it does not hold)
  grounding.figure          every figure's number occurs near its span/evidence, unit-aware
                            (4.4 万元 is not grounded by "4.4元"; 3432300 元 grounds 343.23 万元;
                            a bare table cell grounds any unit); also the numbers of
                            achievements/problems/measures and meta (self score, staffing). fail/high
  identity.expenditure_total  支出合计 = 基本支出 + 项目支出 (complete). fail/high
  identity.basic_expenditure  基本支出 = 人员经费 + 公用经费 (complete). fail/high
  identity.three_public       三公经费 = 接待 + 车辆运行 + 车辆购置 + 出国. fail/high
  identity.income_parts       收入合计 = 财政拨款 + 其他收入 + 上年结转. fail/high
                            (these two are complete in a table row whose every number is the
                            total or a part, open — parts must not exceed — otherwise)
  identity.income_breakdown   "预算总收入 X，其中基本支出 A，项目支出 B": X = A + B. fail/high
  identity.balance            结余 = 收入 − 支出 (or 到位/预算 − 实际支出, ± 上年结转). fail/high
  identity.balance_parts      结余 = 上缴财政 + 结转下年 (complete when both are stated). fail/high
  identity.project_lines      listed 项目 lines against 项目支出; identity.spending_lines listed
                            spending lines against 实际支出/支出合计; identity.budget_sources
                            funding sources (省级/市级/区县) against the budget total. A list
                            introduced by 其中 is open (sum must not exceed; a numbered 1、2、3、
                            list that falls short warns), otherwise complete. One line above
                            its whole, wherever written, fails. fail/high. Project lines written
                            elsewhere but absent from a breakdown that adds up exactly: warn/low
  identity.breakdown          every money breakdown the text states (其中, numbered lists, 由…构成,
                            包括): complete → adds up, open → parts ≤ whole. fail/high; within
                            rounding, or an open list just short, warn (verify_breakdowns.py)
  identity.count_breakdown    the same for counts and persons ("N 项，其中 a 项、b 项")
  identity.table_total        a table's 合计/小计/总额 row against its rows (columns split by | or
                            tab: fail; rows gathered one cell per line: warn)
  rate.table_row              a rate cell (header 执行率, B/A) against its row's amounts
  rate.share                  "占总收入的 P%" against the breakdown's whole. warn
  consistency.unit_slip       (also) a breakdown that adds up once one part is read in 元/万元
  plausibility.unit_magnitude a fund amount in 元 far below the report's 万元 scale. warn
  plausibility.low_execution  execution (stated, or spending ÷ budget) below 60%. warn
  plausibility.spending_over_income  支出合计 above 收入合计 with no 上年结转 stated. warn
  identity.self_score         self-score table: each level's weights and scores equal the sum
                            of the level below (投入 = 项目立项 + 资金落实 …, 总分 = 投入 + 过程
                            + …), no score above its weight, table total = stated self score.
  rate.execution_rate / rate.received_rate / rate.balance_rate / rate.growth_rate
                            a stated rate recomputed from the amounts in the same row or
                            paragraph. fail/high. An amount in the paragraph whose whole is stated
                            elsewhere (到位 10441 under 资金到位, 预算 10441 in 项目概况) is divided
                            by the report's one whole of that key: warn/medium
  rate.ratio_statement      "A 项 … B 项 … X率达 P%" in the text recomputed: a stated 100% that
                            the numbers deny is fail/medium, another mismatch of counts is a
                            warn (the numerator may be counted differently), of money a fail.
  rate.growth_statement     "本期 A … 上年 B … 增长 P%" in the text recomputed. fail/medium
  identity.change_statement "本期 A … 上年 B … 增加 X 万元": X against A − B (not after 其中: a
                            part's change). warn/medium (the change may be of something else)
  consistency.repeated_value the same quantity (key, item, period) stated twice with values a
                            keystroke apart (19251 vs 1925, 304.01 vs 340.01): fail/high. Two
                            different amounts for one total and period, for one project, or
                            for 结余/结转 (which have no budget version): warn/medium; for one
                            total with no period stated either time: warn/low.
  consistency.unit_slip     the same number in 元 in one place and 万元 in another: fail/high;
                            "35 万元，实际支付 30.66 元" (same size, 10,000× apart): warn/medium.
  consistency.comparison_claim "比率大于 100%", "决算数大于预算数" where the numbers say
                            otherwise. fail/medium
  plausibility.grade_score  grade against score: 优 ≥ 90, 良 80–89, 中 60–79, 差 < 60, or the
                            bands the report states ("90分（含）以上为优"). fail/medium;
                            a score with no grade written: warn/low
  plausibility.rate_range   a share (满意率, 办结率, 覆盖率 …) above 100%. fail/medium
  plausibility.over_budget  spending above the budget or the funds received of the same item,
                            funds received above the budget. warn
  plausibility.execution_vs_score  execution rate below 90% beside a self score of 90 or more. warn
  plausibility.report_date  report dated before the end of the evaluated year. warn
  plausibility.self_score   no self score stated. warn/low
  plausibility.indicator_values  performance indicators with no target or no actual. warn/low
  plausibility.staffing     staff actual above the establishment (编制). warn
  plausibility.indicator_target  a quantitative target (≥180人, 不低于85%, a money cost) that the
                            actual beside it does not meet. warn. With it, in verify_indicators:
                            an indicator's target/actual in 元 vs 万元 (unit_slip, warn), a share
                            indicator above 100% (rate_range), a level's weight "产出指标(60分)"
                            against its rows' weights and scores and the execution row's score
                            against 分值 × 执行率 (identity.self_score; verify_breakdowns checks a
                            table row under "得分(20分*执行率)" the same way)

Tolerances
  sums        0.01 万元 (SUM_TOLERANCE), widened to half a unit of the last digit of an amount
              stated in 亿元 or marked approximate (约/多/余), where the report itself rounds;
  scores      0.01 point;
  rates       0.1 percentage point (RATE_TOLERANCE), or the rounding/truncation band of the
              precision the report states (87% accepts 86.5–87.99; a stated 100% needs ≥ 99.5%).

Figures are compared only when they share a block (a table row or a paragraph), or when an
amount the extractor kept once (it de-duplicates repeats) is written again in that block.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

from . import verify_breakdowns as breakdowns
from .verify_indicators import indicator_checks
from .document import Document
from .structure import Layout
from .genre import vocabulary
from .genre.identities import identities
from .numbers import MONEY_UNITS, Quantity, to_wan
from .schemas import (
    FIGURE_KEYS,
    Breakdown,
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    Grade,
    Indicator,
    Period,
    Report,
    RuleId,
    Severity,
    Span,
)
from .verify_text import (
    HUNDRED,
    RATE_TOLERANCE,
    SCORE_TOLERANCE,
    SUM_TOLERANCE,
    TextIndex,
    change_statements,
    comparison_claims,
    fmt,
    growth_statements,
    impossible_rates,
    labelled_rate_statements,
    make_check,
    new_input,
    of_statements,
    percent,
    rate_agrees,
    rate_tolerance,
    ratio_statements,
    severity_key,
    typo_like,
    unit_magnitudes,
    unit_slips,
)

__all__ = ["RATE_TOLERANCE", "SCORE_TOLERANCE", "SUM_TOLERANCE", "find_breakdowns", "verify", "verify_report"]

GROUNDING_MARGIN = 20  # characters either side of a figure's span searched for its number
RESTATED_REACH = 64  # quantities either side of a figure looked at for a restated amount in a long block
PASS, WARN, FAIL = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL


def find_breakdowns(document: Document, layout: Layout | None = None) -> list[Breakdown]:
    """Every whole-and-parts statement of the report (其中 lists, numbered lists, 由…构成,
    包括, table total rows), as records with spans."""
    return [found.record for found in breakdowns.find(TextIndex.build(document, layout))[0]]


def verify_report(report: Report, document: Document, layout: Layout | None = None) -> Report:
    """The report with its breakdowns and checks filled in (check.breakdown indexes the former).
    `layout` is the analysis structure made (the document is analysed again only without it)."""
    context = _Context(report, document, layout)
    return report.model_copy(update={"breakdowns": [found.record for found in context.breakdowns], "checks": _verify(context)})


def verify(report: Report, document: Document, layout: Layout | None = None) -> list[Check]:
    """Every check for one extraction, most severe first."""
    return _verify(_Context(report, document, layout))


def _verify(context: _Context) -> list[Check]:
    checks: list[Check] = []
    checks += _grounding(context)
    checks += _identities(context)
    checks += _self_score(context)
    checks += _rates(context)
    checks += _consistency(context)
    checks += ratio_statements(context.index, context.covered_positions)
    checks += growth_statements(context.index, context.covered_positions)
    checks += change_statements(context.index)
    checks += of_statements(context.index, context.covered_positions)
    checks += labelled_rate_statements(context.index, context.covered_positions)
    checks += unit_slips(context.index, context.slip_spans)
    checks += comparison_claims(context.index)
    stated = breakdowns.breakdown_checks(context.index, context.breakdowns) + breakdowns.row_rates(context.index, context.table_rows)
    checks = _defer_to_statements(context, checks, stated)
    checks += stated
    checks += impossible_rates(context.index)
    checks += _indicators(context, checks)
    checks += unit_magnitudes(context.index, context.slip_spans)
    checks += _plausibility(context)
    return sorted((_name_figures(context, check) for check in _dedupe(checks)), key=severity_key)


def _name_figures(context: _Context, check: Check) -> Check:
    """The check with the indices (into Report.figures) of the figures among its inputs, so a
    draft or a render links a check to its figures without matching spans and values again."""
    used = []
    figure_at = context.figure_at
    for item in check.inputs:
        span = item.span
        if span is None:
            continue
        here = figure_at.get(span.start)
        if here:
            value = item.value
            for written, number in here:
                if written == value and number not in used:
                    used.append(number)
    if used:
        check.figures = used  # in place: each check is made for this report and held nowhere else (a copy was made and dropped)
    return check


# Checks that put together figures the extractor keyed (a total and parts found by key).
_KEYED_SUMS = {
    RuleId.EXPENDITURE_TOTAL, RuleId.EXPENDITURE_BY_TYPE, RuleId.BASIC_EXPENDITURE, RuleId.THREE_PUBLIC,
    RuleId.INCOME_PARTS, RuleId.INCOME_BREAKDOWN, RuleId.BALANCE_PARTS, RuleId.PROJECT_LINES,
    RuleId.SPENDING_LINES, RuleId.BUDGET_SOURCES,
}


def _defer_to_statements(context: _Context, checks: list[Check], stated: list[Check]) -> list[Check]:
    """A keyed sum that fails where the report's own breakdown of that whole adds up (or cannot be
    read) is the extractor's mislabelling, not the report's error: the breakdown speaks instead.
    So is a keyed list whose sum is exactly another total the report states as a breakdown."""
    passing = {c.breakdown for c in stated if c.breakdown is not None and c.status is PASS and c.rule in (RuleId.BREAKDOWN, RuleId.TABLE_TOTAL)}
    wholes = [context.breakdowns[n] for n in passing]
    whole_spans = {(b.record.whole.span.start, b.record.whole.span.end) for b in wholes}
    # A keyed total that the report itself states as one part of a breakdown that adds up
    # (支付 48 among "支付 113，其中 48、15、50") is not the whole of the other parts.
    whole_spans |= {(p.span.start, p.span.end) for b in wholes for p in b.record.parts}
    whole_amounts = {breakdowns.amount_of(b.whole) for b in wholes}
    unreadable = context.unreadable_wholes
    kept = []
    for check in checks:
        if check.status is FAIL and check.rule in _KEYED_SUMS and check.inputs:
            total = check.inputs[0].span
            at = (total.start, total.end) if total is not None else None
            if at in whole_spans or at in unreadable or (check.expected is not None and check.expected in whole_amounts):
                continue
        kept.append(check)
    return kept


def _dedupe(checks: Iterable[Check]) -> list[Check]:
    seen: set[tuple[str, CheckStatus, str]] = set()
    kept = []
    for check in checks:
        identity = (check.rule, check.status, check.message)  # the status member (not .value: an enum property)
        if identity not in seen:
            seen.add(identity)
            kept.append(check)
    return kept


# ---- where figures sit --------------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True, init=False)
class Placed:
    """A figure located in the normalised text (or an amount found there for a figure the
    extractor kept only once, `virtual`). Never changed once made."""

    figure: Figure
    start: int
    end: int
    block: int
    virtual: bool = False
    restated_span: Span | None = None  # where a virtual amount is written in this block
    current: bool = field(default=True, compare=False)  # _Context.current of the figure, asked by most checks
    amount: Decimal = field(compare=False, repr=False)  # the figure's amount (in 万元 for money), read by most checks
    money: bool = field(compare=False, repr=False)  # _is_money of the figure

    def __init__(
        self, figure: Figure, start: int, end: int, block: int, virtual: bool = False, restated_span: Span | None = None, current: bool = True
    ) -> None:
        # Written out (no generated __init__ calling __post_init__): every figure is placed.
        self.figure, self.start, self.end, self.block = figure, start, end, block
        self.virtual, self.restated_span, self.current = virtual, restated_span, current
        wan = figure.value_wan if figure.value_wan is not None else to_wan(figure.value, figure.unit)  # _amount and _is_money, inlined
        self.amount, self.money = (figure.value, False) if wan is None else (wan, True)

    def input(self, label: str | None = None) -> CheckInput:
        figure = self.figure
        return new_input({
            "label": label or figure.label or FIGURE_KEYS.get(figure.key, figure.key),
            "value": figure.value,
            "unit": figure.unit,
            "span": self.restated_span or figure.span,
        })


def _amount(figure: Figure) -> Decimal:
    if figure.value_wan is not None:
        return figure.value_wan
    wan = to_wan(figure.value, figure.unit)
    return wan if wan is not None else figure.value


def _is_money(figure: Figure) -> bool:
    return figure.unit in MONEY_UNITS or figure.value_wan is not None


class _Context:
    def __init__(self, report: Report, document: Document, layout: Layout | None = None) -> None:
        self.report = report
        self.document = document
        self.index = TextIndex.build(document, layout)
        self.table_rows = breakdowns.table_rows(self.index)  # read once: breakdowns and row rates use them
        self.breakdowns, unreadable = breakdowns.find(self.index, self.table_rows)
        self.unreadable_wholes = {(span.start, span.end) for span in unreadable}
        self.year = report.meta.year
        self.placed: list[Placed] = []
        self.by_key: dict[str, list[Placed]] = defaultdict(list)
        # A key's figures by block, and all figures by block: made when first asked (from by_key
        # and placed, so in figure order), since most keys are never searched by block.
        self._key_blocks: dict[str, dict[int, list[Placed]]] = {}
        self._by_block: dict[int, list[Placed]] | None = None
        self._amount_index: dict[str, dict[tuple[str, Decimal], list[Placed]]] = {}
        # Span start -> (value, figure index) of the figures starting there (keyed by the start
        # alone: a Decimal's first hash is dear, and few figures share a start).
        self.figure_at: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
        # One pass over the figures fills every index (in figure order, as separate passes would).
        block_starts = self.index.block_starts
        year = self.year
        figures = report.figures
        self.located = self.index.locate([figure.span for figure in figures])  # each figure's span in the normalised text
        figure_at, all_placed = self.figure_at, self.placed  # bound once: read per figure
        by_key = self.by_key
        prior = Period.PRIOR_YEAR
        for number, (figure, located) in enumerate(zip(figures, self.located)):
            figure_at[figure.span.start].append((figure.value, number))
            if located is None:
                continue
            start, end = located
            block = bisect_right(block_starts, start) - 1  # TextIndex.block, inlined
            if block < 0:
                block = 0
            # self.current(figure), inlined (asked once here for every figure)
            current = figure.period is not prior and (figure.year is None or year is None or figure.year >= year)
            placed = Placed(figure, start, end, block, current=current)
            all_placed.append(placed)
            by_key[figure.key].append(placed)
        self.covered_positions: set[int] = set()  # stated percentages already recomputed
        self.slip_spans: list[tuple[int, int]] = []  # unit slips already reported
        # _restated's, per block: its quantities with the amount each states, and the set of those amounts.
        self._block_quantities: dict[int, tuple[list[tuple[Quantity, tuple[str, Decimal]]], set[tuple[str, Decimal]]]] = {}
        self.together: dict[Decimal, frozenset[Decimal]] | None = None  # _stated_together, once read
        self.same_key_pairs: dict[int, list[tuple[Placed, Placed]]] = {}  # _same_key_pairs, per block

    def named_keys_at(self, block: int, start: int) -> set[str]:
        """The keys of the named lines (figures with an item) placed at a normalised start, which
        lies in `block` (a figure's block is the one its start lies in)."""
        return {placed.figure.key for placed in self.in_block(block) if placed.start == start and placed.figure.item}

    def in_block(self, block: int) -> list[Placed]:
        """The figures placed in a block, in figure order."""
        if self._by_block is None:
            self._by_block = defaultdict(list)
            for placed in self.placed:
                self._by_block[placed.block].append(placed)
        return self._by_block.get(block, [])

    def in_key_block(self, key: str, block: int) -> list[Placed]:
        """The figures of a key placed in a block, in figure order."""
        blocks = self._key_blocks.get(key)
        if blocks is None:
            blocks = self._key_blocks[key] = defaultdict(list)
            for placed in self.by_key.get(key, ()):
                blocks[placed.block].append(placed)
        return blocks.get(block, [])

    def cover(self, placed: Placed) -> None:
        self.covered_positions.update(range(placed.start, placed.end))

    def current(self, figure: Figure) -> bool:
        """Not a prior-year figure."""
        if figure.period is Period.PRIOR_YEAR:
            return False
        return figure.year is None or self.year is None or figure.year >= self.year

    def find(self, keys: Sequence[str], anchor: Placed, *, item: bool = False, period: bool = True) -> list[Placed]:
        """Figures of `keys` in the anchor's block, nearest first, with compatible year (and
        period, unless `period` is False: a rate's denominator is a budget whatever the rate's
        own period). When none is there, an amount of that key which the extractor kept once
        elsewhere counts if the block's text states it again."""
        found: list[Placed] = []
        figure, block = anchor.figure, anchor.block
        for key in keys:
            for placed in self.in_key_block(key, block):
                if placed.figure is figure:
                    continue
                if not _compatible(figure, placed.figure, item=item, period=period):
                    continue
                found.append(placed)
        if not found:
            found = self._restated(keys, anchor, item=item, period=period)
        if len(found) < 2:
            return found  # nothing to order (a fresh list either way)
        return sorted(found, key=lambda p: (abs(p.start - anchor.start), p.start))

    def _restated(self, keys: Sequence[str], anchor: Placed, *, item: bool, period: bool) -> list[Placed]:
        if not any(key in self.by_key for key in keys):
            return []  # the report has no figure of these keys to find again
        block = self._block_quantities.get(anchor.block)
        if block is None:  # once per block: every figure of a block of thousands shares it
            block_start = self.index.block_starts[anchor.block]
            block_end = self.index.block_starts[anchor.block + 1] if anchor.block + 1 < len(self.index.block_starts) else len(self.index.text)
            # Each with the amount it states, as _amounts files a figure's (in 万元 for money).
            entries = [
                (quantity, ("value", quantity.value) if (wan := to_wan(quantity.value, quantity.unit)) is None else ("wan", wan))
                for quantity in self.index.quantities_in(block_start, block_end)
            ]
            block = self._block_quantities[anchor.block] = (entries, {amount for _, amount in entries})
        quantities, stated = block
        if all(stated.isdisjoint(self._amounts(key)) for key in keys):
            return []  # the block states no amount of these keys' figures
        in_table = self.index.table_of_block(anchor.block) is not None
        if len(quantities) > 2 * RESTATED_REACH:
            # A block of thousands of numbers (a pasted dump on one line) is read near the anchor
            # only: every anchor scanning the whole block made verification quadratic (issue 11).
            at = bisect_left(quantities, anchor.start, key=lambda entry: entry[0].start)
            quantities = quantities[max(0, at - RESTATED_REACH) : at + RESTATED_REACH]
        found: list[Placed] = []
        for key in keys:
            by_amount = self._amounts(key)
            if not by_amount:
                continue  # the report has no figure of this key to find again
            seen: set[Decimal] = set()
            for quantity, amount in quantities:
                if quantity.start == anchor.start or (quantity.unit == "" and not in_table):
                    continue
                candidates = by_amount.get(amount)
                if not candidates:
                    continue  # (asked first: most quantities state no amount of the key)
                there = self.named_keys_at(anchor.block, quantity.start)
                if there and there.isdisjoint(keys):
                    continue  # a named line of another key ("支付养老机构运营补贴48万") is a part, not a whole restated
                for candidate in candidates:
                    figure = candidate.figure
                    if candidate.amount in seen:
                        break
                    if not (_compatible(anchor.figure, figure, item=item, period=period) and (figure.item is None or item)):
                        continue
                    if _quantity_states(quantity, figure, bare_ok=in_table):
                        seen.add(candidate.amount)
                        span = self.index.span(quantity.start, quantity.end)
                        found.append(Placed(figure, quantity.start, quantity.end, anchor.block, virtual=True, restated_span=span, current=candidate.current))
                        break
        return found

    def _amounts(self, key: str) -> dict[tuple[str, Decimal], list[Placed]]:
        """A key's figures by the amount a text quantity would have to state (in 万元 for money,
        as written otherwise), built once per key."""
        index = self._amount_index.get(key)
        if index is None:
            index = defaultdict(list)
            for placed in self.by_key.get(key, []):
                figure = placed.figure
                wan = to_wan(figure.value, figure.unit)
                if wan is not None:
                    index[("wan", wan)].append(placed)
                index[("value", figure.value)].append(placed)
            self._amount_index[key] = index
        return index


def _compatible(a: Figure, b: Figure, *, item: bool = False, period: bool = True) -> bool:
    if period and a.period != b.period:
        if Period.PRIOR_YEAR in (a.period, b.period):
            return False
        if Period.UNSPECIFIED not in (a.period, b.period):
            return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if item and a.item and b.item and not _same_item(a.item, b.item):
        return False
    return True


_ITEM_NOISE = re.compile(r"[\s\d、.，,：:（）()“”\"]+")


@lru_cache(maxsize=4096)  # a report's few item names are compared many times
def _norm_item(item: str | None) -> str:
    return _ITEM_NOISE.sub("", item or "")


@lru_cache(maxsize=16384)
def _same_item(a: str | None, b: str | None) -> bool:
    """Two names of one line item: equal, the same characters reordered (企业开办公章免费刻制 /
    企业开办免费刻制公章), or one inside the other (食堂运行 / 食堂运行专项)."""
    x, y = _norm_item(a), _norm_item(b)
    if x == y:
        return True
    if not x or not y:
        return False
    if sorted(x) == sorted(y):
        return True
    shorter, longer = sorted((x, y), key=len)
    return len(shorter) >= 4 and shorter in longer


def _quantity_states(quantity: Quantity, figure: Figure, *, bare_ok: bool) -> bool:
    """The text quantity states this figure's number (money compared in 万元)."""
    if quantity.unit == "" and not bare_ok:
        return False
    return _same_number(quantity, figure.value, figure.unit)


_PERSON_UNITS = {"人", "名"}


def _same_number(quantity: Quantity, value: Decimal, unit: str) -> bool:
    if quantity.inferred_unit:
        return quantity.value == value  # a bare cell after a 率 header: its % is a guess
    if unit in MONEY_UNITS and quantity.unit in MONEY_UNITS:
        return to_wan(quantity.value, quantity.unit) == to_wan(value, unit)
    if quantity.unit == unit or quantity.unit == "" or unit == "":
        return quantity.value == value
    if {quantity.unit, unit} <= _PERSON_UNITS:
        return quantity.value == value
    return False


# ---- grounding ----------------------------------------------------------------------------


def _grounding(context: _Context) -> list[Check]:
    index = context.index
    text = index.text
    fails: list[Check] = []
    grounded = 0

    def windows(span: Span | None, evidence: str | None, margin: int = GROUNDING_MARGIN) -> list[tuple[int, int]]:
        return list(each_window(span, evidence, margin))

    def each_window(span: Span | None, evidence: str | None, margin: int = GROUNDING_MARGIN) -> Iterator[tuple[int, int]]:
        # Lazily: the span's own window grounds most figures, and the quote is then never searched.
        located = index.to_normalised(span) if span is not None else None
        if located is not None:
            yield (max(0, located[0] - margin), min(len(text), located[1] + margin))
        if evidence:
            quote = evidence.strip()
            position = text.find(quote)
            hits = 0
            while position != -1 and hits < 5:
                yield (max(0, position - 5), min(len(text), position + len(quote) + 5))
                position = text.find(quote, position + 1)
                hits += 1

    def ground(label: str, value: Decimal, unit: str, span: Span | None, evidence: str | None) -> Check | None:
        # Grounded when the figure is a glued table cell or any window states its number; the
        # windows are read first (the cheap, common answer), which gives the same result.
        near_miss: Quantity | None = None
        areas = 0
        for start, end in each_window(span, evidence):
            areas += 1
            for quantity in index.quantities_in(start, end):
                if quantity.end > end:
                    continue
                if _same_number(quantity, value, unit):
                    return None
                if quantity.value == value and near_miss is None:
                    near_miss = quantity
        if not areas:
            return make_check(
                RuleId.GROUNDING_FIGURE, FAIL, Severity.HIGH,
                f"「{label}」{fmt(value)}{unit} 的出处在原文中定位不到（位置越界、证据原文不存在）",
                [new_input({"label": label, "value": value, "unit": unit, "span": span})], observed=value,
            )
        if _glued_cell(span, value):
            return None
        detail = f"，附近原文为“{near_miss.raw}”，单位不符" if near_miss is not None else ""
        return make_check(
            RuleId.GROUNDING_FIGURE, FAIL, Severity.HIGH,
            f"「{label}」{fmt(value)}{unit} 在原文证据附近找不到{detail}（抽取错误或无出处的数字）",
            [new_input({"label": label, "value": value, "unit": unit, "span": span})], observed=value,
        )

    def _glued_cell(span: Span | None, value: Decimal) -> bool:
        """Digits of a table cell run into the next one ("194.9194.9100%" for 194.9 | 194.9 | 100%):
        the figure's span holds exactly its number, and no unit follows it to contradict its own."""
        located = index.to_normalised(span) if span is not None else None
        if located is None:
            return False
        start, end = located
        written = text[start:end].replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(written) or Decimal(written.rstrip("%")) != value:
            return False
        if written.endswith("%"):
            end -= 1
        before, after = text[start - 1 : start] if start else "", text[end : end + 1]
        glued = before.isdigit() or after.isdigit() or before == "." or after == "."
        return glued and after not in ("元", "万", "亿", "千")

    def near(located: tuple[int, int] | None) -> list[Quantity]:
        """The quantities of a span's own window (ground's first and usual answer)."""
        if located is None:
            return []
        start, end = max(0, located[0] - GROUNDING_MARGIN), min(len(text), located[1] + GROUNDING_MARGIN)
        return [quantity for quantity in index.quantities_in(start, end) if quantity.end <= end]

    report = context.report
    figures = report.figures
    quantities, starts = index.quantities, index.quantity_starts
    count = len(quantities)
    for figure, located in zip(figures, context.located):
        # Most figures are the quantity written where their span starts, which lies in ground()'s
        # first window: found there, ground() is not needed (it would answer the same). (A
        # quantity ends inside the text, so the window's end needs no clipping here.)
        if located is not None:
            at = bisect_left(starts, located[0])
            if at < count:
                quantity = quantities[at]
                if quantity.end <= located[1] + GROUNDING_MARGIN:
                    value, unit = figure.value, figure.unit
                    if (quantity.value == value and quantity.unit == unit) or _same_number(quantity, value, unit):
                        grounded += 1
                        continue
        check = ground(figure.label or FIGURE_KEYS.get(figure.key, figure.key), figure.value, figure.unit, figure.span, figure.evidence)
        if check is None:
            grounded += 1
        else:
            fails.append(check)
    for kind, items in (("成效", report.achievements), ("问题", report.problems), ("措施", report.measures)):
        for item in items:
            if not item.numbers:
                continue
            own = near(index.to_normalised(item.span)) if item.span is not None else []  # once per item
            written = {(quantity.value, quantity.unit) for quantity in own}  # the same value and unit is the same number
            for number in item.numbers:
                if (number.value, number.unit) in written or any(_same_number(quantity, number.value, number.unit) for quantity in own):
                    grounded += 1
                    continue
                check = ground(f"{kind}中的 {number.raw}", number.value, number.unit, item.span, item.evidence)
                if check is None:
                    grounded += 1
                else:
                    fails.append(check)
    meta = report.meta
    for field, label, unit in (("self_score", "自评得分", "分"), ("staff_authorized", "编制人数", "人"), ("staff_actual", "实有人数", "人")):
        value = getattr(meta, field)
        evidence = meta.evidence.get(field)
        if value is None or evidence is None:
            continue
        check = ground(label, Decimal(value), unit, evidence.span, evidence.quote)
        if check is not None and _glued_run(text, windows(evidence.span, evidence.quote), Decimal(value)):
            check = None
        if check is None:
            grounded += 1
        else:
            fails.append(check)
    if grounded and not fails:
        fails.append(make_check(RuleId.GROUNDING_FIGURE, PASS, Severity.INFO, f"全部 {grounded} 个数字均在原文证据附近找到"))
    elif grounded:
        fails.append(make_check(RuleId.GROUNDING_FIGURE, PASS, Severity.INFO, f"{grounded} 个数字在原文证据附近找到，{len(fails)} 个找不到"))
    return fails


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def _glued_run(text: str, areas: Sequence[tuple[int, int]], value: Decimal) -> bool:
    """The value's digits begin or end a longer run of digits that no money unit follows: a form
    pasted without separators ("总分100100" for 分值 100 | 得分 100)."""
    written = format(value, "f")
    for start, end in areas:
        for match in re.finditer(r"\d+(?:\.\d+)?", text[start:end]):
            run = match.group()
            after = text[start + match.end() : start + match.end() + 1]
            if run != written and (run.startswith(written) or run.endswith(written)) and after not in ("元", "万", "亿", "千"):
                return True
    return False


# ---- identities ---------------------------------------------------------------------------


# The keyed sums of summarizer/genre/identities.toml that pair figures within one block (the
# "lines" lists are read by _line_lists below). Rule id: identity.<id>.
_IDENTITIES = tuple(identity for identity in identities().sums if identity.mode != "lines")
# Their rule ids, made once (a check given a RuleId skips the schema's look-up of a plain id).
_IDENTITY_RULES = {identity.id: RuleId(f"identity.{identity.id}") for identity in _IDENTITIES if f"identity.{identity.id}" in RuleId._value2member_map_}


_ROUNDED = re.compile(r"约|多|余|左右|近")


def _sum_tolerance(figures: Iterable[Figure]) -> Decimal:
    """0.01 万元, or half a unit of the last digit of an amount the report rounds (亿元, 约/多)."""
    tolerance = SUM_TOLERANCE
    for figure in figures:
        rounded = figure.unit == "亿元" or _ROUNDED.search(figure.evidence or "")
        if rounded:
            exponent = figure.value.as_tuple().exponent
            if isinstance(exponent, int):
                step = to_wan(Decimal(1).scaleb(min(exponent, 0)), figure.unit) or Decimal(0)
                tolerance = max(tolerance, step / 2)
    return tolerance


def _label(placed: Placed) -> str:
    return placed.figure.label or FIGURE_KEYS.get(placed.figure.key, placed.figure.key)


def _sum_check(rule: str, total: Placed, parts: Sequence[Placed], complete: bool, *, name: str, numbered: bool = False) -> Check:
    """Total against the sum of its parts. An open list may fall short (a numbered one warns)."""
    figures = [total.figure, *(p.figure for p in parts)]
    tolerance = _sum_tolerance(figures)
    expected = sum((p.amount for p in parts), Decimal(0))
    observed = total.amount
    unit = "万元" if total.money else total.figure.unit
    listed = " + ".join(f"{_label(p)} {fmt(p.amount)}" for p in parts)
    inputs = [total.input(), *(p.input() for p in parts)]
    difference = expected - observed
    if abs(difference) <= tolerance:
        return make_check(rule, PASS, Severity.INFO, f"{name}：{_label(total)} {fmt(observed)}{unit} = {listed}", inputs, expected, observed, tolerance)
    if not complete and difference < 0:
        if numbered:
            return make_check(
                rule, WARN, Severity.LOW,
                f"{name}：逐项列出的 {listed} = {fmt(expected)}{unit}，比{_label(total)} {fmt(observed)}{unit} 少 {fmt(-difference)}{unit}；若已列全则不平，请核对",
                inputs, expected, observed, tolerance,
            )
        return make_check(
            rule, PASS, Severity.INFO,
            f"{name}：所列 {listed} = {fmt(expected)}{unit}，未超过{_label(total)} {fmt(observed)}{unit}（其中项未必列全）",
            inputs, expected, observed, tolerance,
        )
    verb = "超过" if difference > 0 else "不等于"
    return make_check(
        rule, FAIL, Severity.HIGH,
        f"{name}不成立：{listed} = {fmt(expected)}{unit}，{verb}{_label(total)} {fmt(observed)}{unit}（相差 {fmt(abs(difference))}{unit}）",
        inputs, expected, observed, tolerance,
    )


def _row_accounted(context: _Context, block: int, members: Sequence[Placed]) -> bool:
    """Every non-zero number of a table row is the total or one of the parts found."""
    start = context.index.block_starts[block]
    end = context.index.block_starts[block + 1] if block + 1 < len(context.index.block_starts) else len(context.index.text)
    written = [member.figure.value for member in members]
    for quantity in context.index.quantities_in(start, end):
        if quantity.value == 0:
            continue
        if quantity.value in written:
            written.remove(quantity.value)
        else:
            return False
    return True


def _identities(context: _Context) -> list[Check]:
    checks: list[Check] = []
    text = context.index.text
    by_key = context.by_key
    for identity in _IDENTITIES:
        # find() finds (or restates) only keys the report has figures of: an identity with no
        # total, or missing a part it needs all of, is skipped before any search.
        present = [key for key in identity.parts if by_key.get(key)]
        if not by_key.get(identity.total) or not present or (identity.mode in ("all", "breakdown") and len(present) < len(identity.parts)):
            continue
        anchors = [p for p in by_key[identity.total] if p.money]
        blocks = {p.block for p in anchors}
        # A part whose total the extractor kept once elsewhere but the block states again.
        for key in present:
            for part in by_key[key]:
                if part.block in blocks or not part.money:
                    continue
                restated = [p for p in context.find((identity.total,), part) if p.virtual]
                if restated:
                    anchors.append(restated[0])
                    blocks.add(part.block)
        for total in anchors:
            parts = []
            for key in present:
                found = [p for p in context.find((key,), total) if p.money]
                if identity.mode == "breakdown":
                    # In the total's own sentence, after its 其中, with no other total in between.
                    found = [
                        p for p in found
                        if p.start > total.end and "其中" in text[total.end : p.start] and "。" not in text[total.end : p.start]
                        and not any(total.end <= other.start < p.start for other in context.by_key.get("expenditure_total", []))
                    ]
                if found:
                    parts.append(found[0])
            if not parts or (identity.mode in ("all", "breakdown") and len(parts) < len(identity.parts)):
                continue
            mode = identity.mode
            if mode == "table":
                complete = context.index.table_of_block(total.block) is not None and _row_accounted(context, total.block, [total, *parts])
            else:  # "all" and "breakdown" are complete by their wording; "both" when every part is stated
                complete = mode != "both" or len(parts) == len(identity.parts)
            check = _sum_check(_IDENTITY_RULES.get(identity.id) or RuleId(f"identity.{identity.id}"), total, parts, complete, name=identity.name)
            if check.status is not PASS and all(p.figure.period is Period.UNSPECIFIED for p in parts):
                # Unlabelled parts beside a 预算 and a 决算 total belong to one of them: let the
                # other total speak (三公 预算 20, 决算 18.5, 其中接待 3.5 + 车辆 15).
                if any(other.block == total.block and other.figure.period not in (total.figure.period, Period.UNSPECIFIED) for other in anchors):
                    continue
            checks.append(check)
    checks += _balance(context)
    checks += _line_lists(context, "project_line", ("project_expenditure",), RuleId.PROJECT_LINES, "项目支出 = 所列项目之和")
    checks += _line_lists(context, "spending_line", ("actual_spending", "expenditure_total"), RuleId.SPENDING_LINES, "实际支出 = 所列支出明细之和")
    checks += _line_lists(context, "budget", ("budget",), RuleId.BUDGET_SOURCES, "资金总额 = 各资金来源之和", itemised=True, exhaustive=True)
    checks += _line_above_total(context)
    return checks


def _balance(context: _Context) -> list[Check]:
    """结余 = 收入 − 支出 (or 到位资金/预算 − 实际支出), with 上年结转 added where stated."""
    checks: list[Check] = []
    for balance in context.by_key.get("balance", []):
        if not balance.money:
            continue
        minuends = [p for p in context.find(("income_total", "funds_received", "budget"), balance, period=False) if p.current]
        # 预算 − 支出 is the balance only when every budgeted yuan arrived: a budget alone never fails.
        received = any(p.figure.key in ("income_total", "funds_received") for p in minuends)
        subtrahends = [
            p for p in context.find(("expenditure_total", "actual_spending"), balance, period=False)
            if p.current and p.figure.period is not Period.BUDGET
        ]
        if not minuends or not subtrahends:
            continue
        carry = context.find(("carryover",), balance)
        options = []
        for minuend in minuends[:3]:
            for subtrahend in subtrahends[:3]:
                options.append((minuend, subtrahend, None))
                if carry:
                    options.append((minuend, subtrahend, carry[0]))
        tolerance = _sum_tolerance([balance.figure, *(p.figure for option in options for p in option[:2])])

        def value(option: tuple[Placed, Placed, Placed | None]) -> Decimal:
            minuend, subtrahend, carried = option
            return minuend.amount - subtrahend.amount + (carried.amount if carried else Decimal(0))

        matching = [option for option in options if abs(value(option) - balance.amount) <= tolerance]
        chosen = matching[0] if matching else options[0]
        minuend, subtrahend, carried = chosen
        inputs = [balance.input(), minuend.input(), subtrahend.input(), *([carried.input()] if carried else [])]
        formula = f"{_label(minuend)} {fmt(minuend.amount)} − {_label(subtrahend)} {fmt(subtrahend.amount)}" + (
            f" + {_label(carried)} {fmt(carried.amount)}" if carried else ""
        )
        expected = value(chosen)
        if not matching and not received:
            continue
        if matching:
            checks.append(make_check(RuleId.BALANCE, PASS, Severity.INFO, f"结余 {fmt(balance.amount)}万元 = {formula}", inputs, expected, balance.amount, tolerance))
        else:
            checks.append(make_check(
                RuleId.BALANCE, FAIL, Severity.HIGH,
                f"结余不成立：{formula} = {fmt(expected)}万元，而报告写结余 {fmt(balance.amount)}万元",
                inputs, expected, balance.amount, tolerance,
            ))
    return checks


_NUMBERED_ITEM = re.compile(r"(?:^|[：:；;，,。\s])\d{1,2}[、．.](?!\d)")


def _line_lists(
    context: _Context, line_key: str, total_keys: tuple[str, ...], rule: str, name: str, *, itemised: bool = False, exhaustive: bool = False
) -> list[Check]:
    """A list of line items (projects, spending subjects, funding sources) against the total it
    breaks down. With `itemised`, only figures naming an item are lines (the total shares the key);
    an `exhaustive` list (funding sources by level) is complete even after 其中."""
    checks: list[Check] = []
    groups: dict[tuple[int, str], list[Placed]] = defaultdict(list)
    for placed in context.by_key.get(line_key, []):
        if itemised and not placed.figure.item:
            continue
        if placed.money and placed.current:
            kind = "actual" if placed.figure.period is Period.ACTUAL else "plan"
            groups[(placed.block, kind)].append(placed)
    text = context.index.text
    for (_, kind), lines in groups.items():
        if len(lines) < 2:
            continue
        lines.sort(key=lambda p: p.start)
        first = lines[0]
        totals = [
            p for p in context.find(total_keys, first)
            if not p.figure.item and p.current
            and (kind == "actual" or p.figure.period is not Period.ACTUAL or p.figure.key != "expenditure_total")
        ]
        if not totals:
            continue
        before = [p for p in totals if p.start < first.start]
        total = max(before, key=lambda p: p.start) if before else totals[0]
        between = text[total.end : first.start] if total.start < first.start else ""
        complete = exhaustive or "其中" not in between
        numbered = len(_NUMBERED_ITEM.findall(text[max(total.end, first.start - 12) : lines[-1].end])) >= 2
        check = _sum_check(rule, total, lines, complete, name=name, numbered=numbered)
        if check.status is FAIL and check.expected is not None and check.expected > total.amount * Decimal("1.5") and len(lines) >= 3:
            # Many lines adding up to far more than the total chosen for them (the nearest one
            # before): more likely the lines of another total (省直小计 / 地市小计 / 合计) than a
            # report error, so the reviewer is asked.
            check = check.model_copy(update={"status": WARN, "severity": Severity.MEDIUM, "message": check.message + "（所列明细远超该总数，可能属于另一合计，请核对）"})
        checks.append(check)
        if check.status is PASS and check.expected == check.observed and line_key == "project_line":
            checks += _lines_outside(context, total, lines)
    return checks


def _among(placed: Placed, members: Sequence[Placed]) -> bool:
    """`placed in members`, comparing in full (figures and all) only members at its position."""
    return placed in [member for member in members if member.start == placed.start]


def _lines_outside(context: _Context, total: Placed, breakdown: list[Placed]) -> list[Check]:
    """Project lines written elsewhere that are not in a breakdown which adds up to its total
    exactly (专项资金 8、数据中心经费 220.2 万元 when 项目支出 875.6 lists seven other projects)."""
    def listed(line: Placed) -> bool:
        for member in breakdown:
            if _same_item(member.figure.item, line.figure.item):
                return True
            # 窗口服务经费 78 / 窗口专项经费 78: the same amount under a name sharing its start.
            x, y = _norm_item(member.figure.item), _norm_item(line.figure.item)
            if member.amount == line.amount and len(x) >= 2 and x[:2] == y[:2]:
                return True
        return False

    outside = [
        line for line in context.by_key.get("project_line", [])
        if not _among(line, breakdown) and line.figure.item and line.money and line.current
        and line.figure.period is not Period.ACTUAL and not listed(line)
    ]
    if not outside:
        return []
    names = "、".join(f"{line.figure.item} {fmt(line.amount)}万元" for line in outside)
    return [make_check(
        RuleId.PROJECT_LINES, WARN, Severity.LOW,
        f"{_label(total)} {fmt(total.amount)}万元已由所列 {len(breakdown)} 个项目恰好合计，另处又列有 {names}，不在该明细之中，请核对",
        [total.input(), *(line.input() for line in outside)], total.amount, total.amount + sum((line.amount for line in outside), Decimal(0)),
    )]


_TOTAL_WORDS = re.compile(r"收入|合计|总计|小计|总额|预算")


def _line_above_total(context: _Context) -> list[Check]:
    """One line item above the whole it belongs to (a part cannot exceed the total), wherever it
    is written; only against a total the report states with one value."""
    checks: list[Check] = []
    kinds = (
        (RuleId.PROJECT_LINES, ("project_line",), ("project_expenditure",), "项目支出"),
        (RuleId.SPENDING_LINES, ("spending_line", "actual_spending"), ("actual_spending", "expenditure_total"), "实际支出合计"),
    )
    for rule, line_keys, total_keys, whole in kinds:
        totals = [
            p for key in total_keys for p in context.by_key.get(key, [])
            if p.money and not p.figure.item and p.current
            and (p.figure.key != "expenditure_total" or p.figure.period is not Period.BUDGET)
        ]
        if len({p.amount for p in totals}) != 1:
            continue
        total = totals[0]
        for key in line_keys:
            for line in context.by_key.get(key, []):
                if not line.figure.item or not line.money or not line.current:
                    continue
                if _TOTAL_WORDS.search(line.figure.item):
                    continue  # "决算收入", "合计": a total read as a line, not a line
                # (The tolerance is never below SUM_TOLERANCE: a line within that needs no more.)
                if line.amount > total.amount + SUM_TOLERANCE and line.amount > total.amount + _sum_tolerance([line.figure, total.figure]):
                    checks.append(make_check(
                        rule, FAIL, Severity.HIGH,
                        f"单项超过合计：“{line.figure.item}”{fmt(line.amount)}万元，大于{whole} {fmt(total.amount)}万元",
                        [line.input(), total.input()], line.amount, total.amount, SUM_TOLERANCE,
                    ))
    return checks


# ---- self-score table ---------------------------------------------------------------------

_TOTAL_ROW = re.compile(rf"^(?:{vocabulary().indicator_total_row.pattern})$")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # a table's level names repeat on every row
def _total_row(name: str) -> bool:
    """The self-score table's total row (总分, 合计 …), spaces aside."""
    return _TOTAL_ROW.match(_SPACES.sub("", name)) is not None


def _self_score(context: _Context) -> list[Check]:
    """Weights and scores of a self-score table against each level's parts and the total."""
    rows = [row for row in context.report.indicators if row.weight is not None or row.score is not None]
    if len(rows) < 2:
        return []
    root = None  # the first total row (总分, 合计 …) by its name or either level
    for row in rows:
        if _total_row(row.name or "") or _total_row(row.level1 or "") or _total_row(row.level2 or ""):
            root = row
            break
    paths: dict[tuple[str, ...], Indicator] = {}
    members: list[tuple[Indicator, tuple[str, ...]]] = []  # every row but the root, with its path
    for row in rows:
        if row is root:
            continue
        path = tuple(filter(None, (row.level1, row.level2, row.name)))  # the non-empty parts
        members.append((row, path))
        paths.setdefault(path, row)
    children: dict[int | None, list[Indicator]] = defaultdict(list)  # id(parent) or None for top
    for row, path in members:
        parent = None
        for cut in range(len(path) - 1, 0, -1):
            if path[:cut] in paths:
                parent = paths[path[:cut]]
                break
        children[id(parent) if parent is not None else None].append(row)

    fails: list[Check] = []
    passed = 0

    def compare(parent_label: str, parent: Indicator | None, kids: list[Indicator], attribute: str, stated: Decimal | None, complete: bool = False) -> None:
        nonlocal passed
        values = [getattr(kid, attribute) for kid in kids]
        if stated is None or None in values or len(kids) < 2:
            return
        expected = sum(values, Decimal(0))
        if abs(expected - stated) <= SCORE_TOLERANCE:
            passed += 1
            return  # (a passing level names no inputs: the one pass check counts it)
        word = "权重" if attribute == "weight" else "得分"
        inputs = [_indicator_input(parent, parent_label, attribute, stated), *(_indicator_input(kid, kid.name, attribute, value) for kid, value in zip(kids, values))]
        listed = " + ".join(f"{kid.name} {fmt(getattr(kid, attribute))}" for kid in kids)
        # The rows below add up to more than their parent: certain. To less: certain only when
        # their weights show the set is whole (all rows of the level were read); else a row may
        # simply not have been read, and the reviewer is asked to look.
        weights = [kid.weight for kid in kids]
        whole = complete or parent is not None and parent.weight is not None and None not in weights and abs(sum(weights, Decimal(0)) - parent.weight) <= SCORE_TOLERANCE
        if expected > stated or (attribute == "score" and whole):
            fails.append(make_check(
                RuleId.SELF_SCORE, FAIL, Severity.HIGH,
                f"自评表{word}不平：{parent_label} {fmt(stated)}，下级 {listed} = {fmt(expected)}",
                inputs, expected, stated, SCORE_TOLERANCE,
            ))
        else:
            fails.append(make_check(
                RuleId.SELF_SCORE, WARN, Severity.LOW,
                f"自评表{word}：{parent_label} {fmt(stated)}，读到的下级 {listed} = {fmt(expected)}，少 {fmt(stated - expected)}；若下级已列全则不平，请核对",
                inputs, expected, stated, SCORE_TOLERANCE,
            ))

    for row in rows:
        kids = children.get(id(row), [])
        if row is not root and kids:
            compare(row.name, row, kids, "weight", row.weight)
            compare(row.name, row, kids, "score", row.score)
    top = children.get(None, [])
    if root is not None:
        compare("总分", root, top, "weight", root.weight)
        compare("总分", root, top, "score", root.score)
    weights = [row.weight for row in top]
    self_score = context.report.meta.self_score
    table_total = root.score if root is not None and root.score is not None else None
    if table_total is None and top and None not in weights and sum(weights, Decimal(0)) == HUNDRED:
        compare("自评得分", None, top, "score", self_score, complete=True)
    if table_total is not None and self_score is not None:
        if abs(table_total - self_score) <= SCORE_TOLERANCE:
            passed += 1
        else:
            fails.append(make_check(
                RuleId.SELF_SCORE, FAIL, Severity.HIGH,
                f"自评表总分 {fmt(table_total)} 与报告所写自评得分 {fmt(self_score)} 不一致",
                [_indicator_input(root, "自评表总分", "score", table_total), new_input({"label": "自评得分", "value": self_score, "unit": "分", "span": _meta_span(context, "self_score")})],
                table_total, self_score, SCORE_TOLERANCE,
            ))
    for row in rows:
        if row.weight is not None and row.score is not None and row.score > row.weight + SCORE_TOLERANCE:
            fails.append(make_check(
                RuleId.SELF_SCORE, FAIL, Severity.HIGH,
                f"“{row.name}”得分 {fmt(row.score)} 超过其分值 {fmt(row.weight)}",
                [_indicator_input(row, row.name, "weight", row.weight), _indicator_input(row, row.name, "score", row.score)],
                row.weight, row.score, SCORE_TOLERANCE,
            ))
    if passed and not fails:
        fails.append(make_check(RuleId.SELF_SCORE, PASS, Severity.INFO, f"自评表各级分值、得分与下级合计一致（{passed} 组）"))
    return fails


def _indicators(context: _Context, earlier: Sequence[Check]) -> list[Check]:
    """The indicator table's own checks (verify_indicators), less what an earlier check says."""
    said = {(check.rule, check.observed) for check in earlier if check.status is not PASS}
    return [
        check for check in indicator_checks(
            context.report.indicators, context.document.original, self_score=context.report.meta.self_score,
            executions=breakdowns.execution_scores(context.index, context.table_rows),
        )
        if check.status is PASS or (check.rule, check.observed) not in said
    ]


def _indicator_input(row: Indicator | None, label: str, attribute: str, value: Decimal) -> CheckInput:
    word = "分值" if attribute == "weight" else "得分"
    return new_input({"label": f"{label}{word}", "value": value, "unit": "分", "span": row.span if row is not None else None})


def _meta_span(context: _Context, field: str) -> Span | None:
    evidence = context.report.meta.evidence.get(field)
    return evidence.span if evidence is not None else None


# ---- rates --------------------------------------------------------------------------------

# Rates and their operands, from summarizer/genre/identities.toml. Rule id: rate.<id>.
_RATE_OPERANDS = {rate.rate: (rate.numerator, rate.denominator, rate.name) for rate in identities().rates}
# Each rate's rule id as Check stores it (a RuleId when it is one, as the schema's validator makes it).
_RATE_RULES = {key: RuleId._value2member_map_.get(f"rate.{key}", f"rate.{key}") for key in _RATE_OPERANDS}


def _rates(context: _Context) -> list[Check]:
    checks: list[Check] = []
    for key, (numerator_keys, denominator_keys, name) in _RATE_OPERANDS.items():
        for rate in context.by_key.get(key, []):
            if _TARGET.search(rate.figure.label or "") or _TARGET.search(context.index.text[max(0, rate.start - 4) : rate.start]):
                continue  # "资金支出率≥98%": a target, not a result
            item = rate.figure.item is not None
            numerators = [p for p in context.find(numerator_keys, rate, item=item, period=False) if p.current and p.figure.period is not Period.BUDGET and p.money]
            denominators = [p for p in context.find(denominator_keys, rate, item=item, period=False) if p.current and p.money]
            # One written number is never both operands (an amount restated as another key's).
            pairs = [(n, d) for n in numerators[:3] for d in denominators[:3] if d.amount > 0 and n.figure is not d.figure and not _overlap(n, d)]
            if key == "execution_rate":
                pairs += _same_key_pairs(context, rate)
            elsewhere = not pairs and not item
            if elsewhere:
                # "10441万元资金全部拨付到位,资金到位率100%": the budget is stated in another paragraph.
                pairs = [(n, d) for n in numerators[:1] if n.figure.item is None for d in _headline(context, denominator_keys, rate) if d.amount > 0 and not _overlap(n, d)]
            if not pairs:
                continue
            context.cover(rate)
            rule = _RATE_RULES[key]
            stated = rate.figure.value
            # The first pair whose quotient agrees, else the first pair (computed no further than needed).
            agreeing = False
            for numerator, denominator in pairs:
                value = numerator.amount / denominator.amount * HUNDRED
                if rate_agrees(value, stated):
                    agreeing = True
                    break
            else:
                (numerator, denominator) = pairs[0]
                value = numerator.amount / denominator.amount * HUNDRED
            inputs = [rate.input(), numerator.input(), denominator.input()]
            formula = f"{_label(numerator)} {fmt(numerator.amount)} ÷ {_label(denominator)} {fmt(denominator.amount)} = {fmt(percent(value))}%"
            if agreeing:
                checks.append(make_check(rule, PASS, Severity.INFO, f"{_label(rate)} {fmt(stated)}% 与 {formula} 一致", inputs, percent(value), stated, rate_tolerance(stated)))
            elif elsewhere or (len(pairs) == 1 and _far_apart(rate, *pairs[0])):
                # The operand comes from another paragraph (or from far away in one long block:
                # a page pasted as one line): the report's only such whole, but whether the
                # rate divides by it is a reading, so the reviewer is asked.
                checks.append(make_check(
                    rule, WARN, Severity.MEDIUM,
                    f"{_label(rate)} 写为 {fmt(stated)}%，按报告他处所写 {formula}（{name}），请核对",
                    inputs, percent(value), stated, rate_tolerance(stated),
                ))
            elif len(pairs) == 1:
                checks.append(make_check(
                    rule, FAIL, Severity.HIGH,
                    f"{_label(rate)} 写为 {fmt(stated)}%，按 {formula}（{name}）",
                    inputs, percent(value), stated, rate_tolerance(stated),
                ))
            else:
                # Several candidate amounts and none agrees: which ones the rate divides is a guess.
                checks.append(make_check(
                    rule, WARN, Severity.MEDIUM,
                    f"{_label(rate)} 写为 {fmt(stated)}%，与附近金额均对不上（如 {formula}），请核对其分子分母",
                    inputs, percent(value), stated, rate_tolerance(stated),
                ))
    checks += _growth(context)
    return checks


# Operands this far from their rate (in characters) are not certainly its own, whatever block
# they share: a paragraph of a report states a rate within a few sentences of its amounts.
RATE_REACH = 300


def _far_apart(rate: Placed, *operands: Placed) -> bool:
    return any(abs(operand.start - rate.start) > RATE_REACH for operand in operands)


def _overlap(a: Placed, b: Placed) -> bool:
    """One written number (a figure's span, or an amount restated inside it)."""
    return a.start < b.end and b.start < a.end


def _headline(context: _Context, keys: Sequence[str], rate: Placed) -> list[Placed]:
    """The report's one whole of `keys` (the first key that has one): current figures with no
    item, all of one amount. Several amounts (budget and adjusted budget, two projects) leave
    the choice to a guess, so none is returned."""
    for key in keys:
        wholes = [
            p for p in context.by_key.get(key, [])
            if p.figure.item is None and p.current and p.money and p.figure is not rate.figure
        ]
        if wholes:
            return wholes[:1] if len({p.amount for p in wholes}) == 1 else []
    return []


def _same_key_pairs(context: _Context, rate: Placed) -> list[tuple[Placed, Placed]]:
    """决算 and 预算/调整预算 of one key in the rate's row (基本支出 | 1800 | 1860 | 1850.4 | 99.48%)."""
    # The same for every rate of the block (a table of many rates asked it once per rate, each
    # time pairing every figure of the block with every other): made once per block.
    pairs = context.same_key_pairs.get(rate.block)
    if pairs is None:
        block = [p for p in context.in_block(rate.block) if p.money and p.current]
        budgets: dict[str, list[Placed]] = defaultdict(list)  # by key, in block order
        for budget in block:
            if budget.figure.period in (Period.BUDGET, Period.ADJUSTED) and budget.amount > 0:
                budgets[budget.figure.key].append(budget)
        pairs = context.same_key_pairs[rate.block] = [
            (actual, budget) for actual in block if actual.figure.period is Period.ACTUAL for budget in budgets.get(actual.figure.key, ())
        ]
    return pairs  # (the caller extends its own list with these)


_FALLING = re.compile(r"减少|下降|降低|减")
_TARGET = re.compile(r"(?:[≥≤><＞＜]|不低于|不少于|不高于|不超过|大于|小于|未达到|未达|低于|高于|超过|目标值?|指标值)\s*$")


def _growth(context: _Context) -> list[Check]:
    """A stated growth rate against the current and prior amounts before it in its block."""
    checks: list[Check] = []
    for rate in context.by_key.get("growth_rate", []):
        block = [p for p in context.in_block(rate.block) if p.start < rate.start and p.figure.unit != "%"]
        # Operands sit after the previous percentage of the block.
        previous = [p.end for p in context.in_block(rate.block) if p.figure.unit == "%" and p.end <= rate.start]
        if previous:
            block = [p for p in block if p.start >= max(previous)]
        best: tuple[Placed, Placed] | None = None
        for current in sorted(block, key=lambda p: -p.start):
            if not current.current or current.figure.period is Period.PRIOR_YEAR:
                continue
            priors = [
                p for p in block
                if p.figure.key == current.figure.key and p is not current and _unit_family(p.figure) == _unit_family(current.figure)
                and (p.figure.period is Period.PRIOR_YEAR or (p.figure.year is not None and current.figure.year is not None and p.figure.year < current.figure.year))
            ]
            if priors:
                best = (current, max(priors, key=lambda p: p.start))
                break
        if best is None:
            continue
        current, prior = best
        if prior.amount <= 0:
            continue
        context.cover(rate)
        computed = (current.amount - prior.amount) / prior.amount * HUNDRED
        falling = bool(_FALLING.search(rate.figure.label or ""))
        claimed = -rate.figure.value if falling and rate.figure.value > 0 else rate.figure.value
        inputs = [rate.input(), current.input(), prior.input()]
        formula = f"（{fmt(current.amount)} − {fmt(prior.amount)}）÷ {fmt(prior.amount)} = {fmt(percent(computed))}%"
        if rate_agrees(computed, claimed):
            checks.append(make_check(RuleId.GROWTH_RATE, PASS, Severity.INFO, f"{_label(rate)} {fmt(rate.figure.value)}% 与 {formula} 一致", inputs, percent(computed), claimed, rate_tolerance(rate.figure.value)))
        else:
            checks.append(make_check(
                RuleId.GROWTH_RATE, FAIL, Severity.HIGH,
                f"{_label(rate)} 写为 {fmt(rate.figure.value)}%，按本期与上期金额 {formula}",
                inputs, percent(computed), claimed, rate_tolerance(rate.figure.value),
            ))
    return checks


def _unit_family(figure: Figure) -> str:
    if _is_money(figure):
        return "money"
    return "人" if figure.unit in _PERSON_UNITS else figure.unit


# ---- consistency --------------------------------------------------------------------------

# Keys that name one amount per report and period: two different values are a contradiction.
_SINGLE_KEYS = {
    "income_total", "income_fiscal", "income_other", "carryover", "expenditure_total", "basic_expenditure",
    "personnel_expenditure", "public_expenditure", "project_expenditure", "three_public_total",
    "three_public_reception", "three_public_vehicle_operation", "three_public_vehicle_purchase",
    "three_public_overseas", "fixed_assets", "balance", "returned_to_treasury", "carried_forward",
    "self_score", "staff_authorized", "staff_actual",
}
# Keys that repeat legitimately (many counts, many rates): compared only with the same item.
_ITEM_KEYS = {"count", "project_line", "spending_line", "budget", "funds_received", "actual_spending"}
_COMPARED_KEYS = _SINGLE_KEYS | _ITEM_KEYS  # the keys whose readings consistency pairs
# Keys with no budget/actual distinction: any two values differ whatever the stated period.
_NO_PERIOD_KEYS = {"balance", "returned_to_treasury", "carried_forward", "carryover", "self_score", "staff_authorized", "staff_actual"}
# Money keys whose item-less figure is also one amount per period (the project's budget …).
_TOTAL_MONEY_KEYS = _SINGLE_KEYS | {"budget", "funds_received", "actual_spending"}


def _one_digit_apart(a: Decimal, b: Decimal) -> bool:
    x, y = fmt(a), fmt(b)
    return len(x) == len(y) and len(x.replace(".", "")) >= 2 and sum(p != q for p, q in zip(x, y)) == 1


PAIRED_PER_GROUP = 8  # distinct (amount, period, block) readings of one quantity compared pairwise


def _stated_together(context: _Context) -> dict[Decimal, frozenset[Decimal]]:
    """Amount -> the amounts stated with it in one breakdown (its whole and its parts), found
    once per report (consistency and over-budget both read it)."""
    if context.together is None:
        context.together = _find_stated_together(context)
    return context.together


def _find_stated_together(context: _Context) -> dict[Decimal, frozenset[Decimal]]:
    together: dict[Decimal, set[Decimal]] = defaultdict(set)
    for found in context.breakdowns:
        members = {breakdowns.amount_of(found.whole), *(breakdowns.amount_of(p) for p in found.parts)}
        for amount in members:
            together[amount] |= members
    return {amount: frozenset(members) for amount, members in together.items()}


@lru_cache(maxsize=4096)
def _item_letters(item: str | None) -> str:
    """An item's name as a bag of characters (企业开办公章免费刻制 = 企业开办免费刻制公章)."""
    return "".join(sorted(_norm_item(item)))


def _candidate_pairs(groups: dict[tuple[str, str], list[Placed]]) -> Iterable[tuple[Placed, Placed]]:
    """Pairs of readings of one quantity worth comparing, in linear time: within a group
    (key, unit family, item), the first reading of each distinct (amount, period, block),
    pairwise, when there are at most PAIRED_PER_GROUP of them."""
    for group in groups.values():
        if len(group) < 2:
            continue  # one reading: nothing to pair
        by_item: dict[str, list[Placed]] = defaultdict(list)
        for placed in group:
            by_item[_item_letters(placed.figure.item)].append(placed)
        for members in by_item.values():
            if len(members) < 2:
                continue
            distinct: dict[tuple[Decimal, Period, int], Placed] = {}
            for placed in members:
                distinct.setdefault((placed.amount, placed.figure.period, placed.block), placed)
            readings = list(distinct.values())
            if len(readings) <= PAIRED_PER_GROUP:
                yield from combinations(readings, 2)
            # Many different amounts under one key and item: the key names a list here (项目支出
            # of each line), not one quantity stated twice, so no pair is a contradiction.


def _consistency(context: _Context) -> list[Check]:
    checks: list[Check] = []
    groups: dict[tuple[str, str], list[Placed]] = defaultdict(list)
    # The money figures, and each key's money units: only a key written in two units can have
    # the same number in 元 in one place and 万元 in another (filed by number below).
    money_placed: list[Placed] = []
    money_units: dict[str, set[str]] = defaultdict(set)
    unspecified = Period.UNSPECIFIED
    for placed in context.placed:  # one pass files the groups and the money figures
        figure = placed.figure
        key = figure.key
        money = placed.money
        if key in _COMPARED_KEYS:
            family = "money" if money else "人" if figure.unit in _PERSON_UNITS else figure.unit  # _unit_family
            groups[(key, family)].append(placed)
        if money:
            money_placed.append(placed)
            money_units[key].add(figure.unit)
    together = _stated_together(context)
    for first, second in _candidate_pairs(groups):
        a, b = first.figure, second.figure
        if bool(a.item) != bool(b.item) or (a.item and not _same_item(a.item, b.item)):
            continue
        stated_with = together.get(first.amount)
        if stated_with and second.amount != first.amount and second.amount in stated_with:
            continue  # whole and part (or two parts) of one breakdown the report states
        unlabelled = [p for p in (first, second) if p.figure.period is unspecified]
        if len(unlabelled) == 1:
            # An unlabelled amount that the key also has with a stated period is that one.
            amount = unlabelled[0].amount
            if any(p.amount == amount for p in context.by_key.get(a.key, ()) if p.figure.period is not unspecified):
                continue
        if not a.item and a.key not in _SINGLE_KEYS and not (_is_money(a) and a.key in _TOTAL_MONEY_KEYS):
            continue
        if not first.current or not second.current:
            continue
        if not _compatible(a, b) and not (a.key in _NO_PERIOD_KEYS and (a.year is None or b.year is None or a.year == b.year)):
            continue
        if _is_money(a) and a.value == b.value and a.unit != b.unit:
            continue  # a unit slip, reported below
        if first.amount == second.amount:
            continue
        inputs = [first.input(), second.input()]
        name = a.item or FIGURE_KEYS.get(a.key, a.key)
        written = f"一处写 {fmt(a.value)}{a.unit}，另一处写 {fmt(b.value)}{b.unit}"
        if typo_like(first.amount if _is_money(a) else a.value, second.amount if _is_money(b) else b.value):
            checks.append(make_check(
                RuleId.REPEATED_VALUE, FAIL, Severity.HIGH,
                f"同一数字前后不一致：“{name}”{written}（疑似漏写、多写或颠倒数字）",
                inputs, first.amount, second.amount,
            ))
            continue
        if first.block == second.block or not _is_money(a):
            continue  # two columns of one row (预算数 | 决算数) may differ; counts only for typos
        if (a.period == b.period and a.period is not Period.UNSPECIFIED) or a.key in _NO_PERIOD_KEYS:
            checks.append(make_check(
                RuleId.REPEATED_VALUE, WARN, Severity.MEDIUM,
                f"“{name}”同一口径出现两个不同金额：{written}，请核对",
                inputs, first.amount, second.amount, SUM_TOLERANCE,
            ))
        elif a.item:
            checks.append(make_check(
                RuleId.REPEATED_VALUE, WARN, Severity.MEDIUM,
                f"同一项目“{name}”{written}（期间未注明为预算或决算），请核对",
                inputs, first.amount, second.amount, SUM_TOLERANCE,
            ))
        elif a.key in _SINGLE_KEYS and a.period is Period.UNSPECIFIED and b.period is Period.UNSPECIFIED:
            checks.append(make_check(
                RuleId.REPEATED_VALUE, WARN, Severity.LOW,
                f"“{name}”{written}，两处都未注明是预算数还是决算数，请核对口径",
                inputs, first.amount, second.amount, SUM_TOLERANCE,
            ))
        elif _one_digit_apart(first.amount, second.amount):
            checks.append(make_check(
                RuleId.REPEATED_VALUE, WARN, Severity.MEDIUM,
                f"“{name}”{written}，只差一位数字，疑似笔误，请核对",
                inputs, first.amount, second.amount, SUM_TOLERANCE,
            ))
    # The same written number with 元 in one place and 万元 in another: one figure per unit.
    by_written: dict[tuple[str, Decimal], dict[str, Placed]] = defaultdict(dict)
    for placed in money_placed:
        figure = placed.figure
        if len(money_units[figure.key]) > 1:
            by_written[(figure.key, figure.value)].setdefault(figure.unit, placed)
    for first, second in (pair for group in by_written.values() for pair in combinations(list(group.values()), 2)):
        a, b = first.figure, second.figure
        if a.unit == b.unit or a.value <= 0 or first.amount <= 0 or second.amount <= 0 or first.amount == second.amount:
            continue  # the same unit, or two spellings of one (万 / 万元)
        if a.item and b.item and not _same_item(a.item, b.item):
            continue
        context.slip_spans.extend([(first.start, first.end), (second.start, second.end)])
        name = FIGURE_KEYS.get(a.key, a.key)
        checks.append(make_check(
            RuleId.UNIT_SLIP, FAIL, Severity.HIGH,
            f"{name}一处写 {fmt(a.value)}{a.unit}（{_label(first)}），另一处写 {fmt(b.value)}{b.unit}（{_label(second)}），"
            f"相差 {fmt(max(first.amount, second.amount) / min(first.amount, second.amount))} 倍，疑似元/万元混用",
            [first.input(), second.input()], first.amount, second.amount,
        ))
    return checks


# ---- plausibility -------------------------------------------------------------------------

_GENRE = vocabulary()
_DEFAULT_BANDS = tuple((Grade(grade), floor) for grade, floor in _GENRE.grade_bands)
_GRADE_WORDS = {word: Grade(grade) for word, grade in _GENRE.grade_words.items()}
_STATED_BAND = re.compile(rf"(\d{{2,3}})\s*分?\s*[（(]?含[)）]?\s*(?:以上|及以上)[^，。；;\n]{{0,6}}?(?:为|评为|定为)?[“\"]?({_GENRE.grade_word_pattern})")
_STATED_RANGE = re.compile(rf"(\d{{2,3}})\s*分?\s*[-—~～至到]\s*\d{{2,3}}\s*分?[^，。；;\n]{{0,6}}?(?:为|评为|定为)?[“\"]?({_GENRE.grade_word_pattern})")


# Every character str.isspace() accepts (tests/test_fast_paths_verify checks the list), and 分.
_SPACES_AND_SCORE = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000分"
)
# Each pattern is `(\d{2,3})`, then only whitespace and 分 (and an opening bracket), then one of
# these characters: a match can start only 2 or 3 characters before such a run.
_BAND_ANCHORS = ((_STATED_BAND, "含", "（("), (_STATED_RANGE, "-—~～至到", ""))


def _anchored_matches(pattern: re.Pattern[str], text: str, anchors: str, brackets: str) -> Iterator[re.Match[str]]:
    """pattern.finditer(text), tried only just before an anchor character (a scan of the whole
    text by a pattern that starts with a digit class is slow)."""
    starts: set[int] = set()
    skipped = _SPACES_AND_SCORE.union(brackets)  # what may stand between the digits and the anchor
    for anchor in anchors:
        position = text.find(anchor)
        while position != -1:
            digits_end = position
            while digits_end and text[digits_end - 1] in skipped:
                digits_end -= 1
            # No digit right before: no match starts here (one that reads this character as
            # its anchor starts among that anchor's own candidates).
            if digits_end >= 2 and text[digits_end - 1].isdigit():
                starts.add(digits_end - 2)
                if digits_end >= 3:
                    starts.add(digits_end - 3)
            position = text.find(anchor, position + 1)
    end = 0
    for start in sorted(starts):
        if start < end:
            continue
        match = pattern.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def _grade_bands(text: str) -> tuple[tuple[tuple[Grade, Decimal], ...], bool]:
    stated: dict[Grade, Decimal] = {}
    for pattern, anchors, brackets in _BAND_ANCHORS:
        for match in _anchored_matches(pattern, text, anchors, brackets):
            stated.setdefault(_GRADE_WORDS[match.group(2)], Decimal(match.group(1)))
    if not stated:
        return _DEFAULT_BANDS, False
    bands = tuple((grade, stated.get(grade, floor)) for grade, floor in _DEFAULT_BANDS)
    return bands, True


def _plausibility(context: _Context) -> list[Check]:
    checks: list[Check] = []
    report, meta = context.report, context.report.meta
    self_score = meta.self_score
    if self_score is None:
        scores = [p.figure.value for p in context.by_key.get("self_score", [])]
        self_score = scores[0] if scores else None
    score_input = new_input({"label": "自评得分", "value": self_score, "unit": "分", "span": _meta_span(context, "self_score")}) if self_score is not None else None

    # Grade against score.
    if meta.grade is not None and self_score is not None:
        bands, stated = _grade_bands(context.index.text)
        expected = next((grade for grade, floor in bands if self_score >= floor), Grade.POOR)
        source = "报告所述等级标准" if stated else "通行标准（优≥90，良80–89，中60–79，差<60）"
        grade_input = new_input({"label": f"评价等级 {meta.grade_label or meta.grade.value}", "value": self_score, "unit": "分", "span": _meta_span(context, "grade")})
        if expected is meta.grade:
            checks.append(make_check(RuleId.GRADE_SCORE, PASS, Severity.INFO, f"自评 {fmt(self_score)} 分、等级“{meta.grade.value}”符合{source}", [score_input, grade_input], observed=self_score))
        else:
            checks.append(make_check(
                RuleId.GRADE_SCORE, FAIL, Severity.MEDIUM,
                f"自评 {fmt(self_score)} 分按{source}应为“{expected.value}”，报告定为“{meta.grade_label or meta.grade.value}”",
                [score_input, grade_input], observed=self_score,
            ))

    # Missing self score or grade.
    if self_score is None:
        checks.append(make_check(RuleId.SELF_SCORE_MISSING, WARN, Severity.LOW, "报告未写明自评得分"))
    elif meta.grade is None:
        checks.append(make_check(RuleId.GRADE_SCORE, WARN, Severity.LOW, f"报告写了自评得分 {fmt(self_score)} 分，却未写明评价等级（等次）", [score_input]))

    # Low execution rate beside a high self score.
    rates = [p for p in context.by_key.get("execution_rate", []) if p.current and p.figure.unit == "%"]
    if self_score is not None and rates:
        lowest = min(rates, key=lambda p: p.figure.value)
        inputs = [lowest.input(), score_input]
        if lowest.figure.value < _GENRE.expected_rate and self_score >= _GENRE.top_grade_floor:
            checks.append(make_check(
                RuleId.EXECUTION_VS_SCORE, WARN, Severity.MEDIUM,
                f"预算执行率仅 {fmt(lowest.figure.value)}%，自评却得 {fmt(self_score)} 分：执行率指标的扣分是否到位，请核对",
                inputs, observed=lowest.figure.value,
            ))
        else:
            checks.append(make_check(RuleId.EXECUTION_VS_SCORE, PASS, Severity.INFO, f"执行率 {fmt(lowest.figure.value)}% 与自评 {fmt(self_score)} 分相称", inputs, observed=lowest.figure.value))

    # Report date before the end of the evaluated year.
    if meta.report_date is not None and meta.year is not None and 1900 <= meta.year <= 2100:
        year_end = date(meta.year, 12, 31)
        date_input = new_input({"label": f"报告日期 {meta.report_date.isoformat()}", "value": Decimal(meta.report_date.year), "unit": "年", "span": _meta_span(context, "report_date")})
        if meta.report_date < year_end:
            checks.append(make_check(
                RuleId.REPORT_DATE, WARN, Severity.MEDIUM,
                f"报告日期 {meta.report_date.isoformat()} 早于所评价年度（{meta.year} 年）结束，年度自评不应在年度结束前完成，疑为日期笔误",
                [date_input], observed=Decimal(meta.report_date.year),
            ))
        else:
            checks.append(make_check(RuleId.REPORT_DATE, PASS, Severity.INFO, f"报告日期 {meta.report_date.isoformat()} 在 {meta.year} 年度结束之后", [date_input]))

    # Staffing.
    authorized, actual = meta.staff_authorized, meta.staff_actual
    if authorized is not None and actual is not None:
        inputs = [
            new_input({"label": "编制人数", "value": Decimal(authorized), "unit": "人", "span": _meta_span(context, "staff_authorized")}),
            new_input({"label": "实有人数", "value": Decimal(actual), "unit": "人", "span": _meta_span(context, "staff_actual")}),
        ]
        if actual > authorized:
            checks.append(make_check(RuleId.STAFFING, WARN, Severity.MEDIUM, f"实有人数 {actual} 人超过编制 {authorized} 人", inputs, Decimal(authorized), Decimal(actual)))
        else:
            checks.append(make_check(RuleId.STAFFING, PASS, Severity.INFO, f"实有人数 {actual} 人未超过编制 {authorized} 人", inputs, Decimal(authorized), Decimal(actual)))

    checks += _over_budget(context)
    checks += _execution_and_income(context)
    checks += _indicator_values(report.indicators)
    return checks


LOW_EXECUTION = Decimal(60)  # percent: below this, most of the money went unspent


def _single(context: _Context, key: str, *, periods: tuple[Period, ...]) -> Placed | None:
    """The one current-year, item-less amount of a key the report states (None if none or several)."""
    found = [p for p in context.by_key.get(key, []) if p.money and not p.figure.item and p.current and p.figure.period in periods]
    return found[0] if found and len({p.amount for p in found}) == 1 else None


def _nothing_budgeted(context: _Context, rate: Placed) -> bool:
    """A 0% beside amounts that are all zero (an unused funding source's row): nothing to execute."""
    if rate.figure.value != 0:
        return False
    before = [q.value for q in context.index.quantities_in(max(0, rate.start - 100), rate.start) if q.unit not in ("%", "个百分点")][-3:]
    return bool(before) and not any(before)


def _execution_and_income(context: _Context) -> list[Check]:
    """Most of the budget unspent (the stated execution rate, else spending ÷ budget when the
    report states one of each); spending above income with no 上年结转 to pay for it."""
    checks: list[Check] = []
    rates = [
        p for p in context.by_key.get("execution_rate", [])
        if p.current and p.figure.unit == "%" and not p.figure.item and not _nothing_budgeted(context, p)
    ]
    if rates:
        lowest = min(rates, key=lambda p: p.figure.value)
        if lowest.figure.value < LOW_EXECUTION:
            checks.append(make_check(
                RuleId.LOW_EXECUTION, WARN, Severity.MEDIUM,
                f"预算执行率仅 {fmt(lowest.figure.value)}%，大部分资金未支出：原因及报告对执行情况的表述，请核对",
                [lowest.input()], LOW_EXECUTION, lowest.figure.value,
            ))
    else:
        budget = _single(context, "budget", periods=(Period.BUDGET, Period.ADJUSTED, Period.UNSPECIFIED))
        spent = _single(context, "actual_spending", periods=(Period.ACTUAL, Period.UNSPECIFIED))
        if spent is None:
            # "财政安排支出共计87.06万元": spent by its words, in the budget period by 安排; the
            # only spending the report states is still its spending.
            spent = _single(context, "actual_spending", periods=(Period.BUDGET, Period.ADJUSTED))
        if budget is not None and spent is not None and budget.amount > 0 and not _overlap(budget, spent):
            rate = spent.amount / budget.amount * HUNDRED
            if rate < LOW_EXECUTION:
                checks.append(make_check(
                    RuleId.LOW_EXECUTION, WARN, Severity.MEDIUM,
                    f"实际支出 {fmt(spent.amount)}万元，仅为预算 {fmt(budget.amount)}万元的 {fmt(percent(rate))}%，大部分资金未支出：原因及报告对执行情况的表述，请核对",
                    [spent.input(), budget.input()], LOW_EXECUTION, percent(rate),
                ))
    income = _single(context, "income_total", periods=(Period.ACTUAL, Period.UNSPECIFIED))
    spending = _single(context, "expenditure_total", periods=(Period.ACTUAL, Period.UNSPECIFIED))
    if income is not None and spending is not None and not context.by_key.get("carryover") and spending.amount > income.amount + SUM_TOLERANCE:
        checks.append(make_check(
            RuleId.SPENDING_OVER_INCOME, WARN, Severity.MEDIUM,
            f"支出合计 {fmt(spending.amount)}万元 超过收入合计 {fmt(income.amount)}万元（多 {fmt(spending.amount - income.amount)}万元），报告未列上年结转等来源，请核对",
            [spending.input(), income.input()], income.amount, spending.amount, SUM_TOLERANCE,
        ))
    return checks


def _over_budget(context: _Context) -> list[Check]:
    """Spending above the budget (or the funds received) of the same item; funds received above
    the budget."""
    checks: list[Check] = []
    within = 0
    together = _stated_together(context)
    plan_periods = (Period.BUDGET, Period.UNSPECIFIED, Period.ADJUSTED)
    # One pass over the current figures: spending, then the lines and totals stated as 决算;
    # funds received per item; and the other amounts by key, item and period (compared below).
    spent: list[Placed] = []
    actual_lines: list[Placed] = []
    received: list[Placed] = []
    stated: dict[tuple[str, str], dict[Period, list[Placed]]] = defaultdict(lambda: defaultdict(list))
    for placed in context.placed:
        if not placed.current:
            continue
        figure = placed.figure
        key = figure.key
        if not placed.money and key != "project_line" and key != "expenditure_total":
            continue  # (what follows files only money, or a 决算 line or total)
        if key == "actual_spending":
            if placed.money:
                spent.append(placed)
        elif key == "funds_received":
            if figure.item and placed.money:
                received.append(placed)
        elif key == "project_line":
            if figure.period is Period.ACTUAL:
                actual_lines.append(placed)
        elif key != "budget":
            if key == "expenditure_total" and figure.period is Period.ACTUAL:
                actual_lines.append(placed)
            if placed.money:
                stated[(key, _norm_item(figure.item))][figure.period].append(placed)
    spent += actual_lines
    comparisons = [(spending, (("project_line", "budget"), "预算"), "实际支出") for spending in spent]
    comparisons += [(spending, (("funds_received",), "到位资金"), "实际支出") for spending in spent]
    comparisons += [(funds, (("project_line", "budget"), "预算"), "到位资金") for funds in received]
    # Plans by key set, bucketed by item (exact name, then the few names that contain one another),
    # so each spending looks up its budget instead of scanning every figure.
    plans: dict[tuple[str, ...], dict[str, list[Placed]]] = {}
    named: dict[tuple[str, ...], list[Placed]] = {}
    for keys in {keys for _, (keys, _), _ in comparisons}:
        buckets: dict[str, list[Placed]] = defaultdict(list)
        for key in keys:
            for p in context.by_key.get(key, []):
                if p.money and p.current and (p.figure.period in plan_periods or p.figure.key == "funds_received"):
                    buckets[_norm_item(p.figure.item)].append(p)
        for group in buckets.values():
            group.sort(key=lambda p: p.start)
        plans[keys] = buckets
        named[keys] = sorted((p for n, group in buckets.items() if n for p in group), key=lambda p: p.start)
    for spending, (keys, word), what in comparisons:
        item = spending.figure.item
        buckets = plans[keys]
        if item:
            name = _norm_item(item)
            near = buckets.get(name, []) if len(buckets) > PAIRED_PER_GROUP * 8 else named[keys]
            if len(near) > 2 * RESTATED_REACH:
                # Thousands of lines whose names differ by a number only (项目1…项目5000) share one
                # bucket: each is compared with the plans nearest it, not with all (issue 11).
                at = bisect_left(near, spending.start, key=lambda p: p.start)
                near = near[max(0, at - RESTATED_REACH) : at + RESTATED_REACH]
            candidates = [p for p in near if _same_item(p.figure.item, item)]
        else:
            candidates = [p for p in buckets.get("", []) if p.figure.key == "budget"]
        # A total without an item: only when the report states one budget total.
        if not candidates or (not item and len({p.amount for p in candidates}) != 1):
            continue
        # A budget the report states as the whole of a breakdown this amount is a part of (or
        # the reverse) is not this item's budget: "下达 48，其中…12 万元，到位资金 48".
        stated_with = together.get(spending.amount)
        if stated_with:
            candidates = [p for p in candidates if p.amount not in stated_with or p.amount == spending.amount]
            if not candidates:
                continue
        same_block = [p for p in candidates if p.block == spending.block]
        budget = min(same_block or candidates, key=lambda p: abs(p.start - spending.start))
        if spending.amount > budget.amount + SUM_TOLERANCE:
            name = item or "整体"
            checks.append(make_check(
                RuleId.OVER_BUDGET, WARN, Severity.MEDIUM if word == "预算" else Severity.LOW,
                f"“{name}”{what} {fmt(spending.amount)}万元，超过{word} {fmt(budget.amount)}万元（超出 {fmt(spending.amount - budget.amount)}万元）",
                [spending.input(), budget.input()], budget.amount, spending.amount, SUM_TOLERANCE,
            ))
        else:
            within += 1
    # Any amount stated both as 预算 (调整预算 when given) and as 决算: 三公经费, 公用经费, 基本支出 …
    for (key, _), periods in stated.items():
        budgets = periods.get(Period.ADJUSTED) or periods.get(Period.BUDGET)
        if not budgets or not periods.get(Period.ACTUAL):
            continue
        budget = max(budgets, key=lambda p: p.amount)
        for actual in periods[Period.ACTUAL]:
            if actual.amount > budget.amount + SUM_TOLERANCE:
                name = actual.figure.item or FIGURE_KEYS.get(key, key)
                checks.append(make_check(
                    RuleId.OVER_BUDGET, WARN, Severity.MEDIUM,
                    f"{name}决算 {fmt(actual.amount)}万元，超过预算 {fmt(budget.amount)}万元（超出 {fmt(actual.amount - budget.amount)}万元）",
                    [actual.input(), budget.input()], budget.amount, actual.amount, SUM_TOLERANCE,
                ))
            else:
                within += 1
    if within:
        checks.append(make_check(RuleId.OVER_BUDGET, PASS, Severity.INFO, f"{within} 组实际支出或到位资金未超过对应预算"))
    return checks


def _indicator_values(indicators: Sequence[Indicator]) -> list[Check]:
    """Performance indicators (not self-score rows) with no target or no actual value."""
    missing = []
    checked = 0
    for indicator in indicators:
        if indicator.weight is not None or indicator.score is not None:
            continue  # a self-score row: its score stands for the result
        checked += 1
        no_target, no_actual = not (indicator.target or "").strip(), not (indicator.actual or "").strip()
        if no_target or no_actual:
            missing.append((indicator, ["目标值"] * no_target + ["实际完成值"] * no_actual))
    if not checked:
        return []
    if not missing:
        return [make_check(RuleId.INDICATOR_VALUES, PASS, Severity.INFO, f"{checked} 项绩效指标均填写了目标值和实际完成值")]
    listed = "；".join(f"{indicator.name}（缺{'、'.join(gaps)}）" for indicator, gaps in missing)
    return [make_check(
        RuleId.INDICATOR_VALUES, WARN, Severity.LOW,
        f"{len(missing)} 项绩效指标未填写目标值或实际完成值：{listed}",
        [new_input({"label": indicator.name, "value": Decimal(len(gaps)), "unit": "项", "span": indicator.span}) for indicator, gaps in missing],
        observed=Decimal(len(missing)),
    )]
