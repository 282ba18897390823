"""Write a report's outputs whole or not at all.

Every format is rendered into memory first; only then is each file written to a temporary
name beside its target and renamed over it, so a crash or a render error never leaves a
half-written file behind.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from urllib.parse import quote
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import OutputError, SummarizerError
from .schemas import Report


# A file name may hold at most 255 bytes on every common file system. An output is STEM.EXT
# (longest extension ".docx"/".json", 5 bytes), so a stem keeps at most this many bytes.
NAME_MAX = 255
STEM_MAX = NAME_MAX - len(".evidence.html")  # the longest output suffix
# Stems the batch writes itself (index.html, overview.csv/.xlsx/.html): a report called
# index.txt or overview.txt gets "index-2" so its summary is never overwritten by the batch.
RESERVED_STEMS = frozenset({"index", "overview"})


def displayable(text: str) -> str:
    """A file name as text any output can hold: bytes that are not UTF-8 (which Python keeps as
    lone surrogates) become U+FFFD instead of crashing a UTF-8 writer."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte produced
        return text.encode("utf-8", "replace").decode("utf-8")


def fit_name(name: str, limit: int) -> str:
    """`name` cut on a character boundary to at most `limit` UTF-8 bytes (file-system bytes)."""
    if len(os.fsencode(name)) <= limit:
        return name
    kept, size = [], 0
    for char in name:
        size += len(os.fsencode(char))
        if size > limit:
            break
        kept.append(char)
    return "".join(kept)


class OutputNames:
    """Unique output stems within one batch (two report.txt in different folders), short enough
    for the file system, never one of the batch's own names. Compared case-insensitively, so
    Report.txt and report.txt do not overwrite each other on macOS or Windows."""

    def __init__(self) -> None:
        self._used: set[str] = set(RESERVED_STEMS)
        self._lock = threading.Lock()

    def stem_for(self, path: Path) -> str:
        with self._lock:
            base = fit_name(path.stem, STEM_MAX) or "report"
            stem, n = base, 2
            while stem.casefold() in self._used:
                suffix = f"-{n}"
                stem, n = fit_name(base, STEM_MAX - len(suffix)) + suffix, n + 1
            self._used.add(stem.casefold())
            return stem


@functools.cache
def _umask() -> int:
    # Read once: os.umask can only be read by setting it, which must not race other threads.
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name is ".NAME.<random>.part"; NAME is shortened so that a target whose own
    # name fits the file system never fails for its temporary name (mkstemp adds 8 characters).
    prefix = "." + fit_name(target.name, NAME_MAX - len("..") - 8 - len(".part")) + "."
    handle, temp_name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def render_json(report: Report) -> bytes:
    """The report as indented JSON, UTF-8: report.model_dump_json(indent=2) as bytes."""
    # The serializer writes UTF-8 bytes; model_dump_json would decode them to a str to encode again.
    return report.__pydantic_serializer__.to_json(report, indent=2)


EVIDENCE_SUFFIX = "evidence.html"


def link_to(file_name: str) -> str:
    """A relative, URL-encoded link to a file beside the one linking (never a scheme)."""
    return "./" + quote(os.fsencode(file_name), safe="")


def _evidence_page(report: Report, settings: Settings) -> str | None:
    """The evidence view needs the text the spans point into: the source, read again and
    accepted only when it is still the file that was extracted (same sha256)."""
    from .ingest import read_document

    try:
        document = read_document(Path(report.source.path), settings)
    except (SummarizerError, OSError):
        return None
    if report.source.sha256 and document.sha256 and document.sha256 != report.source.sha256:
        return None
    return document.original


def write_outputs(
    report: Report, settings: Settings, out_dir: Path, stem: str, *, source_text: str | None = None, drafted: Any = None
) -> list[Path]:
    """Render every format asked and write them. `source_text` is the original text the report
    was extracted from (else the source is read again for the evidence view) and `drafted` its
    draft.draft(report, settings), when the caller has them already: neither is computed twice."""
    rendered: dict[str, bytes] = {}
    others = [fmt for fmt in settings.formats if fmt != "json"]
    evidence: bytes | None = None
    statuses = None
    if "html" in others:
        from .assess import assess_figures
        from .evidence_view import render_evidence
        from .suggestions import load_library

        # One assessment for the evidence view and the summaries: the draft's, when there is one.
        statuses = list(drafted.statuses) if drafted is not None and len(drafted.statuses) == len(report.figures) else assess_figures(report)
        text = source_text if source_text is not None else _evidence_page(report, settings)
        if text is not None:
            # The evidence view drafts with the built-in library: the caller's draft only if it is that one.
            same = drafted is not None and load_library(settings) is load_library(None)
            evidence = render_evidence(
                report, text, settings, drafted=drafted if same else None, summary_href=link_to(f"{stem}.html"),
                statuses=statuses,
            ).encode("utf-8")
    if others:
        from .render import render_formats

        page = link_to(f"{stem}.{EVIDENCE_SUFFIX}") if evidence is not None else ""
        rendered.update(
            render_formats(report, others, settings, evidence_page=page, drafted=drafted, statuses=statuses)
        )
    if "json" in settings.formats:
        rendered["json"] = render_json(report)
    rendered = {fmt: rendered[fmt] for fmt in settings.formats}  # write in the order asked
    if evidence is not None:
        rendered[EVIDENCE_SUFFIX] = evidence
    written: list[Path] = []
    try:
        for fmt, data in rendered.items():
            target = Path(out_dir) / f"{stem}.{fmt}"
            write_atomic(target, data)
            written.append(target)
    except OSError as exc:
        raise OutputError(
            f"cannot write {stem} outputs into {out_dir} ({exc.strerror or exc})", path=report.source.path
        ) from None
    return written
