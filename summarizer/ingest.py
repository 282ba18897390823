"""Ingest: read a report file into a Document (decoded text + normalised text + offset map).

The only stage that touches input files. Never guesses silently: a file it cannot read as
a report raises InputError with a one-line reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .config import Settings
from .document import Document
from .errors import InputError
from .normalise import normalise

SUPPORTED = (".txt", ".md")


def read_document(path: Path, settings: Settings) -> Document:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("file is empty", path=path)
    text = data.decode("utf-8-sig")
    normalised, offsets = normalise(text)
    return Document(
        path=str(path),
        original=text,
        text=normalised,
        offsets=offsets,
        encoding="utf-8",
        format=path.suffix.lstrip(".").lower() or "txt",
        sha256=hashlib.sha256(data).hexdigest(),
    )
