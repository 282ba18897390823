"""normalise: table-driven cases for each pass, and the offset-map property on every case and
on the real samples."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from summarizer.normalise import normalise

REPEATED = "对免证办事项不再要求行政相对人提供相应纸质证照材料"

# (id, original, expected normalised text)
CASES = [
    # full-width digits, letters and ％
    ("fullwidth digits", "支出１２３．４５万元", "支出123.45万元"),
    ("fullwidth percent", "执行率９８．５％", "执行率98.5%"),
    ("fullwidth letters", "ＡＢＣ类", "ABC类"),
    ("ideographic space between cjk", "自评\u3000报告", "自评报告"),
    ("chinese punctuation kept", "（一）基本情况：", "（一）基本情况："),
    ("crlf", "一、概况\r\n二、收支\r\n", "一、概况\n二、收支\n"),
    # HTML fragments
    ("p tags", "<p>第一段</p><p>第二段</p>", "\n第一段\n\n第二段\n"),
    ("bold tag", "<b>三、部门整体支出绩效自评情况</b>", "三、部门整体支出绩效自评情况"),
    ("br tag", "第一行<br/>第二行<BR>第三行", "第一行\n第二行\n第三行"),
    ("nbsp entity", "合计&nbsp;100万元", "合计100万元"),
    ("amp entity", "A&amp;B", "A&B"),
    ("p in a table cell", "职能职责概述\t<p>主要职责是：</p>", "职能职责概述\n主要职责是：\n"),
    # a </p> at the end of a row must not swallow the next row's leading tabs
    ("p before next row", "\t\t数量指标\t<p>文件</p>\t\n\t\t时效指标\t一年内", "\t\t数量指标\n文件\n\n\t\t时效指标\t一年内"),
    # numbers broken by spaces and line breaks
    ("split year", "雨花区20 21 年度", "雨花区2021年度"),
    ("split year 19", "19 98 年", "1998年"),
    ("not a year", "共20 21个", "共20 21个"),
    ("space before unit", "项目支出 875.6 万元", "项目支出875.6万元"),
    ("space before percent", "增长 25.06 %", "增长25.06%"),
    ("number on next line", "其中：基本支出304.01万元；项目支出\n\n875.6 万元。", "其中：基本支出304.01万元；项目支出875.6万元。"),
    ("unit on next line", "项目支出875.6\n万元", "项目支出875.6万元"),
    ("number on next line needs a unit", "二、收支情况\n\n2022年预算", "二、收支情况\n\n2022年预算"),
    ("decimal gap", "进驻率达 86. 1%。", "进驻率达86.1%。"),
    ("decimal gap in a cell", "\t86. 1%\n", "\t86.1%\n"),
    ("list marker before a year", "1. 2022 年预算执行", "1. 2022年预算执行"),
    ("list marker before a count", "2. 10 个部门", "2. 10个部门"),
    ("digits around a space stay apart", "12345 热线 1 2 3", "12345热线1 2 3"),
    ("tabs kept", "项目\t预算数\t执行数", "项目\t预算数\t执行数"),
    # runaway repeated clauses
    ("clause ten times", "明确" + (REPEATED + "，") * 10 + "完成。", "明确" + REPEATED + "，完成。"),
    ("clause three times at start", (REPEATED + "，") * 3 + "完成。", REPEATED + "，完成。"),
    ("clause repeated to sentence end", "一是" + "，".join([REPEATED] * 4) + "。", "一是" + REPEATED + "。"),
    ("clause twice is kept", "甲乙丙丁戊己，甲乙丙丁戊己，其他。", "甲乙丙丁戊己，甲乙丙丁戊己，其他。"),
    ("short clause repeats kept", "是，是，是，是。", "是，是，是，是。"),
]


def _entity_at(original: str, index: int) -> str | None:
    match = re.match(r"&(?:[a-zA-Z]{2,8}|#\d{2,5});", original[index:])
    return html.unescape(match.group(0)).replace("\xa0", " ") if match else None


def assert_offset_map(original: str, text: str, offsets: list[int]) -> None:
    """Every normalised character comes from the original character it points at."""
    assert len(offsets) == len(text) + 1
    assert offsets[-1] == len(original)
    assert all(a <= b for a, b in zip(offsets, offsets[1:])), "offsets go backwards"
    for i, char in enumerate(text):
        source = original[offsets[i]]
        if char == source or unicodedata.normalize("NFKC", source) == char:
            continue
        if char == "\n" and (source in "\r<" or source.isspace()):
            continue  # a newline inserted for a CR or an HTML paragraph tag (and the spaces it took)
        if source == "&" and _entity_at(original, offsets[i]) == char:
            continue  # a decoded entity points at its "&"
        raise AssertionError(f"text[{i}]={char!r} but original[{offsets[i]}]={source!r}")


@pytest.mark.parametrize(("original", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_normalise_case(original: str, expected: str) -> None:
    text, offsets = normalise(original)
    assert text == expected
    assert_offset_map(original, text, offsets)


def test_empty_text() -> None:
    assert normalise("") == ("", [0])


def test_offset_map_points_at_the_number() -> None:
    original = "项目支出\n\n875.6 万元"
    text, offsets = normalise(original)
    start = text.index("875.6")
    assert original[offsets[start] : offsets[start + 4] + 1] == "875.6"
    assert original[offsets[text.index("万")]] == "万"


def test_repeat_keeps_the_text_after_the_run() -> None:
    original = "明确" + (REPEATED + "，") * 10 + "对免证产证照调用次数达 20 多万次以上。"
    text, offsets = normalise(original)
    assert text.count(REPEATED) == 1
    assert text.endswith("对免证产证照调用次数达20多万次以上。")
    assert_offset_map(original, text, offsets)


def _digits(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", text) if char.isdigit())


def test_samples_offset_map_and_digits(sample_paths) -> None:
    for path in sample_paths:
        original = path.read_text(encoding="utf-8")
        text, offsets = normalise(original)
        assert_offset_map(original, text, offsets)
        # Normalising never changes, adds or drops a digit (the repeated clause has none).
        assert _digits(text) == _digits(original), path.name


def test_lechang_repeated_clause_collapsed(samples_dir) -> None:
    original = (samples_dir / "lechang_2022_administrative_service_center_department.txt").read_text(encoding="utf-8")
    assert original.count(REPEATED) >= 10
    text, _ = normalise(original)
    assert text.count(REPEATED) == 1
    assert "明确对免证办事项不再要求行政相对人提供相应纸质证照材料,对免证产证照调用次数达20多万次以上" in text
    assert "进驻率达86.1%" in text and "网上可办率达91.4%" in text


def test_xiangyin_html_and_broken_number(samples_dir) -> None:
    original = (samples_dir / "xiangyin_2022_administrative_approval_bureau_department.txt").read_text(encoding="utf-8")
    text, _ = normalise(original)
    assert "<p>" not in text and "</p>" not in text and "<b>" not in text
    assert "其中：基本支出304.01万元；项目支出875.6万元。" in text
    assert "\n三、部门（单位）整体支出绩效自评情况\t" in text
    # The indicator rows after a cell full of <p> keep their two leading (empty) cells.
    assert "\n\t\t时效指标\t一年内\t2022年按计划完成\n" in text


def test_yuhua_split_year(samples_dir) -> None:
    original = (samples_dir / "yuhua_2021_government_service_hall_project.txt").read_text(encoding="utf-8")
    assert "雨花区20 21 年度" in original
    text, _ = normalise(original)
    assert "雨花区2021年度" in text


def test_a_line_break_put_before_an_inline_heading_maps_to_that_heading() -> None:
    # A report pasted as one long line: the break inserted before "二、" points at "二", so a
    # span that starts or ends on it stays inside the original text, in order.
    original = "一、基本情况" + "".join(f"本单位第{n}项工作有序推进，" for n in range(15)) + "二、绩效目标完成情况全年完成。"
    text, offsets = normalise(original)
    inserted = text.index("\n二、")
    assert offsets[inserted] == original.index("二、")
    assert offsets == sorted(offsets)


def test_digit_like_lists_every_digit_that_is_not_decimal() -> None:
    # The layout-space rule treats what str.isdigit() holds for as a digit; the pattern spells
    # out the characters beyond \d (which matches the decimal ones) instead of scanning Unicode
    # at import.
    from summarizer.normalise import _DIGIT_LIKE

    expected = {chr(c) for c in range(0x110000) if chr(c).isdigit() and not chr(c).isdecimal()}
    assert {chr(c) for c in range(0x110000) if re.fullmatch(f"[{_DIGIT_LIKE}]", chr(c))} == expected


def _wrap(text: str, width: int) -> str:
    """A paragraph as a PDF text layer gives it: cut every `width` characters."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


