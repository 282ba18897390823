"""Terminal presentation for the CLI: progress and batch summaries, drawn with rich (loaded
lazily) for a terminal and written as plain lines to a log or a pipe.

Presentation only: it reads results, it never changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .schemas import CheckStatus

# -1 quiet (errors only), 0 normal, 1 verbose (retries and fallbacks), 2 debug. Set once by the CLI.
_verbosity = 0


def set_verbosity(level: int) -> None:
    """-q / -v / -vv: quiet drops the progress bar and tables; verbose shows the LLM client's
    retries and the backend's fallbacks (the "summarizer" loggers) on stderr."""
    import logging

    global _verbosity
    _verbosity = level
    logger = logging.getLogger("summarizer")
    if level >= 1 and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("summarizer: %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level >= 2 else logging.INFO if level == 1 else logging.WARNING if level == 0 else logging.ERROR)


def is_quiet() -> bool:
    return _verbosity < 0


def _plain_stream(stream: Any) -> bool:
    """True when `stream` gets plain text: it is not a terminal, and neither FORCE_COLOR nor
    Jupyter ask for what rich draws for one."""
    import builtins
    import os

    return not stream.isatty() and "FORCE_COLOR" not in os.environ and not hasattr(builtins, "get_ipython")


def _console(stderr: bool = False):
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped or captured output keeps whole file names and failure lines instead of 80 columns.
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, soft_wrap=False, width=width)


@contextmanager
def progress_bar(description: str = "reports", total: int | None = None) -> Iterator[Callable[[Any], None]]:
    """Yield a callback that advances a progress bar on stderr by one item per call (none when quiet).
    A stderr that is not a terminal (a log, a pipe) gets plain lines instead (_LineProgress)."""
    if is_quiet():
        yield lambda _item=None: None
        return
    import sys

    if _plain_stream(sys.stderr):
        progress = _LineProgress(description, total, sys.stderr)
        try:
            yield progress.advance
        finally:
            if progress.shown != progress.done:  # the last count, unless its line is out already
                progress.line()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda _item=None: progress.advance(task)


class _LineProgress:
    """Progress where no bar can be drawn: "reports 120/? 0:00:04" every LINE_SECONDS while the
    work goes on, and once at the end (a bar on a non-terminal was only drawn at the end). It
    needs no rich, whose import was a tenth of a short run."""

    LINE_SECONDS = 5.0

    def __init__(self, description: str, total: int | None, stream: Any) -> None:
        import time

        self.description, self.total, self.stream, self.clock = description, total, stream, time.monotonic
        self.done, self.shown = 0, -1
        self.started = self.clock()
        self.due = self.started + self.LINE_SECONDS

    def advance(self, _item: Any = None) -> None:
        self.done += 1
        if self.clock() >= self.due:
            self.line()

    def line(self) -> None:
        now = self.clock()
        self.due, self.shown = now + self.LINE_SECONDS, self.done
        seconds = int(now - self.started)
        elapsed = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"  # as rich's TimeElapsedColumn
        total = "?" if self.total is None else self.total
        print(f"{self.description} {self.done}/{total} {elapsed}", file=self.stream, flush=True)


# Up to this many files a run prints a table with a row per file; a larger batch prints the
# totals, the most frequent flags and where the overview is (a reviewer of hundreds of reports
# reads the overview, and rich took 0.4 s to lay out a 300-row table).
TABLE_MAX_FILES = 50


