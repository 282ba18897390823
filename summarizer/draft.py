"""Draft 存在问题, 需核实事项 and 改进措施 from a verified Report. Reads only the suggestion library.

A drafted problem is either what the report states (each stated problem, verbatim, with its span)
or what a check proves: a failed check whose relation is definitional (CERTAIN_RULES: identities,
stated rates, one value written two ways, a date, a share over 100%…) and whose numbers are all
grounded figures or meta fields, not glued to other digits. Nothing else is ever asserted: warnings,
uncertain failures, and what the figures merely suggest (a low execution rate, spending above a
budget line, a low 到位率, a score the figures do not support, missing or vague indicators, no
problems section) become 需核实事项, a short list of questions with the numbers. A data problem or
question the report already states is folded into the statement.

Every problem and question carries the evidence that raised it (the report's quotes with their
spans, cited once) and the indexes of the checks it rests on, so renderers state each check once
and refer to it elsewhere. Each problem gets one measure from the suggestion library
(summarizer/suggestions.py), naming what it answers through `{subject}`.

This module must never invent a number: every number in a drafted text is a figure's value as
the report writes it, or a value from a verification check. It never computes a rate to state
it. Figures whose grounding check failed are not used as evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache

from .assess import (  # noqa: F401  (re-exported: render, overview and tests read them here)
    FigureIndex,
    FigureStatus,
    assess_figures,
    check_involves,
    clip,
    figure_name,
    figure_text,
    first_clause,
    is_grounding_rule,
    is_score_row,
    number_text,
    strip_enumerator,
    ungrounded_items,
    ungrounded_meta,
)
from .config import Settings
from .genre import vocabulary
from .schemas import (
    Check,
    CheckStatus,
    Figure,
    FigureKind,
    Indicator,
    Period,
    Report,
    RuleId,
    Severity,
    Span,
)
from .suggestions import (  # noqa: F401
    DEFAULT_CATEGORY,
    LIBRARY_FILE_NAME,
    Need,
    Suggestion,
    SuggestionLibrary,
    choose_measure,
    classify,
    library_paths,
    load_library,
)

# Thresholds (percent / points). They decide whether a problem is raised; they are never
# written into a drafted text, because a threshold is not a number the report states.
LOW_EXECUTION_RATE = LOW_RECEIVED_RATE = vocabulary().expected_rate  # genre/grades.toml
HIGH_SCORE = vocabulary().top_grade_floor
MONEY_TOLERANCE_WAN = Decimal("0.01")
QUESTIONS_LIMIT = 8

_SEVERITY_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


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
    subject: str  # what a measure answers, e.g. “同一数据前后不一致”的问题
    evidence: tuple[EvidenceItem, ...]
    severity: Severity
    checks: tuple[int, ...] = ()  # indexes into Report.checks this problem rests on
    rules: tuple[str, ...] = ()  # their rule ids


@dataclass(frozen=True)
class Question:
    """需核实事项: what the data suggests but does not prove (a warning, a failed check whose
    numbers or relation are uncertain, a pattern in the figures). Asked, never asserted."""

    id: str
    kind: str
    text: str  # a question to the unit, with the numbers as the report writes them
    evidence: tuple[EvidenceItem, ...]
    severity: Severity
    checks: tuple[int, ...] = ()


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
    questions: tuple[Question, ...] = ()
    # assess_figures(report), which the draft is made from: the summaries and the overview row
    # read it here instead of assessing the figures again.
    statuses: tuple[FigureStatus, ...] = field(default=(), compare=False, repr=False)

    def measures_for(self, problem_id: str) -> list[DraftedMeasure]:
        return [measure for measure in self.measures if measure.problem_id == problem_id]

    @property
    def stated(self) -> list[DraftedProblem]:
        return [problem for problem in self.problems if problem.origin is Origin.STATED]

    @property
    def found(self) -> list[DraftedProblem]:
        return [problem for problem in self.problems if problem.origin is Origin.DATA]

    def cited_checks(self) -> dict[int, str]:
        """Report.checks index -> the id of the problem or question that states it (P3, Q1)."""
        cited: dict[int, str] = {}
        for entry in (*self.problems, *self.questions):
            for index in entry.checks:
                cited.setdefault(index, entry.id)
        return cited


@dataclass
class _Candidate:
    kind: str
    category: str
    text: str
    subject: str
    evidence: list[EvidenceItem]
    severity: Severity
    question: str = ""  # how the candidate is asked when it is not proven
    checks: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


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
        self._by_key: dict[str, list[Figure]] = {}  # key -> its grounded figures, in report order
        for figure in self.grounded:
            self._by_key.setdefault(figure.key, []).append(figure)

    def with_key(self, *keys: str, item_level: bool | None = None) -> list[Figure]:
        if len(keys) == 1:
            found = list(self._by_key.get(keys[0], ()))
        else:
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


_BRACKET_OR_PERCENT = re.compile(r"[()（）%]")


def _short_label(figure: Figure) -> str:
    """The report's label when it is a name (执行率, 项目执行率), else the canonical name: a label
    that swallowed a table header row is not repeated into a draft."""
    label = " ".join(figure.label.split())
    return label if 0 < len(label) <= 10 and not _BRACKET_OR_PERCENT.search(label) else figure_name(figure)


def _low_execution(facts: _Facts) -> _Candidate | None:
    rates = [f for f in facts.with_key("execution_rate") if f.unit == "%"]
    low = [f for f in rates if f.value < LOW_EXECUTION_RATE]
    budget, spending = facts.budget(), facts.spending()
    context = [f for f in (spending, budget) if f is not None]
    amounts_full = (
        budget is not None and spending is not None and budget.value_wan and spending.value_wan is not None
        and spending.value_wan * 100 >= budget.value_wan * LOW_EXECUTION_RATE
    )
    overall = _unique_by_value([f for f in low if not f.item])
    # A low rate beside a full one, or beside amounts that show full execution, is a row's rate
    # read as the whole report's (a table row without its item): it is no overall shortfall.
    if any(f.value >= LOW_EXECUTION_RATE for f in rates if not f.item) or amounts_full:
        overall = []
    lines = _unique_by_value([f for f in low if f.item])
    if overall or lines:
        context = context if overall else []
        stated = "、".join([f"{_short_label(f)}{figure_text(f)}" for f in overall] + [f"{f.item}{figure_text(f)}" for f in lines])
        detail = "，".join(f"{figure_name(f)}{figure_text(f)}" for f in context)
        subject = f"预算执行率偏低（{stated}{'；' + detail if detail else ''}）的问题"
        leftovers = facts.with_key("balance", "carried_forward", "returned_to_treasury", item_level=False)
        text = f"预算执行率偏低：{stated}"
        if detail:
            text += f"（{detail}）"
        text += "，部分预算资金未在当年支出。"
        evidence = [_figure_evidence(f) for f in (*overall, *lines, *context, *leftovers)]
        question = f"报告所列{stated}{'（' + detail + '）' if detail else ''}，未支出的资金去向和原因是什么？"
        return _Candidate("low_execution_rate", "预算编制与执行", text, subject, evidence, Severity.HIGH, question)
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
        f"报告列{detail}，两者口径是否相同？未支出的资金去向和原因是什么？",
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
        if len(figures) < 2:  # one figure is at most its own budget and actual: never over
            continue
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
        f"报告列{listed}，两者是否同一口径？如确属超预算支出，是否履行了预算调整程序？",
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
        f"报告列{stated}，未到位的资金原因是什么？",
    )


# Check rule -> problem kind. Rule ids are dotted (identity.basic_expenditure); the first
# matching pattern wins, so specific plausibility rules come before the family prefixes.
_RULE_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"score.*(execution|rate)|(execution|rate).*score|score_support|unsupported"), "score_unsupported"),
    (re.compile(r"over_budget|above_budget|exceed|overspend"), "spending_over_budget"),
    (re.compile(r"low_execution|execution_low"), "low_execution_rate"),
    (re.compile(r"over_income"), "spending_over_income"),
    (re.compile(r"unit_magnitude"), "consistency_failed"),
    (re.compile(r"^plausibility\.self_score$"), "missing_score"),
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
    "low_execution_rate": ("预算编制与执行", "预算执行率偏低", "预算执行率偏低"),
    "spending_over_income": ("预算编制与执行", "支出超过收入且未说明资金来源", "支出超过收入"),
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


@lru_cache(maxsize=1024)  # rule ids are few (RuleId, and what an LLM names them)
def kind_of_rule(rule: str) -> str:
    """The problem kind a check's rule id stands for (the first of _RULE_KINDS that matches)."""
    for pattern, kind in _RULE_KINDS:
        if pattern.search(rule):
            return kind
    return "check_failed"


