"""The HTML summary a reviewer reads (issue 14): type no smaller than 10.5 pt, evidence shown as a
quote (never a character offset), questions apart from problems, flagged figures on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.pipeline import extract_report
from summarizer.render import render_summary_html

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def pages():
    return {path.stem: render_summary_html(extract_report(path, Settings()), Settings()) for path in SAMPLES}


def test_no_type_is_set_below_ten_and_a_half_points(pages):
    for html in pages.values():
        style = html.split("<style>", 1)[1].split("</style>", 1)[0]
        sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)pt", style)]
        assert sizes and min(sizes) >= 10.5
        assert not re.search(r"font-size:\s*[\d.]+(?:px|em|rem|%)", style)


def test_evidence_is_a_quote_not_an_offset(pages):
    for html in pages.values():
        assert not re.search(r"@\d+", html)
        items = re.findall(r'<li id="e\d+" value="\d+">(.*?)</li>', html, flags=re.S)
        assert items and all(item.startswith("“") for item in items)


def test_questions_are_apart_from_problems(pages):
    html = pages["xiangyin_2022_administrative_approval_bureau_department"]
    assert "需核实事项" in html and 'id="Q1"' in html
    problems = html.split("<h2>存在问题（起草）</h2>", 1)[1].split("<h2>", 1)[0]
    assert "请核实" not in problems  # a question is never drafted as a problem


def test_figures_that_would_share_a_name_say_which_row_they_are():
    from decimal import Decimal

    from summarizer.render import build_context
    from summarizer.schemas import Figure, FigureKind, Period, Report, Source, Span

    def budget(value: str, row: str, start: int) -> Figure:
        evidence = f"{row} ｜ 年初预算数: {value}"
        return Figure(key="budget", label="年初预算数", value=Decimal(value), unit="万元", kind=FigureKind.MONEY,
                      value_wan=Decimal(value), period=Period.BUDGET, span=Span(start=start, end=start + 5), evidence=evidence)

    source = Source(path="t.txt", sha256="0" * 64, length=100, encoding="utf-8", format="txt")
    report = Report(figures=[budget("238.93", "总额", 0), budget("12.5", "财政专户管理资金", 40)], source=source)
    names = [view.name for view in build_context(report)["key_figures"]]
    assert names == ["预算数·总额", "预算数·财政专户管理资金"]


def test_money_in_another_unit_is_shown_in_wan_with_the_amount_as_written():
    from decimal import Decimal

    from summarizer.render import render_summary_markdown
    from summarizer.schemas import Figure, FigureKind, Period, Report, Source, Span

    figure = Figure(key="budget", label="年初预算", value=Decimal("3432300.00"), unit="元", kind=FigureKind.MONEY,
                    value_wan=Decimal("343.23"), period=Period.BUDGET, span=Span(start=0, end=10), evidence="年初预算为3432300.00元")
    source = Source(path="t.txt", sha256="0" * 64, length=100, encoding="utf-8", format="txt")
    summary = render_summary_markdown(Report(figures=[figure], source=source))
    assert "343.23万元（原文3432300.00元）" in summary
