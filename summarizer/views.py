"""The views the templates see: one context per report, built once from the Report, its figure
assessment and its draft, and shared by every format (md, html, docx). Plain dataclasses and
lists; no template reaches into the Report. Numbers are the report's as written; a figure whose
grounding failed is left out of the narrative and carries a reference to its check elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .backends.base import FALLBACK_NOTES
from .config import Settings
from .draft import (
    Draft,
    EvidenceItem,
    FigureStatus,
    assess_figures,
    clip,
    draft,
    figure_name,
    figure_text,
    is_score_row,
    number_text,
    ungrounded_items,
    ungrounded_meta,
)
from .formatting import cn_date, item_text, one_line
from .schemas import Check, CheckStatus, Figure, Indicator, Report, ReportKind, Severity, Span, TextItem

# Limits that keep the HTML summary on one A4 page; the Markdown and DOCX show everything.
# The page is set in 10.5 pt (五号) at the smallest, so it holds fewer, shorter entries.
PAGE_FIGURES = 8
PAGE_CHECKS = 3
PAGE_PROBLEMS = 4
PAGE_QUESTIONS = 4
PAGE_SCORES = 6
PAGE_INDICATORS = 3
PAGE_TEXT = 70
PAGE_MEASURE = 52
PAGE_CHECK_TEXT = 40
PAGE_QUOTE = 16
# Bounds on one report's Markdown/DOCX (and the HTML's evidence list), however many figures,
# checks or items a pathological input yields: each list shows at most LIST_LIMIT entries and a
# note says how many more the JSON output holds; a single text shows at most TEXT_LIMIT characters.
LIST_LIMIT = 100
TEXT_LIMIT = 400

# Figures a reviewer looks for first, in this order (top-level figures only).
KEY_ORDER = (
    "income_total",
    "budget",
    "funds_received",
    "expenditure_total",
    "actual_spending",
    "basic_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "project_expenditure",
    "three_public_total",
    "execution_rate",
    "received_rate",
    "balance",
    "carried_forward",
    "returned_to_treasury",
    "fixed_assets",
)

NARRATIVE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("收入", ("income_total", "income_fiscal", "income_other", "carryover")),
    (
        "支出",
        ("expenditure_total", "basic_expenditure", "personnel_expenditure", "public_expenditure", "project_expenditure"),
    ),
    (
        "预算执行",
        (
            "budget",
            "funds_received",
            "actual_spending",
            "execution_rate",
            "received_rate",
            "balance",
            "balance_rate",
            "returned_to_treasury",
            "carried_forward",
            "growth_rate",
        ),
    ),
    (
        "“三公”经费",
        (
            "three_public_total",
            "three_public_reception",
            "three_public_vehicle_operation",
            "three_public_vehicle_purchase",
            "three_public_overseas",
        ),
    ),
    ("资产", ("fixed_assets",)),
)
PERFORMANCE_KEYS = ("completion_rate", "satisfaction_rate")
# A growth rate belongs to the finance section only when its label speaks of money.
_FINANCE_WORDS = re.compile(r"预算|决算|收入|支出|经费|资金|拨款")
# How a figure is named inside its line item ("食堂运行专项：103万元，实际支出146万元").
ITEM_PART_NAMES = {
    "project_line": "",
    "spending_line": "",
    "budget": "预算",
    "actual_spending": "实际支出",
    "funds_received": "到位",
    "execution_rate": "执行率",
    "received_rate": "到位率",
    "balance": "结余",
    "carried_forward": "结转",
    "returned_to_treasury": "上缴财政",
}


# ── views handed to templates ────────────────────────────────────────────────────────────


@dataclass
class FigureView:
    index: int
    key: str
    name: str
    label: str
    text: str
    evidence: str
    span: Span
    item: str | None
    period: str
    table: bool
    grounded: bool
    status: str  # ok | warn | fail
    notes: tuple[str, ...]
    ref: int | None = None  # evidence number in the HTML summary
    shown: str = ""  # money in 万元 with the amount as written, for the tables ("343.23万元（原文3432300.00元）")
    refs: tuple[str, ...] = ()  # where its checks are stated in full: P3, Q1, K2

    @property
    def see(self) -> str:
        """The reference a figure carries instead of repeating a check's message."""
        return "、".join(self.refs) if self.refs else self.warning

    @property
    def see_section(self) -> str:
        """The same reference without its number, for prose that states no number of its own."""
        names = {"P": "“存在问题”", "Q": "“需核实事项”", "K": "“其他核验结果”"}
        sections = dict.fromkeys(names[ref[0]] for ref in self.refs if ref[:1] in names)
        return "、".join(sections) or "“其他核验结果”"

    @property
    def warning(self) -> str:
        return "；".join(dict.fromkeys(self.notes))


