"""Draft 存在问题 and 改进措施 from a verified Report. Reads only the suggestion library files.

Problems come from two places:

- what the report states: each stated problem, verbatim, with its span;
- what the data shows: a low execution rate, spending above its budget, a low 到位率, failed
  verification checks (identities, rates, consistency, plausibility), missing or vague
  indicators, a high self score the figures do not support, and no problems section at all.

Every drafted problem carries the evidence that raised it: the quote and span of the figure,
indicator or stated item, or the message of the check. Measures are drawn from the suggestion
library (summarizer/data/suggestions.toml, extendable by the user) and name the figure or
indicator they answer through `{subject}`.

This module must never invent a number: every number in a drafted text is a figure's value as
the report writes it, or a value from a verification check. It never computes a rate to state
it. Figures whose grounding check failed are not used as evidence.
"""

from __future__ import annotations

import bisect

import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Formatter

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import Settings
from .errors import ConfigError
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
    Severity,
    Span,
    TextItem,
)

# Thresholds (percent / points). They decide whether a problem is raised; they are never
# written into a drafted text, because a threshold is not a number the report states.
LOW_EXECUTION_RATE = Decimal(90)
LOW_RECEIVED_RATE = Decimal(90)
HIGH_SCORE = Decimal(90)
MONEY_TOLERANCE_WAN = Decimal("0.01")
MEASURES_PER_PROBLEM = 2
DEFAULT_CATEGORY = "绩效管理意识"
LIBRARY_FILE_NAME = "suggestions.toml"

_SEVERITY_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


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


def first_clause(text: str, limit: int = 40) -> str:
    """The opening clause of a stated item, without its enumerator (1、 一是 （一）)."""
    text = strip_enumerator(text)
    sentence = re.split(r"[。；;！？\n]", text, maxsplit=1)[0]
    # Up to the first comma, unless that leaves too little to name the problem.
    clause = ""
    for piece in re.split(r"(?<=[，,])", sentence):
        clause += piece
        if len(clause) >= 8:
            break
    return clip(clause.rstrip("，, "), limit)


# ── how checks bear on figures ───────────────────────────────────────────────────────────


def is_grounding_rule(rule: str) -> bool:
    return rule.split(".", 1)[0] in ("grounding", "ground", "grounded")


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


def assess_figures(report: Report) -> list[FigureStatus]:
    """One FigureStatus per report.figures entry, in the same order."""
    open_checks = [check for check in report.checks if check.status is not CheckStatus.PASS]
    # Index the checks' inputs by position so each figure looks only at inputs near its span
    # (a batch of long reports would otherwise pay figures × checks × inputs comparisons).
    spanned = sorted(
        ((item.span.start, item.span.end, index, item) for index, check in enumerate(open_checks)
         for item in check.inputs if item.span is not None),
        key=lambda entry: entry[0],
    )
    starts = [entry[0] for entry in spanned]
    widest = max((end - start for start, end, _, _ in spanned), default=0)
    unspanned = [(index, item) for index, check in enumerate(open_checks) for item in check.inputs if item.span is None]
    statuses = []
    for figure in report.figures:
        grounding, concerns = [], []
        low = bisect.bisect_left(starts, figure.span.start - widest)
        high = bisect.bisect_right(starts, max(figure.span.end, figure.span.start))
        involved = {index for _, _, index, item in spanned[low:high] if check_involves(item, figure)}
        involved |= {index for index, item in unspanned if check_involves(item, figure)}
        for index, check in enumerate(open_checks):
            if index not in involved:
                continue
            if is_grounding_rule(check.rule):
                if check.status is CheckStatus.FAIL:
                    grounding.append(check)
            else:
                concerns.append(check)
        grounded = not grounding and figure.alignment is not Alignment.UNALIGNED
        statuses.append(FigureStatus(grounded, tuple(grounding), tuple(concerns)))
    return statuses


