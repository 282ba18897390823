"""Excel: every sheet of an .xlsx (openpyxl) or .xls (xlrd) as a grid, in workbook order.

Each sheet becomes its rows as tab-separated tables (tsv.table_text), headed by the sheet's
name when the workbook has several. A row with a single filled cell is a line of prose (a
title, a paragraph typed into column A) unless it follows a table row: then it is a table
row with empty values (1、局机关 under a total, 成本指标 merged over an empty row), so a
自评表 laid out as a form reads like the same form in a Word file. A merged range keeps its value in its top-left cell and leaves the
rest of the range empty, as Word tables do: repeating the value would count a figure twice
and turn one label into several headings. Formulas are read as their cached values (the
value the author last saw); a cell over the bounds stops the read with an error.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..errors import InputError
from .bounds import Bounds, Deadline, check_zip
from .tsv import one_line, table_text


def read_xlsx(data: bytes, path: Path, bounds: Bounds, deadline: Deadline) -> str:
    check_zip(data, path, bounds, "this .xlsx")
    import openpyxl  # imported only for Excel input

    # Not read_only: merged ranges are only known to a fully loaded sheet (the zip bound
    # above keeps that load small).
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        rows = ([_value(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows())
        sheets.append((sheet.title, rows))
    return _sheets_text(sheets, path, bounds, deadline)


def read_xls(data: bytes, path: Path, bounds: Bounds, deadline: Deadline) -> str:
    import xlrd  # imported only for old Excel input

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)  # for number formats
    sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        rows = ([_xls_value(cell, book) for cell in sheet.row(r)] for r in range(sheet.nrows))
        sheets.append((sheet.name, rows))
    return _sheets_text(sheets, path, bounds, deadline)


_Sheet = tuple[str, Iterable[list[str]]]


def _sheets_text(sheets: list[_Sheet], path: Path, bounds: Bounds, deadline: Deadline) -> str:
    parts: list[str] = []
    cells = 0

    def counted(rows: Iterable[list[str]]) -> Iterable[list[str]]:
        nonlocal cells
        for row in rows:
            cells += len(row)
            if cells > bounds.max_cells:
                raise InputError(f"workbook has more than {bounds.max_cells:,} cells, over the bound for a report", path=path)
            deadline.check("reading the workbook")
            yield row

    for name, rows in sheets:
        lines = _sheet_lines(counted(rows))
        if any(line.strip() for line in lines):
            parts.append("\n".join([name, *lines] if len(sheets) > 1 else lines))
    return "\n\n".join(parts)


def _sheet_lines(rows: Iterable[list[str]]) -> list[str]:
    lines: list[str] = []
    block: list[list[str]] = []
    for row in rows:
        while row and not row[-1]:
            row.pop()
        filled = [cell for cell in row if cell]
        if len(filled) >= 2 or (filled and block):
            block.append(row)
            continue
        if block:
            lines.append(table_text(block))
            block = []
        lines.append(filled[0] if filled else "")
    if block:
        lines.append(table_text(block))
    return lines


def _value(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return _number(value, number_format)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y年%m月%d日") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%Y年%m月%d日")
    return one_line(str(value))


_DECIMALS = re.compile(r"0\.(0+)")


def _number(value: float, number_format: str) -> str:
    """A number as the sheet shows it: 20.00 under "0.00", 74.36% under "0.00%"; under
    General as typed (1179.61, not 1179.6099999999999; 127, not 127.0)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    shown = number_format.split(";")[0]
    percent = "%" in shown
    if percent:
        number *= 100
    places = _DECIMALS.search(shown)
    if shown == "General" or not re.search(r"[0#]", shown):
        number = number.normalize()
    else:  # a fixed format: as many decimals as it has zeros after the point (none: integer)
        decimals = len(places.group(1)) if places else 0
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(number, "f") + ("%" if percent else "")


def _xls_value(cell, book) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER:
        number_format = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
        return _number(cell.value, number_format.format_str if number_format else "General")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _value(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (ValueError, OverflowError):
            return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return _value(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return _value(cell.value)