def print_batch_summary(result, overview: Sequence[Path] = ()) -> None:
    """The batch on stdout: a table of the files (or, past TABLE_MAX_FILES, where the overview
    `overview` lists them), the totals, the most frequent flags and the failures, one line each."""
    from .outputs import displayable

    if is_quiet():  # errors only: the failures, on stderr
        for outcome in result.failures:
            _console(stderr=True).print(f"failed: {displayable(outcome.error)}", markup=False, highlight=False, soft_wrap=True)
        return
    import sys

    if _plain_stream(sys.stdout):
        sys.stdout.write(_plain_summary(result, overview))
        sys.stdout.flush()
        return
    console = _console()
    if len(result.outcomes) <= TABLE_MAX_FILES:
        console.print(_batch_table(result))
    elif overview:
        console.print(_overview_line(result, overview), markup=False, highlight=False, soft_wrap=True)
    console.print(_totals_line(result))
    top = _top_line(result)
    if top:
        console.print(top, highlight=False)
    _print_llm_usage(console, result.digests)
    if result.failures:
        console.print("[bold red]failures:[/bold red]")
        for outcome in result.failures:
            console.print(f"  {displayable(outcome.error)}", markup=False, highlight=False, soft_wrap=True)


def _overview_line(result, overview: Sequence[Path]) -> str:
    from .outputs import displayable

    others = ", ".join(Path(path).name for path in overview[1:])
    return (
        f"summarizer run: {len(result.outcomes)} files, one row each in the overview {displayable(str(overview[0]))}"
        + (f" (and {others})" if others else "")
    )


def _totals_line(result) -> str:
    totals = {"figures": 0, "problems": 0, "fail": 0, "warn": 0}
    for outcome in result.outcomes:
        digest = outcome.digest
        if digest is None or outcome.error:
            continue
        totals["figures"] += digest.figures
        totals["problems"] += digest.problems
        totals["fail"] += digest.fails
        totals["warn"] += digest.warns
    ok = len(result.outcomes) - len(result.failures)
    return (
        f"files: {len(result.outcomes)}  ok: {ok}  failed: {len(result.failures)}  "
        f"figures: {totals['figures']}  problems: {totals['problems']}  "
        f"checks failed: {totals['fail']}  warned: {totals['warn']}"
    )


def _top_line(result) -> str:
    top = _top_failing_rules(result.digests)
    return "most frequent failed/warned checks: " + ", ".join(f"{rule} ×{count}" for rule, count in top) if top else ""


TABLE_COLUMNS = ("file", "figures", "indicators", "problems", "measures", "fail", "warn", "status")
_STATUS_COLOURS = {"failed": "red", "ok (rules fallback)": "yellow", "ok": "green"}


def _table_rows(result) -> list[tuple[str, ...]]:
    """The batch table's rows as plain text: the file, its counts (blank when it failed), its status."""
    from .outputs import displayable

    rows = []
    for outcome in result.outcomes:
        digest = outcome.digest
        if digest is None or outcome.error:
            rows.append((displayable(outcome.path.name), "", "", "", "", "", "", "failed"))
            continue
        counts = (digest.figures, digest.indicators, digest.problems, digest.measures, digest.fails, digest.warns)
        rows.append((displayable(outcome.path.name), *map(str, counts), "ok (rules fallback)" if digest.fell_back else "ok"))
    return rows


def _batch_table(result):
    """One row per file: its counts, or that it failed (a report whose outputs were not written)."""
    from rich.table import Table

    table = Table(title="summarizer run")
    for column in TABLE_COLUMNS:
        table.add_column(column, justify="left" if column in ("file", "status") else "right")
    for *cells, status in _table_rows(result):
        colour = _STATUS_COLOURS[status]
        table.add_row(*cells, f"[{colour}]{status}[/{colour}]")
    return table


# ── the summary on a stream that is not a terminal ───────────────────────────────────────
# A log or a pipe gets plain lines: columns padded with spaces, no box drawing, no colour, no
# wrapping. rich (a tenth of a one-file run to import) is loaded only to draw for a terminal.