# Rules whose relation is definitional: when one fails on numbers the report really states, the
# report is inconsistent whatever the cause. The others (a ratio that may have another base, a
# comparison in words, a judgement of a score, a value left blank, an open list of parts) and
# every warning are asked as 需核实事项, never asserted.
CERTAIN_RULES = frozenset(
    {
        RuleId.EXPENDITURE_TOTAL,
        RuleId.EXPENDITURE_BY_TYPE,
        RuleId.BASIC_EXPENDITURE,
        RuleId.THREE_PUBLIC,
        RuleId.INCOME_PARTS,
        RuleId.INCOME_BREAKDOWN,
        RuleId.BALANCE,
        RuleId.BALANCE_PARTS,
        RuleId.PROJECT_LINES,
        RuleId.SPENDING_LINES,
        RuleId.BUDGET_SOURCES,
        RuleId.COUNT_BREAKDOWN,
        RuleId.BREAKDOWN,
        RuleId.TABLE_TOTAL,
        RuleId.EXECUTION_RATE,
        RuleId.RECEIVED_RATE,
        RuleId.BALANCE_RATE,
        RuleId.TABLE_RATE,
        RuleId.REPEATED_VALUE,
        RuleId.UNIT_SLIP,
        RuleId.GRADE_SCORE,
        RuleId.RATE_RANGE,
        RuleId.OVER_BUDGET,
        RuleId.REPORT_DATE,
        RuleId.STAFFING,
    }
)