@dataclass
class IndicatorView:
    title: str  # 一级·二级·名称, without repeats
    level: str
    name: str
    target: str
    actual: str
    weight: str
    score: str
    evidence: str
    score_row: bool
    lost: bool = False  # scored below its weight (points lost), to colour; no number computed


@dataclass
class TextView:
    text: str
    evidence: str
    span: Span


@dataclass
class CheckView:
    rule: str
    status: str
    severity: str
    message: str
    spans: list[Span]
    ref: int | None = None
    label: str = ""  # K1, K2… for checks no problem or question states


@dataclass
class GroupView:
    title: str
    figures: list[FigureView]


@dataclass
class ItemView:
    """One line item (a project, a spending subject) with its amounts."""

    item: str
    parts: list[tuple[str, FigureView]]


_SOURCE_NAMES = {"figure": "数据", "problem": "问题原文", "indicator": "绩效指标", "meta": "基本信息"}


@dataclass
class EvidenceRef:
    ref: int
    quote: str
    span: Span | None
    source: str

    @property
    def kind(self) -> str:
        """What the quote supports, in words (数据, 问题原文…), instead of a character offset."""
        return _SOURCE_NAMES.get(self.source.split(":", 1)[0], "原文")


@dataclass
class ProblemView:
    id: str
    origin: str  # stated | data
    origin_label: str
    category: str
    text: str
    evidence: list[EvidenceItem]
    refs: list[int]
    measures: list[Any]


@dataclass
class QuestionView:
    id: str
    text: str
    evidence: list[EvidenceItem]
    refs: list[int]


@dataclass
class MetaView:
    title: str
    unit_name: str
    region: str
    year: str
    kind: str
    project_name: str
    report_date: str
    staff_authorized: str
    staff_actual: str
    score: str
    grade: str
    source_name: str
    source_path: str


@dataclass
class _Evidence:
    """Numbered evidence quotes for the HTML page (figures first, then problems)."""

    items: list[EvidenceRef] = field(default_factory=list)

    def add(self, quote: str, span: Span | None, source: str) -> int:
        for existing in self.items:
            if existing.quote == quote and existing.span == span:
                return existing.ref
        ref = len(self.items) + 1
        self.items.append(EvidenceRef(ref, quote, span, source))
        return ref


def _figure_views(report: Report, statuses: list[FigureStatus]) -> list[FigureView]:
    views = []
    for index, (figure, status) in enumerate(zip(report.figures, statuses)):
        views.append(
            FigureView(
                index=index,
                key=figure.key,
                name=figure_name(figure),
                label=one_line(figure.label),
                text=figure_text(figure),
                shown=_in_wan(figure),
                evidence=one_line(figure.evidence),
                span=figure.span,
                item=figure.item,
                period=figure.period.value,
                table=figure.table,
                grounded=status.grounded,
                status=status.status,
                notes=status.notes,
            )
        )
    return views


def _in_wan(figure: Figure) -> str:
    """A money figure in 万元, the unit reviewers compare in, followed by the amount as the report
    wrote it when that was another unit; amounts under 0.01 万元 stay as written."""
    text = figure_text(figure)
    if figure.unit == "万元" or figure.value_wan is None or abs(figure.value_wan) < Decimal("0.01"):
        return text
    wan = figure.value_wan.quantize(Decimal("0.01")).normalize()
    return f"{number_text(wan)}万元（原文{text}）"


def _identity(view: FigureView, figure: Figure) -> tuple:
    amount = figure.value_wan if figure.value_wan is not None else (figure.value, figure.unit)
    return (view.key, view.item or "", amount)


