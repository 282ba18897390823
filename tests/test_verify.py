"""The verification pass: planted errors in copies of the samples are caught, the samples' real
inconsistencies are reported, clean identities pass, and each rule behaves on hand-made reports.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings
from summarizer.document import plain_document
from summarizer.numbers import MONEY_UNITS, to_wan
from summarizer.pipeline import extract_report
from summarizer.schemas import (
    Check,
    CheckStatus,
    Evidence,
    Figure,
    FigureKind,
    Grade,
    Indicator,
    Meta,
    Period,
    Report,
    Source,
    Span,
)
from summarizer.verify import verify
from summarizer.verify_text import rate_agrees, severity_key, typo_like

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LECHANG = "lechang_2022_administrative_service_center_department.txt"
XIANGYIN = "xiangyin_2022_administrative_approval_bureau_department.txt"
YUHUA = "yuhua_2021_government_service_hall_project.txt"

FAIL, WARN, PASS = CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.PASS


@pytest.fixture(scope="module")
def sample_reports() -> dict[str, Report]:
    settings = Settings()
    return {name: extract_report(SAMPLES / name, settings) for name in (LECHANG, XIANGYIN, YUHUA)}


def problems(checks: list[Check]) -> list[Check]:
    return [check for check in checks if check.status is not PASS]


def by_rule(checks: list[Check], rule: str, status: CheckStatus | None = None) -> list[Check]:
    return [c for c in checks if c.rule == rule and (status is None or c.status is status)]


def values(check: Check) -> set[Decimal]:
    return {item.value for item in check.inputs}


# ---- the samples as they are ---------------------------------------------------------------


def test_xiangyin_reports_19251_against_1925_work_orders(sample_reports):
    [check] = by_rule(sample_reports[XIANGYIN].checks, "consistency.repeated_value", FAIL)
    assert values(check) == {Decimal(19251), Decimal(1925)}
    assert "回复工单" in check.message


def test_lechang_reports_three_public_in_yuan_and_wan(sample_reports):
    [check] = by_rule(sample_reports[LECHANG].checks, "consistency.unit_slip", FAIL)
    assert {(item.value, item.unit) for item in check.inputs} == {(Decimal("4.4"), "万元"), (Decimal("4.4"), "元")}


def test_lechang_reports_100_percent_online_rate_beside_1490_of_1515(sample_reports):
    [check] = by_rule(sample_reports[LECHANG].checks, "rate.ratio_statement", FAIL)
    assert values(check) == {Decimal(1515), Decimal(1490), Decimal(100)}
    assert check.expected == Decimal("98.35") and check.observed == Decimal(100)


def test_lechang_reports_claims_the_numbers_contradict(sample_reports):
    claims = by_rule(sample_reports[LECHANG].checks, "consistency.comparison_claim", FAIL)
    messages = " ".join(check.message for check in claims)
    assert len(claims) == 2
    assert "比率大于 100%" in messages  # 在编 10 人 / 编制 10 人
    assert "决算数大于" in messages  # 公用经费 预算 18.63 = 决算 18.63


def test_yuhua_reports_self_score_97_beside_74_36_execution(sample_reports):
    [check] = by_rule(sample_reports[YUHUA].checks, "plausibility.execution_vs_score", WARN)
    assert values(check) == {Decimal("74.36"), Decimal(97)}


def test_xiangyin_report_dated_before_the_year_it_evaluates(sample_reports):
    [check] = by_rule(sample_reports[XIANGYIN].checks, "plausibility.report_date", WARN)
    assert "2022-03-16" in check.message


def test_xiangyin_projects_spent_above_budget(sample_reports):
    over = by_rule(sample_reports[XIANGYIN].checks, "plausibility.over_budget", WARN)
    items = {check.message.split("”")[0].lstrip("“") for check in over}
    assert {"窗口专项经费", "大楼运行经费", "食堂运行专项", "12345政府公众热线", "数据中心经费"} == items


def test_xiangyin_empty_indicators_are_listed(sample_reports):
    [check] = by_rule(sample_reports[XIANGYIN].checks, "plausibility.indicator_values", WARN)
    assert [item.label for item in check.inputs] == ["成本指标", "社会效益", "经济效益", "生态效益"]


# Every fail and warn each sample raises, read against the sample by hand: all are real.
EXPECTED_PROBLEMS = {
    LECHANG: {
        ("consistency.unit_slip", FAIL): 1,
        ("consistency.comparison_claim", FAIL): 2,
        ("rate.ratio_statement", FAIL): 1,
    },
    XIANGYIN: {
        ("consistency.repeated_value", FAIL): 1,
        ("plausibility.report_date", WARN): 1,
        ("plausibility.over_budget", WARN): 5,
        ("plausibility.indicator_values", WARN): 1,
        ("identity.project_lines", WARN): 1,  # 数据中心 220.2, 热线 38 outside the 875.6 breakdown
    },
    YUHUA: {
        ("plausibility.execution_vs_score", WARN): 1,
        ("plausibility.grade_score", WARN): 1,  # a score, no 等次
    },
}


@pytest.mark.parametrize("name", [LECHANG, XIANGYIN, YUHUA])
def test_samples_raise_exactly_their_real_problems(sample_reports, name):
    found: dict[tuple[str, CheckStatus], int] = {}
    for check in problems(sample_reports[name].checks):
        found[(check.rule, check.status)] = found.get((check.rule, check.status), 0) + 1
    assert found == EXPECTED_PROBLEMS[name]


@pytest.mark.parametrize(
    ("name", "rules"),
    [
        (XIANGYIN, {"identity.expenditure_total", "identity.basic_expenditure", "identity.three_public", "identity.income_parts", "identity.project_lines"}),
        (YUHUA, {"identity.balance", "identity.balance_parts", "identity.spending_lines", "identity.self_score", "rate.execution_rate", "rate.received_rate"}),
        (LECHANG, {"rate.growth_rate", "identity.count_breakdown", "rate.ratio_statement"}),
    ],
)
def test_identities_that_hold_in_the_samples_pass(sample_reports, name, rules):
    checks = sample_reports[name].checks
    for rule in rules:
        assert by_rule(checks, rule, PASS), rule
        if rule != "rate.ratio_statement":  # lechang's 100% 可网办率 is a real fail
            assert not by_rule(checks, rule, FAIL), rule


@pytest.mark.parametrize("name", [LECHANG, XIANGYIN, YUHUA])
def test_every_extracted_figure_is_grounded(sample_reports, name):
    assert not by_rule(sample_reports[name].checks, "grounding.figure", FAIL)
    assert by_rule(sample_reports[name].checks, "grounding.figure", PASS)


@pytest.mark.parametrize("name", [LECHANG, XIANGYIN, YUHUA])
def test_checks_come_most_severe_first(sample_reports, name):
    checks = sample_reports[name].checks
    assert checks == sorted(checks, key=severity_key)


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parent / "data").glob("synthetic_*_report.*")), ids=lambda p: p.name)
def test_clean_synthetic_reports_raise_nothing(path):
    """Made-up reports in other shapes (a pipe table of 年初预算 | 执行数, a 三级指标 table)."""
    assert not problems(extract_report(path, Settings()).checks)


ANOTHER_LAYOUT = """某市自然资源局2023年度部门整体支出绩效自评报告

