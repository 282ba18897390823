"""Drafting: stated problems kept, problems the data shows raised with their evidence, measures
linked to problems from the (extendable) suggestion library, and no number invented."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings
from summarizer.draft import Origin, classify, draft, kind_of_rule, load_library
from summarizer.errors import ConfigError
from summarizer.ingest import read_document
from summarizer.numbers import find_quantities
from summarizer.pipeline import extract_report
from summarizer.schemas import (
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Indicator,
    Meta,
    Period,
    Report,
    Severity,
    Source,
    Span,
    TextItem,
)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.txt"))
XIANGYIN = SAMPLES_DIR / "xiangyin_2022_administrative_approval_bureau_department.txt"
YUHUA = SAMPLES_DIR / "yuhua_2021_government_service_hall_project.txt"
LECHANG = SAMPLES_DIR / "lechang_2022_administrative_service_center_department.txt"


def money(key: str, value: str, start: int, evidence: str, **extra) -> Figure:
    return Figure(
        key=key,
        label=extra.pop("label", key),
        value=Decimal(value),
        unit="万元",
        kind=FigureKind.MONEY,
        value_wan=Decimal(value),
        span=Span(start=start, end=start + len(evidence)),
        evidence=evidence,
        **extra,
    )


def rate(key: str, value: str, start: int, evidence: str, **extra) -> Figure:
    return Figure(
        key=key,
        label=extra.pop("label", key),
        value=Decimal(value),
        unit="%",
        kind=FigureKind.RATE,
        span=Span(start=start, end=start + len(evidence)),
        evidence=evidence,
        **extra,
    )


def report_of(**fields) -> Report:
    source = Source(path="hand.txt", sha256="0" * 64, length=100, encoding="utf-8", format="txt")
    return Report(source=source, **fields)


def numbers_of(text: str) -> set[Decimal]:
    return {q.value for q in find_quantities(text)}


# ── a report with no problems section ────────────────────────────────────────────────────


def without_problems_section(tmp_path: Path) -> Path:
    """A copy of the Xiangyin sample with its 存在的主要问题 section cut out."""
    text = XIANGYIN.read_text(encoding="utf-8")
    start = text.index("### 五、存在的主要问题")
    end = text.index("### 六、改进措施")
    copy = tmp_path / "xiangyin_no_problems.txt"
    copy.write_text(text[:start] + text[end:], encoding="utf-8")
    return copy


def test_a_report_without_a_problems_section_still_gets_problems_backed_by_evidence(tmp_path):
    path = without_problems_section(tmp_path)
    settings = Settings()
    report = extract_report(path, settings)
    assert report.problems == [], "the copy really has no stated problems"
    document = read_document(path, settings)

    drafted = draft(report, settings)
    # What the figures only suggest is asked (需核实事项), never asserted as a problem.
    asked = {q.kind for q in drafted.questions}
    assert "no_problems_section" in asked
    assert {"spending_over_budget", "score_unsupported"} <= asked
    assert all(p.origin is Origin.DATA for p in drafted.problems)
    for entry in (*drafted.problems, *drafted.questions):
        for item in (e for e in entry.evidence if e.is_quote):
            # The span (original offsets) points into the quote: the number, or the whole item.
            at_span = "".join(document.original[item.span.start : item.span.end].split())
            quote = "".join(item.quote.split())
            assert at_span and (at_span in quote or quote in at_span), (at_span, quote)
    for problem in drafted.problems:
        assert any(e.is_quote for e in problem.evidence), f"{problem.kind} quotes the report"
        assert len(drafted.measures_for(problem.id)) == 1, f"{problem.kind} has one measure"

    over = next(q for q in drafted.questions if "食堂运行专项" in q.text)
    assert "146万元" in over.text and "103万元" in over.text


def test_yuhua_without_its_stated_problem_gets_low_execution_and_an_unsupported_score():
    report = extract_report(YUHUA, Settings()).model_copy(update={"problems": []})
    drafted = draft(report)
    assert drafted.problems == ()  # nothing proven: a low rate and a high score are questions
    by_kind = {q.kind: q for q in drafted.questions}
    low = by_kind["low_execution_rate"]
    assert "74.36%" in low.text and "94.44万元" in low.text and "127万元" in low.text
    assert low.text.endswith("？")
    assert any("74.36" in e.quote for e in low.evidence)
    score = by_kind["score_unsupported"]
    assert "97" in score.text and "74.36%" in score.text
    assert any(e.source == "meta:self_score" for e in score.evidence)
    assert "no_problems_section" in by_kind


def test_a_data_problem_the_report_already_states_is_merged_into_the_statement():
    report = extract_report(YUHUA, Settings())
    drafted = draft(report)
    assert [p.kind for p in drafted.stated] == ["stated"]
    assert "low_execution_rate" not in {p.kind for p in drafted.problems}
    assert "low_execution_rate" not in {q.kind for q in drafted.questions}
    stated = drafted.stated[0]
    assert any(e.source.startswith("figure:execution_rate") for e in stated.evidence)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_stated_problems_are_kept_in_order_and_every_problem_has_a_linked_measure(path):
    report = extract_report(path, Settings())
    drafted = draft(report)
    assert len(drafted.stated) == len(report.problems)
    for problem, item in zip(drafted.stated, report.problems):
        assert problem.text in " ".join(item.text.split())
        assert problem.evidence[0].span == item.span
    ids = {p.id for p in drafted.problems}
    for problem in drafted.problems:
        assert drafted.measures_for(problem.id)
    for measure in drafted.measures:
        assert measure.problem_id in ids
        assert "{" not in measure.text and measure.text.startswith("针对")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_drafted_texts_state_no_number_the_report_or_its_checks_do_not(path):
    settings = Settings()
    report = extract_report(path, settings)
    document = read_document(path, settings)
    allowed = numbers_of(document.original) | numbers_of(document.text)
    for check in report.checks:  # a failed check's message is quoted in the problem it raises
        allowed |= numbers_of(check.message) | {item.value for item in check.inputs}
    drafted = draft(report, settings)
    for text in [p.text for p in drafted.problems] + [m.text for m in drafted.measures]:
        assert [q.raw for q in find_quantities(text) if q.value not in allowed] == [], text


def test_measures_name_the_figure_they_answer():
    report = extract_report(XIANGYIN, Settings())
    drafted = draft(report)
    for problem in drafted.problems:
        (measure,) = drafted.measures_for(problem.id)
        assert measure.text.startswith(f"针对{problem.subject}，")
        assert "““" not in measure.text and "””" not in measure.text
    slow = next(p for p in drafted.stated if "支付进度滞后" in p.text)
    assert drafted.measures_for(slow.id)[0].suggestion_id == "budget.execution-monitoring"


# ── data-derived problems, one rule at a time ───────────────────────────────────────────


def test_low_execution_without_a_stated_rate_names_the_amounts_not_a_computed_rate():
    report = report_of(
        meta=Meta(self_score=Decimal(92)),
        figures=[
            money("budget", "200", 0, "预算200万元", period=Period.BUDGET),
            money("actual_spending", "120", 10, "实际支出120万元", period=Period.ACTUAL),
        ],
        problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")],
    )
    problem = next(q for q in draft(report).questions if q.kind == "low_execution_rate")
    assert "实际支出120万元" in problem.text and "预算数200万元" in problem.text
    assert "60" not in problem.text  # 120/200 is never stated


def test_a_high_execution_rate_raises_nothing():
    report = report_of(
        meta=Meta(self_score=Decimal(98)),
        figures=[rate("execution_rate", "99.5", 0, "执行率99.5%")],
        indicators=[Indicator(name="办件量", target="1000件", actual="1200件", span=Span(start=5, end=9), evidence="办件量")],
        problems=[TextItem(text="宣传不够", span=Span(start=0, end=4), evidence="宣传不够")],
    )
    drafted = draft(report)
    assert [p.kind for p in drafted.problems] == ["stated"]
    assert "low_execution_rate" not in {q.kind for q in drafted.questions}


def test_prior_year_amounts_are_not_compared_with_this_years_budget():
    report = report_of(
        figures=[
            money("budget", "100", 0, "预算100万元", period=Period.BUDGET),
            money("actual_spending", "150", 10, "上年支出150万元", period=Period.PRIOR_YEAR),
        ],
        problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")],
    )
    drafted = draft(report)
    assert "spending_over_budget" not in {p.kind for p in drafted.problems} | {q.kind for q in drafted.questions}


def test_certain_failed_checks_become_problems_warnings_become_questions_grounding_neither():
    slip = money("three_public_total", "4.4", 40, "决算为4.4元", period=Period.ACTUAL)
    total = money("expenditure_total", "1179.61", 0, "支出合计1179.61万元", period=Period.ACTUAL)
    checks = [
        Check(
            rule="identity.expenditure_total",
            status=CheckStatus.FAIL,
            severity=Severity.HIGH,
            message="支出合计1179.61万元≠基本支出304.01万元+项目支出870万元",
            inputs=[CheckInput(label="支出合计", value=Decimal("1179.61"), unit="万元", span=Span(start=0, end=5))],
        ),
        Check(
            rule="consistency.unit_slip",
            status=CheckStatus.WARN,
            severity=Severity.MEDIUM,
            message="同一金额4.4既记为万元又记为元",
            inputs=[CheckInput(label="决算", value=Decimal("4.4"), unit="元", span=slip.span)],
        ),
        Check(rule="grounding.figure", status=CheckStatus.FAIL, severity=Severity.HIGH, message="未找到"),
        Check(rule="consistency.minor", status=CheckStatus.WARN, severity=Severity.LOW, message="轻微"),
        Check(rule="identity.ok", status=CheckStatus.PASS, severity=Severity.INFO, message="通过"),
    ]
    report = report_of(figures=[total, slip], checks=checks, problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")])
    drafted = draft(report)
    by_kind = {p.kind: p for p in drafted.found}
    assert set(by_kind) == {"identity_failed"}
    assert "支出合计1179.61万元≠" in by_kind["identity_failed"].text
    assert by_kind["identity_failed"].severity is Severity.HIGH
    assert by_kind["identity_failed"].checks == (0,)
    slip_question = next(q for q in drafted.questions if "同一金额4.4既记为万元又记为元" in q.text)
    assert slip_question.kind == "consistency_failed" and slip_question.checks == (1,)
    assert any(e.source == "figure:three_public_total" for e in slip_question.evidence)
    everything = [p.text for p in drafted.problems] + [q.text for q in drafted.questions]
    assert not any("未找到" in text for text in everything)
    assert not any("轻微" in p.text for p in drafted.problems)


def test_a_failed_check_on_a_number_no_figure_grounds_is_only_asked():
    check = Check(
        rule="plausibility.rate_range",
        status=CheckStatus.FAIL,
        severity=Severity.MEDIUM,
        message="验收合格率 写为 20100%，这是占比，不可能超过 100%",
        inputs=[CheckInput(label="验收合格率", value=Decimal("20100"), unit="%", span=Span(start=3, end=9))],
    )
    drafted = draft(report_of(checks=[check], problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")]))
    assert drafted.found == []
    assert [q.text for q in drafted.questions if q.checks == (0,)] == ["验收合格率 写为 20100%，这是占比，不可能超过 100%，请核实。"]


@pytest.mark.parametrize(
    ("rule", "kind"),
    [
        ("identity.basic_expenditure", "identity_failed"),
        ("identity.count_breakdown", "identity_failed"),
        ("rate.ratio_statement", "rate_failed"),
        ("rate.growth_statement", "rate_failed"),
        ("consistency.unit_slip", "consistency_failed"),
        ("consistency.comparison_claim", "consistency_failed"),
        ("plausibility.grade_vs_score", "grade_mismatch"),
        ("plausibility.score_vs_execution", "score_unsupported"),
        ("plausibility.spending_over_budget", "spending_over_budget"),
        ("plausibility.staff_over_establishment", "staffing"),
        ("plausibility.report_date", "report_date"),
        ("plausibility.missing_score", "missing_score"),
        ("plausibility.indicator_missing_target", "vague_indicators"),
        ("something.else", "check_failed"),
    ],
)
def test_check_rules_map_to_problem_kinds(rule, kind):
    assert kind_of_rule(rule) == kind


def test_vague_and_missing_indicator_targets_are_problems_but_score_rows_are_not():
    indicators = [
        Indicator(level1="效益", name="满意度", target="群众满意度高", actual="满意", span=Span(start=0, end=6), evidence="群众满意度高"),
        Indicator(level1="成本", name="成本指标", target="", actual="", span=Span(start=10, end=14), evidence="成本指标"),
        Indicator(name="时效指标", target="一年内", actual="按计划完成", span=Span(start=20, end=24), evidence="时效指标"),
        Indicator(name="资金到位率", target="4", weight=Decimal(4), score=Decimal(4), span=Span(start=30, end=35), evidence="资金到位率 4 4"),
    ]
    report = report_of(indicators=indicators, problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")])
    problem = next(q for q in draft(report).questions if q.kind == "vague_indicators")
    assert "“效益·满意度”" not in problem.text  # named by 二级·名称
    assert "“满意度”目标值表述笼统" in problem.text and "“成本指标”未设定目标值" in problem.text
    assert "时效指标" not in problem.text and "资金到位率" not in problem.text
    assert [e.span.start for e in problem.evidence] == [0, 10]


def test_no_indicators_at_all_is_a_problem():
    report = report_of(problems=[TextItem(text="宣传不够", span=Span(start=0, end=4), evidence="宣传不够")])
    assert "missing_indicators" in {q.kind for q in draft(report).questions}


# ── the suggestion library ───────────────────────────────────────────────────────────────


def test_builtin_library_has_every_category_and_measures_for_every_data_kind():
    library = load_library()
    assert set(library.category_names()) >= {
        "预算编制与执行", "资金管理", "内控制度", "绩效目标与指标", "绩效管理意识", "资产管理", "信息公开", "服务质量"
    }
    kinds = {kind for s in library.suggestions for kind in s.problems}
    assert kinds >= {
        "low_execution_rate", "spending_over_budget", "low_received_rate", "identity_failed", "rate_failed",
        "consistency_failed", "grade_mismatch", "score_unsupported", "missing_indicators", "vague_indicators",
        "no_problems_section", "staffing", "report_date", "missing_score",
    }
    assert {s.category for s in library.suggestions} == set(library.category_names())


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("部分项目资金支付进度滞后。", "预算编制与执行"),
        ("内控制度需进一步完善，仍需进一步强化财务约束监督体制。", "内控制度"),
        ("绩效评价指标体系还不完善，评价指标设定的科学性有待加强。", "绩效目标与指标"),
        ("绩效管理理念有待进一步增强，对预算绩效管理工作重视不够。", "绩效管理意识"),
        ("存在碎纸机数量超过人员编制的情况，资产配置不规范。", "资产管理"),
        ("预决算信息公开不及时。", "信息公开"),
        ("窗口服务群众满意度有待提升。", "服务质量"),
        ("专项资金拨付不及时，资金到位较晚。", "资金管理"),
        ("其他。", "绩效管理意识"),
    ],
)
def test_stated_problems_are_classified_by_keywords(text, category):
    assert classify(text, load_library()) == category


def test_a_user_library_in_the_templates_folder_extends_and_overrides(tmp_path):
    (tmp_path / "suggestions.toml").write_text(
        """
