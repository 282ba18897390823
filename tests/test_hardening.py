"""Hardening (issue 11): outputs stay inert whatever a report or its file name holds, and every
failure is told truthfully (listed, counted, with its exit code). Fixtures are generated here:
copies of the real samples under hostile names, or reports built by hand."""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings
from summarizer.errors import ExitCode
from summarizer.overview import overview_csv, overview_row, overview_xlsx
from summarizer.render import LIST_LIMIT, render_formats, render_markdown, render_summary_html
from summarizer.schemas import Check, CheckStatus, Meta, Report, Severity, Source, Span, TextItem

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLE = SAMPLES_DIR / "yuhua_2021_government_service_hall_project.txt"
LECHANG = SAMPLES_DIR / "lechang_2022_administrative_service_center_department.txt"

runner = CliRunner()


def hand_report(unit: str = "示例单位", path: str = "hand.txt", **update) -> Report:
    report = Report(
        meta=Meta(unit_name=unit, year=2021, self_score=Decimal(97)),
        source=Source(path=path, sha256="0" * 64, length=40, encoding="utf-8", format="txt"),
    )
    return report.model_copy(update=update)


def run(*args: str):
    return runner.invoke(app, ["run", *map(str, args)])


def csv_rows(out: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((out / "overview.csv").read_text(encoding="utf-8-sig"))))


# ── inert outputs: spreadsheets ─────────────────────────────────────────────────────────────

FORMULAS = ["=1+1", '=HYPERLINK("http://example.com","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1"]


@pytest.mark.parametrize("unit", FORMULAS, ids=repr)
def test_a_unit_name_is_never_a_formula_in_csv_or_xlsx(unit):
    from openpyxl import load_workbook

    row = overview_row(hand_report(unit), "report.txt")
    raw = overview_csv([row]).decode("utf-8-sig")
    # The spreadsheet convention for "text, not a formula": a leading ' (the field is quoted
    # when it holds a quote, a tab or a line break).
    expected = io.StringIO()
    csv.writer(expected, lineterminator="").writerow(["'" + unit])
    assert f",{expected.getvalue()}," in raw

    cell = load_workbook(io.BytesIO(overview_xlsx([row]))).active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == unit  # a string cell holding the name as written
    assert cell.quotePrefix  # and Excel keeps it text even when the cell is edited


def test_ordinary_and_negative_values_are_left_alone():
    from openpyxl import load_workbook

    row = overview_row(hand_report("湘阴县-行政审批服务局"), "a-b.txt")
    cells = list(csv.reader(io.StringIO(overview_csv([row]).decode("utf-8-sig"), newline="")))[1]
    assert cells[:2] == ["a-b.txt", "湘阴县-行政审批服务局"]
    sheet = load_workbook(io.BytesIO(overview_xlsx([row]))).active
    assert sheet.cell(row=2, column=3).value == 2021 and not sheet.cell(row=2, column=2).quotePrefix


def test_run_with_formula_file_names_writes_inert_tables(tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    names = ["=1+1.txt", "@SUM(A1).txt", "+cmd.txt", "-2+3.txt"]
    for name in names:
        shutil.copy(SAMPLE, folder / name)
    out = tmp_path / "out"
    result = run(folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(row[0] for row in csv_rows(out)[1:]) == sorted("'" + name for name in names)
    sheet = load_workbook(out / "overview.xlsx").active
    files = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(names))]
    assert sorted(c.value for c in files) == sorted(names)
    assert all(c.data_type == "s" and c.quotePrefix for c in files)


# ── inert outputs: links in the index ──────────────────────────────────────────────────────


def test_index_links_are_relative_and_url_encoded(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "javascript:alert(document.domain).txt")
    shutil.copy(SAMPLE, folder / "a#b?c.txt")
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "json,html")
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', index)
    # Every link (the summary and each output's) is relative and URL-encoded: no scheme, no #, no ?.
    assert sorted(set(hrefs)) == sorted(
        f"./{stem}.{suffix}" for stem in ("a%23b%3Fc", "javascript%3Aalert%28document.domain%29") for suffix in ("html", "json", "evidence.html")
    )
    assert all(re.fullmatch(r"\./[A-Za-z0-9%._~-]+", href) for href in hrefs)
    assert (out / "javascript:alert(document.domain).html").is_file()  # the link's target exists