def _failed_grounding(report: Report) -> list[CheckInput]:
    return [
        item
        for check in report.checks
        if is_grounding_rule(check.rule) and check.status is CheckStatus.FAIL
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


# ── the suggestion library ───────────────────────────────────────────────────────────────


class _LibraryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_LibraryModel):
    name: str
    keywords: tuple[str, ...] = ()


class Suggestion(_LibraryModel):
    id: str
    category: str
    text: str
    problems: tuple[str, ...] = Field((), description="problem kinds this measure answers")
    keywords: tuple[str, ...] = Field((), description="words of a stated problem that make it fit")
    disabled: bool = False


class _LibraryFile(_LibraryModel):
    category: tuple[Category, ...] = ()
    suggestion: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class SuggestionLibrary:
    categories: tuple[Category, ...]
    suggestions: tuple[Suggestion, ...]
    sources: tuple[str, ...]

    def category_names(self) -> list[str]:
        return [category.name for category in self.categories]


_ALLOWED_FIELDS = {"subject"}


def _parse_library(text: str, origin: str) -> _LibraryFile:
    try:
        data = tomllib.loads(text)
        parsed = _LibraryFile(**data)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"suggestion library is not valid TOML ({exc})", path=origin) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"suggestion library: invalid entry {where}: {first['msg']}", path=origin) from None
    for suggestion in parsed.suggestion:
        try:
            fields = {name for _, name, _, _ in Formatter().parse(suggestion.text) if name is not None}
        except ValueError as exc:
            raise ConfigError(f"suggestion {suggestion.id}: bad text ({exc})", path=origin) from None
        unknown = fields - _ALLOWED_FIELDS
        if unknown:
            raise ConfigError(
                f"suggestion {suggestion.id}: unknown placeholder {{{', '.join(sorted(unknown))}}}; only {{subject}} is filled in",
                path=origin,
            )
    return parsed


def _merge(files: list[tuple[str, _LibraryFile]]) -> SuggestionLibrary:
    categories: dict[str, Category] = {}
    suggestions: dict[str, Suggestion] = {}
    for _, parsed in files:
        for category in parsed.category:
            if category.name in categories:
                old = categories[category.name]
                merged = tuple(dict.fromkeys((*old.keywords, *category.keywords)))
                categories[category.name] = Category(name=category.name, keywords=merged)
            else:
                categories[category.name] = category
        for suggestion in parsed.suggestion:
            suggestions.pop(suggestion.id, None)  # a same id replaces (and moves to the end)
            suggestions[suggestion.id] = suggestion
    for suggestion in suggestions.values():
        if suggestion.category not in categories:
            categories[suggestion.category] = Category(name=suggestion.category)
    active = tuple(s for s in suggestions.values() if not s.disabled)
    return SuggestionLibrary(tuple(categories.values()), active, tuple(origin for origin, _ in files))


def library_paths(settings: Settings | None) -> list[Path]:
    """User library files, in the order they are merged over the built-in one."""
    paths: list[Path] = []
    if settings is not None and settings.templates_dir is not None:
        candidate = Path(settings.templates_dir) / LIBRARY_FILE_NAME
        if candidate.is_file():
            paths.append(candidate)
    extra = getattr(settings, "suggestions_file", None) if settings is not None else None
    if extra is not None:
        extra = Path(extra)
        if not extra.is_file():
            raise ConfigError("suggestions file not found; fix the suggestions_file setting", path=extra)
        paths.append(extra)
    return paths


@lru_cache(maxsize=16)
def _load(keyed: tuple[tuple[str, float], ...]) -> SuggestionLibrary:
    builtin = resources.files("summarizer").joinpath("data", LIBRARY_FILE_NAME).read_text(encoding="utf-8")
    files = [("summarizer/data/suggestions.toml", _parse_library(builtin, "summarizer/data/suggestions.toml"))]
    for path, _ in keyed:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read suggestion library ({exc})", path=path) from None
        files.append((path, _parse_library(text, path)))
    return _merge(files)


def load_library(settings: Settings | None = None) -> SuggestionLibrary:
    """The built-in library merged with the user's files (see suggestions.toml for how)."""
    keyed = tuple((str(path), path.stat().st_mtime) for path in library_paths(settings))
    return _load(keyed)


