"""The rules backend on the real samples, against values read by hand from each report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.pipeline import extract_report
from summarizer.schemas import Grade, ReportKind

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
XIANGYIN = SAMPLES / "xiangyin_2022_administrative_approval_bureau_department.txt"
YUHUA = SAMPLES / "yuhua_2021_government_service_hall_project.txt"
LECHANG = SAMPLES / "lechang_2022_administrative_service_center_department.txt"


@pytest.fixture(scope="module")
def reports():
    settings = Settings(verify=False)
    return {path.name: extract_report(path, settings) for path in (XIANGYIN, YUHUA, LECHANG)}


def values(report, key, *, item=None, unit=None):
    return {
        figure.value
        for figure in report.figures
        if figure.key == key and (item is None or figure.item == item) and (unit is None or figure.unit == unit)
    }


def assert_grounded(report, text):
    """Every figure's evidence is in the source and its span covers its number."""
    for figure in report.figures:
        covered = text[figure.span.start : figure.span.end]
        digits = str(figure.value).split(".")[0]
        assert digits in covered.replace(",", ""), (figure.key, figure.value, covered)
    for item in report.problems + report.measures + report.achievements:
        assert item.span.end > item.span.start
        assert text[item.span.start : item.span.end].strip()


def test_xiangyin_meta(reports):
    meta = reports[XIANGYIN.name].meta
    assert meta.unit_name == "湘阴县行政审批服务局"
    assert meta.region == "湘阴县"
    assert meta.year == 2022
    assert meta.kind is ReportKind.DEPARTMENT
    assert meta.report_date == date(2022, 3, 16)
    assert meta.contact_person == "刘艳"
    assert (meta.staff_authorized, meta.staff_actual) == (34, 34)
    assert meta.self_score == Decimal("95")
    assert meta.grade is Grade.EXCELLENT and meta.grade_label == "优秀"


def test_xiangyin_budget_tables_and_narrative(reports):
    report = reports[XIANGYIN.name]
    expected = {
        "income_total": "1179.61",
        "expenditure_total": "1179.61",
        "basic_expenditure": "304.01",
        "personnel_expenditure": "247.37",
        "public_expenditure": "56.64",
        "project_expenditure": "875.6",
        "three_public_total": "0.46",
        "three_public_reception": "0.46",
        "fixed_assets": "25.02",
    }
    for key, value in expected.items():
        assert Decimal(value) in values(report, key, unit="万元"), key
    lines = {f.item: f.value for f in report.figures if f.key == "project_line"}
    for item, value in {"行政审批制度改革": "35", "窗口服务经费": "78", "大楼运行经费": "240", "大厅窗口人员绩效考核": "251.6",
                        "食堂运行": "103", "劳务派遣人员补助": "132", "企业开办公章免费刻制": "36"}.items():
        assert lines.get(item) == Decimal(value), item
    money = [f for f in report.figures if f.kind.value == "money"]
    assert all(f.value_wan == f.value for f in money if f.unit == "万元")


def test_xiangyin_counts_keep_both_conflicting_statements(reports):
    report = reports[XIANGYIN.name]
    replies = {f.value for f in report.figures if f.key == "count" and f.item and "回复工单" in f.item}
    assert {Decimal("19251"), Decimal("1925")} <= replies


def test_xiangyin_problems_and_measures(reports):
    report = reports[XIANGYIN.name]
    assert len(report.problems) == 3
    assert report.problems[0].text.startswith("1、部分项目资金支付进度滞后")
    assert "内控制度需进一步完善" in report.problems[1].text
    assert len(report.measures) == 3
    assert "科学合理编制预算" in report.measures[0].text
    assert "新政府会计制度培训" in report.measures[2].text
    assert len(report.achievements) >= 8


def test_yuhua_project_report(reports):
    report = reports[YUHUA.name]
    meta = report.meta
    assert meta.kind is ReportKind.PROJECT
    assert meta.project_name == "政务服务及政务大厅运转经费"
    assert meta.year == 2021 and meta.region == "雨花区"
    assert meta.self_score == Decimal("97")
    assert meta.grade is None  # the report states no grade
    assert Decimal("127") in values(report, "budget")
    assert Decimal("127") in values(report, "funds_received")
    assert Decimal("100") in values(report, "received_rate")
    assert Decimal("94.44") in values(report, "actual_spending")
    assert Decimal("74.36") in values(report, "execution_rate")
    assert Decimal("32.56") in values(report, "balance")
    assert Decimal("7.66") in values(report, "returned_to_treasury")
    assert Decimal("24.9") in values(report, "carried_forward")
    spending = {f.item: f.value for f in report.figures if f.key == "spending_line"}
    assert spending["办公费用"] == Decimal("70.93") and spending["其他商品和服务支出"] == Decimal("15.91")