def _dedupe(views: list[FigureView], report: Report) -> list[FigureView]:
    """One view per (key, period, item, amount): a table cell and the sentence that repeats it
    are one fact. A copy without a period yields to one with; a flagged copy wins so its warning
    is seen."""
    kept: dict[tuple, FigureView] = {}
    with_period = {_identity(v, report.figures[v.index]) for v in views if v.period != "unspecified"}
    for view in views:
        identity = _identity(view, report.figures[view.index])
        if view.period == "unspecified" and identity in with_period:
            continue
        marker = (*identity, view.period)
        current = kept.get(marker)
        if current is None or (current.status == "ok" and view.status != "ok"):
            kept[marker] = view
    return sorted(kept.values(), key=lambda v: v.index)


def _ordered(views: list[FigureView], keys: tuple[str, ...]) -> list[FigureView]:
    rank = {key: n for n, key in enumerate(keys)}
    chosen = [v for v in views if v.key in rank]
    return sorted(chosen, key=lambda v: (bool(v.item) and v.key not in ("project_line", "spending_line"), rank[v.key], v.index))


_NAME_LIKE = re.compile(r"[\u4e00-\u9fff（）]{2,10}")
_ROW_HEAD = re.compile(r"^\s*([^｜|:：]{1,24}?)\s*[｜|]")


def _distinguish(views: list[FigureView]) -> None:
    """Figures that would show the same name (two 预算数 from two rows of a table) say which
    one they are: by the table row their evidence names, else by the label as written."""
    counts: dict[str, int] = {}
    for view in views:
        counts[view.name] = counts.get(view.name, 0) + 1
    for view in views:
        if counts[view.name] < 2:
            continue
        head = _ROW_HEAD.match(view.evidence)
        if head and head.group(1).strip() not in view.name:
            view.name = f"{view.name}·{head.group(1).strip()}"
        elif _NAME_LIKE.fullmatch(view.label) and view.label not in view.name:
            view.name = f"{view.name}（{view.label}）"


def _indicator_view(indicator: Indicator) -> IndicatorView:
    level = "·".join(p for p in (indicator.level1, indicator.level2) if p)
    title = "·".join(dict.fromkeys(one_line(p) for p in (indicator.level1, indicator.level2, indicator.name) if p))
    return IndicatorView(
        title=title,
        level=one_line(level),
        name=one_line(indicator.name),
        target=one_line(indicator.target),
        actual=one_line(indicator.actual),
        weight=number_text(indicator.weight) if indicator.weight is not None else "",
        score=number_text(indicator.score) if indicator.score is not None else "",
        evidence=one_line(indicator.evidence),
        score_row=is_score_row(indicator),
        lost=indicator.weight is not None and indicator.score is not None and indicator.score < indicator.weight,
    )


def _meta_view(report: Report) -> MetaView:
    meta = report.meta
    hidden = ungrounded_meta(report)  # a number whose grounding failed is not stated
    kind = "" if meta.kind is ReportKind.UNKNOWN else meta.kind.value
    year = str(meta.year) if meta.year else ""
    # Without a unit name the report is named by its file, never by a placeholder.
    unit = one_line(meta.unit_name) or Path(report.source.path).stem
    subject = one_line(meta.project_name) if meta.kind is ReportKind.PROJECT and meta.project_name else ""
    title = unit + (f"{year}年度" if year else "") + (f"“{subject}”" if subject else "") + (kind or "") + "绩效自评"
    grade = meta.grade_label or (meta.grade.value if meta.grade else "")
    return MetaView(
        title=title,
        unit_name=unit,
        region=one_line(meta.region),
        year=year,
        kind=kind,
        project_name=one_line(meta.project_name),
        report_date=cn_date(meta.report_date),
        staff_authorized=str(meta.staff_authorized) if meta.staff_authorized is not None and "staff_authorized" not in hidden else "",
        staff_actual=str(meta.staff_actual) if meta.staff_actual is not None and "staff_actual" not in hidden else "",
        score=number_text(meta.self_score) if meta.self_score is not None and "self_score" not in hidden else "",
        grade=one_line(grade),
        source_name=Path(report.source.path).name,
        source_path=report.source.path,
    )


def _text_views(report: Report, items: list[TextItem]) -> list[TextView]:
    """Stated items as the report words them, less those that cannot be quoted as its words."""
    unquotable = ungrounded_items(report, items)
    return [
        TextView(clip(item_text(item.text), TEXT_LIMIT), one_line(item.evidence), item.span)
        for index, item in enumerate(items)
        if index not in unquotable
    ]