def classify(text: str, library: SuggestionLibrary) -> str:
    """The category whose keywords cover most of the text (longest matches win)."""
    best, best_score = DEFAULT_CATEGORY, 0
    for category in library.categories:
        score = sum(len(word) for word in category.keywords if word and word in text)
        if score > best_score:
            best, best_score = category.name, score
    return best


# ── drafted problems and measures ───────────────────────────────────────────────────────


class Origin(str, Enum):
    STATED = "stated"  # the report says it
    DATA = "data"  # the figures or checks show it


@dataclass(frozen=True)
class EvidenceItem:
    """Why a problem was raised: a quote from the report (with its span) or a check's message."""

    quote: str  # words of the report, or for check:/absence the message itself
    span: Span | None
    source: str  # figure:<key> | indicator | problem | meta:<field> | check:<rule> | absence

    @property
    def is_quote(self) -> bool:
        """True when `quote` is the report's own words at `span` (not a check's message)."""
        return self.span is not None and not self.source.startswith(("check:", "absence"))


@dataclass(frozen=True)
class DraftedProblem:
    id: str
    kind: str  # "stated" or a data kind (see suggestions.toml)
    origin: Origin
    category: str
    text: str
    subject: str  # what a measure answers, e.g. 预算执行率74.36%（…）的问题
    evidence: tuple[EvidenceItem, ...]
    severity: Severity


@dataclass(frozen=True)
class DraftedMeasure:
    id: str
    problem_id: str
    category: str
    text: str  # the full measure, naming what it answers
    suggestion_id: str
    action: str  # the measure without its 针对…的问题 opening, for places that show the link


@dataclass(frozen=True)
class Draft:
    problems: tuple[DraftedProblem, ...]
    measures: tuple[DraftedMeasure, ...]

    def measures_for(self, problem_id: str) -> list[DraftedMeasure]:
        return [measure for measure in self.measures if measure.problem_id == problem_id]

    @property
    def stated(self) -> list[DraftedProblem]:
        return [problem for problem in self.problems if problem.origin is Origin.STATED]

    @property
    def found(self) -> list[DraftedProblem]:
        return [problem for problem in self.problems if problem.origin is Origin.DATA]


@dataclass
class _Candidate:
    kind: str
    category: str
    text: str
    subject: str
    evidence: list[EvidenceItem]
    severity: Severity


def _figure_evidence(figure: Figure) -> EvidenceItem:
    return EvidenceItem(figure.evidence, figure.span, f"figure:{figure.key}")


