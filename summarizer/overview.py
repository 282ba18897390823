"""Batch overview: after a run, one row per report in index.html, overview.csv and overview.xlsx.

Columns: file, unit, year, kind, budget, spending (both in 万元), execution rate, score, grade,
number of problems (drafted: stated + found in the data), failed checks. The execution rate is
the one the report states; only when it states none and gives both amounts is it computed, and
the `rate source` column then says so. Files that failed are listed on the index page only.

Every cell is inert: text that a spreadsheet would read as a formula is written as text, XML-illegal
characters are dropped, and links to the summaries are relative and URL-encoded (a file name is
never a URL scheme). A report whose outputs failed to be written is listed as failed, not a row.

Reads finished Reports (or a batch result holding them); never re-extracts, never changes them.
Files are written whole or not at all (outputs.write_atomic). The workbook is written by
spreadsheet.py (openpyxl cost a third of a 300-report batch's time).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .backends.base import FALLBACK_NOTES
from .config import Settings
from .draft import LOW_EXECUTION_RATE, Draft, FigureStatus, assess_figures, draft, is_grounding_rule, number_text
from .errors import OutputError, SummarizerError
from .outputs import displayable, write_atomic
from .formatting import xml_text
from .schemas import CheckStatus, Figure, FigureKind, Period, Report, ReportKind
from .spreadsheet import PLAIN, Cell, ColorScale, Highlight, Style, TableSheet, column_letter, workbook_bytes

INDEX_NAME = "index.html"
CSV_NAME = "overview.csv"
XLSX_NAME = "overview.xlsx"

# (attribute, Chinese header). The order is the column order of every table.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("file", "文件"),
    ("unit", "单位"),
    ("year", "年度"),
    ("kind", "类型"),
    ("budget_wan", "预算（万元）"),
    ("spending_wan", "支出（万元）"),
    ("execution_rate", "执行率（%）"),
    ("rate_source", "执行率来源"),
    ("score", "自评得分"),
    ("grade", "等次"),
    ("problems", "问题数"),
    ("failed_checks", "未通过核验"),
    ("warned_checks", "核验提示"),
    ("questions", "需核实事项"),
    ("attention", "关注度"),
    ("reasons", "关注原因"),
)
# Columns a reviewer sorts and colours by need of attention.
ATTENTION_COLUMNS = ("failed_checks", "problems", "questions", "attention")
CHECK_COLUMNS: tuple[str, ...] = ("文件", "单位", "结果", "严重程度", "规则", "说明", "涉及数字")
LOW_EXECUTION = LOW_EXECUTION_RATE


@dataclass(frozen=True)
class OverviewRow:
    file: str
    unit: str
    year: int | None
    kind: str
    budget_wan: Decimal | None
    spending_wan: Decimal | None
    execution_rate: Decimal | None
    rate_source: str  # 报告所述 | 计算 | ""
    score: Decimal | None
    grade: str
    problems: int
    failed_checks: int
    warned_checks: int
    summary_href: str | None = None  # the report's HTML summary: a relative, URL-encoded link
    questions: int = 0
    attention: int = 0  # how much a reviewer should look at it first (higher first)
    reasons: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (format, relative URL-encoded link) of each output
    checks: tuple[tuple[str, ...], ...] = ()  # failed/warned checks: status, severity, rule, message, numbers

    def values(self) -> list[Any]:
        return [getattr(self, name) for name, _ in COLUMNS]


@dataclass(frozen=True)
class FailedFile:
    file: str
    error: str


def _top_level(report: Report, statuses: Sequence[FigureStatus] | None = None) -> list[Figure]:
    statuses = statuses if statuses is not None else assess_figures(report)
    return [f for f, s in zip(report.figures, statuses) if s.grounded and not f.item]


def _first(figures: list[Figure], key: str, periods: tuple[Period, ...] | None = None) -> Figure | None:
    for figure in figures:
        if figure.key == key and figure.kind is FigureKind.MONEY and (periods is None or figure.period in periods):
            return figure
    return None


def headline(report: Report, statuses: Sequence[FigureStatus] | None = None) -> tuple[Figure | None, Figure | None, Figure | None]:
    """(budget, spending, stated execution rate) from the report's grounded top-level figures
    (`statuses`: assess_figures(report), when the caller has it)."""
    figures = _top_level(report, statuses)
    not_actual = (Period.BUDGET, Period.ADJUSTED, Period.UNSPECIFIED)
    budget = (
        _first(figures, "budget")
        or _first(figures, "income_total", not_actual)
        or _first(figures, "expenditure_total", (Period.BUDGET, Period.ADJUSTED))
    )
    spending = _first(figures, "actual_spending") or _first(
        figures, "expenditure_total", (Period.ACTUAL, Period.UNSPECIFIED)
    )
    rates = [f for f in figures if f.key == "execution_rate" and f.unit == "%"]
    return budget, spending, (rates[0] if rates else None)


_STATUS_WORDS = {CheckStatus.FAIL: "未通过", CheckStatus.WARN: "提示"}


def attention_of(report: Report, drafted: Draft, execution: Decimal | None) -> tuple[int, str]:
    """A report's need of attention and why: proven problems and failed checks first, then a
    score the figures do not support, missing sections, low execution, open questions."""
    failed = sum(c.status is CheckStatus.FAIL for c in report.checks)
    # A number the tool could not trace is the tool's doubt more than the report's: it counts less.
    untraced = sum(c.status is CheckStatus.FAIL and is_grounding_rule(c.rule) for c in report.checks)
    kinds = {q.kind for q in drafted.questions}
    parts: list[tuple[int, str]] = []
    if drafted.found:
        parts.append((10 * len(drafted.found), f"数据显示问题{len(drafted.found)}项"))
    if failed:
        parts.append((4 * (failed - untraced) + untraced, f"核验未通过{failed}项"))
    if "score_unsupported" in kinds or any(p.kind == "score_unsupported" for p in drafted.found):
        parts.append((5, "得分缺乏数据支撑"))
    missing = [name for kind, name in (("no_problems_section", "存在问题"), ("missing_indicators", "绩效指标")) if kind in kinds]
    if missing:
        parts.append((2 * len(missing), "缺少" + "、".join(missing)))
    if execution is not None and execution < LOW_EXECUTION:
        parts.append((3, "执行率偏低"))
    if drafted.questions:
        parts.append((len(drafted.questions), f"需核实{len(drafted.questions)}项"))
    if any(warning.startswith(FALLBACK_NOTES) for warning in report.warnings):
        parts.append((1, "LLM 提取失败，为规则提取结果"))
    return sum(weight for weight, _ in parts), "；".join(reason for _, reason in parts)


def _check_rows(report: Report) -> tuple[tuple[str, ...], ...]:
    rows = []
    for check in report.checks:
        if check.status not in _STATUS_WORDS:
            continue
        numbers = "、".join(f"{item.label}{number_text(item.value)}{item.unit}" for item in check.inputs[:6])
        rows.append((_STATUS_WORDS[check.status], check.severity.value, str(check.rule), check.message, numbers))
    return tuple(rows)


def overview_row(
    report: Report,
    file: str,
    summary_href: str | None = None,
    settings: Settings | None = None,
    links: tuple[tuple[str, str], ...] = (),
    drafted: Draft | None = None,
) -> OverviewRow:
    drafted = drafted or draft(report, settings)
    budget, spending, rate = headline(report, drafted.statuses if len(drafted.statuses) == len(report.figures) else None)
    budget_wan = budget.value_wan if budget is not None else None
    spending_wan = spending.value_wan if spending is not None else None
    execution, source = (rate.value, "报告所述") if rate is not None else (None, "")
    if execution is None and budget_wan and spending_wan is not None:
        execution = (spending_wan * 100 / budget_wan).quantize(Decimal("0.01"), ROUND_HALF_UP)
        source = "计算"
    meta = report.meta
    attention, reasons = attention_of(report, drafted, execution)
    return OverviewRow(
        file=file,
        # The unit is always shown: the file's name stands in when extraction found none.
        unit=meta.unit_name or Path(file).stem,
        year=meta.year,
        kind="" if meta.kind is ReportKind.UNKNOWN else meta.kind.value,
        budget_wan=budget_wan,
        spending_wan=spending_wan,
        execution_rate=execution,
        rate_source=source,
        score=meta.self_score,
        grade=meta.grade_label or (meta.grade.value if meta.grade else ""),
        problems=len(drafted.problems),
        failed_checks=sum(c.status is CheckStatus.FAIL for c in report.checks),
        warned_checks=sum(c.status is CheckStatus.WARN for c in report.checks),
        summary_href=summary_href,
        questions=len(drafted.questions),
        attention=attention,
        reasons=reasons,
        links=links,
        checks=_check_rows(report),
    )


def outcome_row(outcome: Any, settings: Settings | None = None, drafted: Draft | None = None) -> OverviewRow:
    """The row of a batch outcome that holds its report: the file's name, links to its outputs."""
    name = displayable(Path(outcome.path).name)
    outputs = [Path(p).name for p in (outcome.outputs or [])]
    html = next((p for p in outputs if p.endswith(".html") and not p.endswith(".evidence.html")), None)
    links = tuple(("原文对照" if p.endswith(".evidence.html") else Path(p).suffix.lstrip(".").upper(), href_for(p)) for p in outputs)
    return overview_row(outcome.report, name, href_for(html) if html else None, settings, links, drafted)


