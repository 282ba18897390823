"""The number grammar: values, units, dates and codes skipped, unit arithmetic."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from summarizer.numbers import Quantity, find_quantities, parse_decimal, same_amount, to_wan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预算总收入1179.61万元", [("1179.61", "万元")]),
        ("年初预算为3432300.00元", [("3432300.00", "元")]),
        ("合计1,179.61万元", [("1179.61", "万元")]),
        ("执行率为74.36%", [("74.36", "%")]),
        ("增长 30.28,主要原因", [("30.28", "%")]),  # % dropped after a rate word
        ("回复工单19251件", [("19251", "件")]),
        ("受训人员1000多人次", [("1000", "人次")]),
        ("提高3个百分点", [("3", "个百分点")]),
        ("自评结果为100分", [("100", "分")]),
        ("15分钟政务服务圈", [("15", "")]),
        ("雨财安字【2021】1号", []),
        ("联络电话0730-2260199", []),
        ("2022年3月16日", []),
    ],
)
def test_find_quantities(text, expected):
    found = [(str(q.value), q.unit) for q in find_quantities(text)]
    assert found == expected


def test_bare_numbers_can_be_excluded():
    assert find_quantities("人员编制 34 人", with_bare=False)[0].unit == "人"
    assert find_quantities("编制 34", with_bare=False) == []


def test_positions_point_at_the_number():
    text = "其中：基本支出304.01万元；项目支出875.6万元。"
    for quantity in find_quantities(text):
        assert text[quantity.start : quantity.end] == quantity.raw


def test_quantities_are_the_dataclass_they_would_be_if_built_by_its_init():
    """The scan builds each Quantity without the frozen dataclass's __init__ (for speed)."""
    for quantity in find_quantities("执行率为74，共5人，资金304.01万元。"):
        rebuilt = Quantity(**{field.name: getattr(quantity, field.name) for field in dataclasses.fields(Quantity)})
        assert quantity == rebuilt and vars(quantity) == vars(rebuilt) and hash(quantity) == hash(rebuilt)
        with pytest.raises(dataclasses.FrozenInstanceError):
            quantity.unit = "元"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "unit", "wan"),
    [("3432300.00", "元", "343.23"), ("4.4", "元", "0.00044"), ("1.5", "亿元", "15000"), ("56.64", "万元", "56.64")],
)
def test_to_wan(value, unit, wan):
    assert to_wan(Decimal(value), unit) == Decimal(wan)


def test_to_wan_is_none_for_non_money():
    assert to_wan(Decimal("3"), "件") is None


def test_same_amount_across_units():
    assert same_amount(Decimal("3432300"), "元", Decimal("343.23"), "万元")
    assert not same_amount(Decimal("4.4"), "元", Decimal("4.4"), "万元")


@pytest.mark.parametrize(("raw", "value"), [("127", "127"), ("74.36%", "74.36"), (" 1,179.61 ", "1179.61"), ("2021年1月7日", None), ("", None)])
def test_parse_decimal(raw, value):
    assert parse_decimal(raw) == (Decimal(value) if value else None)
