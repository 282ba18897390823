"""A grid of cells (a table from any format) as the tab-separated text structure.py reads.

No I/O and no third-party imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def join_lines(lines: Iterable[str]) -> str:
    """Lines of one wrapped paragraph or one cell as a single line. Chinese text wraps between
    characters, so two lines meet with no space unless both sides are Latin or digits."""
    out = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(line[0])):
            out += " "
        out += line
    return out


def one_line(text: str) -> str:
    """A cell's text on one line: tabs become spaces, inner line breaks are joined."""
    return join_lines(text.replace("\t", " ").splitlines())


def table_text(rows: Sequence[Sequence[str | None]]) -> str:
    """One tab-separated line per row, every row padded to the grid's width (a merged or
    missing cell is empty, so each value keeps its column), with a blank line on each side
    so the table stays apart from the prose around it."""
    rows = [[one_line(cell or "") for cell in row] for row in rows]
    if not any(any(row) for row in rows):
        return ""
    width = max(len(row) for row in rows)
    lines = ["\t".join(row + [""] * (width - len(row))) for row in rows]
    return "\n".join(["", *lines, ""])

