"""The `summarizer` command line: parse arguments, build Settings, call the pipeline, map errors
to exit codes. No extraction logic lives here, and nothing heavy is imported at module level
so `summarizer --help` stays fast (openai, instructor, docx, rich tables load on demand).
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, NoReturn, Optional

import typer

from .errors import ExitCode, SummarizerError

EXIT_CODES = (
    "Exit codes: 0 ok · 1 some files in a batch failed · 2 bad arguments · 3 unreadable input · "
    "4 bad settings · 5 backend failure · 6 output not writable · 7 evaluation below thresholds."
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Extract, verify and summarise 预算绩效自评报告 (budget-performance self-evaluation reports).",
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain click help: rich's markdown help loads some 170 more modules for every --help.
    rich_markup_mode=None,
)


class Backend(str, Enum):
    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="print the version and exit"),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="-v: show retries and fallbacks; -vv: debug"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar or summary table; errors only"),
) -> None:
    from .console import set_verbosity

    set_verbosity(-1 if quiet else verbose)


@contextmanager
def _input_file(file: Path) -> Iterator[Path]:
    """FILE as given, or for "-" the bytes of stdin in a temporary file (named by what they are)."""
    if str(file) != "-":
        yield file
        return
    data = sys.stdin.buffer.read()
    suffix = ".docx" if data.startswith(b"PK") else ".pdf" if data.startswith(b"%PDF") else ".txt"
    with tempfile.TemporaryDirectory(prefix="summarizer-") as folder:
        path = Path(folder) / f"stdin{suffix}"
        path.write_bytes(data)
        yield path


BackendOption = typer.Option(None, "--backend", "-b", help="rules (default, offline) | llm | hybrid")
ConfigOption = typer.Option(None, "--config", help="TOML config file (or SUMMARIZER_CONFIG)")
ModelOption = typer.Option(None, "--model", help="LLM model name (or SUMMARIZER_MODEL); llm/hybrid backends")
BaseUrlOption = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint (or SUMMARIZER_BASE_URL)")
CacheOption = typer.Option(None, "--cache/--no-cache", help="reuse cached LLM responses (default on)")
FallbackOption = typer.Option(None, "--fallback/--no-fallback", help="on LLM failure use the rules result (default on)")
ContextOption = typer.Option(
    None, "--context-tokens", help="the model's context window in tokens (or SUMMARIZER_CONTEXT_TOKENS; default 32000)"
)


def _settings(config: Optional[Path] = None, **flags: Any):
    from .config import resolve_settings

    if isinstance(flags.get("backend"), Backend):
        flags["backend"] = flags["backend"].value

    return resolve_settings(flags=flags, config_file=config)


def _report_for(file: Path, config: Optional[Path], **flags: Any):
    """Settings from flags, then one report through the pipeline; errors become exit codes."""
    from .pipeline import extract_report

    try:
        with _input_file(file) as path:
            return extract_report(path, _settings(config, **flags))
    except SummarizerError as error:
        raise _fail(error) from None


def _fail(error: SummarizerError) -> typer.Exit:
    typer.echo(f"error: {error.one_line()}", err=True)
    return typer.Exit(int(error.exit_code))


@app.command()
def extract(
    file: Path = typer.Argument(..., help="a report: .txt, .md, .docx or .pdf; - reads stdin"),
    backend: Optional[Backend] = BackendOption,
    verify: Optional[bool] = typer.Option(None, "--verify/--no-verify", help="run the verification pass (default: on)"),
    config: Optional[Path] = ConfigOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    cache: Optional[bool] = CacheOption,
    fallback: Optional[bool] = FallbackOption,
    context_tokens: Optional[int] = ContextOption,
) -> None:
    """Print the JSON extraction of one report to stdout."""
    from .outputs import render_json

    report = _report_for(
        file, config, backend=backend, verify=verify, model=model, base_url=base_url, cache=cache, fallback=fallback,
        context_tokens=context_tokens,
    )
    sys.stdout.write(render_json(report).decode("utf-8") + "\n")


@app.command()
def run(
    paths: list[Path] = typer.Argument(..., help="report files and/or folders"),
    out: Path = typer.Option(..., "--out", "-o", help="output folder"),
    formats: Optional[str] = typer.Option(None, "--format", "-f", help="comma-separated: json,md,html,docx"),
    backend: Optional[Backend] = BackendOption,
    templates: Optional[Path] = typer.Option(None, "--templates", help="folder of templates overriding the built-in ones"),
    config: Optional[Path] = ConfigOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    cache: Optional[bool] = CacheOption,
    fallback: Optional[bool] = FallbackOption,
    context_tokens: Optional[int] = ContextOption,
) -> None:
    """Extract, verify and write outputs for every report under PATHS, then print a summary."""
    from .console import print_batch_summary, progress_bar
    from .pipeline import run_batch

    try:
        settings = _settings(
            config, backend=backend, formats=formats, templates_dir=templates,
            model=model, base_url=base_url, cache=cache, fallback=fallback, context_tokens=context_tokens,
        )
        from .overview import OverviewCollector

        overview = OverviewCollector(settings)
        with progress_bar() as advance:

            def done(outcome) -> None:
                overview.add(outcome)
                advance()

            result = run_batch(paths, settings, out, on_done=done, keep_reports=False, overview_rows=True)
    except SummarizerError as error:
        raise _fail(error) from None
    try:
        written = overview.write(out)
        overview_error = None
    except SummarizerError as error:  # full disk, read-only --out: the per-file list still counts
        written, overview_error = [], error
    print_batch_summary(result, overview=written)
    if overview_error is not None:
        raise _fail(overview_error)
    if result.failures:
        raise typer.Exit(int(ExitCode.SOME_FAILED))


@app.command()
def draft(
    file: Path = typer.Argument(..., help="a report (.txt, .md, .docx, .pdf) or its JSON output; - reads stdin"),
    backend: Optional[Backend] = BackendOption,
    templates: Optional[Path] = typer.Option(None, "--templates", help="folder of templates (and suggestions.toml) overriding the built-in ones"),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Print the drafted 存在问题 and 改进措施 sections (Markdown), each problem with its evidence."""
    from .pipeline import load_report
    from .render import render_draft

    try:
        settings = _settings(config, backend=backend, templates_dir=templates)
        with _input_file(file) as path:
            report = load_report(path, settings)
        text = render_draft(report, settings)
    except SummarizerError as error:
        raise _fail(error) from None
    sys.stdout.write(text)


