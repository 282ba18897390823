"""OCR for scanned PDF pages (the optional extra: pip install "summarizer[ocr]").

Each page is rendered (pypdfium2), its ruled tables are found from the drawn lines (OpenCV:
the cells are the regions the lines enclose, so a merged cell is one region), and the text is
recognised by RapidOCR (rapidocr-onnxruntime, whose wheel ships its ONNX models: nothing is
downloaded at run time). Text boxes inside a cell become that cell's text; the others become
lines of prose. The page is then laid out like a PDF text layer (pdf.page_text), so a scanned
table reaches structure.py as the same tab-separated grid.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .bounds import Bounds, Deadline
from .tsv import join_lines

EXTRA_HINT = 'install the OCR extra (pip install "summarizer[ocr]") to read scans'
_DPI = 200


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr_onnxruntime", "pypdfium2", "cv2"))


@dataclass
class _Box:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def middle(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


_engine = None


def _ocr():
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        # Threads fixed rather than left to onnxruntime: on a busy 2-core machine its default
        # pools spin against each other (measured: up to twice the wall time per page).
        threads = min(2, os.cpu_count() or 1)
        _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    return _engine


def read_scanned_pages(data: bytes, numbers: list[int], path: Path, bounds: Bounds, deadline: Deadline) -> dict[int, str]:
    """Page index -> text for the listed (image-only) pages."""
    if len(numbers) > bounds.max_ocr_pages:
        raise InputError(
            f"{len(numbers)} scanned pages, over the {bounds.max_ocr_pages}-page bound for OCR; "
            "split the file or export its text",
            path=path,
        )
    import pypdfium2

    from .pdf import TextLine, page_text

    document = pypdfium2.PdfDocument(data)
    texts: dict[int, str] = {}
    try:
        for number in numbers:
            deadline.check(f"recognising scanned page {number + 1}")
            page = document[number]
            width, height = page.get_size()
            scale = _DPI / 72
            if width * height * scale * scale > bounds.max_pixels:
                scale = (bounds.max_pixels / (width * height)) ** 0.5
            image = page.render(scale=scale, grayscale=True).to_numpy()
            page.close()
            # A blank page (a separator, the back of a sheet) needs no model.
            if not (image < _INK).any():
                texts[number] = ""
                continue
            try:
                texts[number] = _image_text(image, page_text, TextLine)
            except Exception as exc:  # noqa: BLE001 - onnxruntime/OpenCV failures: name the page, not "corrupt"
                raise InputError(f"OCR failed on scanned page {number + 1} ({type(exc).__name__})", path=path) from None
    finally:
        document.close()
    return texts


def _image_text(image, page_text, TextLine) -> str:  # noqa: N803 - pdf's class, imported lazily
    result, _ = _ocr()(image, use_cls=False)
    boxes = []
    for points, text, _score in result or []:
        xs = [point[0] for point in points]
        ys = [point[1] for point in points]
        boxes.append(_Box(min(xs), min(ys), max(xs), max(ys), text))
    if not boxes:
        return ""
    heights = sorted(box.bottom - box.top for box in boxes)
    line_height = heights[len(heights) // 2]
    tables = []
    found, rules = _tables(image)
    ink = (image < _INK) & (rules == 0)  # text pixels: dark, and not part of a ruling line
    for region, cells in found:
        inside = [box for box in boxes if _contains(region, box.middle)]
        boxes = [box for box in boxes if not _contains(region, box.middle)]
        tables.append((region[1], _grid(cells, inside, line_height, image, ink)))
    lines = []
    for line in _lines(boxes):
        text = _line_text(line, line_height)
        lead = len(text) - len(text.lstrip("0123456789.,%-+()abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        lines.append(TextLine(line[0].top, text, max(box.x1 for box in line), lead * 0.55 * line_height))
    return page_text(lines, tables, 2.2 * line_height)


def _contains(box: tuple[float, float, float, float], point: tuple[float, float]) -> bool:
    x0, top, x1, bottom = box
    return x0 <= point[0] <= x1 and top <= point[1] <= bottom


def _lines(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes grouped into text lines: a box joins the line whose vertical middle it covers."""
    lines: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda box: (box.top, box.x0)):
        middle = box.middle[1]
        for line in lines:
            if line[0].top <= middle <= line[0].bottom:
                line.append(box)
                break
        else:
            lines.append([box])
    for line in lines:
        line.sort(key=lambda box: box.x0)
    return lines


def _line_text(line: list[_Box], line_height: float) -> str:
    """A line's boxes left to right; a gap of several characters is a column break (tab)."""
    text = line[0].text
    for before, box in zip(line, line[1:]):
        if box.x0 - before.x1 > 3 * line_height:
            text += "\t" + box.text
        else:
            text = join_lines([text, box.text])
    return text


