"""The triage overview (issue 14): rows by need of attention, a sortable and filterable index with
no external assets, and a workbook a reviewer can filter, print and follow links from."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.overview import COLUMNS, overview_row, overview_xlsx, write_overview
from summarizer.pipeline import extract_report
from summarizer.schemas import Meta, Report, Source

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))
HEADERS = [header for _, header in COLUMNS]


@dataclass
class Outcome:
    path: Path
    report: Report | None = None
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)


@dataclass
class Batch:
    outcomes: list[Outcome]


@pytest.fixture(scope="module")
def reports():
    return [extract_report(path, Settings()) for path in SAMPLES]


def test_the_index_sorts_and_filters_without_external_assets_and_orders_by_attention(tmp_path, reports):
    batch = Batch([Outcome(Path(p.name), r, outputs=[tmp_path / f"{p.stem}.html", tmp_path / f"{p.stem}.docx"]) for p, r in zip(SAMPLES, reports)])
    write_overview(batch, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)="(?:https?:)?//', index) and "<link" not in index
    assert 'id="filter"' in index and "addEventListener" in index and 'aria-sort="descending"' in index
    attention = [int(a) for a in re.findall(r'<tr data-attention="(\d+)"', index)]
    assert len(attention) == len(SAMPLES) and attention == sorted(attention, reverse=True)
    assert '.docx">DOCX</a>' in index


def test_the_unit_is_always_shown():
    source = Source(path="noname_report.txt", sha256="0" * 64, length=1, encoding="utf-8", format="txt")
    row = overview_row(Report(meta=Meta(), source=source), "noname_report.txt")
    assert row.unit == "noname_report"


def test_the_workbook_filters_freezes_formats_colours_links_and_lists_every_open_check(reports):
    from openpyxl import load_workbook

    rows = [overview_row(r, p.name, f"./{p.stem}.html") for p, r in zip(SAMPLES, reports)]
    book = load_workbook(io.BytesIO(overview_xlsx(rows)))
    sheet = book["总览"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    column = HEADERS.index("预算（万元）") + 1
    assert sheet.cell(row=2, column=column).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=HEADERS.index("执行率（%）") + 1).number_format == '0.00"%"'
    assert len(sheet.conditional_formatting) >= 3
    assert sheet.cell(row=2, column=1).hyperlink.target.startswith("./")
    checks = book["核验"]
    expected = sum(len(row.checks) for row in rows)
    assert expected and checks.max_row == expected + 1
    assert [c.value for c in checks[1]][:3] == ["文件", "单位", "结果"]
    assert {c.value for c in checks["C"][1:]} <= {"未通过", "提示"}