@app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., help="a report: .txt, .md, .docx or .pdf; - reads stdin"),
    backend: Optional[Backend] = BackendOption,
    passes: bool = typer.Option(True, "--passes/--no-passes", help="also list the checks that hold"),
    config: Optional[Path] = ConfigOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    cache: Optional[bool] = CacheOption,
    fallback: Optional[bool] = FallbackOption,
    context_tokens: Optional[int] = ContextOption,
) -> None:
    """Extract one report and print its verification checks as a table, most severe first."""
    from .console import print_checks

    report = _report_for(
        file, config, backend=backend, verify=True, model=model, base_url=base_url, cache=cache, fallback=fallback,
        context_tokens=context_tokens,
    )
    print_checks(report.checks, title=f"summarizer verify {file.name}", passes=passes)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output document."""
    import json

    from .schemas import Report

    typer.echo(json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=2))


@app.command("eval")
def eval_command(
    backend: Optional[Backend] = BackendOption,
    gold: Path = typer.Option(Path("eval/gold"), "--gold", help="folder of gold annotations (*.json)"),
    samples: Path = typer.Option(Path("samples"), "--samples", help="folder holding the reports the gold files name"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="run file to write (default: eval/runs/<time>-<backend>.json)"),
    compare: Optional[tuple[Path, Path]] = typer.Option(None, "--compare", help="print the differences between two run files A B"),
    mutate: int = typer.Option(0, "--mutate", min=0, help="also score N perturbed copies of each sample"),
    seed: int = typer.Option(0, "--seed", help="seed for --mutate"),
    thresholds: Optional[Path] = typer.Option(None, "--thresholds", help="fail (exit 7) below these minimum scores, e.g. eval/thresholds.json"),
    details: bool = typer.Option(False, "--details", help="list every miss and false positive per report"),
    config: Optional[Path] = ConfigOption,
    model: Optional[str] = ModelOption,
    base_url: Optional[str] = BaseUrlOption,
    cache: Optional[bool] = CacheOption,
    fallback: bool = typer.Option(False, "--fallback/--no-fallback", help="let a failed LLM call fall back to rules (off: score the LLM alone)"),
) -> None:
    """Score extraction against the gold set: precision/recall/F1 per field group, per report and overall."""
    from .console import progress_bar
    from .errors import ThresholdError
    from .evaluation import printing, runs

    try:
        if compare:
            printing.print_comparison(runs.load_json(compare[0], "run file"), runs.load_json(compare[1], "run file"))
            return
        settings = _settings(config, backend=backend, model=model, base_url=base_url, cache=cache, fallback=fallback)
        total = len(runs.pair_gold_with_samples(gold, samples))
        if mutate:
            total += runs.count_mutations(gold, samples, mutate)
        with progress_bar("eval", total=total) as advance:
            result = runs.evaluate(gold, samples, settings, on_done=advance)
            if mutate:
                result.mutation = runs.evaluate_mutations(gold, samples, settings, mutate, clean=result, seed=seed, on_done=advance)
        target = out or gold.parent / "runs" / f"{result.metadata['timestamp'].replace(':', '')}-{result.backend}.json"
        runs.write_run(result, target)
        printing.print_run(result)
        if details:
            printing.print_misses(result)
        typer.echo(f"run file: {target}")
        if thresholds is not None:
            failures = runs.check_thresholds(result, runs.load_json(thresholds, "thresholds file"))
            if failures:
                raise ThresholdError("below thresholds: " + "; ".join(failures), path=thresholds)
            typer.echo(f"all thresholds in {thresholds} met")
    except SummarizerError as error:
        raise _fail(error) from None


def main() -> None:
    """The console script: the command, then a quick end of the process (see _end)."""
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    _end(0 if code is None else code)


def _end(code: int | str) -> NoReturn:
    """End the process with `code` once the standard streams are flushed and the exit functions
    have run, without the interpreter's teardown: freeing every module and object one by one took
    about 30 ms (2-3% of a 300-report batch) and nothing the command wrote depends on it. Where
    that shortcut could lose something (a thread still running, a stream that cannot be flushed,
    a message for an exit code) the ordinary exit runs instead."""
    import atexit
    import os
    import threading

    if not isinstance(code, int) or threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # the interpreter's own exit reports a broken or closed stream as always
    atexit._run_exitfuncs()  # logging's flush, multiprocessing's clean-up, weakref finalizers
    os._exit(code)
