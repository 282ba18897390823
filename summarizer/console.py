"""Terminal presentation for the CLI: progress bars and summary tables (rich, loaded lazily).

Presentation only: it reads results, it never changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .schemas import CheckStatus


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=False)


@contextmanager
def progress_bar(description: str = "reports", total: int | None = None) -> Iterator[Callable[[Any], None]]:
    """Yield a callback that advances a progress bar on stderr by one item per call."""
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


def print_batch_summary(result) -> None:
    from rich.table import Table

    console = _console()
    table = Table(title="summarizer run")
    for column in ("file", "figures", "indicators", "problems", "measures", "fail", "warn", "status"):
        table.add_column(column, justify="left" if column in ("file", "status") else "right")
    totals = {"figures": 0, "problems": 0, "fail": 0, "warn": 0}
    for outcome in result.outcomes:
        report = outcome.report
        if report is None:
            table.add_row(outcome.path.name, "", "", "", "", "", "", "[red]failed[/red]")
            continue
        fails = sum(check.status is CheckStatus.FAIL for check in report.checks)
        warns = sum(check.status is CheckStatus.WARN for check in report.checks)
        totals["figures"] += len(report.figures)
        totals["problems"] += len(report.problems)
        totals["fail"] += fails
        totals["warn"] += warns
        table.add_row(
            outcome.path.name,
            str(len(report.figures)),
            str(len(report.indicators)),
            str(len(report.problems)),
            str(len(report.measures)),
            str(fails),
            str(warns),
            "[green]ok[/green]",
        )
    console.print(table)
    ok = len(result.reports)
    console.print(
        f"files: {len(result.outcomes)}  ok: {ok}  failed: {len(result.failures)}  "
        f"figures: {totals['figures']}  problems: {totals['problems']}  "
        f"checks failed: {totals['fail']}  warned: {totals['warn']}"
    )
    top = _top_failing_rules(result.reports)
    if top:
        console.print("most frequent failed/warned checks: " + ", ".join(f"{rule} ×{count}" for rule, count in top), highlight=False)
    if result.failures:
        console.print("[bold red]failures:[/bold red]")
        for outcome in result.failures:
            console.print(f"  {outcome.error}", markup=False, highlight=False)


def _top_failing_rules(reports, limit: int = 5) -> list[tuple[str, int]]:
    """The rules that failed or warned most often across a batch (fails ranked before warns)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    fails: Counter[str] = Counter()
    for report in reports:
        for check in report.checks:
            if check.status is not CheckStatus.PASS:
                counts[check.rule] += 1
                fails[check.rule] += check.status is CheckStatus.FAIL
    return sorted(counts.items(), key=lambda pair: (-fails[pair[0]], -pair[1], pair[0]))[:limit]