填报日期：2024年3月20日

一、部门基本情况
我局内设机构8个，下属事业单位2个。核定编制60名，其中行政编制40名、事业编制20名；实有在职人员58人。

二、部门收支情况
（一）收入情况
2023年年初预算收入3200.5万元，调整预算收入3450.8万元，决算收入3448.2万元，其中：一般公共预算财政拨款收入3300万元，其他收入148.2万元。
（二）支出情况
2023年支出决算3420.6万元，其中：基本支出1850.4万元，项目支出1570.2万元。基本支出中，人员经费1600.1万元，公用经费250.3万元。
年末结转结余27.6万元。
（三）“三公”经费
2023年“三公”经费预算{three_public_budget}万元，决算18.5万元，其中：公务接待费3.5万元，公务用车运行维护费15万元，因公出国（境）费0万元。较上年减少2.1万元，下降10.19%。

单位：万元
项目\t年初预算\t调整预算\t决算数\t执行率
基本支出\t1800\t1860\t1850.4\t99.48%
项目支出\t1400.5\t1590.8\t1570.2\t98.71%
合计\t3200.5\t3450.8\t3420.6\t99.13%

三、绩效目标完成情况
全年完成不动产登记业务45000件，其中首次登记12000件、转移登记21000件、抵押登记9000件。办件按时办结率99.6%，群众满意率98.5%。

四、自评得分
一级指标\t二级指标\t三级指标\t分值\t得分
投入\t预算编制\t预算编制科学性\t5\t5
投入\t预算编制\t绩效目标合理性\t5\t4
过程\t预算执行\t预算执行率\t10\t9
过程\t预算管理\t管理制度健全性\t10\t10
产出\t数量\t业务完成量\t20\t20
产出\t质量\t办结率\t15\t15
效益\t社会效益\t服务效果\t20\t18
满意度\t满意度\t群众满意度\t15\t14
合计\t\t\t100\t95

经自评，我局2023年度部门整体支出绩效自评得分95分，等级为优。

五、存在的问题
一是预算编制精准度有待提高。二是部分项目支出进度偏慢。

六、改进措施
一是加强预算编制管理。二是加快项目支出进度。
"""


@pytest.mark.parametrize("three_public_budget", ["20", "15"])  # 15: spent above the 三公 budget, not an identity
def test_a_sound_report_in_another_layout_raises_nothing(tmp_path, three_public_budget):
    path = tmp_path / "department.txt"
    path.write_text(ANOTHER_LAYOUT.format(three_public_budget=three_public_budget), encoding="utf-8")
    checks = extract_report(path, Settings()).checks
    over = by_rule(checks, "plausibility.over_budget", WARN)
    assert len(problems(checks)) == len(over) == (1 if three_public_budget == "15" else 0), [c.message for c in problems(checks)]
    assert all("三公经费决算 18.5万元，超过预算 15万元" in c.message for c in over)
    assert by_rule(checks, "rate.execution_rate", PASS) and by_rule(checks, "identity.expenditure_total", PASS)


# Phrasings that look like statements about numbers but are not wrong: no fail, no warn.
QUIET = [
    "三公经费支出4.5万元，较上年减少0.5万元，下降10%。",  # a change amount, not last year's
    "覆盖全县15个乡镇、210个村（社区），覆盖率100%。",  # an enumeration, not part and whole
    "计划培训20场，实际完成22场，完成率110%。",  # completion above plan
    "受理1200件，办结1180件，办结率98.33%。",
    "项目总投资1000万元，2022年安排300万元，完成投资280万元，完成率93.3%。",  # three amounts: ambiguous
    "全年共受理投诉120件，较上年100件增加20件，增长20%。",
    "发放补贴资金30万元，惠及群众1500人，人均200元。",
    "全年预算资金80万元，实际支出76万元，预算执行率95%。",
    "应收取费用200万元，实际收取180万元，收缴率90%。",
    "我局共有在编人员25人，其中行政编制15人、事业编制10人。",
    "全年办件量32000件，其中即办件12000件、承诺件19000件，按时办结率99.9%。",
    "2022年公用经费支出18万元，比2021年的20万元减少2万元，下降10%。",
    "补助标准500元/人，全年共支出300万元。",
    "群众满意率100%，投诉办结率100%。",
    "核定编制10名，其中：主任1名、副主任2名，现有干部职工10名。",
]


@pytest.mark.parametrize("sentence", QUIET)
def test_text_rules_stay_quiet_on_sound_statements(sentence):
    assert not problems(run(sentence)), [c.message for c in problems(run(sentence))]


# ---- planted errors ------------------------------------------------------------------------

# (sample, text as written, planted text, rule expected to catch it, status)
PLANTS = [
    (XIANGYIN, "1179.61\t304.01\t247.37\t56.64\t875.6", "1179.61\t304.01\t247.37\t56.64\t857.6", "identity.expenditure_total", FAIL),
    (XIANGYIN, "247.37\t56.64", "274.37\t56.64", "identity.basic_expenditure", FAIL),
    (XIANGYIN, "工资福利支出 247.37", "工资福利支出 247.73", "identity.basic_expenditure", FAIL),
    (XIANGYIN, "0.46\t0.46", "0.46\t0.64", "identity.three_public", FAIL),
    (XIANGYIN, "1179.61\t\t1179.61", "1179.61\t\t1197.61", "identity.income_parts", FAIL),
    (XIANGYIN, "行政审批制度改革 35 万元；", "行政审批制度改革 53 万元；", "identity.project_lines", FAIL),
    (XIANGYIN, "大楼运行经费 240 万元；", "大楼运行经费 204 万元；", "consistency.repeated_value", FAIL),
    (XIANGYIN, "回复县长信箱 826 件，办结率 100%</p> <p>4", "回复县长信箱 862 件，办结率 100%</p> <p>4", "consistency.repeated_value", FAIL),
    (YUHUA, "印刷费2.79", "印刷费7.29", "identity.spending_lines", FAIL),
    (YUHUA, "剩余32.56", "剩余23.56", "identity.balance", FAIL),
    (YUHUA, "剩余金额中的7.66", "剩余金额中的6.76", "identity.balance_parts", FAIL),
    (YUHUA, "实际支出94.44万元，执行率", "实际支出84.44万元，执行率", "identity.balance", FAIL),
    (YUHUA, "资金使用合规性\n\t10.00\n\t10\n\t10", "资金使用合规性\n\t10.00\n\t10\n\t8", "identity.self_score", FAIL),
    (YUHUA, "资金使用合规性\n\t10.00\n\t10\n\t10", "资金使用合规性\n\t12.00\n\t10\n\t10", "identity.self_score", FAIL),
    (YUHUA, "个性指标\n\t50.00\n\t50\n\t47", "个性指标\n\t50.00\n\t50\n\t45", "identity.self_score", FAIL),
    (YUHUA, "\t94.44\n\t74.36%", "\t94.44\n\t47.36%", "rate.execution_rate", FAIL),
    (YUHUA, "\t127\n\t100%", "\t127\n\t90%", "rate.received_rate", FAIL),
    (LECHANG, "年初预算增长 25.06%", "年初预算增长 52.06%", "rate.growth_rate", FAIL),
    (LECHANG, "6142 件", "6412 件", "rate.growth_rate", FAIL),
    (LECHANG, "市级事项 311 项", "市级事项 411 项", "identity.count_breakdown", FAIL),
    (LECHANG, "可在线申办 1661 项", "可在线申办 1561 项", "rate.ratio_statement", WARN),
    (LECHANG, "设置了绩效目标的项目7个", "设置了绩效目标的项目6个", "rate.ratio_statement", FAIL),
    (LECHANG, "2023年2月2日", "2022年2月2日", "plausibility.report_date", WARN),
    (YUHUA, "区县（市）财政安排127万元", "区县（市）财政安排123万元", "identity.budget_sources", FAIL),
    (XIANGYIN, "2022年预算总收入1179.61万元", "2022年预算总收入1215.00万元", "identity.income_breakdown", FAIL),
    (XIANGYIN, "项目支出\n\n875.6 万元。", "项目支出\n\n849.3 万元。", "identity.income_breakdown", FAIL),
    (XIANGYIN, "窗口服务经费 78 万元；", "窗口服务经费 70 万元；", "identity.project_lines", WARN),  # numbered 其中 list short
    (XIANGYIN, "劳务派遣人员补助 132 万元，实际支付", "劳务派遣人员补助 125 万元，实际支付", "consistency.repeated_value", WARN),
    (XIANGYIN, "2022 年三公经费支出 0.46 万元", "2022 年三公经费支出 1.46 万元", "consistency.repeated_value", WARN),
    (YUHUA, "服务圈建设经费24.9万元未能", "服务圈建设经费23.7万元未能", "consistency.repeated_value", WARN),
    (XIANGYIN, "实际支付 30.66 万元", "实际支付 30.66 元", "consistency.unit_slip", WARN),
    (LECHANG, "决算为18.63万元", "决算为18.63元", "consistency.unit_slip", FAIL),
    (YUHUA, "平台填报率100%", "平台填报率105%", "plausibility.rate_range", FAIL),
]


def _signature(check: Check) -> tuple[str, str, str]:
    return check.rule, check.status.value, check.message


@pytest.mark.parametrize(("name", "original", "planted", "rule", "status"), PLANTS, ids=[f"{p[3]}:{p[2][:12]}" for p in PLANTS])
def test_planted_change_is_caught(sample_reports, tmp_path, name, original, planted, rule, status):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    assert original in text, "the plant must change text the sample really contains"
    copy = tmp_path / name
    copy.write_text(text.replace(original, planted, 1), encoding="utf-8")
    report = extract_report(copy, Settings())
    before = {_signature(check) for check in sample_reports[name].checks}
    caught = [check for check in report.checks if check.rule == rule and check.status is status and _signature(check) not in before]
    assert caught, [c.message for c in problems(report.checks)]


def test_a_figure_the_extraction_got_wrong_is_not_grounded(sample_reports):
    report = sample_reports[XIANGYIN]
    document_text = (SAMPLES / XIANGYIN).read_text(encoding="utf-8")
    document = plain_document(document_text)
    wrong = report.figures[0].model_copy(update={"value": Decimal(43)})  # 人员编制 34 read as 43
    checks = verify(report.model_copy(update={"figures": [wrong, *report.figures[1:]]}), document)
    [check] = by_rule(checks, "grounding.figure", FAIL)
    assert check.observed == Decimal(43)


# ---- hand-made reports: one rule at a time -------------------------------------------------

SOURCE = Source(path="<test>", sha256="", length=0, encoding="utf-8", format="txt")


def fig(text: str, key: str, needle: str, value: str, unit: str = "万元", *, period: Period = Period.UNSPECIFIED, item: str | None = None, table: bool = False, year: int | None = None, occurrence: int = 0) -> Figure:
    """A figure whose span covers `needle` (its `occurrence`-th appearance) in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    amount = Decimal(value)
    kind = FigureKind.MONEY if unit in MONEY_UNITS else FigureKind.RATE if unit == "%" else FigureKind.COUNT
    return Figure(
        key=key, label=needle.rstrip("0123456789.万元%件项人 "), value=amount, unit=unit, kind=kind,
        value_wan=to_wan(amount, unit), period=period, year=year, item=item, table=table,
        span=Span(start=start, end=start + len(needle)), evidence=needle,
    )


