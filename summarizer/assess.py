"""Assess a verified Report once: how its checks bear on each figure, which numbers and stated
items may be quoted as the report's words, and how a figure is named and written.

Shared by drafting and every rendered format, so a figure is assessed once per report, not once
per format. Pure functions over the Report; no I/O, no wording of problems or measures.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
import re
from dataclasses import dataclass
from decimal import Decimal

from .genre import vocabulary
from .numbers import same_amount
from .schemas import (
    FIGURE_KEYS,
    Alignment,
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Indicator,
    Period,
    Report,
    Span,
    TextItem,
)

# ── formatting shared with render ────────────────────────────────────────────────────────


def number_text(value: Decimal) -> str:
    """A Decimal as the report wrote it (no exponent, trailing zeros kept)."""
    return format(value, "f")


def figure_text(figure: Figure) -> str:
    return f"{number_text(figure.value)}{figure.unit}"


# Keys whose canonical name loses the report's meaning; they are named by their label.
LABELLED_KEYS = ("growth_rate", "other_rate", "completion_rate", "satisfaction_rate", "count")

_PERIOD_WORDS = {Period(period): name for period, name in vocabulary().period_names.items()}


def figure_name(figure: Figure) -> str:
    """The canonical name of what a figure measures, e.g. 支出合计（决算） or 项目明细·食堂运行."""
    name = FIGURE_KEYS.get(figure.key, figure.label)
    if figure.key in ("project_line", "spending_line") and (figure.item or figure.label):
        name = figure.item or figure.label
    elif figure.key in LABELLED_KEYS or figure.key not in FIGURE_KEYS:
        # A rate or count is only meaningful with the words the report used (减少 vs 增长).
        return clip(" ".join((figure.item or figure.label).split()), 30)
    elif figure.item:
        name = f"{figure.item}{name}"
    period = _PERIOD_WORDS.get(figure.period)
    # The period says budget or actual for money only, and only where the key does not already.
    implied = {"budget": Period.BUDGET, "actual_spending": Period.ACTUAL, "funds_received": Period.ACTUAL}
    if period and figure.kind is FigureKind.MONEY and implied.get(figure.key) is not figure.period:
        name = f"{name}（{period}）"
    return name


_SAFE_TAIL = re.compile(r"[\d０-９.,，．%％\s]+$")


def clip(text: str, limit: int) -> str:
    """Shorten text to about `limit` characters without cutting a number in two."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # A number cut in half would be a number the report never states: back off past it.
    if text[limit : limit + 1].isdigit() or text[limit : limit + 1] in ".,%％":
        cut = _SAFE_TAIL.sub("", cut)
    return cut.rstrip("，,、；;：: ") + "…"


_ENUMERATOR = re.compile(r"^\s*(?:[-*•]\s*)?(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]|[一二三四五六七八九十]是)\s*")


def strip_enumerator(text: str) -> str:
    """A stated item without the 1、 / 一是 / （一） the report numbered it with."""
    return _ENUMERATOR.sub("", text.strip(), count=1)


_SENTENCE_END = re.compile(r"[。；;！？\n]")
_AFTER_COMMA = re.compile(r"(?<=[，,])")


def first_clause(text: str, limit: int = 40) -> str:
    """The opening clause of a stated item, without its enumerator (1、 一是 （一）)."""
    text = strip_enumerator(text)
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    # Up to the first comma, unless that leaves too little to name the problem.
    clause = ""
    for piece in _AFTER_COMMA.split(sentence):
        clause += piece
        if len(clause) >= 8:
            break
    return clip(clause.rstrip("，, "), limit)


# ── how checks bear on figures ───────────────────────────────────────────────────────────


_GROUNDING_FAMILIES = ("grounding", "ground", "grounded")


def is_grounding_rule(rule: str) -> bool:
    """A rule of the grounding family (grounding.figure, or an LLM's ground./grounded. ids)."""
    # Every family starts with "ground": most rules are rejected by that prefix alone.
    return rule.startswith("ground") and rule.partition(".")[0] in _GROUNDING_FAMILIES


def _overlaps(a: Span, b: Span) -> bool:
    if a.start == a.end or b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end


def _same_value(item: CheckInput, figure: Figure) -> bool:
    if item.value == figure.value:
        return True
    return bool(item.unit and figure.unit and same_amount(item.value, item.unit, figure.value, figure.unit))


def check_involves(item: CheckInput, figure: Figure) -> bool:
    """A check input refers to a figure when it carries the figure's span and value (or, lacking
    a span, the figure's label and value)."""
    if item.span is not None:
        return _overlaps(item.span, figure.span) and _same_value(item, figure)
    return item.label == figure.label and _same_value(item, figure)


@dataclass(frozen=True)
class FigureStatus:
    """What verification said about one figure."""

    grounded: bool
    grounding: tuple[Check, ...]  # failed grounding checks
    concerns: tuple[Check, ...]  # other warn/fail checks that used this figure

    @property
    def status(self) -> str:
        if not self.grounded or any(c.status is CheckStatus.FAIL for c in self.concerns):
            return "fail"
        return "warn" if self.concerns else "ok"

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(check.message for check in (*self.grounding, *self.concerns))