_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}


def _check_views(checks: list[Check], status: CheckStatus) -> list[CheckView]:
    chosen = sorted((c for c in checks if c.status is status), key=lambda c: _SEVERITY_ORDER[c.severity])
    return [
        CheckView(c.rule, c.status.value, c.severity.value, clip(c.message, TEXT_LIMIT), [i.span for i in c.inputs if i.span])
        for c in chosen
    ]


def _check_labels(report: Report, drafted: Draft) -> tuple[dict[int, str], list[CheckView]]:
    """Each open check is stated once: by the problem or question that rests on it (P3, Q1), or
    in the list of other check results (K1…, most severe first, one entry per message). Every
    other place refers to it by that label."""
    cited = drafted.cited_checks()
    labels: dict[int, str] = {}
    by_message: dict[str, str] = {}
    others: list[CheckView] = []
    open_checks = [(i, c) for i, c in enumerate(report.checks) if c.status is not CheckStatus.PASS]
    open_checks.sort(key=lambda entry: (entry[1].status is not CheckStatus.FAIL, _SEVERITY_ORDER[entry[1].severity]))
    for index, check in open_checks:
        if index in cited:
            labels[index] = cited[index]
            by_message.setdefault(one_line(check.message), cited[index])
    for index, check in open_checks:
        if index in labels:
            continue
        message = one_line(check.message)
        if message not in by_message:
            label = f"K{len(others) + 1}"
            by_message[message] = label
            others.append(
                CheckView(check.rule, check.status.value, check.severity.value, clip(check.message, TEXT_LIMIT),
                          [i.span for i in check.inputs if i.span], label=label)
            )
        labels[index] = by_message[message]
    return labels, others


class _Bounds:
    """Cuts each list a template shows to LIST_LIMIT entries and remembers what it left out."""

    def __init__(self) -> None:
        self.left_out: list[tuple[str, int]] = []

    def __call__(self, section: str, items: list) -> list:
        items = list(items)
        if len(items) > LIST_LIMIT:
            self.left_out.append((section, len(items) - LIST_LIMIT))
        return items[:LIST_LIMIT]


