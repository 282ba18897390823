"""Bounds on the work one input file may cause, whatever its format (issue 11's hardening).

`max_bytes` (settings) limits the file as stored; these limit what it unpacks to: a 300 KB
.docx can hold a 100 MB document.xml, a small PDF 20,000 pages, a spreadsheet a million
cells. A file over a bound is refused with a one-line error (exit 3), never half read.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


@dataclass(frozen=True)
class Bounds:
    max_pages: int = 300  # PDF pages read from a text layer
    max_ocr_pages: int = 60  # scanned pages recognised (about 2-4 s each on 2 cores)
    max_unpacked_bytes: int = 64 * 1024 * 1024  # all members of a .docx/.xlsx zip together
    max_cells: int = 200_000  # spreadsheet cells read, over all sheets
    max_pixels: int = 40_000_000  # one scanned page as rendered for OCR
    seconds: float = 300.0  # reading one file, OCR included
    convert_seconds: float = 60.0  # LibreOffice converting one .doc/.wps


@dataclass
class Deadline:
    """Wall-clock budget for reading one file; `check` raises once it is spent."""

    path: Path
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def check(self, doing: str) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise InputError(
                f"gave up after {self.seconds:.0f} s {doing}; the file is too large or complex to read as a report",
                path=self.path,
            )


def check_zip(data: bytes, path: Path, bounds: Bounds, kind: str) -> None:
    """Refuse a zip container (.docx, .xlsx) that unpacks to more than the bound, before any
    parser inflates it. A damaged zip is left to the parser, which reports it as corrupt."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if unpacked > bounds.max_unpacked_bytes:
        raise InputError(
            f"{kind} unpacks to {unpacked / 1048576:.0f} MB, over the {bounds.max_unpacked_bytes / 1048576:.0f} MB "
            "bound (a decompression bomb, or far more than a report)",
            path=path,
        )