def _grid(
    cells: list[tuple[int, int, int, int]], boxes: list[_Box], line_height: float, image, ink
) -> list[list[str | None]]:
    """Cells (x0, top, x1, bottom) placed on the table's grid: a column per distinct left edge,
    a row per distinct top edge; a merged cell fills its top-left slot, the rest stay empty."""
    tolerance = max(4.0, line_height / 3)
    columns = _positions([cell[0] for cell in cells], tolerance)
    rows = _positions([cell[1] for cell in cells], tolerance)
    grid: list[list[str | None]] = [[None] * len(columns) for _ in rows]
    for cell in cells:
        inside = [box for box in boxes if _contains(cell, box.middle)]
        text = _OPENING_ONE.sub(r"\1一", _cell_text(cell, inside, line_height, image, ink))
        grid[_index(rows, cell[1])][_index(columns, cell[0])] = text
    return grid


# "（一）" read as "（-）": the detector sees the one-stroke 一 as a dash inside brackets.
_OPENING_ONE = re.compile(r"^([（(])[-—－_~](?=[）)])")
_INK = 160  # grey level below which a pixel is ink


def _cell_text(cell: tuple[int, int, int, int], boxes: list[_Box], line_height: float, image, ink) -> str:
    """The detected boxes of a cell, line by line. The detector misses what looks like rules
    in a narrow cell (a lone 4 in a score column, the 二 of 二、过程 wrapped in a first
    column): when ink is left outside every box, each line of the cell is recognised again as
    a strip across the whole cell, and a cell with no box at all as one strip around its ink.
    So is a cell whose box runs into its neighbour."""
    x0, top, x1, bottom = cell
    # A box running over the cell's side rule has read the next cell's text into this one
    # ("群众满意" + "满意" as one box): it counts for where the lines are, not for the text.
    overflow = line_height / 2
    fitting = [box for box in boxes if box.x0 >= x0 - overflow and box.x1 <= x1 + overflow]
    left = ink[top:bottom, x0:x1].copy()
    for box in fitting:
        left[max(0, int(box.top) - top - 3) : int(box.bottom) - top + 3, max(0, int(box.x0) - x0 - 3) : int(box.x1) - x0 + 3] = False
    if len(fitting) == len(boxes) and left.sum() < 0.08 * line_height * line_height:  # nothing missed
        return join_lines(_line_text(line, line_height) for line in _lines(boxes))
    if not boxes:
        rows, columns = left.any(axis=1).nonzero()[0], left.any(axis=0).nonzero()[0]
        if rows[-1] - rows[0] < line_height / 3:
            return ""  # a speck, not a glyph
        strips = [(top + rows[0], top + rows[-1] + 1, x0 + columns[0], x0 + columns[-1] + 1)]
    else:
        strips = [(int(line[0].top), int(max(box.bottom for box in line)), x0, x1) for line in _lines(boxes)]
    texts = []
    for strip_top, strip_bottom, strip_x0, strip_x1 in strips:
        pad = 4
        crop = image[max(top, strip_top - pad) : min(bottom, strip_bottom + pad), max(x0, strip_x0 - pad) : min(x1, strip_x1 + pad)].copy()
        # Blank the ruling lines inside the strip so they are not read as 1 or |.
        text_ink = ink[max(top, strip_top - pad) : min(bottom, strip_bottom + pad), max(x0, strip_x0 - pad) : min(x1, strip_x1 + pad)]
        crop[(crop < _INK) & ~text_ink] = 255
        result, _ = _ocr()(crop, use_det=False, use_cls=False, use_rec=True)
        texts.append("".join(text for text, score in result or [] if score >= 0.5).strip())
    return join_lines(texts)


def _positions(values: list[int], tolerance: float) -> list[float]:
    positions: list[float] = []
    for value in sorted(values):
        if not positions or value - positions[-1] > tolerance:
            positions.append(value)
    return positions


def _index(positions: list[float], value: float) -> int:
    return min(range(len(positions)), key=lambda index: abs(positions[index] - value))


def _tables(image):
    """Ruled tables on a page image, and the mask of its ruling lines: ([(region, cells)],
    rules), each region and cell a box (x0, top, x1, bottom)."""
    import cv2
    import numpy as np

    height, width = image.shape[:2]
    dark = (image < _INK).astype(np.uint8) * 255
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, width // 25), 1)))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, height // 60))))
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    found = []
    count, _, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        if w < width // 5 or h < 20:
            continue  # an underline or a stray rule, not a table
        region_rules = rules[y : y + h, x : x + w]
        cell_count, _, cell_stats, _ = cv2.connectedComponentsWithStats(255 - region_rules, connectivity=4)
        cells = []
        for cell in range(1, cell_count):
            cx, cy, cw, ch, _ = cell_stats[cell]
            if cw < 8 or ch < 8:
                continue
            if cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h:
                continue  # the area around the table, not a cell
            cells.append((x + cx, y + cy, x + cx + cw, y + cy + ch))
        if len(cells) >= 2:
            found.append(((x, y, x + w, y + h), cells))
    return found, rules