def _input_grounded(report: Report, statuses: list[FigureStatus], item, figures: FigureIndex) -> bool:
    """A check's number is grounded when it is a figure that passed grounding, or a meta field
    read from the report whose grounding did not fail."""
    if item.span is None:
        return False
    for number in figures.involving(item)[:1]:
        return statuses[number].grounded and not _glued(report.figures[number])
    hidden = ungrounded_meta(report)
    for name, where in report.meta.evidence.items():
        if name in hidden or where.span is None:
            continue
        if where.span.start <= item.span.start and item.span.end <= where.span.end:
            return True
    return False


def _places(written: str, text: str) -> list[int]:
    """Where `written` starts in text, each occurrence after the last one's end (what
    re.finditer(re.escape(written), text) finds, by str.find)."""
    places, step = [], len(written) or 1
    at = text.find(written)
    while at != -1:
        places.append(at)
        at = text.find(written, at + step)
    return places


def _glued(figure: Figure) -> bool:
    """True when the figure's digits run on into other digits in its quote (a flattened form's
    "20100%" is 20 and 100%): grounded as characters, but not certainly the number meant."""
    written = number_text(figure.value)
    places = _places(written, figure.evidence)
    if not places:
        return False
    def runs_on(at: int) -> bool:
        before = figure.evidence[at - 1 : at]
        after = figure.evidence[at + len(written) : at + len(written) + 1]
        return before.isdigit() or (after.isdigit() and not written[-1:] == "%")
    return all(runs_on(at) for at in places)


def is_certain(check: Check, report: Report, statuses: list[FigureStatus], figures: FigureIndex | None = None) -> bool:
    """A failed check a draft may assert as a problem: a definitional relation, every number it
    used located in the report and grounded."""
    if check.status is not CheckStatus.FAIL or is_grounding_rule(check.rule):
        return False
    if check.rule not in CERTAIN_RULES or not check.inputs:
        return False
    figures = figures or FigureIndex(report.figures)
    return all(_input_grounded(report, statuses, item, figures) for item in check.inputs)


def _asks(check: Check) -> bool:
    """Open checks worth a question: not grounding (an extraction failure is the tool's problem,
    not the unit's) and not a bare note."""
    if check.status is CheckStatus.PASS or is_grounding_rule(check.rule):
        return False
    return check.status is CheckStatus.FAIL or check.severity is not Severity.INFO


def _check_evidence(report: Report, check: Check, figures: FigureIndex) -> list[EvidenceItem]:
    """The report's words a check rests on (its figures' quotes); the message itself is the
    problem's or question's text and is not repeated as evidence."""
    return [_figure_evidence(report.figures[number]) for item in check.inputs for number in figures.involving(item)[:1]]


_ASKS_ALREADY = re.compile(r"请核(对|实)[^，。]*$")


