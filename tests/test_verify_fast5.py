"""Verification's cheaper paths answer as the plain definitions they replace.

A placed figure's amount and currency are those of _amount and _is_money; the rule ids made once
are the ones the schema's validator makes of the plain ids; a check names the figures whose span
start and value an input carries (figures are indexed by start alone); the characters skipped
before a grade-band anchor are str.isspace's and 分.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from summarizer import verify
from summarizer.backends.rules import RulesBackend
from summarizer.document import plain_document
from summarizer.schemas import CheckStatus, Figure, FigureKind, Severity, Span
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
