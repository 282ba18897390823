"""The genre's grammar, one row per layout or label form (invented units and numbers, no corpus text).

Each table below is a rule of the genre: a way reports state who they are, a way forms are
flattened, a way an amount is labelled. A new form found in the wild becomes a new row here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from summarizer.backends.rules import RulesBackend
from summarizer.backends.rules_meta import region_of, unit_name_in
from summarizer.document import Document
from summarizer.grid import cell_stream, form_rows
from summarizer.normalise import normalise
from summarizer.structure import analyse, split_lines


def extract(text: str):
    """The rules backend on a text, normalised as ingest normalises a file."""
    normalised, offsets = normalise(text)
    document = Document(path="<text>", original=text, text=normalised, offsets=offsets)
    return RulesBackend().extract(document, analyse(document))


# ---- meta: where reports say who they are ---------------------------------------------------

META_CASES = [
    # (id, text, unit, region, year, kind)
    ("title, unit before the year", "某县水务局2022年度部门整体支出绩效自评报告\n一、基本情况\n", "某县水务局", "某县", 2022, "部门整体支出"),
    ("title, unit after the year", "2021 年某市发展和改革局整体支出 绩效自评报告\n一、部门基本情况\n", "某市发展和改革局", "某市", 2021, "部门整体支出"),
    ("title without a year, 部门 glued on", "某市自然资源局部门整体支出\n绩效自评报告\n（2023年度）\n", "某市自然资源局", "某市", 2023, "部门整体支出"),
    ("a 单位名称 field with a date glued on", "2022年度项目支出绩效自评表\n单位名称:某市退役军人事务局 填报日期:2023年4月6日\n", "某市退役军人事务局", "某市", 2022, "项目支出"),
    ("a field whose value is the next cell, after (盖章)", "部门预算项目支出绩效自评表(2023年度) |\n实施单位 (盖章) |\n某县发展和改革局 |\n", "某县发展和改革局", "某县", 2023, "项目支出"),
    ("a web page's 来源 line", "食品监管补助资金区域绩效目标自评表\n来源:某区市场监管局 发布时间:2022-08-15\n", "某区市场监管局", "某区", None, "项目支出"),
    ("a county-level chain", "某市某区文化旅游局2023年度整体支出绩效自评报告\n", "某市某区文化旅游局", "某市某区", 2023, "部门整体支出"),
    ("中共 opens the unit, not the region", "中共某某自治县委员会办公室 2023年部门整体支出绩效自评报告\n", "中共某某自治县委员会办公室", "某某自治县", 2023, "部门整体支出"),
    ("a 专项资金 title is a project", "某市第四中学专项资金绩效自评价报告\n一、基本情况\n我校2022年项目为一个\n", "某市第四中学", "某市", 2022, "项目支出"),
]


@pytest.mark.parametrize(("case", "text", "unit", "region", "year", "kind"), META_CASES, ids=[c[0] for c in META_CASES])
def test_meta_forms(case, text, unit, region, year, kind):
    meta = extract(text).meta
    assert (meta.unit_name, meta.region, meta.year, meta.kind.value) == (unit, region, year, kind)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("某县水利局资金情况(万元)全年预算数", "某县水利局"),  # glued form: the name ends at its organisation word
        ("(盖章)", None),
        ("我局深入贯彻落实", None),
        ("结合自评情况,分析存在的问题", None),
        ("某某乡部门整体支出", "某某乡"),
    ],
)
def test_a_unit_name_ends_in_an_organisation_word(value, unit):
    assert unit_name_in(value) == unit


@pytest.mark.parametrize(
    ("unit", "region"),
    [("某州市自然资源局", "某州市"), ("某市城市管理监督指挥中心", "某市"), ("某县市场监督管理局", "某县"), ("某某省体育局", "某某省"), ("某职业技术学院", None)],
)
def test_region_is_the_chain_that_opens_the_unit(unit, region):
    assert region_of(unit) == region


def test_a_signature_date_is_the_report_date_but_a_table_date_is_not():
    signed = extract("某县水利局2022年度项目绩效自评报告\n一、基本情况\n支出10万元。\n某县水利局\n2023年1月9日\n").meta
    assert str(signed.report_date) == "2023-01-09"
    in_table = extract("某县水利局2022年度项目绩效自评报告\n\t指标文号\n\t2022年1月7日\n\n\t备注\n\t无\n").meta
    assert in_table.report_date is None


# ---- normalise: text as mirrors and pastes deliver it ---------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("預(yù)算單位名稱某區(qū)文化局預算執行情況財政撥款收入，經費項目績效評價報告。", "预算单位名称某区文化局预算执行情况财政拨款收入，经费项目绩效评价报告。"),  # 繁体 with pinyin glosses
        ("部 门 整 体 支 出 绩 效 自 评 报 告 一 级 指 标 年 初 预 算", "部门整体支出绩效自评报告一级指标年初预算"),  # OCR debris
        ("我局 2022 年支出 126 万元，为进一步 畅通投诉 反馈渠道，全市 84 个热线成员单位广泛利用 宣传 渠道 开展 活动 十二 场", "我局2022年支出126万元"),  # prose keeps its words
        ("一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 产出指标 数量指标 培训人次 ≥300人 320人 相关性(5 分)", "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t产出指标"),  # a spaced form
        ("项目基本情况" * 30 + "一、基本情况(一)项目概况。", "\n一、基本情况\n(一)项目概况。"),  # a one-line paste
    ],
)
def test_normalise(raw, expected):
    text, offsets = normalise(raw)
    assert expected in text
    assert len(offsets) == len(text) + 1


# ---- the form grid: one budget table in every flattened layout ------------------------------

HEADER = ["年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"]
ROW = ["总额", "238.93", "251.89", "251.89", "100.00%", "10", "9"]

LAYOUTS = {
    "spaced (a PDF text layer)": "项目名称 某某项目 主管部门 某县某局 项目资金(万元) " + " ".join(HEADER) + " " + " ".join(ROW) + " 其他资金",
    "separator": "\n|\n".join(["预算执行情况(万元)", *HEADER, "||||", *ROW]) + "\n|\n||||",
    "trailing": "\n".join(f"{cell} |" for cell in ["预算执行情况(万元)", *HEADER]) + "\n||||\n" + "\n".join(f"{cell} |" for cell in ROW),
    "inline": " | ".join(["预算执行情况(万元)", "年度预算数(万元)", *HEADER]) + " | ||\n" + " | ".join(ROW) + " | ||||",
    "blank-line": "\n\n".join(["预算执行情况(万元)", *HEADER, *ROW]),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_flattened_budget_table_is_regrouped_in_every_layout(layout):
    text = normalise(LAYOUTS[layout])[0]
    tables = form_rows(cell_stream(split_lines(text), []))
    assert len(tables) == 1 and len(tables[0]) == 1, layout
    row = tables[0][0]
    values = {label: cell.text for label, cell in zip(row.labels, row.cells) if cell is not None}
    assert values["年初预算数"] == "238.93" and values["调整后预算数"] == "251.89" and values["全年执行数"] == "251.89"
    assert values["执行率"] == "100.00%" and values["分值"] == "10" and values["得分"] == "9"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_regrouped_budget_row_gives_figures(layout):
    report = extract("某县某局2023年度项目支出绩效自评表\n" + LAYOUTS[layout] + "\n")
    found = {(f.key, f.period.value, f.value) for f in report.figures}
    assert ("budget", "budget", Decimal("238.93")) in found
    assert ("budget", "adjusted", Decimal("251.89")) in found
    assert ("actual_spending", "actual", Decimal("251.89")) in found
    assert ("execution_rate", "unspecified", Decimal("100.00")) in {(k, p, v) for k, p, v in found}


INDICATORS = [
    "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
    "产出指标", "数量指标", "培训人次", "≥", "300", "人次", "320", "30", "30",
    "质量指标", "合格率", "=", "100", "%", "100", "30", "28",
    "效益指标", "社会效益指标", "群众知晓率", "≥", "90", "%", "93", "30", "30",
]  # fmt: skip


@pytest.mark.parametrize("layout", ["trailing", "blank-line"])
def test_a_flattened_indicator_table_keeps_merged_level_cells(layout):
    text = "\n".join(f"{c} |" for c in INDICATORS) if layout == "trailing" else "\n\n".join(INDICATORS)
    report = extract("某县某局2023年度项目支出绩效自评表\n" + text + "\n")
    rows = {i.name: i for i in report.indicators}
    assert set(rows) == {"培训人次", "合格率", "群众知晓率"}
    assert (rows["培训人次"].level1, rows["培训人次"].level2, rows["培训人次"].target) == ("产出指标", "数量指标", "≥300人次")
    assert (rows["合格率"].level1, rows["合格率"].level2, rows["合格率"].score) == ("产出指标", "质量指标", Decimal(28))
    assert (rows["群众知晓率"].level1, rows["群众知晓率"].actual) == ("效益指标", "93")


# ---- narrative labels ------------------------------------------------------------------------

LABELS = [
    # (sentence, key, value, unit)
    ("2023年，我校收到专项工作经费资金16.20万元。", "funds_received", "16.20", "万元"),
    ("资金已拨付使用16.20万元。", "actual_spending", "16.20", "万元"),
    ("市财政局下达我局森林防火经费75.96万元。", "budget", "75.96", "万元"),
    ("本年支出合计215,457.6万元。", "expenditure_total", "215457.6", "万元"),
    ("其中：人员经费434.89万元，公用经费77.4万元。", "public_expenditure", "77.4", "万元"),
    ("“三公”经费支出4.4万元。", "three_public_total", "4.4", "万元"),
    ("国家级生态效益补偿资金调减2.66万元。", "change_amount", "2.66", "万元"),
]


@pytest.mark.parametrize(("sentence", "key", "value", "unit"), LABELS, ids=[row[1] for row in LABELS])
def test_narrative_labels(sentence, key, value, unit):
    report = extract("某县某局2023年度项目支出绩效自评报告\n一、资金使用情况\n" + sentence + "\n")
    assert (key, Decimal(value), unit) in {(f.key, f.value, f.unit) for f in report.figures}


@pytest.mark.parametrize(
    "sentence",
    ["预算执行率未达到90%的需说明原因。", "预算执行率=预算执行数/调整后预算数×100%。"],
)
def test_rules_and_formulas_are_not_figures(sentence):
    report = extract("某县某局2023年度项目支出绩效自评报告\n一、说明\n" + sentence + "\n")
    assert [f for f in report.figures if f.kind.value == "rate"] == []


@pytest.mark.parametrize(
    "box", ["结合自评情况,分析存在的问题及原因。(200字以内)", "附件1成本费用分析报告 附件2部门职能分解"]
)
def test_a_forms_instructions_are_not_problems(box):
    report = extract("某县某局2023年度项目支出绩效自评报告\n一、存在问题\n" + box + "\n二、改进措施\n" + box + "\n")
    assert report.problems == [] and report.measures == []


# ---- glued forms: cells pasted with no separator ---------------------------------------------

BUDGET, SPENT, RATE = "全年预算数", "全年执行数", "执行率"


@pytest.mark.parametrize(
    ("run", "labels", "cells"),
    [
        ("319.65134.0241.93%", [BUDGET, SPENT, RATE], ["319.65", "134.02", "41.93%"]),
        ("350350.00100.00%", [BUDGET, SPENT, RATE], ["350", "350.00", "100.00%"]),  # not 350350.00 | 10 | 0.00
        ("18040.8022.67%", [BUDGET, SPENT, RATE], ["180", "40.80", "22.67%"]),
        ("194.9194.9100%", [BUDGET, SPENT, RATE], ["194.9", "194.9", "100%"]),
        ("202010100.00%10", [BUDGET, SPENT, "分值", RATE, "得分"], ["20", "20", "10", "100.00%", "10"]),
        ("1001000100%", [BUDGET, SPENT, RATE], None),  # 100|100|0100? 10|0100? no single cut agrees
        ("20201", [BUDGET, SPENT, RATE], None),  # no rate: nothing to check a cut against
    ],
)
def test_glued_cells_are_cut_only_where_the_arithmetic_agrees(run, labels, cells):
    from summarizer.grid import split_glued

    found = split_glued(run, labels)
    assert (None if found is None else [text for text, _, _ in found]) == cells


def test_a_glued_budget_table_gives_figures_per_row():
    text = (
        "某省某专项资金2021年度绩效自评报告序号单位名称全年预算数全年执行数预算执行率"
        "1某某管理中心319.65134.0241.93%2某某训练中心350350.00100.00%合计669.65484.0272.28%由上表可知，执行良好。\n"
    )
    report = extract(text)
    rows = {(f.key, f.item, f.value) for f in report.figures}
    assert ("budget", "某某管理中心", Decimal("319.65")) in rows
    assert ("actual_spending", "某某训练中心", Decimal("350.00")) in rows
    assert ("execution_rate", None, Decimal("72.28")) in rows


@pytest.mark.parametrize(
    ("sentence", "level2", "name", "target", "actual"),
    [
        ("1、产出数量指标：第一，培训人次年初指标值为不低于300人，全年实际完成值320人。", "数量指标", "培训人次", "不低于300人", "320人"),
        ("2、产出时效指标：项目完成时间年初指标值为2023年12月底，实际在规定时间内完成。", "时效指标", "项目完成时间", "2023年12月底", "在规定时间内完成"),
        ("3、满意度指标：群众满意率目标值为95%，实际完成值为97%。", "满意度指标", "群众满意率", "95%", "97%"),
    ],
)
def test_indicators_stated_in_prose(sentence, level2, name, target, actual):
    report = extract("某县某局2023年度项目支出绩效自评报告\n四、绩效指标完成情况\n" + sentence + "\n")
    rows = [(i.level2, i.name, i.target, i.actual) for i in report.indicators]
    assert (level2, name, target, actual) in rows


GLUED_INDICATORS = [
    # (id, glued table text, expected rows (level1, level2, name, weight, target, actual, score))
    (
        "weight, target, actual, score",
        "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施"
        "产出指标(70分)数量指标培训人次10≥300人次≥320人次10质量指标验收合格率20100%100%18"
        "成本指标项目计划总投资1020万元20万元10满意度指标(10分)服务对象满意度指标群众满意度10≥95%≥95%10总分10098",
        [
            ("产出指标", "数量指标", "培训人次", "10", "≥300人次", "≥320人次", "10"),
            ("产出指标", "质量指标", "验收合格率", "20", "100%", "100%", "18"),
            ("产出指标", "成本指标", "项目计划总投资", "10", "20万元", "20万元", "10"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "10", "≥95%", "≥95%", "10"),
        ],
    ),
    (
        "target and actual only, page markers inside",
        "一级 指标二级 指标三级指标年度指标 值全年 完成值未完成原因和 改进措施产 出 指 标数量 指标"
        "3000吨储备到位率100%100%库存真实率100%\n2、100%效益 指标社会 效益 指标安全事故发生数0起0起说明无",
        [
            ("产出指标", "数量指标", "3000吨储备到位率", None, "100%", "100%", None),
            ("产出指标", "数量指标", "库存真实率", None, "100%", "100%", None),
            ("效益指标", "社会效益指标", "安全事故发生数", None, "0起", "0起", None),
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "rows"), GLUED_INDICATORS, ids=[c[0] for c in GLUED_INDICATORS])
def test_a_glued_indicator_table_is_read_token_by_token(case, text, rows):
    report = extract("某县某局2022年度项目支出绩效自评表\n" + text + "\n")
    found = [
        (i.level1, i.level2, i.name, None if i.weight is None else str(i.weight), i.target, i.actual,
         None if i.score is None else str(i.score))
        for i in report.indicators if i.name not in ("总分", "合计")
    ]  # fmt: skip
    assert found == rows


# ---- problems and measures in every layout ---------------------------------------------------

TEXT_LAYOUTS = {
    "headed sections": "一、存在的问题\n1、资金到位较晚，影响项目进度。\n2、宣传力度不够。\n二、改进措施\n1、加强与财政部门沟通。\n2、加大宣传力度。\n",
    "one-line paste": "情况说明" * 45 + "五、存在的问题(一)资金到位较晚，影响项目进度。(二)宣传力度不够。六、改进措施(一)加强与财政部门沟通。(二)加大宣传力度。",
    "一是/二是": "四、存在的问题及原因分析\n一是资金到位较晚，影响项目进度。二是宣传力度不够。\n五、下一步改进措施\n一是加强与财政部门沟通。二是加大宣传力度。\n",
    "inline form rows": "存在问题 | 1、资金到位较晚，影响项目进度。2、宣传力度不够。 | |\n改进措施 | 1、加强与财政部门沟通。2、加大宣传力度。 | |\n",
    "cell per line with bars": "存在问题 |\n1、资金到位较晚，影响项目进度。 |\n2、宣传力度不够。 |\n改进措施 |\n1、加强与财政部门沟通。 |\n2、加大宣传力度。 |\n项目负责人: |\n",
    "tab row": "存在问题\t1、资金到位较晚，影响项目进度。2、宣传力度不够。\n改进措施\t1、加强与财政部门沟通。2、加大宣传力度。\n",
    # The form's footnote ends the last box: its numbered notes are not measures.
    "footnote after the box": "存在问题 |\n1、资金到位较晚，影响项目进度。 |\n2、宣传力度不够。 |\n改进措施 |\n1、加强与财政部门沟通。 |\n"
    "2、加大宣传力度。 |\n备注:1.预算执行情况口径:预算数为调整后预算数。\n2.定量指标完成数汇总原则:绝对值直接累加计算。\n",
}


def test_a_label_cell_with_none_is_not_a_measure():
    # "改进措施及\n结果应用方案 | 无 |": the label's second line and the box's "无" state nothing.
    report = extract("某县某局2023年度项目支出绩效自评报告\n存在问题 |\n资金到位较晚，影响项目进度。 |\n改进措施及\n结果应用方案\n|\n无\n|\n")
    assert report.measures == []


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_problems_and_measures_in_every_layout(layout):
    report = extract("某县某局2023年度项目支出绩效自评报告\n" + TEXT_LAYOUTS[layout])
    strip = lambda text: text.lstrip("0123456789、.()（）一二是")  # noqa: E731
    assert [strip(p.text) for p in report.problems] == ["资金到位较晚，影响项目进度。", "宣传力度不够。"]
    assert [strip(m.text) for m in report.measures] == ["加强与财政部门沟通。", "加大宣传力度。"]


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("某县某某公益金转移支付2023年度绩效自评报告\n一、基本情况\n", "project_name", "某某公益金转移支付"),  # project before the year
        ("某县某局2019年度项目资金绩效自评报告\n来源:某局\n某县某局\n2019年度食品药品项目资金绩效自评报告\n", "project_name", "食品药品项目资金"),
        ("某某乡部门整体支出绩效自评报告\n(2022年度)\n一、基本情况\n纳入某某州某某县某某乡统一管理。\n", "region", "某某县"),
        ("项目支出绩效自评表\n总分(100分) | 97 | 自评等级 | 优 |\n", "self_score", Decimal(97)),
    ],
)
def test_more_meta_forms(text, field, value):
    meta = extract(text).meta
    assert getattr(meta, field) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 其中 opening the next sentence lists the parts of the total before it
        ("共投入某某补助经费预算10441万元。其中，中央转移支付资金8353万元，省级配套资金2088万元。",
         {("budget", None, "10441"), ("budget", "中央转移支付资金", "8353"), ("budget", "省级配套资金", "2088")}),
        # a table row of a unit starting with 省 is a line, not a provincial total
        ("序号\t单位\t全年预算数\t全年执行数\t执行率\n1\t省网球运动管理中心\t30\t30.00\t100.00%\n2\t省体校\t13.1\t13.10\t100.00%\n",
         {("execution_rate", "省网球运动管理中心", "100.00"), ("execution_rate", "省体校", "100.00")}),
    ],
)
def test_parts_and_rows_keep_their_items(text, expected):
    report = extract("某县某局2022年度项目支出绩效自评报告\n一、资金情况\n" + text)
    found = {(f.key, f.item, str(f.value)) for f in report.figures}
    assert expected <= found, found


def test_a_flattened_score_tree():
    """"名称(N 分)" headings and rows, each row's score right after its full marks."""
    text = (
        "2022 年部门整体支出绩效评价得分表 一级指标 二级指标 三级指标 得分 部门决策(25 分) 目标任务(15 分) 相关性(5 分)\n"
        "5 明确性(5 分)\n5 合理性(5 分)\n4 预算编制(10 分) 测算依据(5 分)\n2 目标管理(5 分)\n5 综合管理(30 分) 资金管理(10 分) 资金分配(4 分)\n3 资金使用(6 分)\n6\n"
    )
    rows = [(i.level1, i.level2, i.name, i.weight, i.score) for i in extract("某县某局2022年度部门整体支出绩效自评报告\n" + text).indicators]
    assert rows == [
        ("部门决策", "目标任务", "相关性", Decimal(5), Decimal(5)),
        ("部门决策", "目标任务", "明确性", Decimal(5), Decimal(5)),
        ("部门决策", "目标任务", "合理性", Decimal(5), Decimal(4)),
        ("部门决策", "预算编制", "测算依据", Decimal(5), Decimal(2)),
        ("部门决策", "预算编制", "目标管理", Decimal(5), Decimal(5)),
        ("综合管理", "资金管理", "资金分配", Decimal(4), Decimal(3)),
        ("综合管理", "资金管理", "资金使用", Decimal(6), Decimal(6)),
    ]
