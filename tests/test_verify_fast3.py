"""Verification's cheaper constructions make exactly what the ones they replaced made.

Checks and their inputs are built through the models' validators (not their keyword
constructors), and the table rows of a text with no | or tab skip the separator scan: each is
compared here with the plain version on random inputs.
"""

from __future__ import annotations

import random
from decimal import Decimal

from summarizer import verify_breakdowns
from summarizer.document import plain_document
from summarizer.schemas import Check, CheckInput, CheckStatus, RuleId, Severity, Span
from summarizer.verify_text import TextIndex, make_check, new_input


def test_checks_and_inputs_are_the_models_the_constructors_make():
    rnd = random.Random(15)
    rules = [rule.value for rule in RuleId] + [*RuleId][:3] + ["custom.rule"]
    for _ in range(500):
        inputs = [
            CheckInput(label=rnd.choice(["预算", "实际支出", ""]), value=Decimal(rnd.randint(-5, 999)) / 10, unit=rnd.choice(["万元", "元", "%", ""]),
                       span=rnd.choice([None, Span(start=3, end=9)]))
            for _ in range(rnd.randint(0, 3))
        ]
        fields = {"label": "执行率", "value": Decimal("87.5"), "unit": "%", "span": rnd.choice([None, Span(start=1, end=4)])}
        made, plain = new_input(fields), CheckInput(**fields)
        assert made == plain and made.model_fields_set == plain.model_fields_set
        rule, status, severity = rnd.choice(rules), rnd.choice([*CheckStatus]), rnd.choice([*Severity])
        numbers = [rnd.choice([None, Decimal(rnd.randint(0, 100))]) for _ in range(3)]
        check = make_check(rule, status, severity, "消息", inputs, *numbers)
        expected = Check(
            rule=rule, status=status, severity=Severity.INFO if status is CheckStatus.PASS else severity, message="消息",
            inputs=list(inputs), expected=numbers[0], observed=numbers[1], tolerance=numbers[2],
        )
        assert check == expected and type(check.rule) is type(expected.rule)
        assert check.model_fields_set == expected.model_fields_set
        assert check.model_dump_json() == expected.model_dump_json()


def test_table_rows_without_separators_are_read_as_with_the_scan():
    rnd = random.Random(15)
    lines = ["", " ", "合计", "基本支出", "人员经费", "12", " 3.5 ", "1,234.5%", "-5", "—", "其中：人员经费 40 万元。", "1、2、3"]
    for _ in range(300):
        text = "\n".join(rnd.choice(lines) for _ in range(rnd.randint(0, 30)))
        index = TextIndex.build(plain_document(text))
        with_tab = TextIndex.build(plain_document(text + "\n\t"))  # the same lines, the scan made
        assert verify_breakdowns.table_rows(index) == verify_breakdowns.table_rows(with_tab)