def test_yuhua_self_score_table(reports):
    rows = {i.name: i for i in reports[YUHUA.name].indicators}
    assert (rows["投入"].weight, rows["投入"].score) == (Decimal("20.00"), Decimal("20"))
    assert (rows["过程"].weight, rows["过程"].score) == (Decimal("30.00"), Decimal("30"))
    assert (rows["个性指标"].weight, rows["个性指标"].score) == (Decimal("50.00"), Decimal("47"))
    assert rows["总分"].score == Decimal("97")
    assert rows["资金到位率"].level1 == "投入" and rows["资金到位率"].level2 == "资金落实"


def test_yuhua_problem_from_merged_section_and_empty_table_cells(reports):
    report = reports[YUHUA.name]
    # 问题与分析 / 存在问题与建议 cells are empty; the stated problem is the execution gap.
    assert len(report.problems) == 1
    assert "24.9万元" in report.problems[0].text
    assert len(report.achievements) >= 5


def test_lechang_meta_and_money_in_yuan(reports):
    report = reports[LECHANG.name]
    meta = report.meta
    assert meta.unit_name == "乐昌市行政服务中心"
    assert meta.year == 2022 and meta.report_date == date(2023, 2, 2)
    assert meta.contact_person == "陈振文"
    assert (meta.staff_authorized, meta.staff_actual) == (10, 10)
    assert meta.self_score == Decimal("100") and meta.grade is Grade.EXCELLENT
    budget = [f for f in report.figures if f.key == "budget" and f.value == Decimal("3432300.00")]
    assert budget and budget[0].unit == "元" and budget[0].value_wan == Decimal("343.23")
    assert Decimal("2744510.00") in values(report, "budget")
    assert Decimal("25.06") in values(report, "growth_rate")
    assert Decimal("30.28") in values(report, "growth_rate")  # the % sign is missing in the report
    assert {Decimal("4.4")} == values(report, "three_public_total", unit="万元")
    assert {Decimal("4.4")} == values(report, "three_public_total", unit="元")


def test_lechang_problems_split_on_yi_shi_er_shi(reports):
    report = reports[LECHANG.name]
    assert len(report.problems) == 2
    assert report.problems[0].text.startswith("绩效管理理念有待进一步增强")
    assert report.problems[1].text.startswith("二是预算绩效管理基础工作")
    assert [m.text[:2] for m in report.measures] == ["一是", "二是", "三是"]


@pytest.mark.parametrize("path", [XIANGYIN, YUHUA, LECHANG], ids=lambda p: p.stem.split("_")[0])
def test_every_item_is_grounded(reports, path):
    report = reports[path.name]
    text = path.read_text(encoding="utf-8")
    assert report.source.length == len(text)
    assert_grounded(report, text)
    for name, evidence in report.meta.evidence.items():
        assert text[evidence.span.start : evidence.span.end], name


SYNTHETIC = Path(__file__).resolve().parent / "data" / "synthetic_project_report.txt"


def test_standard_indicator_table_and_common_phrasings():
    """A made-up report in the common 一级/二级/三级指标 layout (not one of the samples)."""
    report = extract_report(SYNTHETIC, Settings(verify=False))
    meta = report.meta
    assert (meta.self_score, meta.grade, meta.year) == (Decimal("88"), Grade.GOOD, 2023)
    assert meta.project_name == "农村饮水安全维修养护" and meta.unit_name == "某某市水利服务中心"
    rows = {i.name: i for i in report.indicators}
    assert len(rows) == 5
    assert (rows["受益人口"].level1, rows["受益人口"].level2) == ("产出指标", "数量指标")  # merged cells
    assert (rows["农村供水保障率"].target, rows["农村供水保障率"].actual) == ("≥95%", "96%")
    assert (rows["农村供水保障率"].weight, rows["农村供水保障率"].score) == (Decimal("20"), Decimal("18"))
    by_key = {(f.key, f.item): f.value for f in report.figures}
    assert by_key[("budget", None)] == Decimal("200")
    assert by_key[("budget", "中央补助")] == Decimal("80")
    assert by_key[("budget", "市级财政")] == Decimal("120")
    assert by_key[("actual_spending", None)] == Decimal("186.5")
    assert by_key[("execution_rate", None)] == Decimal("93.25")
    assert by_key[("balance", None)] == Decimal("13.5")
    assert not [f for f in report.figures if f.key in ("count", "other_rate")]  # table targets are not figures
    assert [p.text[:3] for p in report.problems] == ["（一）", "（二）"]
    assert len(report.measures) == 2


