"""Batch overview: index.html, overview.csv and overview.xlsx, one row per report."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings
from summarizer.overview import COLUMNS, overview_row, write_overview
from summarizer.pipeline import extract_report
from summarizer.schemas import Meta, Report, Source

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.txt"))
HEADERS = [header for _, header in COLUMNS]


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    settings = Settings()
    return {path.stem.split("_")[0]: extract_report(path, settings) for path in SAMPLES}


@dataclass
class FakeOutcome:
    path: Path
    report: Report | None = None
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)


@dataclass
class FakeBatch:
    outcomes: list[FakeOutcome]


def test_rows_take_the_stated_rate_and_compute_one_only_when_none_is_stated(reports):
    yuhua = overview_row(reports["yuhua"], "yuhua.txt")
    assert (yuhua.budget_wan, yuhua.spending_wan) == (Decimal(127), Decimal("94.44"))
    assert (yuhua.execution_rate, yuhua.rate_source) == (Decimal("74.36"), "报告所述")
    assert (yuhua.score, yuhua.kind, yuhua.year) == (Decimal(97), "项目支出", 2021)
    assert yuhua.problems >= 1

    xiangyin = overview_row(reports["xiangyin"], "xiangyin.txt")
    assert xiangyin.budget_wan == xiangyin.spending_wan == Decimal("1179.61")
    assert (xiangyin.execution_rate, xiangyin.rate_source) == (Decimal("100.00"), "计算")
    assert (xiangyin.unit, xiangyin.grade) == ("湘阴县行政审批服务局", "优秀")

    lechang = overview_row(reports["lechang"], "lechang.txt")
    assert lechang.budget_wan == lechang.spending_wan == Decimal("343.23")  # 3432300.00 元
    assert lechang.rate_source == "报告所述"


def test_write_overview_writes_three_tables_with_one_row_per_report(tmp_path, reports):
    batch = FakeBatch(
        [
            FakeOutcome(Path("a/yuhua.txt"), reports["yuhua"], outputs=[tmp_path / "yuhua.json", tmp_path / "yuhua.html"]),
            FakeOutcome(Path("b/xiangyin.txt"), reports["xiangyin"]),
            FakeOutcome(Path("c/broken.txt"), error="broken.txt: file is empty"),
        ]
    )
    written = write_overview(batch, tmp_path)
    assert [p.name for p in written] == ["index.html", "overview.csv", "overview.xlsx"]

    rows = list(csv.reader(io.StringIO((tmp_path / "overview.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS
    # Most in need of attention first: xiangyin has a proven problem and eight open questions.
    assert [row[0] for row in rows[1:]] == ["xiangyin.txt", "yuhua.txt"]
    attention = [int(row[HEADERS.index("关注度")]) for row in rows[1:]]
    assert attention == sorted(attention, reverse=True)
    assert rows[2][HEADERS.index("执行率（%）")] == "74.36"

    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "overview.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][: len(HEADERS)]) == HEADERS
    assert list(values[0][len(HEADERS) :]) == ["JSON", "HTML"]  # a link column per kind of output
    assert values[2][0] == "yuhua.txt" and float(values[2][HEADERS.index("预算（万元）")]) == 127

    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="./yuhua.html">yuhua.txt</a>' in index
    assert "xiangyin.txt" in index and "broken.txt：broken.txt: file is empty" in index


def test_index_escapes_report_text_and_accepts_plain_reports(tmp_path):
    source = Source(path="x.txt", sha256="0" * 64, length=1, encoding="utf-8", format="txt")
    report = Report(meta=Meta(unit_name="<script>alert(1)</script>"), source=source)
    write_overview([report], tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "&lt;script&gt;" in index


def test_a_report_called_index_does_not_lose_its_summary(tmp_path, reports):
    batch = FakeBatch([FakeOutcome(Path("index.txt"), reports["yuhua"], outputs=[tmp_path / "index.html"])])
    (tmp_path / "index.html").write_text("the report's own summary", encoding="utf-8")
    names = [p.name for p in write_overview(batch, tmp_path)]
    assert names[0] == "overview.html"
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "the report's own summary"


def test_run_writes_every_format_and_the_overview(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(SAMPLES_DIR), "--out", str(out), "--format", "json,md,html,docx"])
    assert result.exit_code == 0, result.output
    for path in SAMPLES:
        for suffix in (".json", ".md", ".html", ".docx"):
            assert (out / f"{path.stem}{suffix}").stat().st_size > 0
    assert {"index.html", "overview.csv", "overview.xlsx"} <= {p.name for p in out.iterdir()}
    rows = list(csv.reader(io.StringIO((out / "overview.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + len(SAMPLES)
    assert not list(out.glob("*.part")), "no half-written file left behind"


def test_run_honours_templates(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "summary.md.j2").write_text("摘要：{{ meta.unit_name }}\n", encoding="utf-8")
    (templates / "index.html.j2").write_text("<p>{{ rows | length }} 份</p>", encoding="utf-8")
    out = tmp_path / "out"
    sample = SAMPLES[0]
    result = CliRunner().invoke(
        app, ["run", str(sample), "--out", str(out), "--format", "md", "--templates", str(templates)]
    )
    assert result.exit_code == 0, result.output
    assert (out / f"{sample.stem}.md").read_text(encoding="utf-8").startswith("摘要：")
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>1 份</p>"


def test_a_broken_index_template_fails_when_the_overview_is_written_not_when_rows_arrive(tmp_path, reports):
    from summarizer.errors import ConfigError
    from summarizer.overview import OverviewCollector

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html.j2").write_text("{% for row in rows %}", encoding="utf-8")  # never closed
    collector = OverviewCollector(Settings(templates_dir=templates))
    collector.add(FakeOutcome(path=Path("yuhua.txt"), report=reports["yuhua"]))  # the template is read here
    assert len(collector.rows) == 1
    with pytest.raises(ConfigError, match="index.html.j2"):
        collector.write(tmp_path / "out")