def run(text: str, figures: list[Figure] = (), meta: Meta | None = None, indicators: list[Indicator] = ()) -> list[Check]:
    # A self score and grade by default, so that only the rule under test speaks.
    report = Report(meta=meta if meta is not None else Meta(self_score=Decimal(95), grade=Grade.EXCELLENT), figures=list(figures), indicators=list(indicators), source=SOURCE)
    return verify(report, plain_document(text))


def at(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start=start, end=start + len(needle))


class TestGrounding:
    def test_number_found_near_its_span_passes(self):
        text = "2022年基本支出304.01万元。"
        checks = run(text, [fig(text, "basic_expenditure", "基本支出304.01万元", "304.01")])
        assert by_rule(checks, "grounding.figure", PASS) and not by_rule(checks, "grounding.figure", FAIL)

    def test_invented_number_fails(self):
        text = "2022年基本支出304.01万元。"
        figure = fig(text, "basic_expenditure", "基本支出304.01万元", "304.01").model_copy(update={"value": Decimal("340.01"), "value_wan": Decimal("340.01")})
        [check] = by_rule(run(text, [figure]), "grounding.figure", FAIL)
        assert "340.01" in check.message

    def test_unit_matters(self):
        text = "三公经费决算为4.4元。"
        figure = fig(text, "three_public_total", "决算为4.4元", "4.4", "元").model_copy(update={"unit": "万元", "value_wan": Decimal("4.4")})
        [check] = by_rule(run(text, [figure]), "grounding.figure", FAIL)
        assert "单位不符" in check.message

    def test_same_amount_in_another_money_unit_is_grounded(self):
        text = "年初预算为3432300.00元。"
        figure = fig(text, "budget", "3432300.00元", "3432300", "元").model_copy(update={"value": Decimal("343.23"), "unit": "万元", "value_wan": Decimal("343.23")})
        assert not by_rule(run(text, [figure]), "grounding.figure", FAIL)

    def test_bare_table_cell_grounds_a_money_figure(self):
        text = "机构\t支出合计\t基本支出\n汇总\t1179.61\t304.01\n"
        assert not by_rule(run(text, [fig(text, "expenditure_total", "1179.61", "1179.61", table=True)]), "grounding.figure", FAIL)

    def test_span_out_of_range_and_no_evidence_fails(self):
        text = "基本支出304.01万元。"
        figure = fig(text, "basic_expenditure", "304.01万元", "304.01").model_copy(update={"span": Span(start=500, end=510), "evidence": "不存在的证据"})
        [check] = by_rule(run(text, [figure]), "grounding.figure", FAIL)
        assert "定位不到" in check.message

    def test_meta_self_score_is_grounded(self):
        text = "自评得分 95 分。"
        meta = Meta(self_score=Decimal(59), evidence={"self_score": Evidence(span=at(text, "95"), quote="95")})
        assert by_rule(run(text, meta=meta), "grounding.figure", FAIL)