def as_question(message: str) -> str:
    """A check's message asked of the unit: '…，请核对' stays; anything else asks for it."""
    text = " ".join(message.split()).rstrip("。；; ")
    if _ASKS_ALREADY.search(text):
        return text + "。"
    return text + "，请核实。"


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


def _from_checks(report: Report, statuses: list[FigureStatus], figures: FigureIndex) -> tuple[list[_Candidate], list[_Candidate]]:
    """Certain failed checks grouped by kind as problems; every other open check a question."""
    grouped: dict[str, list[tuple[int, Check]]] = {}
    asked: list[_Candidate] = []
    for index, check in enumerate(report.checks):
        if is_certain(check, report, statuses, figures):
            grouped.setdefault(kind_of_rule(check.rule), []).append((index, check))
        elif _asks(check):
            kind = kind_of_rule(check.rule)
            evidence = _check_evidence(report, check, figures) + _meta_evidence(report, kind)
            category = _KIND_TEXT.get(kind, _KIND_TEXT["check_failed"])[0]
            asked.append(
                _Candidate(kind, category, check.message, "", evidence, check.severity,
                           as_question(check.message), [index], [str(check.rule)])
            )
    created: list[_Candidate] = []
    for kind, entries in grouped.items():
        entries.sort(key=lambda e: -_SEVERITY_RANK[e[1].severity])
        checks = [check for _, check in entries]
        evidence = [item for check in checks for item in _check_evidence(report, check, figures)]
        evidence += _meta_evidence(report, kind)
        category, heading, short = _KIND_TEXT.get(kind, _KIND_TEXT["check_failed"])
        messages = list(dict.fromkeys(" ".join(check.message.split()).rstrip("。；; ") for check in checks))
        listed = "；".join(clip(message, 120) for message in messages[:3]) + ("等" if len(messages) > 3 else "")
        # A message that already says what the heading says stands alone.
        lead = "" if messages[0][:2] == heading[:2] else f"{heading}："
        severity = max((c.severity for c in checks), key=_SEVERITY_RANK.__getitem__)
        severity = Severity.HIGH if _SEVERITY_RANK[severity] >= 2 else Severity.MEDIUM
        created.append(
            _Candidate(kind, category, f"{lead}{listed}。", f"{short}的问题", evidence, severity, "",
                       [index for index, _ in entries], list(dict.fromkeys(str(c.rule) for c in checks)))
        )
    return created, asked


_VAGUE_WORDS = re.compile(r"高|较高|良好|明显|显著|有效|进一步|不断|逐步|提升|提高|加强|稳步|大幅|较好|满意")
_MEASURABLE = re.compile(r"\d|[一二三四五六七八九十百千万]+[年月日天个项件次人]|年内|月内|之前|以前|按时|及时|完成|是|否|无")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip() or text.strip() in ("-", "—", "/", "无")




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
                Severity.LOW,
                "报告中未识别到绩效指标的目标值与实际完成值，是否另有绩效目标表？",
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
            f"{listed}：目标值与实际完成值是否漏填？",
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
        f"{claimed}，而{because}，相关指标的扣分依据是什么？",
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
        Severity.LOW,
        "报告中未识别到“存在问题”部分或问题条目，预算执行和目标完成中是否确无差距？",
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


def _choose(problem: DraftedProblem, library: SuggestionLibrary, used: Counter[str]) -> Suggestion | None:
    return choose_measure(
        library,
        Need(kind=problem.kind, rules=problem.rules, text=problem.text, category=problem.category,
             stated=problem.origin is Origin.STATED),
        used,
    )


_QUOTES = str.maketrans({"“": "", "”": "", '"': "", "「": "", "」": ""})
_PROBLEM_WORDS = re.compile(r"不|未|缺|偏|滞后|较低|较慢|不足|有待|尚|难以|欠|薄弱|差距|问题|单一|较少|不够")


_CLAUSE_BREAK = re.compile(r"[，,。；;：:！？\n]")
_CAUSE_OPENING = re.compile(r"的原因|原因是|是因为|主要是由于|主要是")