def _dedupe_evidence(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    seen, kept = set(), []
    for item in items:
        marker = (item.quote, item.span.start if item.span else None)
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


class _Facts:
    """The grounded figures of a report, looked up by key."""

    def __init__(self, report: Report, statuses: list[FigureStatus]) -> None:
        self.report = report
        self.grounded = [f for f, s in zip(report.figures, statuses) if s.grounded]

    def with_key(self, *keys: str, item_level: bool | None = None) -> list[Figure]:
        found = [f for f in self.grounded if f.key in keys]
        if item_level is True:
            found = [f for f in found if f.item]
        elif item_level is False:
            found = [f for f in found if not f.item]
        return found

    def first(self, *keys: str, period: Period | None = None) -> Figure | None:
        for figure in self.with_key(*keys, item_level=False):
            if figure.kind is FigureKind.MONEY and (period is None or figure.period is period):
                return figure
        return None

    def budget(self) -> Figure | None:
        return self.first("budget") or self.first("expenditure_total", period=Period.BUDGET)

    def spending(self) -> Figure | None:
        return self.first("actual_spending") or self.first("expenditure_total", period=Period.ACTUAL)

    def self_score(self) -> tuple[Decimal | None, list[EvidenceItem]]:
        meta = self.report.meta
        if meta.self_score is not None and "self_score" not in ungrounded_meta(self.report):
            where = meta.evidence.get("self_score")
            evidence = [EvidenceItem(where.quote, where.span, "meta:self_score")] if where else []
            return meta.self_score, evidence
        for figure in self.with_key("self_score", item_level=False):
            return figure.value, [_figure_evidence(figure)]
        return None, []


def _unique_by_value(figures: list[Figure]) -> list[Figure]:
    seen, kept = set(), []
    for figure in figures:
        if figure.value not in seen:
            seen.add(figure.value)
            kept.append(figure)
    return kept


def _low_execution(facts: _Facts) -> _Candidate | None:
    rates = [f for f in facts.with_key("execution_rate") if f.unit == "%"]
    low = [f for f in rates if f.value < LOW_EXECUTION_RATE]
    budget, spending = facts.budget(), facts.spending()
    context = [f for f in (spending, budget) if f is not None]
    if low:
        overall = _unique_by_value([f for f in low if not f.item])
        lines = _unique_by_value([f for f in low if f.item])
        stated = "、".join([f"{f.label}{figure_text(f)}" for f in overall] + [f"{f.item}{figure_text(f)}" for f in lines])
        detail = "，".join(f"{figure_name(f)}{figure_text(f)}" for f in context)
        subject = f"预算执行率偏低（{stated}{'；' + detail if detail else ''}）的问题"
        leftovers = facts.with_key("balance", "carried_forward", "returned_to_treasury", item_level=False)
        text = f"预算执行率偏低：{stated}"
        if detail:
            text += f"（{detail}）"
        text += "，部分预算资金未在当年支出。"
        evidence = [_figure_evidence(f) for f in (*overall, *lines, *context, *leftovers)]
        return _Candidate("low_execution_rate", "预算编制与执行", text, subject, evidence, Severity.HIGH)
    if rates or budget is None or spending is None:
        return None
    if budget.value_wan is None or spending.value_wan is None or budget.value_wan <= 0:
        return None
    if spending.value_wan * 100 >= budget.value_wan * LOW_EXECUTION_RATE:
        return None
    # No stated rate: name the two amounts, never the computed ratio.
    detail = f"{figure_name(spending)}{figure_text(spending)}，{figure_name(budget)}{figure_text(budget)}"
    return _Candidate(
        "low_execution_rate",
        "预算编制与执行",
        f"实际支出明显低于预算：{detail}，部分预算资金未在当年支出。",
        f"实际支出低于预算（{detail}）的问题",
        [_figure_evidence(spending), _figure_evidence(budget)],
        Severity.HIGH,
    )


def _is_budget_side(figure: Figure) -> bool:
    """The amount set aside: a budget figure, or an item's allocation as a listed project line."""
    if figure.period is Period.PRIOR_YEAR or figure.key == "funds_received":
        return False
    if figure.period in (Period.BUDGET, Period.ADJUSTED):
        return True
    return figure.key == "budget" or (figure.key == "project_line" and figure.period is Period.UNSPECIFIED)


def _is_actual_side(figure: Figure) -> bool:
    if figure.period is Period.PRIOR_YEAR or figure.key == "funds_received":
        return False
    return figure.key == "actual_spending" or figure.period is Period.ACTUAL


def _over_budget(facts: _Facts) -> _Candidate | None:
    year = facts.report.meta.year
    money = [
        f
        for f in facts.grounded
        if f.kind is FigureKind.MONEY and f.value_wan is not None and (f.year is None or year is None or f.year == year)
    ]
    groups: dict[tuple[str, str], list[Figure]] = {}
    for figure in money:
        if figure.key in ("budget", "actual_spending"):
            group = ("item", figure.item or "")
        elif figure.item:
            group = ("item", figure.item)
        else:
            group = ("key", figure.key)
        groups.setdefault(group, []).append(figure)
    pairs: list[tuple[Figure, Figure]] = []
    for figures in groups.values():
        budgets = [f for f in figures if _is_budget_side(f)]
        actuals = [f for f in figures if _is_actual_side(f)]
        if not budgets or not actuals:
            continue
        budget = max(budgets, key=lambda f: f.value_wan)
        actual = max(actuals, key=lambda f: f.value_wan)
        if actual.value_wan > budget.value_wan + MONEY_TOLERANCE_WAN:
            pairs.append((budget, actual))
    if not pairs:
        return None
    parts = [
        f"{actual.item or figure_name(actual)}预算{figure_text(budget)}、实际支出{figure_text(actual)}"
        for budget, actual in pairs
    ]
    listed = "；".join(parts[:4]) + ("等" if len(parts) > 4 else "")
    evidence = [_figure_evidence(f) for pair in pairs for f in pair]
    return _Candidate(
        "spending_over_budget",
        "预算编制与执行",
        f"部分支出超出预算：{listed}。",
        f"{clip(parts[0], 40)}{'等' if len(parts) > 1 else ''}超预算支出的问题",
        evidence,
        Severity.HIGH,
    )


def _low_received(facts: _Facts) -> _Candidate | None:
    low = [f for f in facts.with_key("received_rate") if f.unit == "%" and f.value < LOW_RECEIVED_RATE]
    if not low:
        return None
    stated = "、".join(f"{f.item or f.label}{figure_text(f)}" for f in _unique_by_value(low))
    return _Candidate(
        "low_received_rate",
        "资金管理",
        f"资金到位率偏低：{stated}。",
        f"资金到位率偏低（{stated}）的问题",
        [_figure_evidence(f) for f in low],
        Severity.MEDIUM,
    )


# Check rule -> problem kind. Rule ids are dotted (identity.basic_expenditure); the first
# matching pattern wins, so specific plausibility rules come before the family prefixes.
_RULE_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"score.*(execution|rate)|(execution|rate).*score|score_support|unsupported"), "score_unsupported"),
    (re.compile(r"over_budget|above_budget|exceed|overspend"), "spending_over_budget"),
    (re.compile(r"grade"), "grade_mismatch"),
    (re.compile(r"staff"), "staffing"),
    (re.compile(r"report_date|date_before|\.date"), "report_date"),
    (re.compile(r"missing_score|no_score|score_missing"), "missing_score"),
    (re.compile(r"indicator"), "vague_indicators"),
    (re.compile(r"^identit"), "identity_failed"),
    (re.compile(r"^(rate|growth|ratio)"), "rate_failed"),
    (re.compile(r"^consisten"), "consistency_failed"),
]

