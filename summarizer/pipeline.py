"""Wires the stages: ingest -> structure -> extract -> verify, and batches over files.

No logic of its own beyond ordering the stages, collecting per-file failures so a batch goes
on, and handing results to the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .backends import Backend, get_backend
from .config import Settings
from .errors import InputError, SummarizerError
from .ingest import SUPPORTED, read_document
from .schemas import CheckStatus, Report, TokenUsage
from .structure import analyse
from .verify import verify


def extract_report(path: Path, settings: Settings, backend: Backend | None = None) -> Report:
    """One file -> one verified Report. Raises SummarizerError subclasses only."""
    document = read_document(Path(path), settings)
    layout = analyse(document)
    if not layout.is_report:
        raise InputError(
            "no report structure found (no headings, tables or budget figures of a 绩效自评报告)", path=path
        )
    backend = backend or get_backend(settings)
    report = backend.extract(document, layout)
    if document.warnings:
        report = report.model_copy(update={"warnings": [*document.warnings, *report.warnings]})
    if settings.verify:
        report = report.model_copy(update={"checks": verify(report, document)})
    return report


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
    """Expand folders (recursively, sorted) into report files; missing paths are failures."""
    files: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED))
        elif path.exists():
            files.append(path)
        else:
            missing.append((path, f"{path}: no such file or folder"))
    return files, missing


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
        )


@dataclass
class Outcome:
    path: Path
    report: Report | None = None  # dropped after on_done when run_batch(keep_reports=False)
    digest: Digest | None = None
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)


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
) -> BatchResult:
    """Extract, verify and write every report under `paths`; failures are collected, not raised.

    With keep_reports=False each Report is dropped once on_done has seen it (only its Digest
    stays), so memory stays flat however many files a batch holds.
    """
    from .outputs import OutputNames

    files, missing = collect_files(paths)
    outcomes = [Outcome(path=path, error=reason) for path, reason in missing]
    names = OutputNames()
    jobs = [(path, names.stem_for(path)) for path in files]  # stems fixed up front: order-stable

    if backend is None and settings.backend == "rules" and settings.workers > 1 and len(jobs) >= 2 * settings.workers:
        # The rules backend is CPU-bound pure Python: processes, not threads, use every core.
        pool = _process_pool(settings)
        results = pool.map(_process_job, [(path, stem, out_dir) for path, stem in jobs], chunksize=4)
    else:
        backend = backend or get_backend(settings)
        # An LLM backend waits on the network: threads, bounded by `concurrency`.
        workers = 1 if backend.name == "rules" else settings.concurrency
        pool = ThreadPoolExecutor(max_workers=workers)
        results = pool.map(lambda job: process_file(job[0], job[1], out_dir, settings, backend), jobs)
    with pool:
        for outcome in results:
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
            if not keep_reports:
                outcome.report = None
    return BatchResult(outcomes=outcomes)


def process_file(path: Path, stem: str, out_dir: Path, settings: Settings, backend: Backend) -> Outcome:
    """Extract, verify and write one file; every failure becomes the outcome's one-line error."""
    from .outputs import write_outputs

    outcome = Outcome(path=path)
    try:
        outcome.report = extract_report(path, settings, backend)
        outcome.digest = Digest.of(outcome.report)
        outcome.outputs = write_outputs(outcome.report, settings, out_dir, stem)
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


def _process_job(job: tuple[Path, str, Path]) -> Outcome:
    assert _worker is not None, "worker not initialised"
    settings, backend = _worker
    path, stem, out_dir = job
    return process_file(path, stem, out_dir, settings, backend)


def _process_pool(settings: Settings):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=settings.workers, mp_context=context, initializer=_init_worker, initargs=(settings,)
    )
