"""Ingest: read a report file into a Document (decoded text + normalised text + offset map).

The only stage that touches input files. Never guesses silently: a file it cannot read as
a report raises InputError with a one-line reason naming the file.

- .txt/.md: UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030/GBK when the result
  reads as Chinese; anything else is "undecodable".
- every other format is read by its module in formats/, which writes each table (a Word or
  PDF table, a spreadsheet sheet) as tab-separated rows, the form structure.py reads as a
  table, so one kind of Document results whatever the format:
  .docx (paragraphs and tables in reading order), .doc/.wps (converted by LibreOffice),
  .pdf (text layer and ruled tables; scanned pages through the optional OCR extra; the
  Document keeps where each page starts), .xlsx/.xls (every sheet).
The size limit is checked before the file is read; the bounds of formats/bounds.py (pages,
unpacked size, cells, time) while it is read. Parsers are imported only when such a file
arrives.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TypeVar

from .config import Settings
from .document import Document
from .errors import InputError
from .formats.bounds import Bounds, Deadline
from .normalise import normalise

_T = TypeVar("_T")

TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED = (*TEXT_SUFFIXES, ".docx", ".pdf", ".xlsx", ".xls", ".doc", ".wps")

# Leading bytes of formats people rename to .txt by mistake (for a clearer message).
_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF; rename it to .pdf"),
    (b"PK\x03\x04", "a zip archive (a .docx or .xlsx?); rename it to its real extension"),
    (b"\xd0\xcf\x11\xe0", "an old Office file; rename it to .doc, .wps or .xls"),
    (b"\x7fELF", "a program"),
]
# Control characters other than \t \n \v \f \r and \x1a (the DOS end-of-file marker).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x1A), *range(0x1B, 0x20)])


def read_document(path: Path, settings: Settings) -> Document:
    """Read one report file. Raises InputError (one line, naming the file) when it cannot."""
    path = Path(path)
    data = _read_bytes(path, settings.max_bytes)
    suffix = path.suffix.lower()
    pages: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    if suffix in TEXT_SUFFIXES:
        original, encoding = decode_text(data, path)
    else:
        original, encoding, pages, notes = _read_format(data, path, suffix)
    if not original or original.isspace():
        raise InputError("file has no text (only whitespace)", path=path)
    if len(original) > settings.max_chars:
        # Work and memory are bounded for every text accepted; beyond this no report is this long.
        raise InputError(
            f"text is {len(original):,} characters, over the {settings.max_chars:,} limit for one report "
            "(split it, or raise SUMMARIZER_MAX_CHARS if this really is one)",
            path=path,
        )
    text, offsets = normalise(original)
    return Document(
        path=str(path),
        original=original,
        text=text,
        offsets=offsets,
        encoding=encoding,
        format=suffix.lstrip("."),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
        warnings=notes,
    )


# The errors for which Path.exists() says False rather than raising.
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_MISSING_WINDOWS = (21, 123, 1921)  # not ready, invalid name, cannot resolve a link


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    # One stat for the tests Path.exists(), is_dir() and is_file() make (each stats again), read alike.
    try:
        status = path.stat()
    except OSError as exc:
        if exc.errno not in _MISSING and getattr(exc, "winerror", None) not in _MISSING_WINDOWS:
            raise
        status = None
    except ValueError:  # a path no system call takes (a NUL in it)
        status = None
    if status is None:
        raise InputError("no such file", path=path)
    if S_ISDIR(status.st_mode):
        raise InputError("is a folder, not a file (use `summarizer run` for folders)", path=path)
    if not S_ISREG(status.st_mode):
        raise InputError("is not a regular file", path=path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            f"unsupported file type {suffix or '(no extension)'}; supported: {', '.join(SUPPORTED)}", path=path
        )
    try:
        size = status.st_size
        if size > max_bytes:
            raise _too_big(path, size, max_bytes)
        with path.open("rb") as stream:
            # The size stat() gave and a byte more: read(max_bytes + 1) allocates that much first
            # (slow). Only a file that has grown since stat() is read on, to the same limit.
            data = stream.read(size + 1)
            if len(data) > size:
                data += stream.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", path=path) from None
    if len(data) > max_bytes:
        raise _too_big(path, len(data), max_bytes)
    if not data:
        raise InputError("file is empty", path=path)
    return data


def _too_big(path: Path, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"file is {_megabytes(size)}, over the {_megabytes(max_bytes)} limit for a report "
        "(raise it with SUMMARIZER_MAX_BYTES if this really is one)",
        path=path,
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# ---------------------------------------------------------------- plain text


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode a text file's bytes; return (text, encoding name). Raises InputError."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file, not text (looks like {kind})", path=path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(_decode(data, "utf-16", path), path), "utf-16"
    if b"\x00" in data:
        raise InputError("binary file, not text (contains NUL bytes)", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        text = _try_gb18030(data)
        if text is None:
            raise InputError(
                f"cannot decode text: not UTF-8 (bad byte at offset {utf8_error.start}) and not GB18030/GBK; "
                "save it as UTF-8",
                path=path,
            ) from None
        return _checked(text, path), "gb18030"
    return _checked(text, path, data), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def _decode(data: bytes, encoding: str, path: Path | str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode text as {encoding} (bad byte at offset {exc.start})", path=path) from None


def _checked(text: str, path: Path | str, utf8: bytes | None = None) -> str:
    """Refuse text that is mostly control characters: a binary file that happened to decode.
    `utf8`, when given, is the UTF-8 the text was decoded from: when the sample is the whole
    text, its control characters are counted as bytes (a multi-byte character has none), faster."""
    sample = text[:20000]
    if utf8 is not None and len(sample) == len(text):
        controls = len(utf8) - len(utf8.translate(None, _CONTROL_BYTES))
    else:
        controls = len(_CONTROL.findall(sample))
    if controls > max(2, len(sample) // 100):
        raise InputError("binary file, not text (full of control characters)", path=path)
    return text


def _try_gb18030(data: bytes) -> str | None:
    """GB18030 decodes many byte strings that are not Chinese (UTF-8 with a bad byte, random
    binary). Accept it only when most Chinese characters are common ones: in real GBK text
    nearly all fall in GB2312 level 1 (the 3,755 most frequent), in mis-decoded bytes few do."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    han = common = odd = 0
    for char in text[:20000]:
        if "\u4e00" <= char <= "\u9fff":
            han += 1
            try:
                encoded = char.encode("gb2312")
            except UnicodeEncodeError:
                continue
            common += 0xB0 <= encoded[0] <= 0xD7
        elif not (char.isascii() or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"):
            odd += unicodedata.category(char) not in ("Po", "Ps", "Pe", "Pd", "Pi", "Pf", "Sm", "So", "No")
    if han == 0:
        return None
    return text if common >= 0.6 * han and odd <= 0.05 * (han + 1) else None


# ---------------------------------------------------------------- other formats


def _read_format(data: bytes, path: Path, suffix: str) -> tuple[str, str, tuple[int, ...], tuple[str, ...]]:
    """(text, encoding label, page starts, warnings) of a binary format, through its reader in
    formats/."""
    bounds = Bounds()
    deadline = Deadline(path, bounds.seconds)
    if suffix == ".pdf":
        from .formats import pdf

        read = _parse(lambda: pdf.read_pdf(data, path, bounds, deadline), path, "a PDF", "re-export or re-download it")
        return read.text, read.label, tuple(read.pages), tuple(read.warnings)
    if suffix in (".xlsx", ".xls"):
        from .formats import excel

        reader = excel.read_xlsx if suffix == ".xlsx" else excel.read_xls
        text = _parse(lambda: reader(data, path, bounds, deadline), path, f"an Excel {suffix} file", "re-save it in Excel")
        return text, suffix.lstrip("."), (), ()
    from .formats import word

    if suffix in (".doc", ".wps"):
        data = word.convert_legacy(data, path, bounds)
        label = f"{suffix.lstrip('.')}-libreoffice"
    else:
        label = "docx-xml"
    hint = "an old .doc must be saved as .docx first" if suffix == ".docx" else "save it as .docx by hand"
    return _parse(lambda: word.read_docx(data, path, bounds), path, "a Word file", hint), label, (), ()


def _parse(read: Callable[[], _T], path: Path, kind: str, hint: str) -> _T:
    """Run a third-party parser on untrusted bytes: whatever it raises means a corrupt file."""
    # pypdf reports recoverable damage through logging and warnings, which would reach stderr
    # and break the one-line error contract of the CLI.
    loggers = [logging.getLogger(name) for name in ("pypdf", "pdfminer", "pdfplumber")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return read()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile, lxml, pdfminer, xlrd and KeyError all mean "corrupt"
        reason = type(exc).__name__
        raise InputError(f"cannot read file: corrupt or not {kind} ({reason}); {hint}", path=path) from None
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