_KIND_TEXT = {
    "identity_failed": ("资金管理", "报告数据勾稽关系不符", "报告总数与分项数勾稽不符"),
    "rate_failed": ("信息公开", "报告所列比率与其依据的金额不符", "报告比率与金额不符"),
    "consistency_failed": ("信息公开", "同一数据在报告中前后表述不一致", "报告数据前后不一致"),
    "grade_mismatch": ("绩效管理意识", "评价等次与自评得分不符", "评价等次与得分不符"),
    "staffing": ("内控制度", "人员编制管理存在异常", "实有人数与核定编制不符"),
    "report_date": ("绩效管理意识", "报告日期异常", "报告日期异常"),
    "missing_score": ("绩效管理意识", "报告未给出自评得分", "未给出自评得分"),
    "vague_indicators": ("绩效目标与指标", "绩效指标设置不完整", "绩效指标设置不完整"),
    "spending_over_budget": ("预算编制与执行", "部分支出超出预算", "超预算支出"),
    "score_unsupported": ("绩效管理意识", "自评得分与预算执行情况不符", "自评得分缺乏数据支撑"),
    "check_failed": ("信息公开", "报告数据未通过核验", "报告数据未通过核验"),
}


def kind_of_rule(rule: str) -> str:
    for pattern, kind in _RULE_KINDS:
        if pattern.search(rule):
            return kind
    return "check_failed"


def _raises_problem(check: Check) -> bool:
    """Failed checks, and warnings a reviewer must act on; never grounding (an extraction
    failure is the tool's problem, not the unit's)."""
    if is_grounding_rule(check.rule) or check.status is CheckStatus.PASS:
        return False
    return check.status is CheckStatus.FAIL or _SEVERITY_RANK[check.severity] >= _SEVERITY_RANK[Severity.MEDIUM]


