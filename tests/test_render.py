"""Rendering: the 综述 states only numbers the report (or its checks) states, HTML escapes report
text, DOCX opens and holds the sections, user templates override built-ins."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.errors import ConfigError, OutputError
from summarizer.ingest import read_document
from summarizer.numbers import find_quantities
from summarizer.pipeline import extract_report
from summarizer.render import (
    build_context,
    clip,
    markdown_to_docx,
    render_docx,
    render_draft,
    render_format,
    render_markdown,
    render_narrative,
    render_summary_html,
    render_summary_markdown,
)
from summarizer.schemas import (
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Meta,
    Period,
    Report,
    Severity,
    Source,
    Span,
    TextItem,
)

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))
SECTIONS = ("一、单位概况", "二、预算收支与执行", "三、绩效目标完成情况", "四、主要成效", "五、存在问题", "六、改进建议", "七、自评结论")


def _values(text: str) -> set[Decimal]:
    return {q.value for q in find_quantities(text)}


def allowed_numbers(report: Report, path: Path, settings: Settings) -> set[Decimal]:
    """Numbers the report states (original and normalised text) or its checks computed."""
    document = read_document(path, settings)
    allowed = _values(document.original) | _values(document.text)
    for check in report.checks:
        allowed |= {item.value for item in check.inputs}
        allowed |= {v for v in (check.expected, check.observed, check.tolerance) if v is not None}
        allowed |= _values(check.message)
    return allowed


def unsupported_numbers(narrative: str, allowed: set[Decimal]) -> list[str]:
    return [q.raw for q in find_quantities(narrative) if q.value not in allowed]


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[Path, Report]]:
    settings = Settings()
    return {path.stem: (path, extract_report(path, settings)) for path in SAMPLES}


def figure(key: str, value: str, unit: str, start: int, evidence: str, **extra) -> Figure:
    kind = FigureKind.RATE if unit == "%" else FigureKind.MONEY if unit.endswith("元") else FigureKind.COUNT
    wan = None
    if kind is FigureKind.MONEY:
        wan = Decimal(value) / (10000 if unit == "元" else 1)
    return Figure(
        key=key,
        label=extra.pop("label", key),
        value=Decimal(value),
        unit=unit,
        kind=kind,
        value_wan=wan,
        span=Span(start=start, end=start + len(evidence)),
        evidence=evidence,
        **extra,
    )


def hand_report(**update) -> Report:
    text = "单位 预算 127 万元，实际支出 94.44 万元，执行率为 74.36%。自评得分 97 分。"
    report = Report(
        meta=Meta(unit_name="示例单位", year=2021, self_score=Decimal(97)),
        figures=[
            figure("budget", "127", "万元", 3, "预算 127 万元", period=Period.BUDGET),
            figure("actual_spending", "94.44", "万元", 16, "实际支出 94.44 万元", period=Period.ACTUAL),
            figure("execution_rate", "74.36", "%", 31, "执行率为 74.36%"),
        ],
        problems=[TextItem(text="部分项目资金支付进度滞后。", span=Span(start=0, end=12), evidence="部分项目资金支付进度滞后。")],
        source=Source(path="hand.txt", sha256="0" * 64, length=len(text), encoding="utf-8", format="txt"),
    )
    return report.model_copy(update=update)


# ── the narrative is faithful ────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_number_in_the_narrative_is_in_the_source_or_the_checks(path, reports):
    settings = Settings()
    _, report = reports[path.stem]
    narrative = render_narrative(report, settings)
    assert unsupported_numbers(narrative, allowed_numbers(report, path, settings)) == []
    for title in SECTIONS:
        assert f"## {title}" in narrative


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_number_in_the_markdown_output_is_in_the_source_or_the_checks(path, reports):
    """The whole md output (summary + 综述), less what it adds that is not a figure: the check
    counts on the 来源 line and the P1/M1 ids that link measures to problems."""
    settings = Settings()
    _, report = reports[path.stem]
    markdown = render_markdown(report, settings)
    body = "\n".join(line for line in markdown.splitlines() if not line.startswith("> 来源"))
    body = re.sub(r"\b[PM]\d+\b", "", body)
    assert unsupported_numbers(body, allowed_numbers(report, path, settings)) == []


def test_a_figure_that_failed_grounding_is_left_out_of_the_narrative(reports):
    path, report = reports["xiangyin_2022_administrative_approval_bureau_department"]
    invented = figure("fixed_assets", "4242.42", "万元", 3992, "固定资产合计: 4242.42")
    check = Check(
        rule="grounding.figure",
        status=CheckStatus.FAIL,
        severity=Severity.HIGH,
        message="固定资产合计在原文中未找到",
        inputs=[CheckInput(label="固定资产合计", value=Decimal("4242.42"), unit="万元", span=invented.span)],
    )
    tainted = report.model_copy(update={"figures": [*report.figures, invented], "checks": [check]})
    narrative = render_narrative(tainted, Settings())
    assert "4242.42" not in narrative
    assert "未能在原文中溯源核实" in narrative
    summary = render_summary_markdown(tainted, Settings())
    row = next(line for line in summary.splitlines() if "4242.42" in line)
    assert "✗ 见K1" in row  # shown only with a reference to its check, stated once below
    assert summary.count("固定资产合计在原文中未找到") == 1
    html = render_summary_html(tainted, Settings())
    assert "✗ 未通过" in html


def test_a_figure_under_a_warning_is_shown_with_the_warning(reports):
    path, report = reports["lechang_2022_administrative_service_center_department"]
    slip = next(f for f in report.figures if f.key == "three_public_total" and f.unit == "元")
    check = Check(
        rule="consistency.unit_slip",
        status=CheckStatus.WARN,
        severity=Severity.MEDIUM,
        message="“三公”经费预算4.4万元、决算4.4元：疑为单位笔误",
        inputs=[CheckInput(label=slip.label, value=slip.value, unit=slip.unit, span=slip.span)],
    )
    narrative = render_narrative(report.model_copy(update={"checks": [check]}), Settings())
    line = next(line for line in narrative.splitlines() if "4.4元" in line)
    assert "4.4元（⚠ 见审阅摘要“需核实事项”）" in line
    summary = render_markdown(report.model_copy(update={"checks": [check]}), Settings())
    assert summary.count("疑为单位笔误") == 1  # stated once, referred to elsewhere


def test_no_checks_is_said_not_hidden():
    narrative = render_narrative(hand_report(), Settings())
    assert "本报告未经核验" in narrative
    passed = Check(rule="identity.x", status=CheckStatus.PASS, severity=Severity.INFO, message="ok")
    assert "均未发现问题" in render_narrative(hand_report(checks=[passed]), Settings())


def test_narrative_words_its_ordinals_so_they_are_not_numbers():
    narrative = render_narrative(hand_report(), Settings())
    assert "（一）" in narrative
    assert unsupported_numbers(narrative, {Decimal("127"), Decimal("94.44"), Decimal("74.36"), Decimal("97")}) == []


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短文本", 10, "短文本"),
        ("回复工单 19251 件，同比减少", 8, "回复工单…"),  # never "回复工单 192…"
        ("支出 94.44 万元", 6, "支出…"),
        ("abcdefgh", 4, "abcd…"),
        ("多行\n文本", 10, "多行 文本"),
    ],
)
def test_clip_never_cuts_a_number_in_two(text, limit, expected):
    assert clip(text, limit) == expected


# ── HTML ─────────────────────────────────────────────────────────────────────────────────


def test_report_text_is_escaped_in_html():
    attack = "<script>alert('x')</script>"
    report = hand_report(
        meta=Meta(unit_name=f"单位{attack}", year=2021, self_score=Decimal(97)),
        problems=[TextItem(text=f"问题{attack}", span=Span(start=0, end=5), evidence=f"问题{attack}")],
    )
    html = render_summary_html(report, Settings())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # Markdown renders raw HTML too: there the text is backslash-escaped, shown as written.
    markdown = render_summary_markdown(report, Settings())
    assert attack not in markdown
    assert "\\<script\\>alert('x')\\</script\\>" in markdown


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_html_summary_is_self_contained_and_links_figures_to_evidence(path, reports):
    _, report = reports[path.stem]
    html = render_summary_html(report, Settings())
    assert "<link" not in html and "<script" not in html and "src=" not in html
    context = build_context(report, Settings())
    shown = context["key_figures"][: context["limits"]["figures"]]
    assert shown, "every sample has key figures"
    for view in shown:
        assert f'href="#e{view.ref}"' in html
        assert f'id="e{view.ref}"' in html


# ── DOCX ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_docx_opens_and_holds_the_sections(path, reports):
    import docx

    _, report = reports[path.stem]
    document = docx.Document(io.BytesIO(render_docx(report, Settings())))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for title in ("关键数据", "存在问题（起草）", "改进措施（起草）", *SECTIONS):
        assert title in headings
    assert document.tables, "the key figures table"
    body = "\n".join(p.text for p in document.paragraphs)
    assert report.meta.unit_name in body


def test_markdown_to_docx_keeps_tables_bullets_and_bold():
    import docx

    data = markdown_to_docx("# T\n\n## 节\n\n- **P1** 文本\n  - 子项\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n> 引用\n")
    document = docx.Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs if p.text] == ["T", "节", "P1 文本", "子项", "引用"]
    assert document.tables[0].cell(1, 1).text == "2"
    bullet = next(p for p in document.paragraphs if p.text == "P1 文本")
    assert bullet.runs[0].bold


# ── formats and templates ────────────────────────────────────────────────────────────────


def test_render_format_dispatches_and_refuses_unknown():
    report = hand_report()
    settings = Settings()
    assert render_format(report, "md", settings).decode("utf-8").startswith("# 示例单位")
    assert render_format(report, "html", settings).startswith(b"<!DOCTYPE html>")
    assert render_format(report, "docx", settings)[:2] == b"PK"
    with pytest.raises(OutputError):
        render_format(report, "pdf", settings)


def test_a_user_template_overrides_the_built_in_one(tmp_path):
    (tmp_path / "summary.md.j2").write_text("自定义摘要：{{ meta.unit_name }}\n", encoding="utf-8")
    settings = Settings(templates_dir=tmp_path)
    report = hand_report()
    assert render_summary_markdown(report, settings) == "自定义摘要：示例单位\n"
    assert render_markdown(report, settings).startswith("自定义摘要：示例单位")
    # Templates not overridden still come from the package.
    assert "## 一、单位概况" in render_narrative(report, settings)


def test_a_user_template_with_an_undefined_name_is_a_config_error(tmp_path):
    (tmp_path / "narrative.md.j2").write_text("{{ no_such_thing }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="narrative.md.j2"):
        render_narrative(hand_report(), Settings(templates_dir=tmp_path))


def test_a_missing_templates_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="templates folder not found"):
        render_narrative(hand_report(), Settings(templates_dir=tmp_path / "nope"))


def test_user_html_template_is_autoescaped_too(tmp_path):
    (tmp_path / "summary.html.j2").write_text("<p>{{ meta.unit_name }}</p>", encoding="utf-8")
    report = hand_report(meta=Meta(unit_name="<b>x</b>"))
    assert render_summary_html(report, Settings(templates_dir=tmp_path)) == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def test_render_draft_lists_problems_with_evidence_and_linked_measures():
    text = render_draft(hand_report(), Settings())
    problems, measures = text.split("## 改进措施")
    assert "部分项目资金支付进度滞后" in problems
    assert "依据（报告原文）" in problems
    assert "对应问题一" in measures


def test_a_self_score_that_failed_grounding_is_not_stated():
    from summarizer.schemas import Evidence

    where = Evidence(span=Span(start=40, end=48), quote="自评得分 97 分")
    meta = Meta(unit_name="示例单位", self_score=Decimal(97), evidence={"self_score": where})
    check = Check(
        rule="grounding.figure",
        status=CheckStatus.FAIL,
        severity=Severity.HIGH,
        message="「自评得分」在原文证据附近找不到",
        inputs=[CheckInput(label="自评得分", value=Decimal(97), unit="分", span=where.span)],
    )
    report = hand_report(meta=meta, checks=[check], figures=[])
    narrative = render_narrative(report, Settings())
    assert "自评得分97分" not in narrative and "报告未给出自评得分" in narrative


def test_stated_items_that_are_not_the_reports_words_are_left_out():
    from summarizer.schemas import Alignment

    real = TextItem(text="办结回访514件。", span=Span(start=0, end=10), evidence="办结回访514件。")
    invented = TextItem(
        text="全年节约资金8888万元。", span=Span(start=0, end=0), evidence="", alignment=Alignment.UNALIGNED
    )
    narrative = render_narrative(hand_report(achievements=[real, invented]), Settings())
    assert "514件" in narrative and "8888" not in narrative
    assert "已略去" in narrative