[[category]]
name = "政府采购"
keywords = ["政府采购", "采购"]

[[suggestion]]
id = "procurement.plan"
category = "政府采购"
keywords = ["采购"]
text = "针对{subject}，编制年度政府采购计划并按计划执行。"

[[suggestion]]
id = "budget.execution-monitoring"
category = "预算编制与执行"
problems = ["low_execution_rate"]
text = "针对{subject}，由分管领导每月听取执行进度汇报。"

[[suggestion]]
id = "budget.carryover-cleanup"
category = "预算编制与执行"
text = "x"
disabled = true
""",
        encoding="utf-8",
    )
    settings = Settings(templates_dir=tmp_path)
    library = load_library(settings)
    ids = [s.id for s in library.suggestions]
    assert "procurement.plan" in ids and "budget.carryover-cleanup" not in ids
    report = report_of(
        figures=[rate("execution_rate", "70", 0, "执行率70%")],
        problems=[TextItem(text="政府采购执行不规范。", span=Span(start=0, end=9), evidence="政府采购执行不规范。")],
    )
    drafted = draft(report, settings)
    stated = drafted.stated[0]
    assert stated.category == "政府采购"
    assert drafted.measures_for(stated.id)[0].text == "针对“政府采购执行不规范”的问题，编制年度政府采购计划并按计划执行。"
    replaced = next(s for s in library.suggestions if s.id == "budget.execution-monitoring")
    assert "每月听取执行进度汇报" in replaced.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[suggestion]]\nid = "a"\ncategory = "资金管理"\ntext = "针对{problem}"\n', "unknown placeholder"),
        ('[[suggestion]]\nid = "a"\ncategory = "资金管理"\ntext = "x"\ncolour = "red"\n', "invalid entry"),
        ("[[suggestion]\n", "not valid TOML"),
    ],
)
def test_a_bad_user_library_is_a_config_error_naming_the_file(tmp_path, content, message):
    (tmp_path / "suggestions.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_library(Settings(templates_dir=tmp_path))
    assert "suggestions.toml" in str(caught.value)


# ── the draft command ────────────────────────────────────────────────────────────────────


def test_draft_command_prints_the_two_sections(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["draft", str(without_problems_section(tmp_path))])
    assert result.exit_code == 0, result.output
    problems, measures = result.stdout.split("## 改进措施")
    assert problems.startswith("## 存在问题")
    assert "需核实事项" in problems and "未识别到“存在问题”" in problems and "依据（报告原文）" in problems
    assert re.search(r"对应问题[一二三四五六七八九十]+", measures)


def test_draft_command_reads_a_json_output_and_refuses_a_bad_one(tmp_path):
    report = extract_report(LECHANG, Settings())
    good = tmp_path / "lechang.json"
    good.write_text(report.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["draft", str(good)])
    assert result.exit_code == 0 and "绩效管理理念有待进一步增强" in result.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"not": "a report"}), encoding="utf-8")
    result = runner.invoke(app, ["draft", str(bad)])
    assert result.exit_code != 0 and "not a summarizer JSON output" in result.output


def test_draft_command_honours_templates(tmp_path):
    shutil.copy(XIANGYIN, tmp_path / "x.txt")
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "draft.md.j2").write_text("{% for p in problems %}{{ p.id }} {% endfor %}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["draft", str(tmp_path / "x.txt"), "--templates", str(templates)])
    assert result.exit_code == 0 and result.stdout.startswith("P1 P2")


def test_a_suggestions_file_setting_is_merged_after_the_templates_folder(tmp_path):
    """The `suggestions_file` setting (where Settings has it) names one more library file."""
    from types import SimpleNamespace

    extra = tmp_path / "more.toml"
    extra.write_text(
        '[[suggestion]]\nid = "assets.inventory"\ncategory = "资产管理"\nkeywords = ["资产"]\ntext = "针对{subject}，每半年盘点一次。"\n',
        encoding="utf-8",
    )
    settings = SimpleNamespace(templates_dir=None, suggestions_file=extra)
    library = load_library(settings)
    assert next(s for s in library.suggestions if s.id == "assets.inventory").text.endswith("每半年盘点一次。")
    with pytest.raises(ConfigError, match="suggestions_file"):
        load_library(SimpleNamespace(templates_dir=None, suggestions_file=tmp_path / "missing.toml"))


def test_a_stated_problem_that_is_not_in_the_source_is_not_drafted():
    from summarizer.schemas import Alignment

    invented = TextItem(text="虚构的问题。", span=Span(start=0, end=0), evidence="", alignment=Alignment.UNALIGNED)
    real = TextItem(text="宣传不够。", span=Span(start=5, end=10), evidence="宣传不够。")
    drafted = draft(report_of(problems=[invented, real]))
    assert [p.text for p in drafted.stated] == ["宣传不够。"]


@pytest.mark.parametrize(
    ("rule", "kind"),
    [
        ("plausibility.low_execution", "low_execution_rate"),
        ("plausibility.spending_over_income", "spending_over_income"),
        ("plausibility.self_score", "missing_score"),
        ("plausibility.execution_vs_score", "score_unsupported"),
    ],
)
def test_current_rule_ids_map_to_their_kinds(rule, kind):
    assert kind_of_rule(rule) == kind


def test_a_warning_and_the_figures_asking_the_same_thing_are_one_question():
    figure = rate("execution_rate", "57.89", 0, "执行率57.89%", label="执行率")
    check = Check(
        rule="plausibility.low_execution",
        status=CheckStatus.WARN,
        severity=Severity.MEDIUM,
        message="预算执行率仅 57.89%，大部分资金未支出：原因及报告对执行情况的表述，请核对",
        inputs=[CheckInput(label="执行率", value=Decimal("57.89"), unit="%", span=figure.span)],
    )
    report = report_of(figures=[figure], checks=[check], problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")])
    asked = [q for q in draft(report).questions if "57.89" in q.text]
    assert len(asked) == 1 and asked[0].checks == (0,)


def test_a_number_glued_to_other_digits_is_asked_not_asserted():
    glued = rate("completion_rate", "20100", 0, "验收合格率20100%", label="验收合格率")
    clean = rate("completion_rate", "120", 20, "验收合格率120%", label="验收合格率")

    def over(figure, index):
        return Check(
            rule="plausibility.rate_range",
            status=CheckStatus.FAIL,
            severity=Severity.MEDIUM,
            message=f"验收合格率 写为 {figure.value}%，这是占比，不可能超过 100%",
            inputs=[CheckInput(label="验收合格率", value=figure.value, unit="%", span=figure.span)],
        )

    for figure, asserted in ((glued, False), (clean, True)):
        figure = figure.model_copy(update={"evidence": "验收合格率1020100%" if not asserted else figure.evidence})
        report = report_of(figures=[figure], checks=[over(figure, 0)], problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")])
        assert bool(draft(report).found) is asserted


def test_a_rows_low_rate_beside_full_execution_is_not_asked_as_the_reports():
    report = report_of(
        figures=[
            money("budget", "238.93", 0, "年初预算数: 238.93", period=Period.BUDGET),
            money("actual_spending", "251.89", 20, "全年执行数: 251.89", period=Period.ACTUAL),
            rate("execution_rate", "0.00", 40, "执行率: 0.00%", label="执行率"),
            rate("execution_rate", "100.00", 60, "执行率: 100.00%", label="执行率"),
        ],
        problems=[TextItem(text="无", span=Span(start=0, end=1), evidence="无")],
    )
    assert "low_execution_rate" not in {q.kind for q in draft(report).questions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("部分项目资金支付进度滞后。", "budget.execution-monitoring"),  # a telling word: 支付进度
        ("为民服务意识有待提高。", "general.rectify"),  # lone two-character words (服务, 意识) do not fit
        ("内控制度需进一步完善，财务约束监督体制不健全。", "control.financial-rules"),
    ],
)
def test_a_stated_problem_gets_the_measure_its_words_ask_for(text, expected):
    item = TextItem(text=text, span=Span(start=0, end=len(text)), evidence=text)
    drafted = draft(report_of(problems=[item]))
    (measure,) = drafted.measures_for(drafted.stated[0].id)
    assert measure.suggestion_id == expected
    assert "““" not in measure.text