def test_department_narrative_with_pipe_table():
    """A made-up department report: 收入总计/支出总计 sentences, a markdown table, 一是/二是 problems."""
    path = Path(__file__).resolve().parent / "data" / "synthetic_department_report.md"
    report = extract_report(path, Settings(verify=False))
    meta = report.meta
    assert meta.kind is ReportKind.DEPARTMENT  # 项目支出 in the body does not make it a project report
    assert (meta.contact_person, meta.staff_authorized, meta.staff_actual) == ("王芳", 45, 43)
    assert (meta.self_score, meta.grade) == (Decimal("92"), Grade.EXCELLENT)
    by_key = {(f.key, f.item): f.value for f in report.figures}
    expected = {
        ("income_total", None): "1234.56", ("income_fiscal", None): "1200", ("income_other", None): "34.56",
        ("expenditure_total", None): "1230", ("basic_expenditure", None): "800", ("personnel_expenditure", None): "700",
        ("public_expenditure", None): "100", ("project_expenditure", None): "430", ("balance", None): "4.56",
        ("three_public_total", None): "5.2", ("three_public_reception", None): "1.2",
        ("three_public_vehicle_operation", None): "4", ("execution_rate", "项目支出"): "95.56",
    }
    for key, value in expected.items():
        assert by_key.get(key) == Decimal(value), key
    # In the table the row names the subject and the column the period.
    by_period = {(f.key, f.period.value): f.value for f in report.figures if f.table}
    assert by_period[("basic_expenditure", "budget")] == Decimal("820")
    assert by_period[("basic_expenditure", "actual")] == Decimal("800")
    assert by_period[("project_expenditure", "budget")] == Decimal("450")
    assert [p.text[:2] for p in report.problems] == ["一是", "二是"]
    assert len(report.measures) == 2