def build_context(
    report: Report, settings: Settings | None = None, drafted: Draft | None = None,
    statuses: list[FigureStatus] | None = None,
) -> dict[str, Any]:
    """Everything the templates see. Plain views; no template needs to reach into the Report.
    `drafted` and `statuses` (assess_figures(report)), when the caller has them, are not computed again."""
    statuses = statuses if statuses is not None else assess_figures(report)
    figures = _figure_views(report, statuses)
    drafted = drafted or draft(report, settings)
    check_labels, other_checks = _check_labels(report, drafted)
    position = {id(check): index for index, check in enumerate(report.checks)}
    for view, status in zip(figures, statuses):
        cited = (check_labels.get(position.get(id(c), -1)) for c in (*status.grounding, *status.concerns))
        view.refs = tuple(dict.fromkeys(label for label in cited if label))

    stated_facts = _dedupe([v for v in figures if v.grounded], report)
    top_facts = [
        v
        for v in stated_facts
        if not v.item and (v.key != "growth_rate" or _FINANCE_WORDS.search(v.label))
    ]
    bound = _Bounds()
    groups = [GroupView(title, bound(title, _ordered(top_facts, keys))) for title, keys in NARRATIVE_GROUPS]
    groups = [g for g in groups if g.figures]
    items: dict[str, ItemView] = {}
    for view in stated_facts:
        if view.item and view.key in ITEM_PART_NAMES:
            line = items.setdefault(view.item, ItemView(one_line(view.item), []))
            line.parts.append((ITEM_PART_NAMES[view.key], view))
    performance = bound("绩效目标完成情况", _ordered(stated_facts, PERFORMANCE_KEYS))
    omitted = bound("未采用的数字", [v for v in figures if not v.grounded])

    top_level = _dedupe([v for v in figures if not v.item and v.period != "prior_year"], report)
    key_figures = bound("关键数据", _ordered(top_level, KEY_ORDER))
    _distinguish(key_figures)

    # The page shows the flagged figures first among its few rows, in the reviewer's order.
    rank = {id(view): n for n, view in enumerate(key_figures)}
    chosen = sorted(key_figures, key=lambda v: (v.status == "ok", rank[id(v)]))[:PAGE_FIGURES]
    page_figures = sorted(chosen, key=lambda v: rank[id(v)])
    evidence = _Evidence()
    for view in page_figures:
        view.ref = evidence.add(view.evidence, view.span, f"figure:{view.key}")

    problems = []
    for number, problem in enumerate(bound("存在问题（起草）", drafted.problems)):
        # Only what the one-page HTML shows gets an evidence number there: one quote per entry.
        quotes = [e for e in problem.evidence if e.is_quote][:1] if number < PAGE_PROBLEMS else []
        refs = [evidence.add(e.quote, e.span, e.source) for e in quotes]
        problems.append(
            ProblemView(
                id=problem.id,
                origin=problem.origin.value,
                origin_label="报告所述" if problem.origin.value == "stated" else "数据显示",
                category=problem.category,
                text=clip(item_text(problem.text), TEXT_LIMIT),
                evidence=list(problem.evidence),
                refs=refs,
                measures=drafted.measures_for(problem.id),
            )
        )

    questions = [
        QuestionView(
            id=question.id,
            text=clip(item_text(question.text), TEXT_LIMIT),
            evidence=[e for e in question.evidence if e.is_quote],
            refs=[evidence.add(e.quote, e.span, e.source) for e in question.evidence if e.is_quote][:1]
            if number < PAGE_QUESTIONS
            else [],
        )
        for number, question in enumerate(drafted.questions)
    ]

    indicators = [_indicator_view(i) for i in report.indicators]
    failed_all = _check_views(report.checks, CheckStatus.FAIL)
    warned_all = _check_views(report.checks, CheckStatus.WARN)
    failed = bound("未通过的核验", failed_all)
    warned = bound("核验提示", warned_all)
    item_lines = bound("项目及支出明细", items.values())
    stated_rows = bound("绩效指标", [i for i in indicators if not i.score_row])
    score_rows = bound("分项得分", [i for i in indicators if i.score_row])
    achievements = bound("主要成效", _text_views(report, report.achievements))
    stated_problems = bound("报告所述问题", _text_views(report, report.problems))
    stated_measures = bound("报告所提措施", _text_views(report, report.measures))
    return {
        "meta": _meta_view(report),
        "source": report.source,
        "figures": figures,
        "finance_groups": groups,
        "item_lines": item_lines,
        "performance_figures": performance,
        "omitted_figures": omitted,
        "key_figures": key_figures,
        "page_figures": page_figures,
        "indicators": stated_rows,
        "score_rows": score_rows,
        "achievements": achievements,
        "stated_problems": stated_problems,
        "stated_measures": stated_measures,
        "omitted_items": any(
            ungrounded_items(report, items) for items in (report.achievements, report.problems, report.measures)
        ),
        "draft": drafted,
        "problems": problems,
        "stated_drafted": [p for p in problems if p.origin == "stated"],
        "found_drafted": [p for p in problems if p.origin == "data"],
        "questions": questions,
        "other_checks": bound("其他核验结果", other_checks),
        "failed_checks": failed,
        "warned_checks": warned,
        "notable_warnings": [c for c in warned if c.severity in ("high", "medium")],
        "checks_run": bool(report.checks),
        "check_counts": {
            "pass": sum(c.status is CheckStatus.PASS for c in report.checks),
            "warn": len(warned_all),
            "fail": len(failed_all),
        },
        "evidence_page": "",  # set by render_formats when an evidence view is written
        "left_out": bound.left_out,  # (section, entries not shown): the JSON output has them all
        "evidence": evidence.items,
        "warnings": [one_line(w) for w in report.warnings],
        # The LLM failed and the rules result stands in: every summary says so (issue 11).
        "fallback": next((one_line(w) for w in report.warnings if w.startswith(FALLBACK_NOTES)), ""),
        "limits": {
            "figures": PAGE_FIGURES,
            "checks": PAGE_CHECKS,
            "problems": PAGE_PROBLEMS,
            "questions": PAGE_QUESTIONS,
            "measure": PAGE_MEASURE,
            "scores": PAGE_SCORES,
            "indicators": PAGE_INDICATORS,
            "text": PAGE_TEXT,
            "check": PAGE_CHECK_TEXT,
            "quote": PAGE_QUOTE,
        },
    }