class TestIdentities:
    TABLE = "机构\t支出合计\t基本支出\t人员支出\t公用支出\t项目支出\n汇总\t{total}\t{basic}\t{people}\t{public}\t{project}\n"

    def table_report(self, total="1179.61", basic="304.01", people="247.37", public="56.64", project="875.6"):
        text = self.TABLE.format(total=total, basic=basic, people=people, public=public, project=project)
        row = text.index("汇总")
        figures = []
        for key, value in (("expenditure_total", total), ("basic_expenditure", basic), ("personnel_expenditure", people), ("public_expenditure", public), ("project_expenditure", project)):
            start = text.index("\t" + value, row) + 1
            figures.append(Figure(key=key, label=key, value=Decimal(value), unit="万元", kind=FigureKind.MONEY, value_wan=Decimal(value), table=True, span=Span(start=start, end=start + len(value)), evidence=value))
            row = start
        return run(text, figures)

    def test_clean_table_passes_both_identities(self):
        checks = self.table_report()
        assert by_rule(checks, "identity.expenditure_total", PASS)
        assert by_rule(checks, "identity.basic_expenditure", PASS)
        assert not problems(checks)

    def test_total_off_by_a_digit_fails(self):
        checks = self.table_report(project="857.6")
        [check] = by_rule(checks, "identity.expenditure_total", FAIL)
        assert check.expected == Decimal("1161.61") and check.observed == Decimal("1179.61")
        assert check.tolerance == Decimal("0.01")

    def test_one_cent_is_within_tolerance_two_are_not(self):
        assert by_rule(self.table_report(people="247.38", public="56.62"), "identity.basic_expenditure", PASS)
        assert by_rule(self.table_report(people="247.39"), "identity.basic_expenditure", FAIL)

    def test_missing_part_means_no_check(self):
        text = "支出合计1179.61万元，其中基本支出304.01万元。"
        checks = run(text, [fig(text, "expenditure_total", "1179.61万元", "1179.61"), fig(text, "basic_expenditure", "304.01万元", "304.01")])
        assert not by_rule(checks, "identity.expenditure_total")

    def test_parts_in_another_paragraph_are_not_paired(self):
        text = "支出合计1179.61万元。\n\n基本支出300万元，项目支出800万元。"
        figures = [fig(text, "expenditure_total", "1179.61万元", "1179.61"), fig(text, "basic_expenditure", "300万元", "300"), fig(text, "project_expenditure", "800万元", "800")]
        assert not by_rule(run(text, figures), "identity.expenditure_total")

    def test_amount_kept_once_counts_where_restated(self):
        # The extractor keeps 247.37 and 56.64 once (from the table); the paragraph states them again.
        text = "人员\t247.37\t56.64\n\n基本支出304.01万元（人员经费247.37万元，公用经费56.64万元）。"
        figures = [
            fig(text, "personnel_expenditure", "247.37", "247.37", table=True),
            fig(text, "public_expenditure", "56.64", "56.64", table=True),
            fig(text, "basic_expenditure", "304.01万元", "304.01", period=Period.BUDGET),
        ]
        assert by_rule(run(text, figures), "identity.basic_expenditure", PASS)

    def test_three_public_open_in_prose_complete_in_a_table(self):
        prose = "三公经费4.4万元，其中公务接待费1.2万元。"
        checks = run(prose, [fig(prose, "three_public_total", "4.4万元", "4.4"), fig(prose, "three_public_reception", "1.2万元", "1.2")])
        assert by_rule(checks, "identity.three_public", PASS)
        table = "机构\t三公经费合计\t公务接待费\t公务用车运维费\n汇总\t4.4\t1.2\t\n"
        checks = run(table, [fig(table, "three_public_total", "4.4", "4.4", table=True), fig(table, "three_public_reception", "1.2", "1.2", table=True)])
        assert by_rule(checks, "identity.three_public", FAIL)

    def test_income_parts_may_fall_short_but_not_exceed(self):
        text = "收入合计500万元，其中财政拨款收入450万元。"
        checks = run(text, [fig(text, "income_total", "500万元", "500"), fig(text, "income_fiscal", "450万元", "450")])
        assert by_rule(checks, "identity.income_parts", PASS)
        text = "收入合计500万元，其中财政拨款收入550万元。"
        checks = run(text, [fig(text, "income_total", "500万元", "500"), fig(text, "income_fiscal", "550万元", "550")])
        assert by_rule(checks, "identity.income_parts", FAIL)

    def test_balance_is_received_minus_spent(self):
        text = "到位资金127万元，实际支出94.44万元，结余{}万元。"
        for balance, status in (("32.56", PASS), ("23.56", FAIL)):
            body = text.format(balance)
            figures = [
                fig(body, "funds_received", "127万元", "127", period=Period.ACTUAL),
                fig(body, "actual_spending", "94.44万元", "94.44", period=Period.ACTUAL),
                fig(body, "balance", f"{balance}万元", balance),
            ]
            assert by_rule(run(body, figures), "identity.balance", status)

    def test_balance_parts_complete_when_both_stated(self):
        text = "剩余32.56万元，其中7.66万元上缴财政，24.9万元结转下年。"
        figures = [fig(text, "balance", "32.56万元", "32.56"), fig(text, "returned_to_treasury", "7.66万元", "7.66"), fig(text, "carried_forward", "24.9万元", "24.9")]
        assert by_rule(run(text, figures), "identity.balance_parts", PASS)
        # A part the extractor misread (6.66 where the text says 7.66): the report's own breakdown
        # adds up, so the keyed sum defers to it and only grounding accuses the misread figure.
        figures[1] = fig(text, "returned_to_treasury", "7.66万元", "7.66").model_copy(update={"value": Decimal("6.66"), "value_wan": Decimal("6.66")})
        checks = run(text, figures)
        assert not by_rule(checks, "identity.balance_parts", FAIL)
        assert by_rule(checks, "identity.breakdown", PASS) and by_rule(checks, "grounding.figure", FAIL)
        wrong = text.replace("24.9万元结转", "25.9万元结转")
        figures = [fig(wrong, "balance", "32.56万元", "32.56"), fig(wrong, "returned_to_treasury", "7.66万元", "7.66"), fig(wrong, "carried_forward", "25.9万元", "25.9")]
        checks = run(wrong, figures)
        assert by_rule(checks, "identity.balance_parts", FAIL) and by_rule(checks, "identity.breakdown", FAIL)

    LINES = "项目支出875.6万元，{lead}1、改革35万元；2、窗口78万元；3、大楼{building}万元。"

    def lines_report(self, lead: str, building: str, total: str = "875.6") -> list[Check]:
        text = self.LINES.format(lead=lead, building=building).replace("875.6", total)
        figures = [fig(text, "project_expenditure", f"{total}万元", total, period=Period.BUDGET)]
        for item, value in (("改革", "35"), ("窗口", "78"), ("大楼", building)):
            figures.append(fig(text, "project_line", f"{item}{value}万元", value, item=item))
        return run(text, figures)

    def test_project_lines_open_list_must_not_exceed(self):
        assert by_rule(self.lines_report("其中：", "800"), "identity.project_lines", FAIL)

    def test_open_list_falling_short_warns_only_when_numbered(self):
        # 1、2、3、 under 其中 reads as a full enumeration: short of the total is worth a look.
        assert by_rule(self.lines_report("其中：", "200"), "identity.project_lines", WARN)
        text = "项目支出875.6万元，其中改革35万元、窗口78万元等。"
        figures = [fig(text, "project_expenditure", "875.6万元", "875.6", period=Period.BUDGET), fig(text, "project_line", "改革35万元", "35", item="改革"), fig(text, "project_line", "窗口78万元", "78", item="窗口")]
        assert by_rule(run(text, figures), "identity.project_lines", PASS)

    def test_projects_outside_an_exact_breakdown_are_listed(self):
        text = "项目支出113万元，其中：1、改革35万元；2、窗口服务经费78万元。\n\n专项资金：1、窗口专项经费78万元；2、数据中心经费220.2万元。"
        figures = [
            fig(text, "project_expenditure", "113万元", "113", period=Period.BUDGET),
            fig(text, "project_line", "改革35万元", "35", item="改革"),
            fig(text, "project_line", "窗口服务经费78万元", "78", item="窗口服务经费"),
            fig(text, "project_line", "窗口专项经费78万元", "78", item="窗口专项经费"),
            fig(text, "project_line", "数据中心经费220.2万元", "220.2", item="数据中心经费"),
        ]
        warned = by_rule(run(text, figures), "identity.project_lines", WARN)
        assert len(warned) == 1 and "数据中心经费" in warned[0].message and "窗口专项经费" not in warned[0].message

    def test_one_line_above_the_total_fails_wherever_it_is(self):
        text = "项目支出875.6万元。\n\n专项资金使用情况：数据中心经费920.2万元。"
        figures = [fig(text, "project_expenditure", "875.6万元", "875.6", period=Period.BUDGET), fig(text, "project_line", "920.2万元", "920.2", item="数据中心经费")]
        [check] = by_rule(run(text, figures), "identity.project_lines", FAIL)
        assert "数据中心经费" in check.message

    def test_income_broken_down_into_basic_and_project(self):
        text = "2022年预算总收入1179.61万元，其中：基本支出304.01万元；项目支出{}万元。"
        for project, status in (("875.6", PASS), ("849.3", FAIL)):
            body = text.format(project)
            figures = [fig(body, "income_total", "1179.61万元", "1179.61", period=Period.BUDGET), fig(body, "basic_expenditure", "304.01万元", "304.01", period=Period.BUDGET), fig(body, "project_expenditure", f"{project}万元", project, period=Period.BUDGET)]
            assert by_rule(run(body, figures), "identity.income_breakdown", status)

    def test_income_row_with_every_number_accounted_is_complete(self):
        text = "机构\t收入合计\t上年结转\t公共财政拨款\n汇总\t1215.00\t\t1179.61\n"
        figures = [fig(text, "income_total", "1215.00", "1215.00", table=True), fig(text, "income_fiscal", "1179.61", "1179.61", table=True)]
        assert by_rule(run(text, figures), "identity.income_parts", FAIL)
        text = "机构\t收入合计\t政府基金拨款\t公共财政拨款\n汇总\t1215.00\t35.39\t1179.61\n"  # a column with no key
        figures = [fig(text, "income_total", "1215.00", "1215.00", table=True), fig(text, "income_fiscal", "1179.61", "1179.61", table=True)]
        assert by_rule(run(text, figures), "identity.income_parts", PASS)

    def test_project_lines_complete_list_must_equal(self):
        assert by_rule(self.lines_report("分别为：", "762.6"), "identity.project_lines", PASS)
        assert by_rule(self.lines_report("分别为：", "200"), "identity.project_lines", FAIL)

    def test_spending_lines_against_actual_spending(self):
        text = "实际支出94.44万元。资金具体使用情况为：办公费用70.93万元，印刷费23.51万元。"
        figures = [fig(text, "actual_spending", "94.44万元", "94.44", period=Period.ACTUAL), fig(text, "spending_line", "70.93万元", "70.93", item="办公费用"), fig(text, "spending_line", "23.51万元", "23.51", item="印刷费")]
        assert by_rule(run(text, figures), "identity.spending_lines", PASS)

    def test_count_breakdown_from_text(self):
        assert by_rule(run("完成450项事项，其中市级事项311项、县级事项109项，镇村事项30项。"), "identity.count_breakdown", PASS)
        assert by_rule(run("完成450项事项，其中市级事项411项、县级事项109项，镇村事项30项。"), "identity.count_breakdown", FAIL)
        # A list that stops at a different clause (现有 …) is not summed past it.
        assert not problems(run("核定编制10名，其中：主任1名、副主任2名，现有干部职工10名。"))


