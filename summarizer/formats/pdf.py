"""PDF: the text layer with its ruled tables, page by page, in reading order (pdfplumber).

Per page, the ruled tables are found from the drawn cell borders and written as grids
(tsv.table_text); the words outside them become lines, and a line that runs to the right
margin is joined to the next one (a paragraph the PDF wrapped, which the source wrote as one
line). A table that carries on over a page break is kept as one table when the next page
starts with a table of the same width. A PDF with no text layer at all is a scan: it goes
to OCR (ocr.py) when the optional extra is installed.

pdfplumber (MIT) was chosen over PyMuPDF (AGPL) on the three samples printed to PDF by
Chromium, each read through this same page layout: pdfplumber gave back every meta field,
figure and indicator of the .txt (236/236 figures, 27/27 indicators) in 0.18-0.27 s a file;
PyMuPDF 236 -> 226 figures and 6/27 indicators (its table cells put Chinese punctuation out
of order: "1项、目立项规范性") in 1.1-1.6 s, and its licence would bind the whole project.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .bounds import Bounds, Deadline
from .tsv import join_lines, table_text

# A line ending this close to the right edge of the page's text is a wrapped paragraph:
# about two characters at 10.5pt, since Chinese line breaking moves a character together with
# the punctuation after it ("240万\n元；").
_WRAP_SLACK = 24.0  # points
# The rightmost line end must come this close to the text column's right edge (a page's width
# less its left margin) for any line of the page to count as wrapped: about four characters,
# for pages whose margins differ a little.
_COLUMN_SLACK = 48.0  # points
# ... unless the next line opens a heading or a numbered point.
_OPENS_POINT = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}(?:[、．]|\.(?!\d))|[①②③④⑤⑥⑦⑧⑨⑩]|#|[-*•]\s)")


@dataclass
class PageText:
    text: str
    tables: int
    chars: int  # characters in the text layer (0: an image-only page)


@dataclass
class TextLine:
    """A line of prose on a page: its top, text and right end, and the width of its leading
    unbreakable run (digits or Latin: "12000件" wraps as a whole, leaving the line above
    short of the margin by that much)."""

    top: float
    text: str
    x1: float
    lead: float = 0.0


@dataclass
class _Item:
    top: float
    text: str = ""
    x1: float = 0.0
    lead: float = 0.0
    rows: list[list[str | None]] | None = None


def read_pages(data: bytes, max_pages: int, deadline: Deadline) -> list[PageText] | int:
    """The text of every page, or the page count when it is over `max_pages` (nothing read)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > max_pages:
            return len(pdf.pages)
        pages = []
        for number, page in enumerate(pdf.pages, 1):
            deadline.check(f"reading page {number}")
            pages.append(_page_text(page))
            page.close()  # pdfplumber caches layout objects per page; free them as we go
        return pages


def _page_text(page) -> PageText:
    chars = len(page.chars)
    if not chars:
        return PageText("", 0, 0)
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes)

    prose = page.filter(outside) if boxes else page
    found = prose.extract_text_lines()
    lines = [TextLine(line["top"], line["text"], line["x1"], _lead(line["chars"])) for line in found]
    tables = [(table.bbox[1], table.extract()) for table in tables]
    # The text column's right edge, when the page's margins are even: a page of short lines (a
    # form's cells one per line) has its longest line far from it, and then no line wrapped.
    column = page.width - min((line["x0"] for line in found), default=0.0)
    return PageText(page_text(lines, tables, _WRAP_SLACK, column), len(tables), chars)


def _lead(chars: list[dict]) -> float:
    run = []
    for char in chars:
        if not (char["text"].isascii() and not char["text"].isspace()):
            break
        run.append(char)
    return run[-1]["x1"] - run[0]["x0"] if run else 0.0


