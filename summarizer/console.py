"""Terminal presentation for the CLI: progress bars and summary tables (rich, loaded lazily).

Presentation only: it reads results, it never changes them.
"""

from __future__ import annotations

import re
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
    """True when rich would draw nothing for a terminal on `stream`: it is not a terminal, and
    neither FORCE_COLOR nor Jupyter make rich act as if it were one."""
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
    plain = _plain_summary(result, overview)
    if plain is not None:  # what rich would write, written without loading rich
        import sys

        sys.stdout.write(plain)
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


# ── the summary without rich ─────────────────────────────────────────────────────────────
# Written to a stream that is not a terminal, rich draws no colour and lays text out in
# _console's 160 columns. For text whose layout is plain (characters of a known width, no
# markup or :emoji: codes, lines that fit) the summary is written here exactly as rich writes
# it, and rich (a tenth of a one-file run to import) is not loaded; anything else goes to rich.

PLAIN_WIDTH = 160
_EMOJI_CODE = re.compile(r":\S*?:")  # what rich's emoji replacement could take for a :code:


def _cells(text: str) -> int | None:
    """The terminal cells rich gives `text`, for printable ASCII (1 cell), ×, and CJK ideographs
    and full-width forms (2 cells); None when it holds any other character."""
    width = 0
    for char in text:
        code = ord(char)
        if 0x20 <= code < 0x7F or code == 0xD7:
            width += 1
        elif 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF60:
            width += 2
        else:
            return None
    return width


def _plain_markup(text: str) -> bool:
    """True when rich's markup and emoji codes leave `text` as it is."""
    return "[" not in text and "\\" not in text and _EMOJI_CODE.search(text) is None


def _verbatim(text: str) -> bool:
    """A soft-wrapped line without markup: rich writes it as it is when it holds no control
    character (tabs, CR and the like rich expands or drops) and no :emoji: code."""
    return text.isprintable() and _EMOJI_CODE.search(text) is None


def _plain_line(text: str) -> str | None:
    """A line rich wraps at PLAIN_WIDTH, as rich wraps it (greedy, at spaces, a line keeping the
    space it broke after); None when rich would do more (a word wider than a line)."""
    if not _plain_markup(text):
        return None
    width = _cells(text)
    if width is None:
        return None
    if width <= PLAIN_WIDTH:
        return text
    lines, line, used = [], "", 0
    for word in re.findall(r"\s*\S+\s*", text):
        size, bare = _cells(word), _cells(word.rstrip())
        if bare > PLAIN_WIDTH or word[0].isspace():
            return None
        if used and PLAIN_WIDTH - used < bare:
            lines.append(line)
            line, used = "", 0
        line, used = line + word, used + size
    lines.append(line)
    kept = []
    for line in lines:
        # rich drops a line's trailing spaces past the width (counted in characters) ...
        excess = len(line) - PLAIN_WIDTH
        if excess > 0:
            line = line[: len(line) - min(len(line) - len(line.rstrip()), excess)]
        if _cells(line) > PLAIN_WIDTH:  # ... and would crop what is still too wide
            return None
        kept.append(line)
    return "\n".join(kept)


def _plain_table(result) -> list[str] | None:
    """The batch table in rich's default box (heavy head), columns as wide as their widest cell
    plus one space each side, the title centred above; None when rich would lay it out otherwise."""
    rows = [TABLE_COLUMNS, *_table_rows(result)]
    widths = [0] * len(TABLE_COLUMNS)
    for row in rows:
        for column, cell in enumerate(row):
            size = _cells(cell)
            if size is None or not _plain_markup(cell) or cell != " ".join(cell.split()):
                return None
            widths[column] = max(widths[column], size)
    total = sum(widths) + 3 * len(widths) + 1
    if total > PLAIN_WIDTH:
        return None  # rich would shrink and wrap the columns

    def cells(row: tuple[str, ...]) -> list[str]:
        padded = []
        for column, cell in enumerate(row):
            space = " " * (widths[column] - _cells(cell))
            padded.append(f" {cell}{space} " if column in (0, len(row) - 1) else f" {space}{cell} ")
        return padded

    title = "summarizer run"
    left = (total - len(title)) // 2
    lines = [" " * left + title + " " * (total - len(title) - left)]
    lines.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    lines.append("┃" + "┃".join(cells(rows[0])) + "┃")
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    lines.extend("│" + "│".join(cells(row)) + "│" for row in rows[1:])
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return lines


def _plain_summary(result, overview: Sequence[Path]) -> str | None:
    """print_batch_summary's output as rich writes it to a stream that is not a terminal, or
    None when rich must lay it out (a terminal, forced colour, Jupyter, LLM usage lines, any
    text outside what _cells and _plain_markup know)."""
    import sys

    if not _plain_stream(sys.stdout):
        return None
    if any(digest.fell_back or digest.usage is not None for digest in result.digests):
        return None
    lines: list[str] = []
    if len(result.outcomes) <= TABLE_MAX_FILES:
        table = _plain_table(result)
        if table is None:
            return None
        lines.extend(table)
    elif overview:
        line = _overview_line(result, overview)
        if not _verbatim(line):
            return None
        lines.append(line)
    for text in (_totals_line(result), _top_line(result)):
        if text:
            line = _plain_line(text)
            if line is None:
                return None
            lines.append(line)
    if result.failures:
        lines.append("failures:")
        for outcome in result.failures:
            from .outputs import displayable

            line = f"  {displayable(outcome.error)}"
            if not _verbatim(line):
                return None
            lines.append(line)
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


def _print_llm_usage(console, digests) -> None:
    from .llm.usage import total_usage

    usage = total_usage(digests)
    fell_back = sum(digest.fell_back for digest in digests)
    if fell_back:
        console.print(
            f"[yellow]LLM fallback: {fell_back} of {len(digests)} reports used the rules result "
            "(the LLM request failed; see each report's warnings)[/yellow]"
        )
    if usage is not None:
        estimated = " (estimated)" if usage.estimated else ""
        console.print(
            f"LLM usage: {usage.requests} requests, {usage.input_tokens} input tokens, "
            f"{usage.output_tokens} output tokens{estimated}",
            highlight=False,
        )


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
