"""The batch summary on the terminal: a table for a small batch, totals and a pointer to the
overview for a large one, the failures listed one line each in both."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import console
from summarizer.pipeline import BatchResult, Digest, Outcome
from summarizer.schemas import CheckStatus


def batch(ok: int, failed: int) -> BatchResult:
    digest = Digest(
        figures=10, indicators=2, problems=1, measures=1, fails=1, warns=2,
        flagged_rules=(("identity.balance", CheckStatus.FAIL), ("consistency.unit_slip", CheckStatus.WARN)), usage=None,
    )
    outcomes = [Outcome(path=Path(f"in/{n:03d}.txt"), digest=digest) for n in range(ok)]
    outcomes += [Outcome(path=Path(f"in/bad{n}.txt"), error=f"in/bad{n}.txt: file is empty") for n in range(failed)]
    return BatchResult(outcomes=outcomes)


OVERVIEW = [Path("out/index.html"), Path("out/overview.csv"), Path("out/overview.xlsx")]


def summary(capsys, result: BatchResult) -> str:
    console.print_batch_summary(result, overview=OVERVIEW)
    return capsys.readouterr().out


def test_a_small_batch_gets_a_row_per_file(capsys):
    out = summary(capsys, batch(3, 1))
    assert "summarizer run" in out and out.count("000.txt") == 1 and "\nbad0.txt " in out
    assert "files: 4  ok: 3  failed: 1  figures: 30  problems: 3  checks failed: 3  warned: 6" in out
    assert "out/index.html" not in out
    assert out.rstrip().endswith("failures:\n  in/bad0.txt: file is empty")


def test_a_large_batch_gets_the_totals_and_where_the_overview_is(capsys):
    size = console.TABLE_MAX_FILES + 1
    out = summary(capsys, batch(size - 2, 2))
    lines = out.splitlines()
    assert lines[0] == f"summarizer run: {size} files, one row each in the overview out/index.html (and overview.csv, overview.xlsx)"
    assert "000.txt" not in out and "┃" not in out  # no table
    assert f"files: {size}  ok: {size - 2}  failed: 2" in out
    assert "most frequent failed/warned checks: identity.balance ×" in out
    assert lines[-3:] == ["failures:", "  in/bad0.txt: file is empty", "  in/bad1.txt: file is empty"]


@pytest.mark.parametrize("size", [console.TABLE_MAX_FILES, console.TABLE_MAX_FILES + 1])
def test_quiet_prints_only_the_failures_on_stderr(capsys, size):
    console.set_verbosity(-1)
    try:
        console.print_batch_summary(batch(size - 1, 1), overview=OVERVIEW)
    finally:
        console.set_verbosity(0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "failed: in/bad0.txt: file is empty\n"