# ── inert outputs: report text in Markdown ──────────────────────────────────────────────────

ATTACK = "<img src=x onerror=alert(1)><script>alert(2)</script>[x](javascript:alert(3))![i](javascript:alert(4))"


def _live_markup(markdown: str) -> list[str]:
    """What a CommonMark renderer would turn into live HTML: raw tags and javascript: links."""
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(markdown)
    return re.findall(r"<(?:script|img)\b|(?:href|src)=\"javascript:", html)


def test_report_markup_is_inert_in_markdown_and_docx():
    report = hand_report(
        f"单位{ATTACK}",
        problems=[TextItem(text=f"问题{ATTACK}", span=Span(start=0, end=5), evidence=f"问题{ATTACK}")],
        achievements=[TextItem(text=f"成效{ATTACK}", span=Span(start=0, end=5), evidence=f"成效{ATTACK}")],
    )
    markdown = render_markdown(report, Settings())
    assert "问题" in markdown and "成效" in markdown  # the items are shown ...
    assert _live_markup(markdown) == []  # ... as text
    assert "\\<script\\>" in markdown and "\\[x\\](javascript:" in markdown  # escaped, readable
    assert not re.search(r"(?<!\\)[<\[]", markdown.split("单位", 1)[1].split("2021年度")[0])
    html = render_summary_html(report, Settings())
    assert "<script>alert" not in html and "&lt;script&gt;" in html  # HTML stays escaped

    import docx

    rendered = render_formats(report, ["docx"], Settings())["docx"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rendered)).paragraphs)
    assert f"单位{ATTACK}" in text  # the filing copy shows the text as the report wrote it


def test_run_keeps_a_reports_html_inert_in_its_markdown(tmp_path):
    text = LECHANG.read_text(encoding="utf-8")
    stated = "绩效管理理念有待进一步增强"
    assert stated in text
    source = tmp_path / "report.txt"
    source.write_text(text.replace(stated, ATTACK + stated, 1), encoding="utf-8")
    out = tmp_path / "out"
    result = run(source, "--out", out, "--format", "md,html")
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert stated in markdown
    assert _live_markup(markdown) == []
    assert "<script>" not in (out / "report.html").read_text(encoding="utf-8")


# ── inert outputs: control characters ─────────────────────────────────────────────────────


def test_control_characters_do_not_sink_xlsx_or_docx():
    from openpyxl import load_workbook

    import docx

    report = hand_report("乐昌\x07市行政\x00服务中心\x1b")
    sheet = load_workbook(io.BytesIO(overview_xlsx([overview_row(report, "bell\x07.txt")]))).active
    assert (sheet.cell(row=2, column=1).value, sheet.cell(row=2, column=2).value) == ("bell.txt", "乐昌市行政服务中心")
    rendered = render_formats(report, ["md", "docx"], Settings())
    document = docx.Document(io.BytesIO(rendered["docx"]))
    assert any("乐昌市行政服务中心" in p.text for p in document.paragraphs)


def test_run_with_a_control_character_in_a_file_name_writes_every_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "bell\x07.txt")
    shutil.copy(SAMPLE, folder / "plain.txt")
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "json,md,html,docx")
    assert result.exit_code == 0, result.output
    assert {"index.html", "overview.csv", "overview.xlsx", "bell\x07.docx", "plain.docx"} <= {p.name for p in out.iterdir()}


# ── failures told truthfully: names ─────────────────────────────────────────────────────────


@pytest.mark.parametrize("stem", ["乐" * 80, "ab" + "乐" * 83], ids=["temporary name too long", "output name too long"])
def test_a_long_chinese_file_name_gets_all_its_outputs(tmp_path, stem):
    folder = tmp_path / "in"
    folder.mkdir()
    source = folder / f"{stem}.txt"
    assert len(os.fsencode(source.name)) <= 255
    shutil.copy(SAMPLE, source)
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "json,md,html,docx")
    assert result.exit_code == 0, result.output
    outputs = [p for p in out.iterdir() if p.suffix in (".json", ".md", ".html", ".docx") and p.name != "index.html"]
    assert all(len(os.fsencode(p.name)) <= 255 for p in outputs)  # the evidence view's name too
    outputs = [p for p in outputs if not p.name.endswith(".evidence.html")]
    assert len(outputs) == 4
    assert all(p.stem == outputs[0].stem and stem.startswith(p.stem) for p in outputs)
    assert [row[0] for row in csv_rows(out)[1:]] == [source.name]
    assert not list(out.glob(".*.part"))


