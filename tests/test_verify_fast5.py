"""Verification's cheaper paths answer as the plain definitions they replace.

A placed figure's amount and currency are those of _amount and _is_money; the rule ids made once
are the ones the schema's validator makes of the plain ids; a check names the figures whose span
start and value an input carries (figures are indexed by start alone); the characters skipped
before a grade-band anchor are str.isspace's and 分; a rate's 决算/预算 pairs, made once per block,
are the plain pairing's; FigureIndex finds by position the figures check_involves names.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from summarizer import verify
from summarizer.assess import FigureIndex, check_involves
from summarizer.backends.rules import RulesBackend
from summarizer.document import plain_document
from summarizer.schemas import (
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Period,
    Severity,
    Span,
)
from summarizer.structure import analyse
from summarizer.verify_text import make_check

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_the_skipped_characters_are_whitespace_and_score():
    spaces = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert verify._SPACES_AND_SCORE == spaces | {"分"}


def test_a_placed_figure_has_the_amount_and_currency_of_the_plain_helpers():
    rnd = random.Random(155)
    units = ["元", "万元", "万", "亿元", "千元", "%", "项", "人", "分", ""]
    values = ["0", "1", "12.50", "343.23", "3432300", "0.0001", "1E+2", "99.99", "1000"]
    for _ in range(400):
        value = Decimal(rnd.choice(values))
        figure = Figure(
            key="budget", label="预算", value=value, unit=rnd.choice(units), kind=FigureKind.MONEY,
            value_wan=Decimal(rnd.choice(values)) if rnd.random() < 0.3 else None,
            span=Span(start=0, end=1), evidence="x",
        )
        placed = verify.Placed(figure, 3, 5, 1, current=rnd.random() < 0.5)
        assert (str(placed.amount), placed.money) == (str(verify._amount(figure)), verify._is_money(figure))
        assert placed == verify.Placed(figure, 3, 5, 1) and placed != verify.Placed(figure, 3, 5, 2)


def test_rule_ids_made_once_are_the_validators():
    for key, rule in verify._RATE_RULES.items():
        plain = make_check(f"rate.{key}", CheckStatus.PASS, Severity.INFO, "m").rule
        assert rule == plain and type(rule) is type(plain)
    for identity, rule in verify._IDENTITY_RULES.items():
        plain = make_check(f"identity.{identity}", CheckStatus.PASS, Severity.INFO, "m").rule
        assert rule == plain and type(rule) is type(plain)
    assert set(verify._IDENTITY_RULES) == {identity.id for identity in verify._IDENTITIES}


def test_a_check_names_the_figures_at_its_inputs_start_and_value():
    named = 0
    for path in sorted(SAMPLES.glob("*.txt")):
        document = plain_document(path.read_text(encoding="utf-8"))
        layout = analyse(document)
        report = RulesBackend().extract(document, layout)
        for check in verify.verify(report, document, layout):
            expected: list[int] = []
            for item in check.inputs:
                if item.span is None:
                    continue
                for number, figure in enumerate(report.figures):
                    if figure.span.start == item.span.start and figure.value == item.value and number not in expected:
                        expected.append(number)
            assert check.figures == expected, check.message
            named += bool(expected)
    assert named > 10


def _random_figure(rnd: random.Random, start: int) -> Figure:
    unit = rnd.choice(["万元", "元", "%", "项"])
    return Figure(
        key=rnd.choice(["basic_expenditure", "project_expenditure", "budget", "execution_rate"]), label="x",
        value=Decimal(rnd.choice(["0", "12.5", "1800", "1860"])), unit=unit, kind=FigureKind.MONEY if unit in ("万元", "元") else FigureKind.COUNT,
        period=rnd.choice(list(Period)), year=rnd.choice([None, 2021, 2022]), span=Span(start=start, end=start + 2), evidence="x",
    )


def test_same_key_pairs_are_every_actual_and_budget_of_one_key_in_the_block():
    """Made once per block and by key, as the plain pairing of every figure with every other."""
    rnd = random.Random(1555)
    paired = 0
    for _ in range(200):
        placed = [verify.Placed(_random_figure(rnd, 3 * n), 3 * n, 3 * n + 2, rnd.randint(0, 2), current=rnd.random() < 0.8) for n in range(rnd.randint(0, 14))]
        context = SimpleNamespace(same_key_pairs={}, in_block=lambda block, placed=placed: [p for p in placed if p.block == block])
        for rate in placed:
            block = [p for p in context.in_block(rate.block) if p.money and p.current]
            expected = [
                (actual, budget) for actual in block if actual.figure.period is Period.ACTUAL for budget in block
                if budget.figure.key == actual.figure.key and budget.figure.period in (Period.BUDGET, Period.ADJUSTED) and budget.amount > 0
            ]
            assert verify._same_key_pairs(context, rate) == expected
            paired += bool(expected)
    assert paired > 20


def test_the_figure_index_finds_what_check_involves_says():
    """FigureIndex.involving (by position) against check_involves over every figure."""
    rnd = random.Random(1556)
    found = 0
    for _ in range(150):
        figures = [_random_figure(rnd, rnd.randint(0, 60)) for _ in range(rnd.randint(0, 12))]
        index = FigureIndex(figures)
        for _ in range(10):
            start = rnd.randint(0, 70)
            span = None if rnd.random() < 0.1 else Span(start=start, end=start + rnd.randint(0, 6))
            value = rnd.choice([figure.value for figure in figures] or [Decimal(1)]) if rnd.random() < 0.8 else Decimal("0.18")
            item = CheckInput(label="x", value=value, unit=rnd.choice(["万元", "元", "%", ""]), span=span)
            assert index.involving(item) == tuple(n for n, figure in enumerate(figures) if check_involves(item, figure))
            found += bool(index.involving(item))
    assert found > 100
