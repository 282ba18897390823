"""The .xlsx writer, read back through openpyxl (the library the overview used to be written
with): values and their types, styles, links, conditional formats and the sheet set-up."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from summarizer.spreadsheet import (
    Cell,
    ColorScale,
    Highlight,
    MAX_CELL_CHARS,
    Style,
    TableSheet,
    column_letter,
    _cell_xml,
    _sheet_xml,
    _Styles,
    workbook_bytes,
)


def read(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def one_sheet(*rows, **options) -> bytes:
    sheet = TableSheet("表", **options)
    sheet.append([Cell("名称", Style(bold=True, fill="EEF3F8", vertical="center", wrap=True)), Cell("金额", Style(bold=True))])
    for row in rows:
        sheet.append(row)
    return workbook_bytes([sheet])


@pytest.mark.parametrize(
    ("value", "expected", "data_type"),
    [
        ("文本", "文本", "s"),
        (2022, 2022, "n"),
        (Decimal("1179.61"), 1179.61, "n"),
        (Decimal("0.1"), 0.1, "n"),
        (1.5, 1.5, "n"),
        (True, True, "b"),
        ("  indented ", "  indented ", "s"),  # white space kept
        ("a < b & c > d", "a < b & c > d", "s"),
        ("line\r\nbreak", "line\r\nbreak", "s"),
        ("#N/A", "#N/A", "e"),  # as openpyxl stored it: the spreadsheet's own error value
        ("x" * 40000, "x" * 32767, "s"),  # a cell holds at most 32,767 characters
    ],
)
def test_values_read_back_with_their_types(value, expected, data_type):
    cell = read(one_sheet([value])).active["A2"]
    assert (cell.value, cell.data_type) == (expected, data_type)


def test_empty_and_missing_cells():
    sheet = read(one_sheet(["", None, Cell(None, Style(number_format="#,##0.00"))])).active
    assert [sheet.cell(row=2, column=n).value for n in (1, 2, 3)] == [None, None, None]
    assert sheet["C2"].number_format == "#,##0.00"  # an empty cell keeps its column's format


def test_formula_like_text_stays_text_with_the_quote_prefix():
    sheet = read(one_sheet([Cell("=1+1", Style(quote_prefix=True)), Cell("@SUM(A1)", Style(quote_prefix=True, color="1F4E79"))])).active
    for reference, text in (("A2", "=1+1"), ("B2", "@SUM(A1)")):
        assert sheet[reference].value == text and sheet[reference].data_type == "s" and sheet[reference].quotePrefix
    assert sheet["B2"].font.color.rgb == "001F4E79"
    data = one_sheet([Cell("=1+1", Style(quote_prefix=True))])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere


def test_styles_links_and_number_formats():
    link = Style(color="1F4E79", underline=True)
    rows = [
        [Cell("a.txt", link, "./a.html"), Cell(Decimal("12.5"), Style(number_format='0.00"%"'))],
        [Cell("b.txt", link, "./b%20c.html"), Cell(Decimal("3"), Style(number_format="#,##0.00"))],
    ]
    sheet = read(one_sheet(*rows, widths=(30, 11))).active
    header = sheet["A1"]
    assert header.font.b and header.fill.fgColor.rgb == "00EEF3F8" and header.alignment.wrap_text
    assert header.alignment.vertical == "center" and sheet["B1"].font.b and sheet["B1"].fill.fill_type is None
    assert sheet["A2"].hyperlink.target == "./a.html" and sheet["A3"].hyperlink.target == "./b%20c.html"
    assert sheet["A2"].font.u == "single" and sheet["A2"].font.color.rgb == "001F4E79"
    assert sheet["B2"].number_format == '0.00"%"' and sheet["B3"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width == 30 and sheet.column_dimensions["B"].width == 11


def test_every_sheet_is_a_table_frozen_filtered_and_printable():
    book = read(workbook_bytes([TableSheet("总览", rows=[["a", "b", "c"], [1, 2, 3]]), TableSheet("核验", rows=[["x"]])]))
    assert book.sheetnames == ["总览", "核验"]
    first, second = book["总览"], book["核验"]
    assert first.freeze_panes == "A2" and first.auto_filter.ref == "A1:C2" and second.auto_filter.ref == "A1:A1"
    assert first.print_title_rows == "$1:$1" and first.page_setup.orientation == "landscape"
    assert str(first.page_setup.paperSize) == "9" and first.page_setup.fitToWidth == 1 and first.page_setup.fitToHeight == 0
    assert first.sheet_properties.pageSetUpPr.fitToPage


def test_conditional_formats():
    sheet = TableSheet("表", rows=[["n", "m"], [1, 5], [0, 7]])
    red = Style(bold=True, color="C62828", fill="FDECEA")
    sheet.formats += [Highlight("A2:A3", "greaterThan", "0", red), ColorScale("B2:B3", "FFFFFF", "F4B183"), Highlight("A2:A3", "lessThan", "90", Style(fill="FFF3C4"))]
    rules = [(str(rng.sqref), rule) for rng in read(workbook_bytes([sheet])).active.conditional_formatting for rule in rng.rules]
    by_priority = sorted(rules, key=lambda pair: pair[1].priority)
    (cells1, above), (cells2, scale), (_, below) = by_priority
    assert (cells1, above.type, above.operator, above.formula) == ("A2:A3", "cellIs", "greaterThan", ["0"])
    assert above.dxf.font.b and above.dxf.font.color.rgb == "00C62828" and above.dxf.fill.fgColor.rgb == "00FDECEA"
    assert (cells2, scale.type) == ("B2:B3", "colorScale")
    assert [color.rgb for color in scale.colorScale.color] == ["00FFFFFF", "00F4B183"]
    assert below.operator == "lessThan" and below.dxf.fill.fgColor.rgb == "00FFF3C4" and below.dxf.font is None


def test_the_same_rows_give_the_same_bytes():
    rows = [[Cell("a", Style(bold=True))], ["b"]]
    assert workbook_bytes([TableSheet("表", rows=list(rows))]) == workbook_bytes([TableSheet("表", rows=list(rows))])


def test_a_value_a_cell_cannot_hold_is_refused():
    with pytest.raises(TypeError):
        workbook_bytes([TableSheet("表", rows=[[object()]])])


@pytest.mark.parametrize(("number", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA")])
def test_column_letters(number, letters):
    assert column_letter(number) == letters


@pytest.mark.parametrize("value", ["a", "中文", "<b>&amp;", "x\ry", " lead", "trail ", "", "#N/A", "=1+1", "x" * (MAX_CELL_CHARS + 5), 3, None])
def test_the_sheet_writes_a_plain_cell_as_the_cell_writer_does(value):
    """_sheet_xml writes plain text cells itself (the common case, a call less); every value
    must come out as _cell_xml writes it."""

    xml, _ = _sheet_xml(TableSheet("s", [["head"], [value]]), _Styles())
    assert f'<row r="2">{_cell_xml("A2", value, 0)}</row>' in xml
