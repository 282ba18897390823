"""Batch overview: after a run, one row per report in index.html, overview.csv and overview.xlsx.

Columns: file, unit, year, kind, budget, spending (both in 万元), execution rate, score, grade,
number of problems (drafted: stated + found in the data), failed checks. The execution rate is
the one the report states; only when it states none and gives both amounts is it computed, and
the `rate source` column then says so. Files that failed are listed on the index page only.

Every cell is inert: text that a spreadsheet would read as a formula is written as text, XML-illegal
characters are dropped, and links to the summaries are relative and URL-encoded (a file name is
never a URL scheme). A report whose outputs failed to be written is listed as failed, not a row.

Reads finished Reports (or a batch result holding them); never re-extracts, never changes them.
Files are written whole or not at all (outputs.write_atomic). openpyxl is imported lazily.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .config import Settings
from .draft import assess_figures, draft, number_text
from .errors import OutputError
from .outputs import displayable, write_atomic
from .render import xml_text
from .schemas import CheckStatus, Figure, FigureKind, Period, Report, ReportKind

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
)


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

    def values(self) -> list[Any]:
        return [getattr(self, name) for name, _ in COLUMNS]


@dataclass(frozen=True)
class FailedFile:
    file: str
    error: str


def _top_level(report: Report) -> list[Figure]:
    statuses = assess_figures(report)
    return [f for f, s in zip(report.figures, statuses) if s.grounded and not f.item]


def _first(figures: list[Figure], key: str, periods: tuple[Period, ...] | None = None) -> Figure | None:
    for figure in figures:
        if figure.key == key and figure.kind is FigureKind.MONEY and (periods is None or figure.period in periods):
            return figure
    return None


def headline(report: Report) -> tuple[Figure | None, Figure | None, Figure | None]:
    """(budget, spending, stated execution rate) from the report's grounded top-level figures."""
    figures = _top_level(report)
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


def overview_row(report: Report, file: str, summary_href: str | None = None, settings: Settings | None = None) -> OverviewRow:
    budget, spending, rate = headline(report)
    budget_wan = budget.value_wan if budget is not None else None
    spending_wan = spending.value_wan if spending is not None else None
    execution, source = (rate.value, "报告所述") if rate is not None else (None, "")
    if execution is None and budget_wan and spending_wan is not None:
        execution = (spending_wan * 100 / budget_wan).quantize(Decimal("0.01"), ROUND_HALF_UP)
        source = "计算"
    drafted = draft(report, settings)
    meta = report.meta
    return OverviewRow(
        file=file,
        unit=meta.unit_name or "",
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
    )


class OverviewCollector:
    """Gathers overview rows one outcome at a time, so a batch need not keep its Reports."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.rows: list[OverviewRow] = []
        self.failed: list[FailedFile] = []

    def add(self, outcome: Any) -> None:
        """Take a batch outcome (path, report, error, outputs) while it still holds its report."""
        name = displayable(Path(outcome.path).name)
        if outcome.report is None or outcome.error:  # a report whose outputs failed is a failure
            self.failed.append(FailedFile(name, displayable(outcome.error or "failed")))
            return
        html = next((Path(p).name for p in (outcome.outputs or []) if Path(p).suffix == ".html"), None)
        self.rows.append(overview_row(outcome.report, name, href_for(html) if html else None, self.settings))

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


def overview_xlsx(rows: list[OverviewRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "overview"
    sheet.append([header for _, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([xml_text(value) if isinstance(value, str) else value for value in row.values()])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                # A string cell with Excel's quote prefix: shown as written, never evaluated,
                # not even when edited (openpyxl alone would store a leading "=" as a formula).
                cell.data_type = "s"
                cell.quotePrefix = True
    for column, (name, _) in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = 34 if name in ("file", "unit") else 12
        if name in ("budget_wan", "spending_wan", "execution_rate", "score"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def overview_html(rows: list[OverviewRow], failed: list[FailedFile], settings: Settings | None = None) -> str:
    from .render import render_template

    return render_template(
        "index.html.j2",
        settings,
        rows=rows,
        failed=failed,
        columns=COLUMNS,
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


__all__ = ["COLUMNS", "OverviewCollector", "OverviewRow", "headline", "overview_csv", "overview_row", "overview_xlsx", "write_overview"]
