"""Excel: every sheet of an .xlsx (openpyxl) or .xls (xlrd) as a grid, in workbook order.

Each sheet becomes its rows as tab-separated tables (grid.table_text), headed by the sheet's
name when the workbook has several. A row with a single filled cell is a line of prose (a
title, a paragraph typed into column A) when that cell is merged across columns or the row
does not follow a table row; otherwise it is a table row with empty values (1、局机关 under
a total), so a 自评表 laid out as a form reads like the same form in a Word file. A merged range keeps its value in its top-left cell and leaves the
rest of the range empty, as Word tables do: repeating the value would count a figure twice
and turn one label into several headings. Formulas are read as their cached values (the
value the author last saw); a cell over the bounds stops the read with an error.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from .bounds import Bounds, Deadline, check_zip
from .grid import one_line, table_text


def read_xlsx(data: bytes, path: Path, bounds: Bounds, deadline: Deadline) -> str:
    check_zip(data, path, bounds, "this .xlsx")
    import openpyxl  # imported only for Excel input

    # Not read_only: merged ranges are only known to a fully loaded sheet (the zip bound
    # above keeps that load small).
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        wide = {(merged.min_row - 1, merged.min_col - 1) for merged in sheet.merged_cells.ranges if merged.max_col > merged.min_col}
        rows = ([_value(cell.value) for cell in row] for row in sheet.iter_rows())
        sheets.append((sheet.title, rows, wide))
    return _sheets_text(sheets, path, bounds, deadline)


def read_xls(data: bytes, path: Path, bounds: Bounds, deadline: Deadline) -> str:
    import xlrd  # imported only for old Excel input

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        wide = {(first_row, first_col) for first_row, _, first_col, last_col in sheet.merged_cells if last_col - first_col > 1}
        rows = ([_xls_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows))
        sheets.append((sheet.name, rows, wide))
    return _sheets_text(sheets, path, bounds, deadline)


_Sheet = tuple[str, Iterable[list[str]], set[tuple[int, int]]]


def _sheets_text(sheets: list[_Sheet], path: Path, bounds: Bounds, deadline: Deadline) -> str:
    parts: list[str] = []
    cells = 0
    for name, rows, wide in sheets:
        block: list[list[str]] = []
        lines: list[str] = []

        def flush() -> None:
            if block:
                lines.append(table_text(block))
            block.clear()

        for number, row in enumerate(rows):
            cells += len(row)
            if cells > bounds.max_cells:
                raise InputError(
                    f"workbook has more than {bounds.max_cells:,} cells, over the bound for a report", path=path
                )
            deadline.check("reading the workbook")
            while row and not row[-1]:
                row.pop()
            filled = [column for column, cell in enumerate(row) if cell]
            title = len(filled) == 1 and (number, filled[0]) in wide
            if len(filled) >= 2 or (len(filled) == 1 and block and not title):
                block.append(row)
                continue
            flush()
            lines.append(row[filled[0]] if filled else "")
        flush()
        if any(line.strip() for line in lines):
            parts.append("\n".join([name, *lines] if len(sheets) > 1 else lines))
    return "\n\n".join(parts)


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # 1179.61 as typed, not 1179.6099999999999; whole numbers without ".0"
        text = format(Decimal(repr(value)).normalize(), "f")
        return text
    if isinstance(value, dt.datetime):
        return value.strftime("%Y年%m月%d日") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%Y年%m月%d日")
    return one_line(str(value))


def _xls_value(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _value(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError):
            return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return _value(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return _value(cell.value)