def score_row(name: str, weight: str, score: str, level1: str | None = None, level2: str | None = None) -> Indicator:
    return Indicator(level1=level1, level2=level2, name=name, weight=Decimal(weight), score=Decimal(score), span=Span(start=0, end=1), evidence=name)


class TestSelfScore:
    def rows(self, leaf_score: str = "4", personal: str = "47", total: str = "97") -> list[Indicator]:
        return [
            score_row("投入", "20", "20"),
            score_row("项目立项", "12", "12", "投入"),
            score_row("项目立项规范性", "4", "4", "投入", "项目立项"),
            score_row("绩效目标合理性", "4", "4", "投入", "项目立项"),
            score_row("绩效指标明确性", "4", leaf_score, "投入", "项目立项"),
            score_row("资金落实", "8", "8", "投入"),
            score_row("资金到位率", "4", "4", "投入", "资金落实"),
            score_row("到位及时率", "4", "4", "投入", "资金落实"),
            score_row("过程", "30", "30"),
            score_row("个性指标", "50", personal),
            score_row("总分", "100", total),
        ]

    def test_balanced_table_passes(self):
        checks = run("自评表", indicators=self.rows(), meta=Meta(self_score=Decimal(97), grade=Grade.EXCELLENT))
        assert by_rule(checks, "identity.self_score", PASS) and not problems(checks)

    def test_leaf_change_breaks_its_parent(self):
        [check] = by_rule(run("自评表", indicators=self.rows(leaf_score="3"), meta=Meta(self_score=Decimal(97))), "identity.self_score", FAIL)
        assert "项目立项" in check.message and check.expected == Decimal(11)

    def test_total_against_parts_and_stated_score(self):
        checks = run("自评表", indicators=self.rows(total="95"), meta=Meta(self_score=Decimal(97)))
        messages = " ".join(c.message for c in by_rule(checks, "identity.self_score", FAIL))
        assert "总分 95" in messages and "自评得分 97" in messages

    def test_score_above_weight_fails(self):
        checks = run("自评表", indicators=self.rows(personal="52", total="102"))
        assert any("超过其分值" in c.message for c in by_rule(checks, "identity.self_score", FAIL))

    def test_leaf_only_table_sums_to_the_stated_score(self):
        rows = [score_row("产出数量", "40", "38", "产出"), score_row("效益", "40", "40", "效益"), score_row("满意度", "20", "18", "满意度")]
        assert by_rule(run("表", indicators=rows, meta=Meta(self_score=Decimal(96))), "identity.self_score", PASS)
        assert by_rule(run("表", indicators=rows, meta=Meta(self_score=Decimal(98))), "identity.self_score", FAIL)