class FigureIndex:
    """The report's figures by position, to find the ones a check input refers to without
    comparing the input with every figure (a draft asks this for every input of every check).
    Figures are short (a number), so an input can only overlap the figures that start from the
    widest figure's length before it up to its end. One index serves one report: it remembers
    each input's answer, since assessing the figures and drafting ask about the same inputs."""

    def __init__(self, figures: Sequence[Figure]) -> None:
        self.figures = figures
        starts, widths = [], []  # each figure's span start and width, read in one pass
        for figure in figures:
            span = figure.span
            start = span.start
            starts.append(start)
            widths.append(span.end - start)
        self._order = sorted(range(len(starts)), key=starts.__getitem__)
        self._starts = [starts[number] for number in self._order]
        self._widest = max(widths, default=0)
        self._answers: dict[int, tuple[CheckInput, tuple[int, ...]]] = {}  # id(input) -> (input, answer)

    def involving(self, item: CheckInput) -> tuple[int, ...]:
        """The indices of the figures the input refers to (check_involves), ascending."""
        known = self._answers.get(id(item))
        if known is not None and known[0] is item:
            return known[1]
        span = item.span
        if span is None:
            candidates: Iterable[int] = range(len(self.figures))
        else:
            start, end = span.start, span.end
            low = bisect.bisect_left(self._starts, start - self._widest)
            high = bisect.bisect_right(self._starts, max(end, start))
            candidates = sorted(self._order[low:high]) if high - low > 1 else self._order[low:high]  # (one or none: no sort)
        figures = self.figures
        answer = tuple([number for number in candidates if check_involves(item, figures[number])])
        self._answers[id(item)] = (item, answer)  # the input is kept, so its id is not reused
        return answer


def assess_figures(report: Report, index: FigureIndex | None = None) -> list[FigureStatus]:
    """One FigureStatus per report.figures entry, in the same order."""
    index = index or FigureIndex(report.figures)
    open_checks = [check for check in report.checks if check.status is not CheckStatus.PASS]
    involved: dict[int, set[int]] = {}
    for number, check in enumerate(open_checks):
        for item in check.inputs:
            for figure in index.involving(item):
                involved.setdefault(figure, set()).add(number)
    # Most figures no open check used: they share one (immutable) status per alignment.
    unaligned = Alignment.UNALIGNED
    statuses = [_UNTRACED if figure.alignment is unaligned else _CLEAR for figure in report.figures]
    for figure, numbers in involved.items():
        grounding, concerns = [], []
        for number in sorted(numbers):
            check = open_checks[number]
            if is_grounding_rule(check.rule):
                if check.status is CheckStatus.FAIL:
                    grounding.append(check)
            else:
                concerns.append(check)
        grounded = not grounding and report.figures[figure].alignment is not Alignment.UNALIGNED
        statuses[figure] = FigureStatus(grounded, tuple(grounding), tuple(concerns))
    return statuses


_CLEAR = FigureStatus(True, (), ())  # located, and no open check used it
_UNTRACED = FigureStatus(False, (), ())  # not located in the source


def _failed_grounding(report: Report) -> list[CheckInput]:
    return [
        item
        for check in report.checks
        if check.status is CheckStatus.FAIL and is_grounding_rule(check.rule)
        for item in check.inputs
        if item.span is not None
    ]


META_NUMBERS = ("self_score", "staff_authorized", "staff_actual")


def ungrounded_meta(report: Report) -> frozenset[str]:
    """Numeric meta fields whose grounding check failed: they are not to be stated."""
    failed = _failed_grounding(report)
    fields = set()
    for name in META_NUMBERS:
        value, where = getattr(report.meta, name), report.meta.evidence.get(name)
        if value is None or where is None:
            continue
        if any(_overlaps(item.span, where.span) and item.value == Decimal(value) for item in failed):
            fields.add(name)
    return frozenset(fields)


def ungrounded_items(report: Report, items: list[TextItem]) -> frozenset[int]:
    """Indexes of stated items (achievements, problems, measures) that cannot be quoted as the
    report's words: not located in the source, or carrying a number whose grounding failed."""
    failed = _failed_grounding(report)
    bad = set()
    for index, item in enumerate(items):
        if item.alignment is Alignment.UNALIGNED:
            bad.add(index)
            continue
        values = {number.value for number in item.numbers}
        if any(_overlaps(f.span, item.span) and (not values or f.value in values) for f in failed):
            bad.add(index)
    return frozenset(bad)


_WEIGHT_LIKE = re.compile(r"\d+(?:\.\d+)?%?")  # a bare number (or percentage): a score row's target


def is_score_row(indicator: Indicator) -> bool:
    """A row of the self-score table (weight, target = weight, score), not a performance target."""
    if indicator.score is None and indicator.weight is None:
        return False
    target = (indicator.target or "").strip()
    return not target or _WEIGHT_LIKE.fullmatch(target) is not None