def _check_evidence(check: Check, report: Report) -> list[EvidenceItem]:
    items = [EvidenceItem(check.message, next((i.span for i in check.inputs if i.span), None), f"check:{check.rule}")]
    for item in check.inputs:
        for figure in report.figures:
            if check_involves(item, figure):
                items.append(_figure_evidence(figure))
                break
    return items


# Problems about a meta field quote where the field was read.
_META_FIELDS = {
    "report_date": ("report_date",),
    "staffing": ("staff_authorized", "staff_actual"),
    "grade_mismatch": ("self_score", "grade"),
    "score_unsupported": ("self_score",),
}


def _meta_evidence(report: Report, kind: str) -> list[EvidenceItem]:
    items = []
    for name in _META_FIELDS.get(kind, ()):
        where = report.meta.evidence.get(name)
        if where is not None:
            items.append(EvidenceItem(where.quote, where.span, f"meta:{name}"))
    return items


def _from_checks(report: Report, existing: dict[str, _Candidate]) -> list[_Candidate]:
    grouped: dict[str, list[Check]] = {}
    for check in report.checks:
        if _raises_problem(check):
            grouped.setdefault(kind_of_rule(check.rule), []).append(check)
    created: list[_Candidate] = []
    for kind, checks in grouped.items():
        checks.sort(key=lambda c: (c.status is not CheckStatus.FAIL, -_SEVERITY_RANK[c.severity]))
        evidence = [item for check in checks for item in _check_evidence(check, report)]
        evidence += _meta_evidence(report, kind)
        if kind in existing:  # the figures already raised it: the checks are more evidence
            existing[kind].evidence.extend(evidence)
            continue
        category, heading, short = _KIND_TEXT.get(kind, _KIND_TEXT["check_failed"])
        messages = "；".join(clip(check.message, 80) for check in checks[:3])
        more = "等" if len(checks) > 3 else ""
        # A message that already says what the heading says stands alone.
        lead = "" if checks[0].message[:2] == heading[:2] else f"{heading}："
        severity = max((c.severity for c in checks), key=_SEVERITY_RANK.__getitem__)
        if any(c.status is CheckStatus.FAIL for c in checks):
            severity = Severity.HIGH if _SEVERITY_RANK[severity] >= 2 else Severity.MEDIUM
        created.append(
            _Candidate(
                kind,
                category,
                f"{lead}{messages}{more}。",
                f"{short}（{clip(checks[0].message, 40)}）的问题",
                evidence,
                severity,
            )
        )
    return created


_VAGUE_WORDS = re.compile(r"高|较高|良好|明显|显著|有效|进一步|不断|逐步|提升|提高|加强|稳步|大幅|较好|满意")
_MEASURABLE = re.compile(r"\d|[一二三四五六七八九十百千万]+[年月日天个项件次人]|年内|月内|之前|以前|按时|及时|完成|是|否|无")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip() or text.strip() in ("-", "—", "/", "无")


def is_score_row(indicator: Indicator) -> bool:
    """A row of the self-score table (weight, target = weight, score), not a performance target."""
    if indicator.score is None and indicator.weight is None:
        return False
    target = (indicator.target or "").strip()
    return not target or re.fullmatch(r"\d+(?:\.\d+)?%?", target) is not None


def _indicator_gap(indicator: Indicator) -> str | None:
    if is_score_row(indicator):
        return None
    if _blank(indicator.target):
        return "未设定目标值"
    target = indicator.target.strip()
    if _VAGUE_WORDS.search(target) and not _MEASURABLE.search(target):
        return "目标值表述笼统、不可衡量"
    if _blank(indicator.actual):
        return "未填列实际完成值"
    return None


def _indicator_name(indicator: Indicator) -> str:
    parts = [p for p in (indicator.level2, indicator.name) if p]
    name = "·".join(dict.fromkeys(parts)) or "未命名指标"
    return clip(name, 24)


