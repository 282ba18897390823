"""The CLI through typer's CliRunner, and its start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
runner = CliRunner()


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("extract", "run", "schema"):
        assert command in result.output


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from summarizer.cli import app; from typer.testing import CliRunner; "
        "CliRunner().invoke(app, ['--help']); "
        "print(sorted(m for m in ('openai', 'instructor', 'tiktoken', 'docx', 'pypdf', 'openpyxl') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_extract_prints_the_contract():
    path = SAMPLES / "xiangyin_2022_administrative_approval_bureau_department.txt"
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    for key in ("meta", "figures", "indicators", "achievements", "problems", "measures", "checks", "warnings", "source"):
        assert key in document
    assert document["source"]["sha256"] and document["source"]["length"] == len(path.read_text(encoding="utf-8"))
    figure = document["figures"][0]
    for key in ("key", "label", "value", "unit", "span", "evidence"):
        assert key in figure


def test_schema_is_json_schema_of_the_report():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "Report"
    assert {"meta", "figures", "problems", "measures", "checks", "source"} <= set(schema["properties"])


def test_run_writes_one_output_per_report(tmp_path):
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    outputs = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert outputs == sorted(p.stem + ".json" for p in SAMPLES.glob("*.txt"))
    assert "files: 3" in result.stdout and "failed: 0" in result.stdout


def test_a_run_over_the_table_limit_points_at_the_overview(tmp_path, monkeypatch):
    import summarizer.console

    monkeypatch.setattr(summarizer.console, "TABLE_MAX_FILES", 2)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("summarizer run: 3 files, one row each in the overview ") and str(out / "index.html") in first
    assert "┃" not in result.stdout and "files: 3" in result.stdout and "failed: 0" in result.stdout


def test_unknown_format_is_a_one_line_config_error(tmp_path):
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 4
    assert "unknown format pdf" in result.output
    assert "Traceback" not in result.output


def test_unknown_backend_is_a_config_error():
    path = SAMPLES / "xiangyin_2022_administrative_approval_bureau_department.txt"
    # As a flag it is a bad argument, refused with the choices (exit 2); from the environment or
    # a config file it is a bad setting (exit 4).
    result = runner.invoke(app, ["extract", str(path), "--backend", "nope"])
    assert result.exit_code == 2 and "rules" in result.output
    result = runner.invoke(app, ["extract", str(path)], env={"SUMMARIZER_BACKEND": "nope"})
    assert result.exit_code == 4
    assert "Traceback" not in result.output


def _console_script(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    code = prelude + "import sys; from summarizer.cli import main; sys.argv = ['summarizer', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_the_console_script_keeps_exit_codes_output_and_exit_functions(tmp_path):
    """main() ends the process without the interpreter's teardown: the exit code, everything
    printed and what was registered to run at exit must come through as with an ordinary exit."""
    path = SAMPLES / "xiangyin_2022_administrative_approval_bureau_department.txt"
    done = _console_script("extract", str(path))
    assert done.returncode == 0 and json.loads(done.stdout)["figures"]
    missing = _console_script("extract", str(tmp_path / "missing.txt"))
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1 and "missing.txt" in missing.stderr
    mark = tmp_path / "at-exit"
    registered = f"import atexit, pathlib; atexit.register(pathlib.Path({str(mark)!r}).write_text, 'ran'); "
    assert _console_script("--version", prelude=registered).returncode == 0
    assert mark.read_text() == "ran"
    # A thread still running when the command returns is waited for, as the ordinary exit does.
    threaded = "import threading, time; threading.Thread(target=lambda: (time.sleep(0.3), print('late', flush=True))).start(); "
    late = _console_script("--version", prelude=threaded)
    assert late.returncode == 0 and late.stdout.splitlines()[-1] == "late"
