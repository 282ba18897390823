"""Verification's cheaper set-up reads the same table rows as before.

Without a | in the text, table_rows tests each line for a tab only: a text of tab rows is read
here with and without a last line holding one | (which makes the general | or tab test run and
adds no row), on random lines.
"""

from __future__ import annotations

import random

from summarizer import verify_breakdowns
from summarizer.document import plain_document
from summarizer.verify_text import TextIndex


def test_tab_rows_without_a_bar_are_read_as_with_the_bar_test():
    rnd = random.Random(154)
    cells = ["", " ", "合计", "基本支出", "人员经费", "12", " 3.5 ", "1,234.5%", "-5", "—", "其中：人员经费 40 万元。", "1、2、3"]
    for _ in range(300):
        lines = []
        for _ in range(rnd.randint(0, 30)):
            row = [rnd.choice(cells) for _ in range(rnd.randint(1, 5))]
            lines.append(rnd.choice(["\t", "\t\t", " "]).join(row) if rnd.random() < 0.7 else "\t" + row[0] + "\t")
        text = "\n".join(lines)
        plain = TextIndex.build(plain_document(text))
        barred = TextIndex.build(plain_document(text + "\n|"))  # the same lines, the | or tab test made
        assert verify_breakdowns.table_rows(plain) == verify_breakdowns.table_rows(barred)
