"""Render a sample report into the formats reviewers receive it in, at test time.

A sample .txt is split into blocks (paragraphs and tables, tables as the project's own
structure stage sees them), and the blocks are laid out as a Word file with real tables, an
HTML page printed to PDF by headless Chromium, a scanned PDF (the text PDF's pages rasterised
and reassembled as images) and an Excel workbook. Nothing here is committed as a binary: every
fixture is made from samples/ when the tests run.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from summarizer.config import resolve_settings
from summarizer.ingest import read_document
from summarizer.structure import analyse

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


@dataclass
class Block:
    """A paragraph (rows is None) or a table (rows of cell texts; a cell may hold newlines)."""

    text: str = ""
    rows: list[list[str]] | None = None


def blocks_of(path: Path) -> list[Block]:
    """The sample's analysis text as paragraphs and tables, in reading order."""
    document = read_document(path, resolve_settings(environ={}))
    layout = analyse(document)
    blocks: list[Block] = []
    tables = iter(layout.tables)
    table = next(tables, None)
    written = None  # the table whose block is already in `blocks`
    for line in layout.lines:
        while table is not None and line.start >= table.end:
            table = next(tables, None)
        if table is not None and line.start >= table.start:
            if written is not table:
                blocks.append(Block(rows=[[cell.text.strip() for cell in row.cells] for row in table.rows]))
                written = table
            continue
        blocks.append(Block(text=line.text))
    return blocks


def _grid(rows: list[list[str]]) -> list[list[str]]:
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


# ---------------------------------------------------------------- .docx


def to_docx(blocks: list[Block]) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks:
        if block.rows is None:
            document.add_paragraph(block.text)
            continue
        grid = _grid(block.rows)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        table.style = "Table Grid"
        for row, values in zip(table.rows, grid):
            for cell, value in zip(row.cells, values):
                lines = value.split("\n")
                cell.text = lines[0]
                for extra in lines[1:]:
                    cell.add_paragraph(extra)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


# ---------------------------------------------------------------- .xlsx


def to_xlsx(blocks: list[Block]) -> bytes:
    """One sheet laid out as a form: a paragraph is a row with one cell merged across the
    sheet (as titles are), a table row is a row of cells in which a label followed by empty
    cells is merged over them (as Word's spanning cells are)."""
    import openpyxl

    width = max((len(row) for block in blocks if block.rows for row in block.rows), default=1)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    number = 0
    for block in blocks:
        if block.rows is None:
            number += 1
            sheet.cell(number, 1, block.text or None)
            if block.text and width > 1:
                sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
            continue
        for row in _grid(block.rows):
            number += 1
            for column, value in enumerate(row, 1):
                _put(sheet.cell(number, column), value)
            if any(_is_number(value) for value in row):
                continue
            filled = [column for column, value in enumerate(row, 1) if value]
            for first, after in zip(filled, filled[1:] + [len(row) + 1]):
                if after - first > 1:
                    sheet.merge_cells(start_row=number, start_column=first, end_row=number, end_column=after - 1)
        number += 1  # a blank row after each table
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _is_number(value: str) -> bool:
    return re.fullmatch(r"\d+(?:\.\d+)?%?", value) is not None


def _put(cell, value: str) -> None:
    """A number typed as a number, shown as written (20.00 under "0.00", 74.36% as 0.7436
    under "0.00%"), as a finance officer's sheet holds it; other text as text."""
    if not _is_number(value):
        cell.value = value or None
        return
    percent = value.endswith("%")
    digits = value.rstrip("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    number = Decimal(digits) / (100 if percent else 1)
    cell.value = float(number) if decimals or percent else int(number)
    cell.number_format = ("0." + "0" * decimals if decimals else "0") + ("%" if percent else "") if decimals or percent else "General"


# ---------------------------------------------------------------- HTML -> PDF

_STYLE = """
@page { size: A4; margin: 15mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; }
p { margin: 0 0 4pt 0; min-height: 1em; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; }
td { border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: top; font-size: 9pt; }
tr { page-break-inside: avoid; }
"""


def to_html(blocks: list[Block]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><style>{_STYLE}</style></head><body>"]
    for block in blocks:
        if block.rows is None:
            parts.append(f"<p>{html.escape(block.text)}</p>")
            continue
        parts.append("<table>")
        for row in _grid(block.rows):
            cells = "".join(f"<td>{'<br>'.join(html.escape(line) for line in value.split(chr(10)))}</td>" for value in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def print_pdf(page_html: str, folder: Path) -> bytes:
    """Print an HTML page to PDF with headless Chromium (callers skip when CHROMIUM is None)."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "page.html"
    page.write_text(page_html, encoding="utf-8")
    pdf = folder / "page.pdf"
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf.read_bytes()


def scan(pdf: bytes, dpi: int = 200) -> bytes:
    """Rasterise every page and reassemble the images as a PDF with no text layer."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    stream = io.BytesIO()
    images[0].save(stream, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return stream.getvalue()


def convert(data: bytes, suffix: str, target: str, folder: Path) -> bytes:
    """Convert a file with LibreOffice headless (docx -> doc, xlsx -> xls); callers skip
    when it is not installed."""
    from summarizer.formats.word import soffice

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"input.{suffix}"
    source.write_bytes(data)
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
         "--convert-to", target, "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    return (folder / "out" / f"input.{target}").read_bytes()


def scan_pages(pdf: bytes, numbers: set[int]) -> bytes:
    """The PDF with the listed pages (0-based) replaced by their scans: a digital report with a
    stamped page scanned back in."""
    from pypdf import PdfReader, PdfWriter

    text, scanned = PdfReader(io.BytesIO(pdf)), PdfReader(io.BytesIO(scan(pdf)))
    writer = PdfWriter()
    for index, page in enumerate(text.pages):
        writer.add_page(scanned.pages[index] if index in numbers else page)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()