def by_attention(rows: Iterable[OverviewRow]) -> list[OverviewRow]:
    """Rows a reviewer should open first, first; ties keep the batch order."""
    return sorted(rows, key=lambda row: -row.attention)


class OverviewCollector:
    """Gathers overview rows one outcome at a time, so a batch need not keep its Reports."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.rows: list[OverviewRow] = []
        self.failed: list[FailedFile] = []
        self._prepared = False

    def add(self, outcome: Any) -> None:
        """Take a batch outcome (path, report, error, outputs) while it still holds its report,
        or its row made already (run_batch(overview_rows=True): the worker made it)."""
        if not self._prepared:
            # The first outcome arrives while worker processes are busy with the others: the
            # index page's template is compiled now, not after the last report.
            self._prepared = True
            _prepare_index(self.settings)
        row = getattr(outcome, "row", None)
        if row is not None and not outcome.error:
            self.rows.append(row)
        elif outcome.report is None or outcome.error:  # a report whose outputs failed is a failure
            name = displayable(Path(outcome.path).name)
            self.failed.append(FailedFile(name, displayable(outcome.error or "failed")))
        else:
            self.rows.append(outcome_row(outcome, self.settings))

    def add_report(self, report: Report) -> None:
        self.rows.append(overview_row(report, displayable(Path(report.source.path).name), None, self.settings))

    def write(self, out_dir: Path) -> list[Path]:
        return _write(self.rows, self.failed, Path(out_dir), self.settings)


def _collect(batch: Any, settings: Settings | None) -> OverviewCollector:
    """Accept a batch result (with .outcomes) or an iterable of Reports."""
    collector = OverviewCollector(settings)
    outcomes = getattr(batch, "outcomes", None)
    if outcomes is None:
        for report in batch:
            collector.add_report(report)
    else:
        for outcome in outcomes:
            collector.add(outcome)
    return collector


def href_for(file_name: str) -> str:
    """A link to a file beside the index: relative ("./") and URL-encoded, so a file called
    `javascript:alert(1).html` is a file name, never a scheme, and `#`/`?` stay in the name."""
    return "./" + quote(os.fsencode(file_name), safe="")  # the name's bytes, even if not UTF-8


# A spreadsheet reads a cell starting with one of these as a formula (= + - @; tab and CR are
# how a formula hides behind white space; the full-width forms are read as formulas too).
FORMULA_START = tuple("=+-@\t\r\n＝＋－＠")


def inert_cell(text: str) -> str:
    """Text for a spreadsheet cell: XML-legal, and never taken for a formula (a leading ' is
    the spreadsheet convention for "this is text"; OWASP's CSV injection advice)."""
    text = xml_text(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def overview_csv(rows: list[OverviewRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header for _, header in COLUMNS])
    for row in rows:
        writer.writerow([inert_cell(v) if isinstance(v, str) else _cell_text(v) for v in row.values()])
    # BOM so Excel opens the Chinese headers as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _inert(value: Any, style: Any = None) -> Any:
    """A spreadsheet cell of a row value: XML-legal text, and text a spreadsheet would read as
    a formula kept as text with Excel's quote prefix (shown as written, never evaluated, not
    even when edited)."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_START):
            return Cell(value, replace(style or PLAIN, quote_prefix=True))
    return value if style is None else Cell(value, style)


_NUMBER_FORMATS = {"budget_wan": "#,##0.00", "spending_wan": "#,##0.00", "execution_rate": '0.00"%"', "score": "0.0#"}
_WIDTHS = {"file": 30, "unit": 30, "reasons": 40, "kind": 10, "rate_source": 10}
_CHECK_WIDTHS = (30, 24, 8, 9, 28, 70, 40)


def overview_xlsx(rows: list[OverviewRow]) -> bytes:
    """Two sheets: 总览 (one row per report, by need of attention: autofilter, frozen header,
    万元 and % formats, the attention columns coloured, links to each report's files; A4
    landscape fit to width) and 核验 (every failed or warned check with its numbers)."""
    header = Style(bold=True, fill="EEF3F8", vertical="center", wrap=True)
    link = Style(color="1F4E79", underline=True)
    # One column per kind of output (JSON, MD, HTML, 原文对照, DOCX), each cell a link to that file.
    kinds = list(dict.fromkeys(label for row in rows for label, _ in row.links))
    sheet = TableSheet("总览", widths=[_WIDTHS.get(name, 11) for name, _ in COLUMNS])
    sheet.append([Cell(title, header) for _, title in COLUMNS] + [Cell(label, Style(bold=True)) for label in kinds])
    styles = [Style(number_format=_NUMBER_FORMATS[name]) if name in _NUMBER_FORMATS else None for name, _ in COLUMNS]
    for row in rows:
        cells = [_inert(value, style) for value, style in zip(row.values(), styles)]
        if row.summary_href:  # relative and URL-encoded: a file beside the workbook
            first = cells[0] if isinstance(cells[0], Cell) else Cell(cells[0])
            cells[0] = Cell(first.value, replace(first.style, color=link.color, underline=True), row.summary_href)
        hrefs = dict(row.links)
        cells += [Cell(label, link, hrefs[label]) if hrefs.get(label) else None for label in kinds]
        sheet.append(cells)
    last = len(rows) + 1
    if last >= 2:
        for column, (name, _) in enumerate(COLUMNS, start=1):
            cells = f"{column_letter(column)}2:{column_letter(column)}{last}"
            if name == "execution_rate":
                sheet.formats.append(Highlight(cells, "lessThan", str(LOW_EXECUTION), Style(fill="FFF3C4")))
            elif name == "attention":
                sheet.formats.append(ColorScale(cells, "FFFFFF", "F4B183"))
            elif name in ATTENTION_COLUMNS:
                sheet.formats.append(Highlight(cells, "greaterThan", "0", Style(bold=True, color="C62828", fill="FDECEA")))

    checks = TableSheet("核验", widths=_CHECK_WIDTHS)
    checks.append([Cell(title, header) for title in CHECK_COLUMNS])
    for row in rows:
        for entry in row.checks:
            checks.append([_inert(value) for value in (row.file, row.unit, *entry)])
    return workbook_bytes([sheet, checks])


def _prepare_index(settings: Settings | None) -> None:
    """Load and compile the index page's template ahead of its use. What fails here (a broken
    user template, a missing --templates folder) is left for overview_html to report."""
    from jinja2 import TemplateError

    from .render import INDEX_TEMPLATE, environment

    try:
        environment(settings).get_template(INDEX_TEMPLATE)
    except (SummarizerError, TemplateError, OSError):
        pass


def overview_html(rows: list[OverviewRow], failed: list[FailedFile], settings: Settings | None = None) -> str:
    from .render import INDEX_TEMPLATE, render_template

    return render_template(
        INDEX_TEMPLATE,
        settings,
        rows=by_attention(rows),
        failed=failed,
        columns=COLUMNS,
        numeric=("year", "budget_wan", "spending_wan", "execution_rate", "score", "problems", "failed_checks",
                 "warned_checks", "questions", "attention"),
        fmt=_cell_text,
    )


def write_overview(batch: Any | Iterable[Report], out_dir: Path, settings: Settings | None = None) -> list[Path]:
    """Write index.html, overview.csv and overview.xlsx into out_dir; return their paths.

    If a report's own output is already called index.html, the index is written as
    overview.html instead so no report output is overwritten.
    """
    return _collect(batch, settings).write(Path(out_dir))


def _write(rows: list[OverviewRow], failed: list[FailedFile], out_dir: Path, settings: Settings | None) -> list[Path]:
    taken = {row.summary_href for row in rows}
    index_name = "overview.html" if href_for(INDEX_NAME) in taken else INDEX_NAME
    rows = by_attention(rows)
    rendered = {
        index_name: overview_html(rows, failed, settings).encode("utf-8"),
        CSV_NAME: overview_csv(rows),
        XLSX_NAME: overview_xlsx(rows),
    }
    written = []
    try:
        for name, data in rendered.items():
            target = out_dir / name
            write_atomic(target, data)
            written.append(target)
    except OSError as exc:
        raise OutputError(f"cannot write the batch overview ({exc.strerror or exc})", path=out_dir) from None
    return written


__all__ = ["COLUMNS", "OverviewCollector", "OverviewRow", "headline", "outcome_row", "overview_csv", "overview_row", "overview_xlsx", "write_overview"]
