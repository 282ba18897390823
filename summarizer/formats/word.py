"""Word: .docx paragraphs and tables in reading order; old .doc/.wps through LibreOffice.

A .docx table row becomes one tab-separated line (tsv.table_text): a cell spanning n
columns is followed by n-1 empty cells and a vertically merged continuation is empty, so
every row has the grid's width and each value keeps its column, as in the tab-separated
tables of the .txt samples. A .doc or .wps (WPS Office writes the same binary format) is
converted to .docx by LibreOffice headless, in a temporary folder and under a timeout; where
LibreOffice is not installed the error says how to convert the file by hand.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from .bounds import Bounds, check_zip
from .tsv import one_line, table_text


def read_docx(data: bytes, path: Path, bounds: Bounds) -> str:
    check_zip(data, path, bounds, "this .docx")
    import docx  # python-docx, imported only for Word input

    document = docx.Document(io.BytesIO(data))
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            blocks.append(_table_text(block))
        else:
            blocks.append(one_line(block.text))
    return "\n".join(blocks)


def _table_text(table) -> str:
    from docx.table import _Cell

    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        for tc in row._tr.tc_lst:
            cells.append("" if tc.vMerge == "continue" else _cell_text(_Cell(tc, table)))
            cells.extend([""] * (tc.grid_span - 1))
        rows.append(cells)
    return table_text(rows)


def _cell_text(cell) -> str:
    parts: list[str] = []
    for block in cell.iter_inner_content():
        if hasattr(block, "rows"):  # a nested table: its cells in order, on this row
            parts.extend(_cell_text(inner) for row in block.rows for inner in row.cells)
        else:
            parts.append(block.text)
    # Paragraphs inside a cell are joined by a space so the row stays on one line; normalise
    # drops the space again between Chinese characters.
    return one_line(" ".join(part.strip() for part in parts if part.strip()))


def soffice() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_legacy(data: bytes, path: Path, bounds: Bounds) -> bytes:
    """An old .doc/.wps converted to .docx bytes by LibreOffice headless."""
    binary = soffice()
    if binary is None:
        raise InputError(
            f"reading {path.suffix.lower()} needs LibreOffice (soffice), which is not installed; "
            "install it, or open the file in Word/WPS and save it as .docx",
            path=path,
        )
    with tempfile.TemporaryDirectory(prefix="summarizer-convert-") as folder:
        work = Path(folder)
        # A Kingsoft WPS .wps is Word's binary format under another name; LibreOffice would
        # take the extension for Microsoft Works, so both go in as .doc.
        source = work / "input.doc"
        source.write_bytes(data)
        # Its own profile folder: a second soffice would otherwise hand the job to a running
        # instance (or wait on its lock), and a user's profile is no business of ours.
        command = [
            binary, "--headless", "--norestore", "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(source),
        ]
        try:
            _run(command, bounds.convert_seconds, env={**os.environ, "HOME": str(work)})
        except subprocess.TimeoutExpired:
            raise InputError(
                f"LibreOffice did not convert it within {bounds.convert_seconds:.0f} s; save it as .docx by hand",
                path=path,
            ) from None
        except OSError as exc:
            raise InputError(f"cannot run LibreOffice ({exc.strerror or exc}); save it as .docx by hand", path=path) from None
        converted = work / "out" / "input.docx"
        if not converted.is_file():
            raise InputError("LibreOffice could not convert it (corrupt or not a Word file?); save it as .docx by hand", path=path)
        return converted.read_bytes()


def _run(command: list[str], seconds: float, env: dict[str, str]) -> None:
    """Run a converter in its own process group, so a timeout ends its helpers too
    (soffice starts soffice.bin, which would outlive a plain kill)."""
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=env, start_new_session=True,
    )
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.wait()
        raise
    _kill_group(process.pid)  # helpers it left behind, if any


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
