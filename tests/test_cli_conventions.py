"""CLI conventions (issue 14): --version, -h, -q/-v, - for stdin, choices for the backend, and
the exit codes listed in --help."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from typer.testing import CliRunner

from summarizer import __version__
from summarizer.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "yuhua_2021_government_service_hall_project.txt"


def test_version_and_short_help():
    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"summarizer {__version__}"
    for args in (["-h"], ["run", "-h"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_help_lists_the_exit_codes():
    text = " ".join(CliRunner().invoke(app, ["--help"]).stdout.split())
    assert "Exit codes" in text and "7 evaluation below thresholds" in text


def test_backend_is_a_choice():
    result = CliRunner().invoke(app, ["extract", "-b", "magic", str(SAMPLE)])
    assert result.exit_code == 2


def test_a_dash_reads_the_report_from_stdin():
    runner = CliRunner()
    data = SAMPLE.read_bytes()
    result = runner.invoke(app, ["extract", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["meta"]["year"] == 2021
    result = runner.invoke(app, ["draft", "-"], input=data)
    assert result.exit_code == 0 and result.stdout.startswith("## 存在问题")


def test_quiet_run_prints_no_table_and_verbose_shows_the_loggers(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["-q", "run", str(SAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "summarizer run" not in result.stdout and "files:" not in result.stdout
    assert (tmp_path / "out" / f"{SAMPLE.stem}.json").is_file()
    runner.invoke(app, ["-v", "schema"])
    assert logging.getLogger("summarizer").level == logging.INFO
    runner.invoke(app, ["schema"])
    assert logging.getLogger("summarizer").level == logging.WARNING