def test_periods_and_changes_in_another_layout(tmp_path):
    """Budget/adjusted/final income, a 其中 list inheriting its head's period, a change amount."""
    text = (
        "某市自然资源局2023年度部门整体支出绩效自评报告\n\n一、部门收支情况\n"
        "2023年年初预算收入3200.5万元，调整预算收入3450.8万元，决算收入3448.2万元，"
        "其中：一般公共预算财政拨款收入3300万元，其他收入148.2万元。\n"
        "2023年“三公”经费预算20万元，决算18.5万元，其中：公务接待费3.5万元，公务用车运行维护费15万元。"
        "较上年减少2.1万元，下降10.19%。\n二、存在的问题\n一是预算编制精准度有待提高。\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    figures = extract_report(path, Settings(verify=False)).figures
    found = {(f.key, f.period.value): f.value for f in figures}
    assert found[("income_total", "budget")] == Decimal("3200.5")
    assert found[("income_total", "adjusted")] == Decimal("3450.8")
    assert found[("income_total", "actual")] == Decimal("3448.2")
    assert found[("income_fiscal", "actual")] == Decimal("3300")  # 一般公共预算 is not a budget period
    assert found[("three_public_reception", "actual")] == Decimal("3.5")
    assert ("change_amount", "prior_year") in found and Decimal("2.1") not in values_of(figures, "project_line")


def values_of(figures, key):
    return {f.value for f in figures if f.key == key}


def test_bare_income_and_spending_labels_and_included_lines(tmp_path):
    """Layouts seen in other counties: "1、收入:…万元", "项目支出包括X…万元", a 7-digit phone."""
    text = (
        "部门整体支出绩效评价报告\n一、基本情况\n2021年部门决算收支完成情况。\n"
        "1、收入:792.22万元。同比上年度增加189.25万元,增加31.39%。其中:财政拨款收入792.22万元。\n"
        "2、支出:799.12万元。其中:人员经费支出434.89万元,公用经费支出77.4万元,项目支出286.83万元。\n"
        "项目支出包括委员活动经费36.3万元,信息网络运行经费5万元。实际支出20万元。\n"
        "联系人\n\n吴俊\n\n联络电话\n\n8690022\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    report = extract_report(path, Settings(verify=False))
    found = {(f.key, f.item): f.value for f in report.figures}
    assert found[("income_total", None)] == Decimal("792.22")
    assert found[("income_fiscal", None)] == Decimal("792.22")
    assert found[("expenditure_total", None)] == Decimal("799.12")
    assert found[("project_expenditure", None)] == Decimal("286.83")
    assert found[("project_line", "委员活动经费")] == Decimal("36.3")
    assert found[("change_amount", "同比上年度增加")] == Decimal("189.25")
    assert found[("growth_rate", "增加")] == Decimal("31.39")
    assert found[("actual_spending", None)] == Decimal("20")  # 实际支出 is not the bare 支出 total
    assert report.meta.year == 2021  # no year in the title: the first year the opening names
    assert (report.meta.contact_person, report.meta.contact_phone) == ("吴俊", "8690022")


def test_counts_inside_labels_and_bracketed_years(tmp_path):
    """"预算8个项目985万元": the count belongs to the label; "（含2023年…）" does not date the amount."""
    text = (
        "某州数据中心2024年度项目支出绩效自评报告\n一、基本情况\n"
        "2024年实施项目共15个(含2023年转列项目5个),年初批复预算8个项目985万元(含1个年初结转结余项目50万元),"
        "调整预算后项目预算861.46万元,实际到位资金334.67万元。其中首次登记12000件、转移登记21000件。\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    figures = extract_report(path, Settings(verify=False)).figures
    found = {(f.key, f.period.value): (f.value, f.year) for f in figures if f.kind.value == "money"}
    assert found[("budget", "budget")] == (Decimal("985"), 2024)
    assert found[("budget", "adjusted")] == (Decimal("861.46"), 2024)
    assert found[("funds_received", "actual")] == (Decimal("334.67"), 2024)
    assert ("carryover", "unspecified") in found
    counts = {f.item: f.value for f in figures if f.key == "count"}
    assert counts["转移登记"] == Decimal("21000") and counts["首次登记"] == Decimal("12000")


def test_problems_and_measures_in_table_rows(tmp_path):
    text = (
        "某县2023年度项目支出绩效自评报告\n一、评价情况\n指标\t得分\n"
        "存在问题\t1、资金支付滞后。2、指标不够细化。\n改进措施\t加快支付进度，细化量化指标。\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    report = extract_report(path, Settings(verify=False))
    assert [p.text for p in report.problems] == ["1、资金支付滞后。", "2、指标不够细化。"]
    assert [m.text for m in report.measures] == ["加快支付进度，细化量化指标。"]


def test_problem_and_measure_sub_headings_and_unit_from_title():
    """（一）short heading + its paragraph is one point; a 预算编制 sub-heading stays a problem."""
    path = Path(__file__).resolve().parent / "data" / "synthetic_subheadings_report.txt"
    report = extract_report(path, Settings(verify=False))
    assert report.meta.unit_name == "某县农业农村局"  # no 单位名称 line: taken from the title
    assert (report.meta.self_score, report.meta.grade) == (Decimal("91.5"), Grade.EXCELLENT)
    assert [p.text.split(" ")[0] for p in report.problems] == ["（一）预算编制不够精准", "（二）绩效目标设置不够科学"]
    assert "年中调整频繁" in report.problems[0].text
    assert [m.text.split(" ")[0] for m in report.measures] == ["（一）提高预算编制质量", "（二）完善绩效指标体系"]


def test_budget_table_with_score_columns_is_not_an_indicator_table():
    """年度资金总额 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, then the 指标 table."""
    path = Path(__file__).resolve().parent / "data" / "synthetic_project_table.txt"
    report = extract_report(path, Settings(verify=False))
    found = {(f.key, f.period.value): f.value for f in report.figures if f.item is None}
    assert found[("budget", "budget")] == Decimal("300")
    assert found[("budget", "adjusted")] == Decimal("320")
    assert found[("actual_spending", "actual")] == Decimal("288")
    assert found[("execution_rate", "unspecified")] == Decimal("90")
    assert found[("carryover", "actual")] == Decimal("18")
    rows = {i.name: i for i in report.indicators}
    assert list(rows) == ["预算执行率", "整治村庄数", "验收合格率", "群众满意度", "总分"]
    assert (rows["预算执行率"].weight, rows["预算执行率"].score, rows["预算执行率"].actual) == (Decimal("10"), Decimal("9"), "90%")
    assert report.meta.self_score == Decimal("96") and report.meta.project_name == "城乡环境整治"


def test_standard_form_self_score_adds_up_with_the_execution_row():
    """The 预算执行率 row's 分值 10 plus the 指标 rows' 90 make the 总分 100: no false alarm."""
    path = Path(__file__).resolve().parent / "data" / "synthetic_project_table.txt"
    checks = extract_report(path, Settings()).checks
    self_score = [c for c in checks if c.rule == "identity.self_score"]
    assert self_score and all(c.status.value == "pass" for c in self_score)


def test_staffing_in_a_header_row_table_is_read_by_column(tmp_path):
    """编制人数 | 实有人数 over 34 | 30: the value under 实有人数 is 30, not the 34 on the next line."""
    path = tmp_path / "report.txt"
    path.write_text("某县2022年度部门整体支出绩效自评报告\n一、基本情况\n编制人数\t实有人数\t退休人数\n34\t30\t5\n", encoding="utf-8")
    meta = extract_report(path, Settings(verify=False)).meta
    assert (meta.staff_authorized, meta.staff_actual) == (34, 30)