def _width(text: str) -> int:
    """Columns `text` takes in a monospaced log: wide and full-width characters count two."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def _plain_table(result) -> list[str]:
    """The batch table as plain text: a header and a row per file, each column padded to its
    widest cell (names left, counts right), two spaces between columns."""
    rows = [TABLE_COLUMNS, *_table_rows(result)]
    widths = [max(_width(row[column]) for row in rows) for column in range(len(TABLE_COLUMNS))]
    lines = ["summarizer run"]
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            space = " " * (widths[column] - _width(cell))
            cells.append(cell + space if TABLE_COLUMNS[column] in ("file", "status") else space + cell)
        lines.append("  ".join(cells).rstrip())
    return lines


def _plain_summary(result, overview: Sequence[Path]) -> str:
    """print_batch_summary's text for a stream that is not a terminal."""
    from .outputs import displayable

    lines: list[str] = []
    if len(result.outcomes) <= TABLE_MAX_FILES:
        lines.extend(_plain_table(result))
    elif overview:
        lines.append(_overview_line(result, overview))
    lines.extend(line for line in (_totals_line(result), _top_line(result), *_llm_usage_lines(result.digests)) if line)
    if result.failures:
        lines.append("failures:")
        lines.extend(f"  {displayable(outcome.error)}" for outcome in result.failures)
    return "\n".join(lines) + "\n"


def _top_failing_rules(digests, limit: int = 5) -> list[tuple[str, int]]:
    """The rules that failed or warned most often across a batch (fails ranked before warns)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    fails: Counter[str] = Counter()
    for digest in digests:
        for rule, status in digest.flagged_rules:
            counts[rule] += 1
            fails[rule] += status is CheckStatus.FAIL
    return sorted(counts.items(), key=lambda pair: (-fails[pair[0]], -pair[1], pair[0]))[:limit]


def _llm_usage_lines(digests) -> list[str]:
    """The batch's LLM lines: how many reports fell back to the rules result, and the token usage."""
    from .llm.usage import total_usage

    lines = []
    fell_back = sum(digest.fell_back for digest in digests)
    if fell_back:
        lines.append(
            f"LLM fallback: {fell_back} of {len(digests)} reports used the rules result "
            "(the LLM request failed; see each report's warnings)"
        )
    usage = total_usage(digests)
    if usage is not None:
        estimated = " (estimated)" if usage.estimated else ""
        lines.append(
            f"LLM usage: {usage.requests} requests, {usage.input_tokens} input tokens, "
            f"{usage.output_tokens} output tokens{estimated}"
        )
    return lines


def _print_llm_usage(console, digests) -> None:
    for line in _llm_usage_lines(digests):
        style = "yellow" if line.startswith("LLM fallback") else None
        console.print(line, style=style, markup=False, highlight=False)


def print_checks(checks, *, title: str, passes: bool = True) -> None:
    """The checks of one report as a table, most severe first, with the numbers each used."""
    from rich.table import Table

    from .verify_text import fmt, severity_key

    checks = sorted(checks, key=severity_key)
    shown = [check for check in checks if passes or check.status is not CheckStatus.PASS]
    styles = {"fail": "bold red", "warn": "yellow", "pass": "green"}
    table = Table(title=title, show_lines=True)
    for column in ("status", "severity", "rule", "message", "numbers used"):
        table.add_column(column, overflow="fold")
    for check in shown:
        numbers = "\n".join(
            f"{item.label} {fmt(item.value)}{item.unit}" + (f" @{item.span.start}" if item.span else "") for item in check.inputs
        )
        if check.expected is not None or check.observed is not None:
            numbers += f"\nexpected {fmt(check.expected)} / observed {fmt(check.observed)}"
        status = check.status.value
        table.add_row(f"[{styles[status]}]{status}[/]", check.severity.value, check.rule, check.message, numbers.strip())
    console = _console()
    console.print(table, markup=True, highlight=False)
    counts = {status: sum(check.status.value == status for check in checks) for status in ("fail", "warn", "pass")}
    console.print(f"checks: {len(checks)}  fail: {counts['fail']}  warn: {counts['warn']}  pass: {counts['pass']}", highlight=False)