class TestRates:
    def test_execution_rate_recomputed(self):
        text = "项目预算127万元，实际支出94.44万元，执行率为{}%。"
        for stated, status in (("74.36", PASS), ("84.36", FAIL)):
            body = text.format(stated)
            figures = [
                fig(body, "budget", "127万元", "127", period=Period.BUDGET),
                fig(body, "actual_spending", "94.44万元", "94.44", period=Period.ACTUAL),
                fig(body, "execution_rate", f"{stated}%", stated, "%"),
            ]
            assert by_rule(run(body, figures), "rate.execution_rate", status)

    def test_rate_without_its_amounts_is_skipped(self):
        text = "预算支出率为100%。"
        assert not [c for c in run(text, [fig(text, "execution_rate", "100%", "100", "%")]) if c.rule.startswith("rate.")]

    def test_growth_rate_against_prior_year(self):
        text = "业务9082件，与上年同期6142件相比增长{}%。"
        for stated, status in (("47.87", PASS), ("74.87", FAIL)):
            body = text.format(stated)
            figures = [
                fig(body, "count", "9082件", "9082", "件", item="业务"),
                fig(body, "count", "6142件", "6142", "件", period=Period.PRIOR_YEAR, item="与上年同期"),
                fig(body, "growth_rate", f"{stated}%", stated, "%"),
            ]
            assert by_rule(run(body, figures), "rate.growth_rate", status)

    @pytest.mark.parametrize(
        ("sentence", "status"),
        [
            ("公布事项1816项，其中可在线申办1661项，网上可办率达91.4%。", PASS),  # 91.46 truncated
            ("依申请事项1515项，可网办事项1490项，可网办率达100%。", FAIL),  # 98.35 is not 100
            ("共实施7个项目，其中设置了绩效目标的项目7个，绩效目标覆盖率为100%。", PASS),
            ("受理1000件，办结900件，按时办结率95%。", WARN),  # the numerator may be counted differently
            ("项目年初预算127万元，实际支出94.44万元，执行率为84.36%。", FAIL),  # money: no doubt about the operands
            ("收入100万元，支出95万元，结余率5%。", PASS),  # a complement rate
        ],
    )
    def test_ratio_statements_in_text(self, sentence, status):
        [check] = by_rule(run(sentence), "rate.ratio_statement")
        assert check.status is status

    def test_ratio_statement_needs_exactly_two_operands(self):
        assert not by_rule(run("进驻35个单位1580项事项，进驻率达87%。"), "rate.ratio_statement")
        assert not by_rule(run("办结回访514件，满意率99.8%。"), "rate.ratio_statement")

    def test_growth_statement_in_text(self):
        assert by_rule(run("2022年预算3432300.00元，2021年预算2744510.00元，年初预算增长25.06%。"), "rate.growth_statement", PASS)
        assert by_rule(run("本年工单186件，较去年同期72件相比增长58.33%。"), "rate.growth_statement", FAIL)
        assert not by_rule(run("共回复工单19251件，同比2021年减少27%。"), "rate.growth_statement")

    @pytest.mark.parametrize(
        ("computed", "stated", "agrees"),
        [("74.362", "74.36", True), ("91.46", "91.4", True), ("86.6", "87", True), ("87.9", "87", True),
         ("98.35", "100", False), ("99.6", "100", True), ("74.5", "74.36", False), ("25.0617", "25.06", True)],
    )
    def test_rate_tolerance(self, computed, stated, agrees):
        assert rate_agrees(Decimal(computed), Decimal(stated)) is agrees


class TestConsistency:
    @pytest.mark.parametrize(
        ("a", "b", "typo"),
        [("19251", "1925", True), ("304.01", "340.01", True), ("4.4", "44", True), ("875.6", "857.6", True),
         ("10", "3", False), ("826", "862", True), ("1000", "950", False), ("7", "70", False), ("35", "36", False)],
    )
    def test_typo_like(self, a, b, typo):
        assert typo_like(Decimal(a), Decimal(b)) is typo

    def test_same_count_twice_with_a_dropped_digit(self):
        text = "共回复工单19251件。\n\n数量指标：回复工单1925件。"
        figures = [fig(text, "count", "19251件", "19251", "件", item="回复工单"), fig(text, "count", "1925件", "1925", "件", item="回复工单")]
        [check] = by_rule(run(text, figures), "consistency.repeated_value", FAIL)
        assert values(check) == {Decimal(19251), Decimal(1925)}

    def test_different_counts_of_different_things_are_not_compared(self):
        text = "政务服务中心核定编制10名。\n\n热线中心核定编制3名。"
        figures = [fig(text, "count", "10名", "10", "名", item="核定编制"), fig(text, "count", "3名", "3", "名", item="核定编制")]
        assert not problems(run(text, figures))

    def test_prior_year_amount_is_not_a_contradiction(self):
        text = "2022年支出决算3432300元，上年支出决算2634600元。"
        figures = [
            fig(text, "expenditure_total", "3432300元", "3432300", "元", period=Period.ACTUAL, year=2022),
            fig(text, "expenditure_total", "2634600元", "2634600", "元", period=Period.PRIOR_YEAR),
        ]
        assert not by_rule(run(text, figures), "consistency.repeated_value")

    def test_two_actual_totals_that_differ_warn(self):
        text = "支出决算1179.61万元。\n\n全年实际支出总额1200万元。"
        figures = [fig(text, "expenditure_total", "1179.61万元", "1179.61", period=Period.ACTUAL), fig(text, "expenditure_total", "1200万元", "1200", period=Period.ACTUAL)]
        assert by_rule(run(text, figures), "consistency.repeated_value", WARN)

    def test_unit_slip_from_figures_and_from_text(self):
        text = '"三公"经费预算为4.4万元,决算为4.4元。'
        figures = [fig(text, "three_public_total", "4.4万元", "4.4", period=Period.BUDGET), fig(text, "three_public_total", "4.4元", "4.4", "元", period=Period.ACTUAL)]
        assert len(by_rule(run(text, figures), "consistency.unit_slip", FAIL)) == 1  # reported once
        assert len(by_rule(run(text), "consistency.unit_slip", FAIL)) == 1  # found without any extraction

    def test_same_project_with_two_budgets(self):
        text = "其中：1、劳务派遣人员补助132万元。\n\n专项资金使用情况：劳务派遣人员补助125万元，实际支付124.48万元。"
        figures = [fig(text, "project_line", "132万元", "132", item="劳务派遣人员补助"), fig(text, "project_line", "125万元", "125", item="劳务派遣人员补助")]
        assert by_rule(run(text, figures), "consistency.repeated_value", WARN)
        # Reordered words name the same project; in one row two columns may differ (预算 | 决算).
        text = "企业开办公章免费刻制36万元。\n\n企业开办免费刻制公章36万元。"
        figures = [fig(text, "project_line", "公章免费刻制36万元", "36", item="企业开办公章免费刻制"), fig(text, "project_line", "刻制公章36万元", "36", item="企业开办免费刻制公章")]
        assert not problems(run(text, figures))
        text = "项目\t预算数\t执行数\n食堂运行\t103\t146\n"
        figures = [fig(text, "project_line", "103", "103", item="食堂运行", table=True), fig(text, "project_line", "146", "146", item="食堂运行", table=True)]
        assert not by_rule(run(text, figures), "consistency.repeated_value")

    def test_totals_with_no_period_stated_that_differ_warn_low(self):
        text = "三公经费合计\t0.46\n\n2022年三公经费支出1.46万元。"
        figures = [fig(text, "three_public_total", "0.46", "0.46", table=True), fig(text, "three_public_total", "1.46万元", "1.46")]
        [check] = by_rule(run(text, figures), "consistency.repeated_value", WARN)
        assert check.severity.value == "low"

    def test_balance_has_no_budget_version(self):
        text = "结转下年24.9万元。\n\n因财政原因24.9万元未能支付已结转至下年度，另23.7万元结转。"
        figures = [fig(text, "carried_forward", "24.9万元", "24.9"), fig(text, "carried_forward", "23.7万元", "23.7", period=Period.ACTUAL)]
        assert by_rule(run(text, figures), "consistency.repeated_value", WARN)

    @pytest.mark.parametrize(
        ("sentence", "status"),
        [
            ("行政审批制度改革35万元，实际支付30.66元。", WARN),
            ("补助标准500元/人，全年共支出300万元。", None),  # a per-head rate
            ("购买办公用品支出35万元，邮寄费30元。", None),  # nothing says these are one amount
        ],
    )
    def test_unit_slip_with_different_digits(self, sentence, status):
        found = by_rule(run(sentence), "consistency.unit_slip")
        assert [c.status for c in found] == ([status] if status else [])

    def test_comparison_claims(self):
        assert by_rule(run("在编人员共10人,核定编制数为10人,比率大于100%。"), "consistency.comparison_claim", FAIL)
        assert by_rule(run("在编人员共12人,核定编制数为10人,比率大于100%。"), "consistency.comparison_claim", PASS)
        assert by_rule(run("公用经费预算为18.63万元,决算为18.63万元,公用经费决算数大于调整预算数。"), "consistency.comparison_claim", FAIL)
        assert by_rule(run("公用经费预算为18.63万元,决算为19.5万元,公用经费决算数大于调整预算数。"), "consistency.comparison_claim", PASS)