def _indicator_problems(report: Report) -> list[_Candidate]:
    performance = [i for i in report.indicators if not is_score_row(i)]
    if not report.indicators:
        return [
            _Candidate(
                "missing_indicators",
                "绩效目标与指标",
                "报告未列示绩效指标的目标值与实际完成值，绩效目标完成情况无法考核。",
                "未列示绩效指标目标值与完成值的问题",
                [EvidenceItem("全文未识别到绩效指标（目标值、完成值）", None, "absence")],
                Severity.MEDIUM,
            )
        ]
    gaps = [(i, gap) for i in performance if (gap := _indicator_gap(i))]
    if not gaps:
        return []
    listed = "；".join(f"“{_indicator_name(i)}”{gap}" for i, gap in gaps[:4]) + ("等" if len(gaps) > 4 else "")
    return [
        _Candidate(
            "vague_indicators",
            "绩效目标与指标",
            f"部分绩效指标设置不完整或不可衡量：{listed}。",
            f"“{_indicator_name(gaps[0][0])}”{'等' if len(gaps) > 1 else ''}指标{gaps[0][1]}的问题",
            [EvidenceItem(i.evidence, i.span, "indicator") for i, _ in gaps[:6]],
            Severity.MEDIUM,
        )
    ]


def _score_unsupported(facts: _Facts, found: dict[str, _Candidate]) -> _Candidate | None:
    score, score_evidence = facts.self_score()
    meta = facts.report.meta
    high = (score is not None and score >= HIGH_SCORE) or (score is None and meta.grade is not None and meta.grade.value == "优")
    if not high:
        return None
    reasons: list[str] = []
    evidence = list(score_evidence)
    # Only figures that contradict the score count here; a missing indicator table is its own problem.
    execution = found.get("low_execution_rate")
    if execution is not None:
        reasons.append(execution.text.split("：", 1)[-1].split("，部分", 1)[0])
        evidence.extend(execution.evidence[:2])
    over = found.get("spending_over_budget")
    if over is not None:
        reasons.append("存在超预算支出")
        evidence.extend(over.evidence[:2])
    if not reasons:
        return None
    grade = meta.grade_label or (meta.grade.value if meta.grade else None)
    claimed = "自评" + (f"得分{number_text(score)}分" if score is not None else "") + (f"、等次为{grade}" if grade else "")
    because = "，".join(reasons)
    return _Candidate(
        "score_unsupported",
        "绩效管理意识",
        f"{claimed}，但{because}，自评结果缺乏数据支撑，存在评分偏高的情况。",
        f"{claimed}与{because.split('（', 1)[0]}不符的问题",
        evidence,
        Severity.HIGH,
    )


def _no_problems(stated: list[_Candidate]) -> _Candidate | None:
    if stated:
        return None
    return _Candidate(
        "no_problems_section",
        "绩效管理意识",
        "报告未列示存在的问题（“存在问题”部分缺失或为空），未对预算执行和绩效目标完成中的差距进行分析。",
        "报告未分析存在问题的问题",
        [EvidenceItem("全文未识别到“存在问题”章节或问题条目", None, "absence")],
        Severity.MEDIUM,
    )


# A data problem the report already states (any of these words in a stated problem) is merged
# into that statement instead of being raised again.
_STATED_AS: dict[str, tuple[str, ...]] = {
    "low_execution_rate": ("执行率", "支出率", "支出进度", "执行进度", "未能在", "结转至"),
    "spending_over_budget": ("超支", "超预算", "超出预算"),
    "low_received_rate": ("到位率", "未到位", "未及时拨"),
    "missing_indicators": ("指标体系", "评价指标", "绩效指标"),
    "vague_indicators": ("指标体系", "评价指标", "绩效指标", "指标设定"),
    "score_unsupported": ("评分偏高", "得分偏高"),
}


