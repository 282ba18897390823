"""Wires the stages: ingest -> structure -> extract -> verify, and batches over files.

No logic of its own beyond ordering the stages, collecting per-file failures so a batch goes
on, and handing results to the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
import errno
import gc
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import Backend, get_backend
from .backends.base import FALLBACK_NOTES
from .config import Settings
from .document import Document
from .errors import InputError, SummarizerError
from .ingest import SUPPORTED, read_document
from .outputs import displayable
from .schemas import Check, CheckStatus, Report, Severity, TokenUsage
from .structure import analyse
from .verify import verify_report


def extract_report(path: Path, settings: Settings, backend: Backend | None = None) -> Report:
    """One file -> one verified Report. Raises SummarizerError subclasses only."""
    return _extract(path, settings, backend)[0]


def _extract(path: Path, settings: Settings, backend: Backend | None = None) -> tuple[Report, Document]:
    """The verified Report and the Document it was extracted from."""
    try:
        document = read_document(Path(path), settings)
    except OSError as exc:  # e.g. a file in a folder without search permission: an input error
        raise InputError(f"cannot read file ({exc.strerror or exc})", path=path) from None
    layout = analyse(document)
    if not layout.is_report:
        raise InputError(
            "no report structure found (no headings, tables or budget figures of a 绩效自评报告)", path=path
        )
    backend = backend or get_backend(settings)
    report = backend.extract(document, layout)
    shown = displayable(report.source.path)  # a file name that is not UTF-8 must not sink the JSON
    if shown != report.source.path:
        report = report.model_copy(update={"source": report.source.model_copy(update={"path": shown})})
    if document.warnings:
        report = report.model_copy(update={"warnings": [*document.warnings, *report.warnings]})
    if settings.verify:
        report = verify_report(report, document, layout)
        checks, warnings = bounded_checks(report.checks)
        report = report.model_copy(update={"checks": checks, "warnings": [*report.warnings, *warnings]})
    return report, document


# However many checks an input provokes, one report's output stays bounded: beyond this many,
# passes are left out first, then the least severe warnings and failures, with a warning.
MAX_CHECKS = 2000
_STATUS_RANK = {CheckStatus.FAIL: 0, CheckStatus.WARN: 1, CheckStatus.PASS: 2}
_SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}


def bounded_checks(checks: list[Check]) -> tuple[list[Check], list[str]]:
    """At most MAX_CHECKS checks, in their original order, and the warning that says so."""
    if len(checks) <= MAX_CHECKS:
        return checks, []
    ranked = sorted(range(len(checks)), key=lambda i: (_STATUS_RANK[checks[i].status], _SEVERITY_RANK[checks[i].severity], i))
    kept = sorted(ranked[:MAX_CHECKS])
    return [checks[i] for i in kept], [
        f"verification produced {len(checks)} checks; only the {MAX_CHECKS} most severe are kept in this output"
    ]


def load_report(path: Path, settings: Settings) -> Report:
    """A report from its file, or from summarizer's own JSON output of it (no re-extraction)."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return extract_report(path, settings)
    from pydantic import ValidationError

    try:
        return Report.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise InputError(f"not a summarizer JSON output ({type(exc).__name__})", path=path) from None


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand folders (recursively, sorted) into report files. What cannot be taken is a
    failure with its reason, never skipped silently: a missing path, a named path that is not a
    regular file, and inside folders a report-named FIFO/device/socket, a broken symlink or a
    symlink loop, and a subfolder that cannot be listed. Other files in a folder (no report
    extension) are not reports and are left alone."""
    files: list[Path] = []
    failed: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            _walk(path, files, failed, seen=set())
        elif path.is_file():
            files.append(path)
        elif path.is_symlink() or path.exists():
            failed.append((path, f"{path}: {_not_a_file(path)}"))
        else:
            failed.append((path, f"{path}: no such file or folder"))
    return files, failed


def _not_a_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno == errno.ENOENT:
            return "broken symlink (its target does not exist)"
        return f"cannot read ({exc.strerror or exc})"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def _walk(folder: Path, files: list[Path], failed: list[tuple[Path, str]], seen: set[tuple[int, int]]) -> None:
    """One folder, depth first in name order. A symlinked subfolder is followed once: a folder
    already on the walk (a symlink loop) is a failure, not an endless descent."""
    try:
        info = folder.stat()
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            failed.append((folder, f"{folder}: symlink loop (folder already being read), not followed"))
            return
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        failed.append((folder, f"{folder}: cannot read folder ({exc.strerror or exc})"))
        return
    seen = seen | {identity}
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as exc:  # a symlink loop or an unreadable target: folder or file unknown
            failed.append((path, f"{path}: {_not_a_file(path) if exc.errno == errno.ELOOP else f'cannot read ({exc.strerror or exc})'}"))
            continue
        if is_dir:
            _walk(path, files, failed, seen)
        elif path.suffix.lower() not in SUPPORTED:
            continue
        elif is_file:
            files.append(path)
        else:
            failed.append((path, f"{path}: {_not_a_file(path)}"))


@dataclass(frozen=True)
class Digest:
    """What a batch summary needs of a report, so the full Report can be let go of."""

    figures: int
    indicators: int
    problems: int
    measures: int
    fails: int
    warns: int
    flagged_rules: tuple[tuple[str, CheckStatus], ...]
    usage: TokenUsage | None
    fell_back: bool = False  # the LLM failed and the rules result stands (see the report's warnings)

    @classmethod
    def of(cls, report: Report) -> "Digest":
        statuses = [check.status for check in report.checks]
        return cls(
            figures=len(report.figures),
            indicators=len(report.indicators),
            problems=len(report.problems),
            measures=len(report.measures),
            fails=statuses.count(CheckStatus.FAIL),
            warns=statuses.count(CheckStatus.WARN),
            flagged_rules=tuple((c.rule, c.status) for c in report.checks if c.status is not CheckStatus.PASS),
            usage=report.usage,
            fell_back=any(warning.startswith(FALLBACK_NOTES) for warning in report.warnings),
        )


@dataclass
class Outcome:
    path: Path
    report: Report | None = None  # dropped after on_done when run_batch(keep_reports=False)
    digest: Digest | None = None
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)
    row: Any = None  # the batch overview's row (overview.OverviewRow), made where the report was


@dataclass
class BatchResult:
    outcomes: list[Outcome]

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def reports(self) -> list[Report]:
        return [outcome.report for outcome in self.outcomes if outcome.report is not None]

    @property
    def digests(self) -> list[Digest]:
        return [outcome.digest for outcome in self.outcomes if outcome.digest is not None]


def run_batch(
    paths: Iterable[Path],
    settings: Settings,
    out_dir: Path,
    *,
    backend: Backend | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    keep_reports: bool = True,
    overview_rows: bool = False,
) -> BatchResult:
    """Extract, verify and write every report under `paths`; failures are collected, not raised.

    With keep_reports=False each Report is dropped once on_done has seen it (only its Digest
    stays), so memory stays flat however many files a batch holds. With overview_rows=True each
    outcome also carries its overview row, made beside the report; with both, worker processes
    send back only the digest and the row, never the whole report (on_done then sees no report).
    """
    from .outputs import OutputNames

    files, refused = collect_files(paths)
    outcomes = [Outcome(path=path, error=reason) for path, reason in refused]
    names = OutputNames()
    jobs = [(path, names.stem_for(path)) for path in files]  # stems fixed up front: order-stable

    if backend is None and settings.backend == "rules" and settings.workers > 1 and len(jobs) >= 2 * settings.workers:
        # The rules backend is CPU-bound pure Python: processes, not threads, use every core.
        pool = _process_pool(settings)
        lean = overview_rows and not keep_reports  # the parent needs no more than digest and row
        # The workers are forked in map(): frozen, the objects they inherit (every imported
        # module) are left out of their garbage collections, which otherwise walk them all.
        gc.freeze()
        try:
            chunks = _chunks([(path, stem, out_dir, overview_rows, lean) for path, stem in jobs], settings.workers)
            results = (outcome for done in pool.map(_process_jobs, chunks) for outcome in done)
        finally:
            gc.unfreeze()
    else:
        backend = backend or get_backend(settings)
        # An LLM backend waits on the network: threads, bounded by `concurrency`.
        workers = 1 if backend.name == "rules" else settings.concurrency
        pool = ThreadPoolExecutor(max_workers=workers)
        results = pool.map(lambda job: process_file(job[0], job[1], out_dir, settings, backend, overview_row=overview_rows), jobs)
    with pool:
        for outcome in results:
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
            if not keep_reports:
                outcome.report = None
    return BatchResult(outcomes=outcomes)


def process_file(
    path: Path, stem: str, out_dir: Path, settings: Settings, backend: Backend, *, overview_row: bool = False
) -> Outcome:
    """Extract, verify and write one file; every failure becomes the outcome's one-line error.
    With overview_row, the outcome also carries the report's row of the batch overview."""
    from .outputs import write_outputs

    outcome = Outcome(path=path)
    try:
        report, document = _extract(path, settings, backend)
        digest = Digest.of(report)
        drafted = None
        if overview_row or any(fmt != "json" for fmt in settings.formats):
            from .draft import draft

            drafted = draft(report, settings)  # once, for the summaries and the overview row
        outputs = write_outputs(report, settings, out_dir, stem, source_text=document.original, drafted=drafted)
        # Only a report whose outputs were all written is a success: one that failed to write
        # gets no overview row and is not counted ok.
        outcome.report, outcome.digest, outcome.outputs = report, digest, outputs
        if overview_row:
            from .overview import outcome_row

            outcome.row = outcome_row(outcome, settings, drafted)
    except SummarizerError as exc:
        outcome.error = exc.one_line() if exc.path else f"{path}: {exc.one_line()}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        # A bug, not a user mistake: name it in one line and go on with the other files.
        outcome.error = f"{path}: internal error ({type(exc).__name__}: {exc}); please report it"
    return outcome


