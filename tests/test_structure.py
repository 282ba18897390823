"""Heading grammar, section roles and table reading."""

from __future__ import annotations

import pytest

from summarizer.document import plain_document
from summarizer.structure import Role, analyse, role_of


@pytest.mark.parametrize(
    ("line", "level", "title"),
    [
        ("一、部门基本情况", 1, "部门基本情况"),
        ("#### 一、部门的基本情况", 1, "部门的基本情况"),
        ("（一）部门整体概况", 2, "部门整体概况"),
        ("(二)部门整体收支情况", 2, "部门整体收支情况"),
        ("- (三)部门整体支出目标及任务", 2, "部门整体支出目标及任务"),
        ("1. 部门主要职责", 3, "部门主要职责"),
        ("2、项目管理", 3, "项目管理"),
        ("（1）预算编制合理性", 4, "预算编制合理性"),
        ("① 资金到位", 5, "资金到位"),
        ("### 年度收入情况（万元）", 4, "年度收入情况（万元）"),
    ],
)
def test_heading_markers(line, level, title):
    layout = analyse(plain_document(f"{line}\n正文内容。\n"))
    assert [(h.level, h.title) for h in layout.headings] == [(level, title)]


@pytest.mark.parametrize(
    "line",
    [
        "1、科学合理编制预算，严格执行预算。",  # a list item, not a heading
        "2022年预算总收入1179.61万元。",
        "1、局机关\t\t\t\t",  # a row label in a table
        "乐昌市行政服务中心是财政全额拨款预算管理的单位",
    ],
)
def test_not_headings(line):
    assert analyse(plain_document(line + "\n")).headings == []


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("存在的主要问题", Role.PROBLEMS),
        ("存在问题", Role.PROBLEMS),
        ("问题与分析", Role.PROBLEMS),
        ("改进措施和有关建议", Role.MEASURES),
        ("相关建议", Role.MEASURES),
        ("下一步改进措施", Role.MEASURES),
        ("存在的问题及原因分析或有关建议", Role.PROBLEMS_AND_MEASURES),
        ("存在问题与建议", Role.PROBLEMS_AND_MEASURES),
        ("其他需要说明的问题", None),
        ("存在的问题和改进措施", Role.PROBLEMS_AND_MEASURES),
        ("问题及建议", Role.PROBLEMS_AND_MEASURES),
        ("存在问题及整改措施", Role.PROBLEMS_AND_MEASURES),
        ("绩效评价中发现的问题", Role.PROBLEMS),
        ("问题与不足", Role.PROBLEMS),
        ("下一步工作计划", Role.MEASURES),
        ("整改落实情况", Role.MEASURES),
        ("对策及建议", Role.MEASURES),
        ("具体工作措施", None),  # what was done, not what will be improved
        ("主要绩效", Role.ACHIEVEMENTS),
        ("自评结论", Role.SCORE),
        ("部门整体收支情况", Role.FINANCE),
        ("部门的基本情况", Role.BASIC),
    ],
)
def test_roles(title, role):
    assert role_of(title) == role


def test_merged_section_with_sub_headings_splits_into_problems_and_measures():
    text = "五、存在的问题和改进措施\n（一）存在的问题\n资金支付进度滞后。\n（二）改进措施\n加快支付进度。\n"
    roles = {s.title: s.role for s in analyse(plain_document(text)).sections}
    assert roles == {
        "存在的问题和改进措施": Role.PROBLEMS_AND_MEASURES,
        "存在的问题": Role.PROBLEMS,
        "改进措施": Role.MEASURES,
    }


def test_sub_points_keep_parent_problem_role():
    text = "五、存在问题\n1、资金支付进度滞后。\n（一）绩效目标设置\n目标不够细化。\n六、改进措施\n加强管理。\n"
    layout = analyse(plain_document(text))
    roles = [(s.title, s.role) for s in layout.sections]
    assert ("存在问题", Role.PROBLEMS) in roles
    assert ("绩效目标设置", Role.PROBLEMS) in roles
    assert ("改进措施", Role.MEASURES) in roles


def test_tsv_table_with_two_header_rows():
    text = (
        "### 支出情况（万元）\n"
        "机构名称\t支出合计\t其中：\t\t\t\n"
        "\t\t基本支出\t其中：\t\t项目支出\n"
        "\t\t\t人员支出\t公用支出\t\n"
        "汇总\t100\t60\t40\t20\t40\n"
    )
    layout = analyse(plain_document(text))
    (table,) = layout.tables
    row = table.rows[-1]
    assert row.labels == ["机构名称", "支出合计", "基本支出", "人员支出", "公用支出", "项目支出"]
    assert "万元" in table.caption


def test_cell_per_line_table_aligns_sub_header():
    cells = [
        ["资金来源", "本年度安排金额", "实际到位金额", "实际支出"],
        ["", "", "到位金额", "到位率（%）", "支出金额", "支出率"],
        ["区县财政", "127", "127", "100%", "94.44", "74.36%"],
    ]
    text = "附件\n" + "\n\n".join("\n".join("\t" + c for c in row) for row in cells) + "\n"
    layout = analyse(plain_document(text))
    (table,) = layout.tables
    value_row = table.rows[-1]
    assert value_row.labels[1:] == ["本年度安排金额", "到位金额", "到位率（%）", "支出金额", "支出率"]
    assert value_row.paths[2] == "实际到位金额/到位金额"


def test_key_value_rows_are_not_grids():
    layout = analyse(plain_document("联系人\t张三\t联络电话\t0730-1234567\n人员编制\t34\t实有人数\t30\n"))
    assert all(row.labels is None for row in layout.tables[0].rows)


def test_non_report_text_has_no_report_structure():
    novel = "那天下午，他走进了村口的小店，买了一瓶水，又慢慢走回家。" * 20
    assert analyse(plain_document(novel)).is_report is False


def test_a_table_row_labelled_with_a_role_is_a_section():
    text = "四、评价情况\n指标\t得分\n存在问题\t1、资金支付滞后。2、指标不够细化。\n改进措施\t加快支付进度，细化指标。\n"
    layout = analyse(plain_document(text))
    by_title = {s.title: s for s in layout.sections}
    problems = by_title["存在问题"]
    assert problems.role is Role.PROBLEMS
    body = text[problems.body_start : problems.body_end]
    assert body.strip() == "1、资金支付滞后。2、指标不够细化。"
    assert by_title["改进措施"].role is Role.MEASURES