class TestPlausibility:
    @pytest.mark.parametrize(
        ("score", "grade", "status"),
        [("95", Grade.EXCELLENT, PASS), ("90", Grade.EXCELLENT, PASS), ("89.5", Grade.EXCELLENT, FAIL), ("85", Grade.GOOD, PASS), ("79", Grade.GOOD, FAIL), ("59", Grade.POOR, PASS)],
    )
    def test_grade_against_default_bands(self, score, grade, status):
        [check] = by_rule(run("报告", meta=Meta(self_score=Decimal(score), grade=grade)), "plausibility.grade_score")
        assert check.status is status

    def test_grade_against_bands_the_report_states(self):
        text = "评价结果分为四档：85分（含）以上为优，70-84分为良。"
        [check] = by_rule(run(text, meta=Meta(self_score=Decimal(87), grade=Grade.EXCELLENT)), "plausibility.grade_score")
        assert check.status is PASS

    def test_missing_grade_beside_a_score_warns(self):
        [check] = by_rule(run("报告", meta=Meta(self_score=Decimal(97))), "plausibility.grade_score")
        assert check.status is WARN and "等次" in check.message

    def test_missing_self_score_warns(self):
        assert by_rule(run("报告", meta=Meta()), "plausibility.self_score", WARN)
        assert not by_rule(run("报告", meta=Meta(self_score=Decimal(90))), "plausibility.self_score")

    def test_low_execution_beside_high_score(self):
        text = "执行率为74.36%。"
        checks = run(text, [fig(text, "execution_rate", "74.36%", "74.36", "%")], meta=Meta(self_score=Decimal(97)))
        assert by_rule(checks, "plausibility.execution_vs_score", WARN)
        checks = run(text, [fig(text, "execution_rate", "74.36%", "74.36", "%")], meta=Meta(self_score=Decimal(80)))
        assert by_rule(checks, "plausibility.execution_vs_score", PASS)

    def test_report_date_before_year_end(self):
        assert by_rule(run("报告", meta=Meta(year=2022, report_date=date(2022, 3, 16))), "plausibility.report_date", WARN)
        assert by_rule(run("报告", meta=Meta(year=2022, report_date=date(2023, 3, 16))), "plausibility.report_date", PASS)

    def test_staffing_above_establishment(self):
        assert by_rule(run("报告", meta=Meta(staff_authorized=10, staff_actual=12)), "plausibility.staffing", WARN)
        assert by_rule(run("报告", meta=Meta(staff_authorized=34, staff_actual=34)), "plausibility.staffing", PASS)

    def test_spending_above_item_budget(self):
        text = "2、窗口专项经费78万元，实际支付80.64万元；3、大楼运行经费240万元，实际支付230万元。"
        figures = [
            fig(text, "project_line", "78万元", "78", item="窗口专项经费"),
            fig(text, "actual_spending", "80.64万元", "80.64", period=Period.ACTUAL, item="窗口专项经费"),
            fig(text, "project_line", "240万元", "240", item="大楼运行经费"),
            fig(text, "actual_spending", "230万元", "230", period=Period.ACTUAL, item="大楼运行经费"),
        ]
        [check] = by_rule(run(text, figures), "plausibility.over_budget", WARN)
        assert "窗口专项经费" in check.message and check.observed == Decimal("80.64")

    def test_funds_received_above_budget(self):
        text = "7、企业开办免费刻制公章35万元，已到位36万元。"
        figures = [fig(text, "project_line", "35万元", "35", item="企业开办免费刻制公章"), fig(text, "funds_received", "36万元", "36", period=Period.ACTUAL, item="企业开办免费刻制公章")]
        [check] = by_rule(run(text, figures), "plausibility.over_budget", WARN)
        assert "到位资金" in check.message

    @pytest.mark.parametrize(("sentence", "fails"), [("平台填报率105%。", True), ("群众满意率达到110%。", True), ("预算执行率105%。", False), ("满意率100%。", False)])
    def test_shares_cannot_exceed_100_percent(self, sentence, fails):
        assert bool(by_rule(run(sentence), "plausibility.rate_range", FAIL)) is fails

    def test_funding_sources_against_the_budget_total(self):
        text = "总额：127万元，其中：申请省级财政0万元；申请市级财政0万元；区县（市）财政安排{}万元。"
        for value, status in (("127", PASS), ("123", FAIL)):
            body = text.format(value)
            figures = [fig(body, "budget", "127万元", "127", period=Period.BUDGET)]
            for item, amount in (("申请省级财政", "0"), ("申请市级财政", "0"), ("区县（市）财政安排", value)):
                figures.append(fig(body, "budget", f"{item}{amount}万元", amount, period=Period.BUDGET, item=item))
            assert by_rule(run(body, figures), "identity.budget_sources", status)

    def test_indicators_without_target_or_actual(self):
        rows = [
            Indicator(level1="产出", level2="数量指标", name="数量指标", target="390人", actual="100%", span=Span(start=0, end=1), evidence="x"),
            Indicator(level1="产出", level2="成本指标", name="成本指标", span=Span(start=0, end=1), evidence="x"),
            score_row("投入", "20", "20"),  # a self-score row is not a performance indicator
        ]
        [check] = by_rule(run("表", indicators=rows), "plausibility.indicator_values", WARN)
        assert [item.label for item in check.inputs] == ["成本指标"]