def _choose(problem: DraftedProblem, library: SuggestionLibrary, used: Counter[str]) -> list[Suggestion]:
    scored: list[tuple[int, int, Suggestion]] = []
    for order, suggestion in enumerate(library.suggestions):
        kind_match = problem.kind in suggestion.problems
        hits = sum(len(word) for word in suggestion.keywords if word and word in problem.text)
        same_category = suggestion.category == problem.category
        if problem.origin is Origin.DATA and not kind_match:
            continue
        if problem.origin is Origin.STATED and not (same_category and hits) and hits < 4:
            continue
        score = (100 if kind_match else 0) + (10 if same_category else 0) + hits - 3 * used[suggestion.id]
        scored.append((score, -order, suggestion))
    if not scored:  # fall back on the category's first measures
        scored = [
            (10 - 3 * used[s.id], -order, s)
            for order, s in enumerate(library.suggestions)
            if s.category == problem.category
        ]
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    chosen = [suggestion for _, _, suggestion in scored[:MEASURES_PER_PROBLEM]]
    # A second measure only when it fits about as well as the first.
    if len(chosen) == 2 and scored[1][0] < scored[0][0] - 12:
        chosen = chosen[:1]
    return chosen


def _action(template: str, subject: str) -> str:
    opening = "针对{subject}，"
    if template.startswith(opening):
        return template[len(opening) :].format(subject=subject)
    return template.format(subject=subject)


def draft(report: Report, settings: Settings | None = None, library: SuggestionLibrary | None = None) -> Draft:
    """Drafted problems (stated first, then what the data shows) and measures linked to them."""
    library = library or load_library(settings)
    facts = _Facts(report, assess_figures(report))

    stated: list[_Candidate] = []
    unquotable = ungrounded_items(report, report.problems)
    for index, item in enumerate(report.problems):
        if index in unquotable:  # not the report's words: never drafted as a stated problem
            continue
        stated.append(
            _Candidate(
                "stated",
                classify(item.text, library),
                strip_enumerator(" ".join(item.text.split())),
                f"“{first_clause(item.text)}”的问题",
                [EvidenceItem(item.evidence, item.span, "problem")],
                Severity.MEDIUM,
            )
        )

    found: dict[str, _Candidate] = {}
    for detector in (_low_execution, _over_budget, _low_received):
        candidate = detector(facts)
        if candidate is not None:
            found[candidate.kind] = candidate
    for candidate in _indicator_problems(report):
        found[candidate.kind] = candidate
    for candidate in _from_checks(report, found):
        found[candidate.kind] = candidate
    score = _score_unsupported(facts, found)
    if score is not None:
        if "score_unsupported" in found:  # a check already raised it: keep its evidence too
            score.evidence.extend(found["score_unsupported"].evidence)
        found["score_unsupported"] = score
    missing = _no_problems(stated)
    if missing is not None:
        found[missing.kind] = missing

    for kind, words in _STATED_AS.items():
        candidate = found.get(kind)
        owner = next((c for c in stated if any(word in c.text for word in words)), None)
        if candidate is not None and owner is not None:
            # The report says it already: its statement gains the evidence, no second problem.
            owner.evidence.extend(candidate.evidence)
            del found[kind]

    data = sorted(found.values(), key=lambda c: -_SEVERITY_RANK[c.severity])
    problems = tuple(
        DraftedProblem(
            id=f"P{n}",
            kind=c.kind,
            origin=Origin.STATED if c.kind == "stated" else Origin.DATA,
            category=c.category,
            text=c.text,
            subject=c.subject,
            evidence=tuple(_dedupe_evidence(c.evidence)),
            severity=c.severity,
        )
        for n, c in enumerate([*stated, *data], start=1)
    )

    used: Counter[str] = Counter()
    measures: list[DraftedMeasure] = []
    for problem in problems:
        for suggestion in _choose(problem, library, used):
            used[suggestion.id] += 1
            measures.append(
                DraftedMeasure(
                    id=f"M{len(measures) + 1}",
                    problem_id=problem.id,
                    category=suggestion.category,
                    text=suggestion.text.format(subject=problem.subject),
                    suggestion_id=suggestion.id,
                    action=_action(suggestion.text, problem.subject),
                )
            )
    return Draft(problems, tuple(measures))