def page_text(
    lines: list[TextLine], tables: list[tuple[float, list[list[str | None]]]], slack: float, column: float | None = None
) -> str:
    """A page's prose lines and tables (top, rows) as text in reading order, joining the lines
    of a paragraph the page wrapped: a line that ends within `slack` (about a character) of
    the rightmost line end, plus the width of the next line's leading unbreakable run. With
    `column` (the text column's right edge), lines wrap only when the rightmost line end
    reaches it: on a page whose longest line stops short of the edge, no line was wrapped."""
    items = [_Item(top=line.top, text=line.text, x1=line.x1, lead=line.lead) for line in lines]
    items += [_Item(top=top, rows=rows) for top, rows in tables]
    items.sort(key=lambda item: item.top)
    right = max((item.x1 for item in items if item.rows is None), default=0.0)
    if column is not None and right < column - _COLUMN_SLACK:
        right = float("inf")
    parts: list[str] = []
    paragraph: list[str] = []
    for index, item in enumerate(items):
        if item.rows is not None:
            if paragraph:
                parts.append(join_lines(paragraph))
                paragraph = []
            parts.append(table_text(item.rows))
            continue
        paragraph.append(item.text)
        following = items[index + 1] if index + 1 < len(items) else None
        if following is None or following.rows is not None or _OPENS_POINT.match(following.text):
            continue_paragraph = False
        else:
            continue_paragraph = item.x1 >= right - slack - following.lead
        if not continue_paragraph:
            parts.append(join_lines(paragraph))
            paragraph = []
    if paragraph:
        parts.append(join_lines(paragraph))
    return "\n".join(parts)


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The pages as one text, and the offset where each page starts in it. A table that
    breaks over a page (the page ends with a table row and the next begins with a row of the
    same width) is joined without the blank lines that would split it in two."""
    text = ""
    starts: list[int] = []
    for page in pages:
        if text and page:
            previous_rows = text.rstrip("\n").rsplit("\n", 1)[-1]
            first_rows = page.lstrip("\n").split("\n", 1)[0]
            same_table = "\t" in previous_rows and previous_rows.count("\t") == first_rows.count("\t") and page.startswith("\n")
            if same_table:
                text = text.rstrip("\n") + "\n"
                page = page.lstrip("\n")
            elif not text.endswith("\n"):
                text += "\n"
        starts.append(len(text))
        text += page
    return text, starts


@dataclass
class PdfText:
    text: str
    pages: list[int]  # offset in text where each page starts
    label: str  # pdf-text, pdf-ocr or pdf-text+ocr
    warnings: list[str]


def read_pdf(data: bytes, path: Path, bounds: Bounds, deadline: Deadline) -> PdfText:
    """A PDF's text in reading order; its image-only pages go to OCR when the extra is there."""
    import pypdf

    # pdfplumber opens an encrypted file with an empty password silently but fails on a real
    # one with a bare exception; ask pypdf first for a clear message.
    try:
        encrypted = pypdf.PdfReader(io.BytesIO(data)).is_encrypted
    except Exception:  # noqa: BLE001 - a damaged file: let pdfplumber say it is corrupt
        encrypted = False
    if encrypted and not _opens_without_password(data):
        raise InputError("PDF is password-protected; save an unprotected copy", path=path)
    pages = read_pages(data, bounds.max_pages, deadline)
    if isinstance(pages, int):
        raise InputError(f"PDF has {pages:,} pages, over the {bounds.max_pages}-page bound for a report", path=path)
    texts = [page.text for page in pages]
    scanned = [index for index, page in enumerate(pages) if page.chars == 0]
    label = "pdf-text"
    warnings: list[str] = []
    if scanned:
        from . import ocr

        if not ocr.available():
            if len(scanned) == len(pages):
                raise InputError(f"PDF has no text layer (a scan); {ocr.EXTRA_HINT}", path=path)
            # A stamped or signed page scanned into an otherwise digital report: read the
            # rest, and say which pages were left unread and why.
            numbers = "、".join(str(index + 1) for index in scanned)
            warnings.append(f"第{numbers}页是扫描图像，未读取：安装 OCR 扩展（pip install \"summarizer[ocr]\"）后可识别")
        else:
            for index, text in ocr.read_scanned_pages(data, scanned, path, bounds, deadline).items():
                texts[index] = text
            label = "pdf-ocr" if len(scanned) == len(pages) else "pdf-text+ocr"
    if not any(text.strip() for text in texts):
        raise InputError("PDF has no text layer and OCR found no text on its pages (blank pages?)", path=path)
    text, starts = join_pages(texts)
    return PdfText(text, starts, label, warnings)


def _opens_without_password(data: bytes) -> bool:
    import pypdf

    try:
        return bool(pypdf.PdfReader(io.BytesIO(data)).decrypt(""))
    except Exception:  # noqa: BLE001
        return False
