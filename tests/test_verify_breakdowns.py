"""Breakdowns: each way a report states a whole and its parts is a row of the grammar table, read
into a record; each record is checked (complete → adds up within the report's rounding, open →
does not exceed), and a guess never fails. Verification's cost stays linear in the report.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.document import plain_document
from summarizer.pipeline import extract_report
from summarizer.schemas import BreakdownKind, CheckStatus, Report, RuleId, Source
from summarizer.verify import find_breakdowns, verify, verify_report

FAIL, WARN, PASS = CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.PASS


def checks_of(text: str):
    document = plain_document(text)
    return verify(Report(source=document.source()), document)


def breakdown_checks(
    text: str,
    rules=(
        RuleId.BREAKDOWN,
        RuleId.COUNT_BREAKDOWN,
        RuleId.TABLE_TOTAL,
        RuleId.UNIT_SLIP,
    ),
):
    return [c for c in checks_of(text) if c.rule in rules]


# The grammar: text, the whole, the parts, complete, kind.
GRAMMAR = [
    (
        "支出合计799.12万元。其中:人员经费支出434.89万元,公用经费支出77.4万元,项目支出286.83万元。",
        "799.12",
        ["434.89", "77.4", "286.83"],
        True,
        BreakdownKind.WHICH,
    ),
    (
        "2023年下达资金113万元，其中养老补贴48万元、服务站15万元、幸福院50万元。",
        "113",
        ["48", "15", "50"],
        True,
        BreakdownKind.WHICH,
    ),
    (
        "收入合计100万元，其中财政拨款收入60万元。",
        "100",
        ["60"],
        False,
        BreakdownKind.WHICH,
    ),
    (
        "项目支出609.74万元，其中：\n1、档案整理费5万元，用于档案整理；\n2、政策宣传5万元；\n3、就业专项资金599.74万元，用于培训。",
        "609.74",
        ["5", "5", "599.74"],
        True,
        BreakdownKind.NUMBERED,
    ),
    (
        "项目资金300万元由中央资金200万元和省级资金100万元构成。",
        "300",
        ["200", "100"],
        True,
        BreakdownKind.COMPOSED,
    ),
    (
        "经费总额50万元，包括办公费20万元、差旅费10万元。",
        "50",
        ["20", "10"],
        False,
        BreakdownKind.INCLUDING,
    ),
    (
        "特别扶助对象4378人(其中伤残扶助2104人,死亡扶助2274人);其他7人。",
        "4378",
        ["2104", "2274"],
        True,
        BreakdownKind.WHICH,
    ),
    (
        "实有人数128人，其中行政人员13人，事业人员85人，自理人员30人。",
        "128",
        ["13", "85", "30"],
        True,
        BreakdownKind.WHICH,
    ),
    (
        "实际执行9265.35万元，执行率88.74%。其中中央经费执行7177.37万元，省级配套执行2087.98万元。",
        "9265.35",
        ["7177.37", "2087.98"],
        True,
        BreakdownKind.WHICH,
    ),
    (
        "资金投入情况 | 预算数 | 执行数 |\n合计 | 100 | 90 |\n其中：中央资金 | 60 | 50 |\n省级资金 | 40 | 40 |",
        "100",
        ["60", "40"],
        True,
        BreakdownKind.TABLE,
    ),
    (
        "项目 | 预算数 |\n甲项目 | 30 |\n乙项目 | 70 |\n合计 | 100 |",
        "100",
        ["30", "70"],
        True,
        BreakdownKind.TABLE,
    ),
    (
        "三公经费\n\n1.84\n\n1、公务用车经费\n\n2、公务接待\n\n1.84\n\n项目支出:\n\n20",
        "1.84",
        ["1.84"],
        True,
        BreakdownKind.TABLE,
    ),
]


@pytest.mark.parametrize(("text", "whole", "parts", "complete", "kind"), GRAMMAR)
def test_each_form_of_breakdown_is_read_as_a_record(text, whole, parts, complete, kind):
    found = [
        b
        for b in find_breakdowns(plain_document(text))
        if b.whole.value == Decimal(whole) and b.kind is kind
    ]
    assert found, [
        (b.kind, b.whole.value, [p.value for p in b.parts])
        for b in find_breakdowns(plain_document(text))
    ]
    record = found[0]
    assert [p.value for p in record.parts] == [Decimal(p) for p in parts]
    assert record.complete is complete
    assert text[record.whole.span.start : record.whole.span.end].startswith(whole)


@pytest.mark.parametrize(
    "text",
    [
        "收入合计100万元，其中财政拨款60万元，同比增长20万元。",  # a comparison ends the list
        "下达资金48万元，其中甲19万元，乙17万元，丙12万元，到位资金48万元，到位率100%。",  # another measure
        "下达资金1.53万元，其中甲资金调减2.66万元，乙补助2.42万元。",  # signed parts: no sum
        "下达资金 点击查看>> 万元，其中甲 点击查看>> 万元，乙7.36万元。",  # masked amounts
        "核定编制60名，其中行政编制40名、事业编制20名，实有在职人员58名。",
        "全年完成登记45000件，其中首次登记12000件、转移登记21000件。",  # an open list of counts
        "资金总额1000万元，其中用于设备采购800万元（其中进口设备500万元、国产设备300万元）。",
    ],
)
def test_a_sound_statement_raises_nothing(text):
    assert [
        c.message
        for c in checks_of(text)
        if c.status is not PASS and c.rule.family in ("identity", "rate")
    ] == []


def test_parts_above_the_whole_fail_and_name_their_breakdown():
    text = "收入预算1127.69万元，其中基本支出226.73万元，项目支出1354.42万元。"
    [check] = [c for c in breakdown_checks(text) if c.status is FAIL]
    assert check.rule is RuleId.BREAKDOWN and check.breakdown is not None
    assert check.expected == Decimal("1581.15") and check.observed == Decimal("1127.69")


def test_a_complete_list_that_falls_short_fails_an_open_one_warns():
    complete = "支出合计799.12万元。其中:人员经费支出434.89万元,公用经费支出77.4万元,项目支出276.83万元。"
    assert [c.status for c in breakdown_checks(complete)] == [FAIL]
    near = "经费总额100万元，其中办公费60万元、差旅费35万元。"
    assert [c.status for c in breakdown_checks(near)] == [WARN]
    far = "经费总额100万元，其中办公费30万元、差旅费20万元。"
    assert [c.status for c in breakdown_checks(far)] == [PASS]


def test_a_difference_within_the_rounding_of_the_written_digits_is_a_warn():
    text = "资金总额10.1万元，其中甲3.39万元、乙3.39万元、丙3.38万元。"  # 10.16 against 10.1 (10.05–10.15)
    assert [c.status for c in breakdown_checks(text)] == [WARN]


def test_bare_wan_is_read_as_wan_yuan():
    text = "企业开办费用578.70万元，其中刻章支出200万元、税控设备297.30万元、邮寄15万元、免费刻章支出40 万、其他26.4万元。"
    [check] = breakdown_checks(text)
    assert check.status is PASS and check.expected == Decimal("578.70")


def test_a_part_written_in_yuan_that_would_make_the_sum_hold_is_a_unit_slip():
    text = "我校安排资金239万元，其中上级资金179.25元，本级59.75万元。"
    [check] = breakdown_checks(text)
    assert check.rule is RuleId.UNIT_SLIP and check.status is FAIL


def test_a_table_total_against_its_rows():
    sound = "项目 | 预算数 | 执行数 |\n甲项目 | 30 | 20 |\n乙项目 | 70 | 60 |\n合计 | 100 | 80 |"
    assert {c.status for c in breakdown_checks(sound)} == {PASS}
    wrong = sound.replace("| 60 |", "| 66 |")
    assert [c.status for c in breakdown_checks(wrong) if c.status is not PASS] == [FAIL]


def test_a_rate_cell_is_its_row_amounts_divided():
    header = "资金投入情况 | 全年预算数(A) | 全年执行数(B) | 执行率(B/A) |\n"
    sound = header + "年度资金总额 | 2000 | 1157.97 | 57.89% |"
    assert [c.status for c in checks_of(sound) if c.rule is RuleId.TABLE_RATE] == [PASS]
    wrong = header + "年度资金总额 | 2000 | 1157.97 | 67.89% |"
    assert [c.status for c in checks_of(wrong) if c.rule is RuleId.TABLE_RATE] == [FAIL]


def test_a_keyed_sum_defers_to_the_reports_own_breakdown():
    """The extractor took 其他项目支出 594.74 for 项目支出: the lines add up to the 609.74 the
    report states, so no fail is raised against the mislabelled figure."""
    text = (
        "项目支出609.74万元。其中:财政拨款项目支出15万元,其他项目支出594.74万元。具体如下:\n"
        "1、档案整理费5万元,用于档案整理;\n2、政策宣传5万元;\n3、工作经费5万元;\n4、就业专项资金594.74万元。"
    )
    document = plain_document(text)
    report = verify_report(Report(source=document.source()), document)
    assert report.breakdowns and not [c for c in report.checks if c.status is FAIL]


def test_cost_is_linear_in_the_report(tmp_path: Path):
    """A ~90 kB report of distinct amounts: checks and output stay proportionate to what the
    report states (no pairwise scan over all figures)."""
    rng = random.Random(1)
    lines = [
        "某局2022年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "二、部门整体支出情况",
    ]
    seen: set[str] = set()
    number = 0
    while sum(len(line) + 1 for line in lines) < 90_000:
        number += 1
        amount = f"{rng.randint(100, 99999)}.{rng.randint(10, 99)}"
        if amount in seen:
            continue
        seen.add(amount)
        if number % 3:
            lines.append(
                f"{number}、第{number}号专项经费{amount}万元，用于第{number}项业务；项目支出{amount}万元。"
            )
        else:
            part = Decimal(amount) / 2
            lines.append(
                f"第{number}号资金{amount}万元，其中中央资金{part}万元，省级资金{part}万元，执行率{rng.randint(50, 100)}%。"
            )
    lines += [
        "三、存在问题",
        "1、部分项目进度滞后。",
        "四、改进措施",
        "1、加快项目进度。",
        "自评得分95分，等级为优。",
    ]
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert 85_000 < path.stat().st_size < 400_000
    report = extract_report(path, Settings())
    assert len(report.breakdowns) >= number // 3 - 5
    assert (
        len(report.checks)
        <= 3 * len(report.breakdowns) + len(report.figures) // 10 + 50
    )
    checks_json = sum(len(c.model_dump_json()) for c in report.checks)
    assert checks_json < 3_000 * (len(report.checks) + 1) and checks_json < 5_000_000


def test_report_without_source_text_is_fine():
    document = plain_document("")
    assert (
        verify(
            Report(
                source=Source(
                    path="x", sha256="", length=0, encoding="utf-8", format="txt"
                )
            ),
            document,
        )
        is not None
    )


def test_a_numbered_list_below_takes_the_amount_it_adds_up_to():
    text = "项目支出609.74万元，其中财政拨款15万元，其他594.74万元。具体如下：\n1、档案整理费5万元，用于整理；\n2、宣传5万元；\n3、工作经费5万元；\n4、专项资金594.74万元。"
    records = [
        b
        for b in find_breakdowns(plain_document(text))
        if b.kind is BreakdownKind.NUMBERED
    ]
    assert [(r.whole.value, len(r.parts), r.complete) for r in records] == [
        (Decimal("609.74"), 4, True)
    ]
    wrong = text.replace("档案整理费5万元", "档案整理费6万元")
    assert [c.status for c in breakdown_checks(wrong) if c.status is not PASS] == [
        WARN
    ]  # a guess at its whole


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("已开展培训49期，培训2399人，完成市目标任务数2000人的120%。", PASS),
        ("已开展培训49期，培训2399人，完成市目标任务数2000人的130%。", WARN),
        ("共支付资金90万元，为下达资金100万元的95%。", FAIL),
    ],
)
def test_an_amount_stated_as_a_percentage_of_another(text, status):
    assert [c.status for c in checks_of(text) if c.rule is RuleId.RATIO_STATEMENT] == [
        status
    ]


def test_a_fund_in_yuan_far_below_the_reports_scale_warns():
    text = "年初预算安排资金300万元，实际支出280万元，其中设备费120万元；专项经费183元用于办学。"
    [check] = [c for c in checks_of(text) if c.rule is RuleId.UNIT_MAGNITUDE]
    assert check.status is WARN and check.observed == Decimal(183)
    per_head = "年初预算安排资金300万元，实际支出280万元，补助标准为每人500元。"
    assert not [c for c in checks_of(per_head) if c.rule is RuleId.UNIT_MAGNITUDE]


def test_a_share_of_thousands_of_percent_is_glued_digits_not_a_fail():
    checks = [c for c in checks_of("验收合格率20100%。") if c.rule is RuleId.RATE_RANGE]
    assert [c.status for c in checks] == [WARN]
    assert [
        c.status for c in checks_of("群众满意率达120%。") if c.rule is RuleId.RATE_RANGE
    ] == [FAIL]


def test_parts_above_the_last_amount_but_within_another_of_its_sentence_only_warn():
    text = "中央下达资金100万元，县级配套20万元，其中用于设备90万元、培训30万元。"
    assert [c.status for c in breakdown_checks(text)] == [WARN]


def test_counts_are_exact_so_one_unit_over_fails():
    text = "参与自评单位共1个。其中:行政单位1个,参照公务员法管理的事业单位0个,其他事业单位1个。"
    [check] = breakdown_checks(text)
    assert check.rule is RuleId.COUNT_BREAKDOWN and check.status is FAIL


def test_an_organisations_units_that_fall_short_warn():
    text = "纳入决算编报的单位共11个。其中:行政单位3个,事业单位7个。"
    assert [c.status for c in breakdown_checks(text)] == [WARN]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a cell-per-line form: 预算数 | 执行数 | 执行率 | 得分(20分*执行率)
        ("预算执行情况(20分)\n|\n预算数(A)\n|\n执行数(B)\n|\n执行率(B/A)\n|\n得分(20分*执行率)\n|\n年度财政资金总额\n|\n34.64\n|\n34.64\n|\n100%\n|\n20\n|\n"
         "产出指标(60分)\n|\n数量指标\n|\n100%\n|\n100%\n|\n20\n|\n", [(Decimal(20), Decimal(20))]),
        ("项目\t预算数\t执行数\t执行率\t得分\n资金\t10\t9\t90%\t9\n", []),  # no formula: not an execution part
    ],
)
def test_execution_scores_read_the_formula_row_only(text, expected):
    from summarizer.verify_breakdowns import execution_scores, table_rows
    from summarizer.verify_text import TextIndex

    index = TextIndex.build(plain_document(text))
    assert execution_scores(index, table_rows(index)) == expected