PARAGRAPH = (
    "本年度部门预算收入合计为一千二百万元，其中财政拨款收入一千一百万元，其他收入一百万元；"
    "部门预算支出合计一千二百万元，其中基本支出九百万元，项目支出三百万元，主要用于信息化建设"
    "和专项业务工作，全年预算执行情况良好，各项资金均按规定用途使用，未发现挤占挪用情况。"
)


def test_a_paragraph_the_page_wrapped_is_one_line_again() -> None:
    # The break between a label and its number, or a number and its unit, is the page's.
    body = PARAGRAPH + "其中项目支出875.6万元，下达资金15万元。" + PARAGRAPH
    original = "一、部门基本情况\n" + _wrap(body, 30) + "\n二、绩效目标完成情况\n" + _wrap(PARAGRAPH, 30) + "\n"
    text, offsets = normalise(original)
    assert "一、部门基本情况\n" + body + "\n二、绩效目标完成情况\n" + PARAGRAPH + "\n" == text
    assert offsets == sorted(offsets) and all(original[offsets[i]] == text[i] for i in range(len(text)))


def test_a_numbered_line_after_a_wrapped_line_starts_its_own_line() -> None:
    points = "\n".join(f"{n}、" + _wrap(PARAGRAPH, 30) for n in range(1, 4))
    text, _ = normalise(points)
    assert text == "\n".join(f"{n}、" + PARAGRAPH for n in range(1, 4))


def test_a_paragraph_per_line_text_is_not_joined() -> None:
    # Web pages give one paragraph per line: lines of every length, no common right edge.
    lines = [PARAGRAPH[: 20 + 7 * n] for n in range(12)]
    original = "\n".join(lines)
    assert normalise(original)[0] == original