def problem_subject(text: str) -> str:
    """What a stated problem is about, quoted once: the first clause that names a shortfall
    (不/未/缺/滞后…), else the first clause; never a bare figure such as 年初预算127万元."""
    body = strip_enumerator(text)
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(body) if c.strip()]
    chosen = next((c for c in clauses if _PROBLEM_WORDS.search(c) and len(c) >= 4), None)
    if chosen:
        # "差距的原因是因为…" names the cause, not the problem: keep what comes before it.
        chosen = _CAUSE_OPENING.split(chosen)[0] or chosen
    clause = clip(chosen, 30) if chosen else first_clause(body, 30)
    return f"“{clause.translate(_QUOTES)}”的问题"


def _action(template: str, subject: str) -> str:
    opening = "针对{subject}，"
    if template.startswith(opening):
        return template[len(opening) :].format(subject=subject)
    return template.format(subject=subject)


_DOUBLED_QUOTE = re.compile(r"([“”])\1")


def _measure_text(template: str, subject: str) -> str:
    text = template.format(subject=subject)
    return _DOUBLED_QUOTE.sub(r"\1", text)  # never a doubled quote


def draft(report: Report, settings: Settings | None = None, library: SuggestionLibrary | None = None) -> Draft:
    """Drafted problems (stated first, then what certain failed checks prove), one measure per
    problem, and the 需核实事项 (questions) for everything the data suggests but does not prove."""
    library = library or load_library(settings)
    figures = FigureIndex(report.figures)
    statuses = assess_figures(report, figures)
    facts = _Facts(report, statuses)

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
                problem_subject(item.text),
                [EvidenceItem(item.evidence, item.span, "problem")],
                Severity.MEDIUM,
            )
        )

    # What the figures suggest: asked, unless a certain check proves the same kind.
    suggested: dict[str, _Candidate] = {}
    for detector in (_low_execution, _over_budget, _low_received):
        candidate = detector(facts)
        if candidate is not None:
            suggested[candidate.kind] = candidate
    for candidate in _indicator_problems(report):
        suggested[candidate.kind] = candidate
    score = _score_unsupported(facts, suggested)
    if score is not None:
        suggested[score.kind] = score
    missing = _no_problems(stated)
    if missing is not None:
        suggested[missing.kind] = missing

    proven, asked = _from_checks(report, statuses, figures)
    found = {c.kind: c for c in proven}
    for question in asked:
        # Verification asks it already: one question, in verification's words, with the figures.
        candidate = suggested.pop(question.kind, None)
        if candidate is not None:
            question.evidence.extend(candidate.evidence)
    for kind, candidate in list(suggested.items()):
        if kind in found:  # the check proves it: the figures are its evidence, not a question
            found[kind].evidence.extend(candidate.evidence)
            del suggested[kind]

    for kind, words in _STATED_AS.items():
        owner = next((c for c in stated if any(word in c.text for word in words)), None)
        if owner is None:
            continue
        # The report says it already: its statement gains the evidence, nothing is raised twice.
        for pool in (found, suggested):
            candidate = pool.pop(kind, None)
            if candidate is not None:
                owner.evidence.extend(candidate.evidence)
                owner.checks.extend(candidate.checks)
                owner.rules.extend(candidate.rules)

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
            checks=tuple(dict.fromkeys(c.checks)),
            rules=tuple(dict.fromkeys(c.rules)),
        )
        for n, c in enumerate([*stated, *data], start=1)
    )

    pending = sorted([*suggested.values(), *asked], key=lambda c: -_SEVERITY_RANK[c.severity])
    questions: list[Question] = []
    seen: set[str] = set()
    for candidate in pending:
        if candidate.question in seen or len(questions) >= QUESTIONS_LIMIT:
            continue
        seen.add(candidate.question)
        questions.append(
            Question(
                id=f"Q{len(questions) + 1}",
                kind=candidate.kind,
                text=candidate.question,
                evidence=tuple(_dedupe_evidence(candidate.evidence)),
                severity=candidate.severity,
                checks=tuple(candidate.checks),
            )
        )

    used: Counter[str] = Counter()
    measures: list[DraftedMeasure] = []
    for problem in problems:
        suggestion = _choose(problem, library, used)
        if suggestion is None:
            continue
        used[suggestion.id] += 1
        measures.append(
            DraftedMeasure(
                id=f"M{len(measures) + 1}",
                problem_id=problem.id,
                category=suggestion.category,
                text=_measure_text(suggestion.text, problem.subject),
                suggestion_id=suggestion.id,
                action=_action(suggestion.text, problem.subject),
            )
        )
    return Draft(problems, tuple(measures), tuple(questions), statuses=tuple(statuses))
