"""The HTML summary prints on one A4 page in headless Chromium (skipped where there is none).

The summary has no clipping (no overflow: hidden), so one page means everything fits. A
worst-case report (many figures, failed checks, long problems) checks the page limits hold.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.pipeline import extract_report
from summarizer.render import render_summary_html
from summarizer.schemas import (
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Meta,
    Report,
    ReportKind,
    Severity,
    Source,
    Span,
    TextItem,
)

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium binary"),
]


def print_to_pdf(html: str, folder: Path) -> Path:
    page = folder / "summary.html"
    page.write_text(html, encoding="utf-8")
    pdf = folder / "summary.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_summary_prints_on_one_page(path, tmp_path):
    report = extract_report(path, Settings())
    pdf = print_to_pdf(render_summary_html(report, Settings()), tmp_path)
    assert pages(pdf) == 1


def worst_case() -> Report:
    long = "预算执行中存在多方面的问题，资金支付进度滞后，项目管理制度执行不到位，绩效目标设置不够细化，" * 4
    figures = []
    for n, key in enumerate(
        [
            "income_total", "budget", "funds_received", "expenditure_total", "actual_spending",
            "basic_expenditure", "personnel_expenditure", "public_expenditure", "project_expenditure",
            "three_public_total", "execution_rate", "received_rate", "balance", "carried_forward",
            "returned_to_treasury", "fixed_assets",
        ]
    ):
        unit = "%" if key.endswith("rate") else "万元"
        figures.append(
            Figure(
                key=key,
                label=key,
                value=Decimal("12345.67") + n,
                unit=unit,
                kind=FigureKind.RATE if unit == "%" else FigureKind.MONEY,
                value_wan=None if unit == "%" else Decimal("12345.67") + n,
                span=Span(start=100 * n, end=100 * n + 9),
                evidence=long[:120],
            )
        )
    checks = [
        Check(
            rule=f"identity.part{n}",
            status=CheckStatus.FAIL,
            severity=Severity.HIGH,
            message=long[:150],
            inputs=[CheckInput(label="x", value=figures[n].value, unit=figures[n].unit, span=figures[n].span)],
        )
        for n in range(10)
    ]
    problems = [TextItem(text=f"{n}、{long}", span=Span(start=5000 + 300 * n, end=5200 + 300 * n), evidence=long) for n in range(12)]
    return Report(
        meta=Meta(
            unit_name="某某自治州某某县人民政府政务服务和大数据管理局（县行政审批服务局）",
            year=2022,
            kind=ReportKind.PROJECT,
            project_name="政务服务中心大厅运行维护及一网通办平台建设专项资金",
            region="某某县",
            self_score=Decimal("99.5"),
            grade_label="优秀",
            staff_authorized=120,
            staff_actual=130,
        ),
        figures=figures,
        problems=problems,
        checks=checks,
        source=Source(path="a-rather-long-file-name-for-a-report-2022.txt", sha256="0" * 64, length=1, encoding="utf-8", format="txt"),
    )


def test_a_worst_case_summary_still_prints_on_one_page(tmp_path):
    html = render_summary_html(worst_case(), Settings())
    assert "另有" in html  # the page limits were needed and say what was left to the md/docx
    assert pages(print_to_pdf(html, tmp_path)) == 1


def test_a_worst_case_with_indicators_and_a_score_card_still_prints_on_one_page(tmp_path):
    from summarizer.schemas import Indicator

    long = "预算执行中存在多方面的问题，资金支付进度滞后，绩效目标设置不够细化" * 2
    indicators = [
        Indicator(level1="产出指标", level2="数量指标", name=f"{long[:20]}{n}", target=long[:30], actual=long[:30],
                  span=Span(start=9000 + 50 * n, end=9010 + 50 * n), evidence=long[:40])
        for n in range(12)
    ] + [
        Indicator(name=f"得分项{n}", target="10", weight=Decimal(10), score=Decimal(8),
                  span=Span(start=12000 + 50 * n, end=12010 + 50 * n), evidence="得分项 10 8")
        for n in range(10)
    ]
    report = worst_case().model_copy(update={"indicators": indicators})
    html = render_summary_html(report, Settings())
    assert "绩效指标" in html and "自评得分" in html
    assert pages(print_to_pdf(html, tmp_path)) == 1