def test_a_report_whose_outputs_cannot_be_written_is_a_failure_not_a_row(tmp_path, monkeypatch):
    import summarizer.outputs as outputs

    real = outputs.write_atomic

    def refuse_reports(target: Path, data: bytes) -> None:
        if target.suffix in (".json", ".md"):
            raise OSError(errno.ENAMETOOLONG, "File name too long")
        real(target, data)

    monkeypatch.setattr(outputs, "write_atomic", refuse_reports)
    monkeypatch.setattr("summarizer.overview.write_atomic", real)
    out = tmp_path / "out"
    result = run(SAMPLE, "--out", out, "--format", "json,md")
    assert result.exit_code == ExitCode.SOME_FAILED, result.output
    assert "ok: 0  failed: 1" in result.output
    assert "File name too long" in result.output
    assert csv_rows(out)[1:] == []  # no overview row for a report that has no outputs
    assert "File name too long" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("names", [("index",), ("index", "overview"), ("Index",)], ids="+".join)
def test_reports_named_like_the_batch_files_keep_their_summaries(tmp_path, names):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLE, folder / f"{name}.txt")
    shutil.copy(LECHANG, folder / "other.txt")
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "json,html")
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "审阅总览" in index  # the batch index, not a report's summary
    for name in names:  # each report's summary under its own name ("Index" too: macOS and
        summary = (out / f"{name}-2.html").read_text(encoding="utf-8")  # Windows ignore case)
        assert "审阅摘要" in summary and f"来源 {name}.txt" in summary
        assert f'href="./{name}-2.html"' in index
    assert not (out / "overview.html").exists()


# ── failures told truthfully: folders ───────────────────────────────────────────────────────


