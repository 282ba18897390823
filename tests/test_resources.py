"""Bounded work on any accepted input (issue 11): generated hostile texts, never committed.

Each test counts the work a stage does (calls of its inner comparison) or the size of what it
writes, not the time it takes: a quadratic stage shows as a count that grows with the square of
the input. Only the normalisation test has a deadline, a generous one, because a backtracking
regular expression does its work inside one call.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from summarizer import verify as verify_module
from summarizer.backends.rules import RulesBackend
from summarizer.config import resolve_settings
from summarizer.document import plain_document
from summarizer.pipeline import MAX_CHECKS, bounded_checks
from summarizer.render import render_formats
from summarizer.structure import analyse
from summarizer.verify import verify_report

HEAD = "某县某局2023年度部门整体支出绩效自评报告\n一、部门基本情况\n本局核定编制25人。\n二、收支情况\n"


def fill(piece, size: int) -> str:
    parts, length, index = [HEAD], len(HEAD.encode()), 0
    while length < size:
        part = piece(index)
        parts.append(part)
        length += len(part.encode())
        index += 1
    return "".join(parts)


def one_line_of_amounts(size: int) -> str:
    """Distinct amounts in one paragraph (a pasted dump): thousands of numbers in one block."""
    return fill(lambda i: f"项目{i}支出{i * 7 + 13}.{i % 100:02d}万元，", size)


def table_of_numbered_lines(size: int) -> str:
    """Thousands of table rows whose names differ by a number only (项目1 … 项目5000)."""
    return fill(
        lambda i: ("| 项目 | 预算数 | 执行数 | 得分 |\n| --- | --- | --- | --- |\n" if i % 100 == 0 else "")
        + f"| 项目{i} | {i}.5 | {i} | {i % 20} |\n",
        size,
    )


def extracted(text: str):
    document = plain_document(text)
    layout = analyse(document)
    return document, layout, RulesBackend(resolve_settings(flags={}, environ={})).extract(document, layout)


class Counter:
    def __init__(self, function):
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def test_a_long_line_without_spaces_is_normalised_in_linear_work():
    # A form-line pattern that reached the whole line by backtracking took minutes on 100 kB
    # (cubic in the line's length); 300 kB of one line must be nothing.
    script = textwrap.dedent(
        """
        from summarizer.normalise import normalise
        prose = "".join(f"资金使用第{i}项，" for i in range(15000))  # one line, no space
        line = prose + "\\n" + "年初预算数 全年预算数 全年执行数 分值 执行率 得分 " * 3000
        text, offsets = normalise(line)
        assert len(offsets) == len(text) + 1 and text.startswith(prose)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_amounts_restated_in_a_huge_block_are_looked_up_near_each_figure(monkeypatch):
    document, layout, report = extracted(one_line_of_amounts(80_000))
    assert len(report.figures) > 2000
    counter = Counter(verify_module.to_wan)
    monkeypatch.setattr(verify_module, "to_wan", counter)
    verified = verify_report(report, document, layout)
    # Each figure looks at the amounts near it, not at every amount of its block.
    assert counter.calls <= 1000 * len(report.figures), counter.calls
    checks, _ = bounded_checks(verified.checks)
    assert len(checks) <= MAX_CHECKS


def test_each_spending_line_is_compared_with_nearby_plans_only(monkeypatch):
    document, layout, report = extracted(table_of_numbered_lines(40_000))
    assert len(report.figures) > 2000
    counter = Counter(verify_module._same_item)
    monkeypatch.setattr(verify_module, "_same_item", counter)
    verify_report(report, document, layout)
    assert counter.calls <= 300 * len(report.figures), counter.calls


def test_summaries_stay_bounded_whatever_the_input_holds():
    document, layout, report = extracted(one_line_of_amounts(100_000))
    report = verify_report(report, document, layout)
    checks, _ = bounded_checks(report.checks)
    report = report.model_copy(update={"checks": checks})
    rendered = render_formats(report, ["md", "html"], resolve_settings(flags={}, environ={}))
    assert len(rendered["md"]) < 300_000 and len(rendered["html"]) < 300_000
    assert len(report.model_dump_json()) < 20 * len(document.text.encode())  # linear in the input, never a blow-up