# Worker-process state for rules batches: one settings object and backend per process.
_worker: tuple[Settings, Backend] | None = None


def _init_worker(settings: Settings) -> None:
    global _worker
    _worker = (settings, get_backend(settings))
    # No collections while a report is worked on: the cyclic garbage of a chunk (at most
    # CHUNK_MAX reports) is collected after it (_process_jobs). A report makes few cycles, but
    # the automatic collections it set off were about 6% of a worker's time.
    gc.disable()


# Jobs go to the worker processes in chunks of at most this many: every chunk is a message each
# way through the parent, which shares the cores with the workers.
CHUNK_MAX = 16


def _chunks(jobs: list, workers: int) -> list[list]:
    """The jobs in order, in chunks that shrink as the batch nears its end: large while many
    remain (few messages), one job at the end (no worker waits long for another's last chunk)."""
    chunks, start = [], 0
    while start < len(jobs):
        size = max(1, min(CHUNK_MAX, (len(jobs) - start) // (4 * workers)))
        chunks.append(jobs[start : start + size])
        start += size
    return chunks


def _process_jobs(jobs: list[tuple[Path, str, Path, bool, bool]]) -> list[Outcome]:
    try:
        return [_process_job(job) for job in jobs]
    finally:
        gc.collect()  # the chunk's garbage (see _init_worker); the inherited objects are frozen


def _process_job(job: tuple[Path, str, Path, bool, bool]) -> Outcome:
    assert _worker is not None, "worker not initialised"
    settings, backend = _worker
    path, stem, out_dir, overview_row, lean = job
    outcome = process_file(path, stem, out_dir, settings, backend, overview_row=overview_row)
    if lean:  # what crosses back to the parent: the digest and the overview row, not the report
        outcome.report = None
    return outcome


def _process_pool(settings: Settings):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=settings.workers, mp_context=context, initializer=_init_worker, initargs=(settings,)
    )