def test_special_entries_in_a_folder_are_listed_as_failures(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "locked").mkdir()
    shutil.copy(SAMPLE, folder / "good.txt")
    shutil.copy(SAMPLE, folder / "locked" / "hidden.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "dangling.md").symlink_to("missing.md")
    (folder / "sub" / "up").symlink_to("..")
    (folder / "notes.png").write_bytes(b"not a report, not a failure")

    real_scandir = os.scandir
    locked = str(folder / "locked")

    def scandir(path="."):  # root reads every folder, so an unreadable one is simulated
        if os.fspath(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    result = run(folder, "--out", out)
    assert result.exit_code == ExitCode.SOME_FAILED, result.output
    failures = result.output.split("failures:")[1]
    assert re.search(r"pipe\.txt: is a FIFO", failures)
    assert re.search(r"loop\.txt: symlink loop", failures)
    assert re.search(r"dangling\.md: broken symlink", failures)
    assert re.search(r"up: symlink loop", failures)
    assert re.search(r"locked: cannot read folder \(Permission denied\)", failures)
    assert "notes.png" not in result.output
    assert [row[0] for row in csv_rows(out)[1:]] == ["good.txt"]


def test_a_fifo_named_on_the_command_line_fails_without_blocking(tmp_path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    result = run(pipe, SAMPLE, "--out", tmp_path / "out")
    assert result.exit_code == ExitCode.SOME_FAILED
    assert "pipe.txt: is a FIFO" in result.output


# ── failures told truthfully: the overview and the exit code ─────────────────────────────────


def test_an_unwritable_overview_still_lists_the_failed_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    (out / "overview.csv").mkdir(parents=True)  # the overview cannot replace a folder
    (out / "overview.csv" / "keep").write_text("x", encoding="utf-8")
    result = run(folder, "--out", out)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "empty.txt: file is empty" in result.output.split("failures:")[1]
    assert "cannot write the batch overview" in result.output
    assert "Traceback" not in result.output


def test_an_out_folder_that_cannot_be_made_fails_every_file_and_says_so(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(SAMPLE, "--out", blocker / "out")
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "ok: 0  failed: 1" in result.output
    assert f"cannot write {SAMPLE.stem} outputs" in result.output
    assert "cannot write the batch overview" in result.output


# ── failures told truthfully: extract ──────────────────────────────────────────────────────


def test_extract_on_a_file_that_cannot_be_read_is_one_line_exit_3(tmp_path, monkeypatch):
    import pathlib

    locked = tmp_path / "locked" / "report.txt"
    locked.parent.mkdir()
    shutil.copy(SAMPLE, locked)
    real_stat = pathlib.Path.stat

    def stat(self, *args, **kwargs):  # a file inside a folder without search permission
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "stat", stat)
    result = runner.invoke(app, ["extract", str(locked)])
    assert result.exit_code == ExitCode.INPUT, result.output
    assert result.output.strip().count("\n") == 0 and "Permission denied" in result.output
    assert "Usage" not in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_extract_on_a_file_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(b"report\xff.txt")
    try:
        shutil.copy(SAMPLE, tmp_path / name)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses a non-UTF-8 name")
    result = runner.invoke(app, ["extract", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["path"].endswith("report\ufffd.txt")


# ── failures told truthfully: the LLM cache ────────────────────────────────────────────────


def _unusable_cache(kind: str, tmp_path: Path) -> Path:
    if kind == "a file":
        path = tmp_path / "cache-file"
        path.write_text("not a folder", encoding="utf-8")
        return path
    if kind == "under a file":
        (tmp_path / "blocker").write_text("x", encoding="utf-8")
        return tmp_path / "blocker" / "cache"
    folder = tmp_path / "corrupt"
    folder.mkdir()
    (folder / "llm-cache.sqlite").write_bytes(b"this is not a database\n" * 200)
    return folder


@pytest.mark.parametrize("kind", ["a file", "under a file", "a corrupt database"])
def test_an_unusable_llm_cache_warns_and_runs_uncached(tmp_path, monkeypatch, caplog, kind):
    from fake_openai import FakeOpenAI, Reply, extraction

    for name in list(os.environ):
        if name.startswith("SUMMARIZER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(_unusable_cache(kind, tmp_path)))
    caplog.set_level(logging.WARNING)
    reply = extraction(problems=[{"text": "部分项目资金支付进度滞后", "evidence": "部分项目资金支付进度滞后。"}])
    with FakeOpenAI(default=Reply(content=reply)) as server:
        flags = ["--backend", "llm", "--base-url", server.base_url, "--model", "m", "--no-fallback"]
        first = runner.invoke(app, ["extract", str(SAMPLE), *flags])
        sent = server.count
        second = runner.invoke(app, ["extract", str(SAMPLE), *flags])
    assert first.exit_code == 0, (first.output, first.exception)
    assert json.loads(first.stdout)["backend"] == "llm"
    assert "running without a cache" in caplog.text
    assert second.exit_code == 0 and server.count == 2 * sent  # uncached: asked again


# ── bounded output ──────────────────────────────────────────────────────────────────────────


def test_one_reports_output_is_bounded_however_many_checks_and_items():
    checks = [
        Check(rule="consistency.repeated_value", status=CheckStatus.FAIL, severity=Severity.MEDIUM, message=f"数值 {n} 万元前后不一致" * 3)
        for n in range(5000)
    ]
    problems = [TextItem(text=f"问题{n}" + "很长" * 2000, span=Span(start=0, end=3), evidence=f"问题{n}") for n in range(3000)]
    report = hand_report(checks=checks, problems=problems)
    markdown = render_markdown(report, Settings())
    assert len(markdown) < 400_000
    assert markdown.count("数值 ") <= 2 * LIST_LIMIT * 3
    assert "另有 4900 项" in markdown and "完整内容见 JSON 输出" in markdown
    html = render_summary_html(report, Settings())
    assert len(html) < 200_000 and "完整内容见 JSON 输出" in html


def test_the_json_keeps_the_most_severe_checks_within_the_bound():
    from summarizer.pipeline import MAX_CHECKS, bounded_checks

    def check(status: CheckStatus, n: int) -> Check:
        return Check(rule="consistency.repeated_value", status=status, severity=Severity.LOW, message=str(n))

    many = [check(CheckStatus.PASS, n) for n in range(MAX_CHECKS)] + [check(CheckStatus.FAIL, n) for n in range(10)]
    kept, warnings = bounded_checks(many)
    assert len(kept) == MAX_CHECKS
    assert sum(c.status is CheckStatus.FAIL for c in kept) == 10
    assert warnings and str(len(many)) in warnings[0]
    assert bounded_checks(many[:5]) == (many[:5], [])