# ---- the command -----------------------------------------------------------------------------


def test_verify_command_prints_checks_most_severe_first():
    result = CliRunner().invoke(app, ["verify", str(SAMPLES / LECHANG), "--no-passes"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "consistency.unit_slip" in result.output and "rate.ratio_statement" in result.output
    assert result.output.index("consistency.unit_slip") < result.output.index("rate.ratio_statement")  # high before medium
    assert "grounding.figure" not in result.output  # --no-passes hides the passes


def test_verify_command_maps_a_missing_file_to_the_input_exit_code(tmp_path):
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "missing.txt")])
    assert result.exit_code == 3
    assert "missing.txt" in result.output


# ---- never raises ------------------------------------------------------------------------------


def test_verify_never_raises_on_odd_extractions(sample_reports):
    """An LLM may return anything the schema allows: zero or negative amounts, odd units, spans
    outside the text, impossible years. Verification reports on it; it never crashes."""
    import random

    from summarizer.ingest import read_document
    from summarizer.schemas import FIGURE_KEYS as KEYS

    rng = random.Random(7)
    units = ["万元", "元", "亿元", "%", "个百分点", "件", "人", "名", "分", "", "万次"]
    for name, base in sample_reports.items():
        document = read_document(SAMPLES / name, Settings())
        for _ in range(25):
            figures = []
            for figure in base.figures:
                change: dict = {}
                if rng.random() < 0.15:
                    change["value"] = rng.choice([Decimal(0), Decimal("-3.5"), Decimal("1E+12")])
                if rng.random() < 0.1:
                    change["unit"] = rng.choice(units)
                if rng.random() < 0.1:
                    change["span"] = Span(start=rng.randint(0, 10**6), end=rng.randint(0, 10**6))
                if rng.random() < 0.1:
                    change["period"] = rng.choice(list(Period))
                if rng.random() < 0.1:
                    change["year"] = rng.choice([None, 0, 99999])
                if rng.random() < 0.1:
                    change["key"] = rng.choice(list(KEYS))
                if rng.random() < 0.05:
                    change["value_wan"] = rng.choice([None, Decimal(0)])
                figures.append(figure.model_copy(update=change))
            rng.shuffle(figures)
            meta = base.meta.model_copy(update={"year": rng.choice([None, 1, 99999, base.meta.year]), "self_score": rng.choice([None, Decimal(-1), Decimal(150)])})
            indicators = [row.model_copy(update={"weight": rng.choice([None, Decimal(0), row.weight]), "name": rng.choice([row.name, "", "总分"])}) for row in base.indicators]
            checks = verify(base.model_copy(update={"figures": figures, "meta": meta, "indicators": indicators}), document)
            assert all(isinstance(check, Check) for check in checks)
    for _ in range(100):
        text = "".join(rng.choice("0123456789.,%万元亿件项人名其中率增长下降预算决算大于小于。，；\n\t、实际支付") for _ in range(rng.randint(0, 300)))
        run(text)


def test_checks_name_their_figures_and_rules_are_typed(sample_reports):
    from summarizer.schemas import RuleId

    report = sample_reports[XIANGYIN]
    assert all(isinstance(check.rule, RuleId) for check in report.checks)
    [typo] = by_rule(report.checks, "consistency.repeated_value", FAIL)
    named = {report.figures[n].value for n in typo.figures}
    assert named == {Decimal(19251), Decimal(1925)}
    for check in report.checks:
        assert all(0 <= n < len(report.figures) for n in check.figures)
        assert check.breakdown is None or 0 <= check.breakdown < len(report.breakdowns)


class TestExecutionAndIncome:
    def test_most_of_the_budget_unspent_warns(self):
        text = "项目预算239万元，全年支出87.06万元。"
        figures = [fig(text, "budget", "239万元", "239", period=Period.BUDGET), fig(text, "actual_spending", "87.06万元", "87.06", period=Period.ACTUAL)]
        [check] = by_rule(run(text, figures), "plausibility.low_execution")
        assert check.status is WARN and check.observed == Decimal("36.43")
        stated = "预算执行率57.89%。"
        assert by_rule(run(stated, [fig(stated, "execution_rate", "57.89%", "57.89", "%")]), "plausibility.low_execution", WARN)
        spent = text.replace("87.06", "230")
        figures = [fig(spent, "budget", "239万元", "239", period=Period.BUDGET), fig(spent, "actual_spending", "230万元", "230", period=Period.ACTUAL)]
        assert not by_rule(run(spent, figures), "plausibility.low_execution")

    def test_spending_above_income_without_a_carryover_warns(self):
        text = "收入合计123.38万元。支出合计174万元。"
        figures = [fig(text, "income_total", "123.38万元", "123.38"), fig(text, "expenditure_total", "174万元", "174")]
        assert by_rule(run(text, figures), "plausibility.spending_over_income", WARN)
        carried = text + "上年结转50.62万元。"
        figures = [*(fig(carried, f.key, f.evidence, str(f.value)) for f in figures), fig(carried, "carryover", "50.62万元", "50.62")]
        assert not by_rule(run(carried, figures), "plausibility.spending_over_income")


def test_a_number_glued_to_the_next_cell_is_grounded():
    """"194.9194.9100%" is 194.9 | 194.9 | 100% run together: a figure spanning exactly its digits
    is grounded; one that claims 万元 where the text says 元 still is not."""
    text = "年度资金总额194.9194.9100%"
    assert not by_rule(run(text, [fig(text, "budget", "194.9", "194.9", table=True)]), "grounding.figure", FAIL)
    assert not by_rule(run(text, [fig(text, "execution_rate", "100%", "100", "%", table=True)]), "grounding.figure", FAIL)
    assert by_rule(run("资金4.4元", [fig("资金4.4元", "budget", "4.4", "4.4")]), "grounding.figure", FAIL)


def test_a_zero_rate_on_a_row_with_nothing_budgeted_is_not_low_execution():
    text = "财政专户管理资金 | 0.00 | 0.00 | 0.00 | 0.00% |"
    assert not by_rule(run(text, [fig(text, "execution_rate", "0.00%", "0.00", "%", table=True)]), "plausibility.low_execution")
