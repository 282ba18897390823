"""Verification rules of issue 10 on hand-made reports, one table per rule: each has a case the
rule catches and a clean case it must leave quiet (a false fail is worse than a miss)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from summarizer.document import plain_document
from summarizer.schemas import Check, CheckStatus, Figure, Grade, Meta, Period, Report
from summarizer.verify import verify
from test_verify import SOURCE, fig  # the hand-made figure of the verification tests

FAIL, WARN, PASS = CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.PASS


def run(text: str, figures: list[Figure]) -> list[Check]:
    report = Report(meta=Meta(self_score=Decimal(95), grade=Grade.EXCELLENT), figures=figures, source=SOURCE)
    return verify(report, plain_document(text))


def statuses(checks: list[Check], rule: str) -> list[CheckStatus]:
    return [check.status for check in checks if check.rule == rule]


# ---- a rate whose denominator the report states in another paragraph ----------------------

_RECEIVED = "一、项目概况\n\n本年共投入项目预算{budget}万元。\n\n二、资金到位\n\n{received}万元资金全部拨付到位，资金到位率{rate}%。\n"


@pytest.mark.parametrize(
    ("budget", "received", "rate", "item", "expected"),
    [
        ("10441", "10441", "100", None, [PASS]),
        ("10441", "10441", "95", None, [WARN]),  # the rate the amounts deny: asked, not failed
        ("10441", "10128", "100", None, [WARN]),
        ("10441", "48", "100", "养老机构运营补贴", []),  # a line's rate is not the whole's
    ],
)
def test_rate_against_the_whole_stated_elsewhere(budget, received, rate, item, expected):
    text = _RECEIVED.format(budget=budget, received=received, rate=rate)
    figures = [
        fig(text, "budget", f"项目预算{budget}万元", budget, period=Period.BUDGET),
        fig(text, "funds_received", f"{received}万元", received, item=item, occurrence=1 if received == budget else 0),
        fig(text, "received_rate", f"资金到位率{rate}%", rate, "%"),
    ]
    assert statuses(run(text, figures), "rate.received_rate") == expected


def test_a_rate_is_not_recomputed_against_one_of_several_wholes():
    text = "一、项目概况\n\n年初预算100万元，调整后预算120万元。\n\n二、资金到位\n\n到位资金100万元，资金到位率80%。\n"
    figures = [
        fig(text, "budget", "年初预算100万元", "100", period=Period.BUDGET),
        fig(text, "budget", "调整后预算120万元", "120", period=Period.ADJUSTED),
        fig(text, "funds_received", "到位资金100万元", "100"),
        fig(text, "received_rate", "资金到位率80%", "80", "%"),
    ]
    assert statuses(run(text, figures), "rate.received_rate") == []


# ---- most of the budget unspent, the spending written with 安排 ------------------------------


@pytest.mark.parametrize(
    ("spent", "period", "expected"),
    [
        ("87.06", Period.BUDGET, [WARN]),  # "财政安排支出共计87.06万元": spending, read in the budget period
        ("87.06", Period.ACTUAL, [WARN]),
        ("230", Period.BUDGET, []),  # most of it spent: quiet
    ],
)
def test_low_execution_from_the_only_spending_stated(spent, period, expected):
    text = f"一、基本情况\n\n本年共计239万元。\n\n二、实施情况\n\n本年财政安排支出共计{spent}万元，余款安排下年支出。\n"
    figures = [
        fig(text, "budget", "共计239万元", "239", period=Period.BUDGET),
        fig(text, "actual_spending", f"共计{spent}万元", spent, period=period),
    ]
    assert statuses(run(text, figures), "plausibility.low_execution") == expected


# ---- a stated change against the current and prior amounts ---------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("2022年支出合计150万元，上年支出合计120万元，增加30万元。", [PASS]),
        ("2022年支出合计150万元，上年支出合计120万元，增加35万元。", [WARN]),
        ("本年收入123.38万元，上年收入155.31万元，与上年对比减少31.93万元。", [PASS]),
        ("本年收入123.38万元，上年收入155.31万元，与上年对比减少30.93万元。", [WARN]),
        ("上年支出100万元，本年支出120万元，其中办公费增加5万元。", []),  # a part's change
        ("收入合计123.38万元。与上年对比减少31.93万元。", []),  # no prior amount stated
    ],
)
def test_change_against_current_and_prior(sentence, expected):
    assert statuses(run(sentence, []), "identity.change_statement") == expected


# ---- a rate's operands far from it in one long block (a page pasted as one line) ----------------

FILLER = "项目按计划实施，各项工作有序推进，群众反映良好，" * 15


@pytest.mark.parametrize(("between", "expected"), [("", FAIL), (FILLER, WARN)])
def test_a_rate_fails_only_against_operands_stated_near_it(between, expected):
    # 支出 90 ÷ 预算 100 = 90%, not the 100% written: certain when the amounts stand beside the
    # rate; a reading when the budget is hundreds of characters away in the same line.
    text = "本年预算资金100万元，" + between + "实际支出90万元，预算执行率100%。"
    figures = [
        fig(text, "budget", "预算资金100万元", "100", period=Period.BUDGET),
        fig(text, "actual_spending", "实际支出90万元", "90", period=Period.ACTUAL),
        fig(text, "execution_rate", "预算执行率100%", "100", "%"),
    ]
    assert statuses(run(text, figures), "rate.execution_rate") == [expected]


def test_a_named_line_is_not_read_as_a_whole_stated_again():
    # The rate's paragraph names 48 as a line it paid (支付养老补贴48万元); that the report also
    # allotted a budget of 48 to the same line elsewhere does not make 48 the whole of 113.
    text = "2023年下达资金113万元。\n1.养老项目：下达资金48万元。\n全年共支付113万元，其中支付养老补贴48万元，执行率达100%。"
    figures = [
        fig(text, "budget", "下达资金113万元", "113", period=Period.BUDGET),
        fig(text, "budget", "下达资金48万元", "48", period=Period.BUDGET),
        fig(text, "actual_spending", "共支付113万元", "113", period=Period.ACTUAL),
        fig(text, "spending_line", "48万元", "48", period=Period.ACTUAL, item="养老补贴", occurrence=1),  # the number's span, as read
        fig(text, "execution_rate", "执行率达100%", "100", "%"),
    ]
    assert FAIL not in statuses(run(text, figures), "rate.execution_rate")
