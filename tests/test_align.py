"""Aligning a model's evidence quote to a span of the source: exact, normalised, fuzzy, per character."""

from __future__ import annotations

import pytest

from summarizer.llm.align import Aligner, align
from summarizer.schemas import Alignment

TEXT = (
    "二、收支情况\n"
    "2023年度收入合计860.5万元，支出合计812.3万元，其中基本支出602.1万元。\n"
    "局机关\t1179.61\t304.01\t875.6\n"
    "四、存在问题\n"
    "1、部分项目资金支付进度偏慢，年底集中支付。\n"
)


@pytest.mark.parametrize(
    ("quote", "expected", "alignment"),
    [
        ("收入合计860.5万元", "收入合计860.5万元", Alignment.EXACT),
        # Whitespace inserted, full-width digits: found after normalisation, span in the source.
        ("支出合计 ８１２.３ 万元", "支出合计812.3万元", Alignment.NORMALISED),
        # A table row re-flowed with spaces or pipes instead of tabs.
        ("局机关 1179.61 304.01 875.6", "局机关\t1179.61\t304.01\t875.6", Alignment.NORMALISED),
        ("局机关 | 1179.61 | 304.01 | 875.6", "局机关\t1179.61\t304.01\t875.6", Alignment.NORMALISED),
        # One character wrong (偏慢 -> 较慢): fuzzy, per character.
        ("部分项目资金支付进度较慢，年底集中支付。", "部分项目资金支付进度偏慢，年底集中支付。", Alignment.FUZZY),
        # A word dropped.
        ("部分项目资金支付进度偏慢，年底支付。", "部分项目资金支付进度偏慢，年底集中支付。", Alignment.FUZZY),
        # An elided quote is aligned by its first and last pieces.
        ("收入合计860.5万元……基本支出602.1万元", "收入合计860.5万元，支出合计812.3万元，其中基本支出602.1万元", Alignment.FUZZY),
    ],
)
def test_quotes_align_to_source_spans(quote, expected, alignment):
    match = align(quote, TEXT)
    assert match is not None, quote
    assert TEXT[match.start : match.end] == expected
    assert match.alignment is alignment


@pytest.mark.parametrize(
    "quote",
    [
        "",
        "   ",
        "其他收入12.5万元",  # not in the report
        "项目管理混乱，账目不清，资金被挪用。",  # invented sentence
        "预算执行率为100%",  # a claim the report never makes
    ],
)
def test_quotes_the_report_does_not_contain_are_unaligned(quote):
    assert align(quote, TEXT) is None


def test_offsets_count_chinese_characters_one_each():
    match = align("存在问题", TEXT)
    assert match is not None and match.end - match.start == 4
    assert TEXT.index("存在问题") == match.start


def test_the_window_the_model_read_is_searched_first():
    text = "支出合计100万元。\n第二部分\n支出合计100万元。"
    second = text.rindex("支出合计")
    anywhere = align("支出合计100万元", text)
    windowed = align("支出合计100万元", text, windows=[(second, len(text))])
    assert anywhere.start == 0 and windowed.start == second


def test_short_quotes_must_match_exactly():
    assert align("收入合", TEXT) is not None
    assert align("收人合", TEXT) is None  # one of three characters wrong: not a fuzzy match


def test_fuzzy_threshold_is_respected():
    loose, strict = Aligner(TEXT, threshold=0.6), Aligner(TEXT, threshold=0.99)
    quote = "部分项目资金支付进度较慢，年底统一支付。"
    assert loose.align(quote) is not None
    assert strict.align(quote) is None
