"""Bad input through the real CLI (typer's CliRunner): every unreadable file is exit code 3 with
one line on stderr naming the file and no traceback; a batch goes on past bad files, lists
them at the end, exits 1 and leaves no partial output behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import ExitCode

# Click 8.2+ keeps stderr apart from stdout on the result (mix_stderr is gone).
runner = CliRunner()
WIDE = {"COLUMNS": "1000"}  # rich wraps the summary at 80 columns when not on a terminal

NOVEL = """第一章 渡口

河水从西边的山里流出来，绕过小镇，在渡口这里慢了下来。
老船夫姓周，撑了四十年的船，镇上的人都叫他周伯。
那年秋天，雨下了整整七天，河面涨到了石阶的第十二级。
周伯每天清早把船推下水，等对岸的孩子们过河去上学。
有一天傍晚，一个背着蓝布包袱的年轻人站在岸边，问他能不能连夜过河。
周伯看了看天色，说水太急，明早再走吧，就在我这草屋里歇一晚。
年轻人没有说话，只是点点头，坐在门槛上看着河水发呆。
第二天天还没亮，他已经走了，桌上留着一封信和两块银元。

第二章 灯火

镇子东头有一家小茶馆，掌柜的是个爱讲故事的胖子。
""".replace("\n", "\r\n")


def _assert_one_line_error(result, path: Path, words: str) -> None:
    assert result.exit_code == ExitCode.INPUT, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert words in lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_good_sample_extracts(sample_paths) -> None:
    # The control for every case below: the same command on a real report succeeds.
    result = runner.invoke(app, ["extract", str(sample_paths[0]), "--no-verify"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["source"]["path"] == str(sample_paths[0])
    assert document["figures"]


def test_extract_bad_file(bad_file) -> None:
    path, words = bad_file
    result = runner.invoke(app, ["extract", str(path)])
    _assert_one_line_error(result, path, words)


def test_extract_missing_path(tmp_path) -> None:
    path = tmp_path / "no-such-report.txt"
    _assert_one_line_error(runner.invoke(app, ["extract", str(path)]), path, "no such file")


def test_extract_folder_given_as_file(tmp_path) -> None:
    _assert_one_line_error(runner.invoke(app, ["extract", str(tmp_path)]), tmp_path, "is a folder")


def test_extract_twenty_megabytes_refused(tmp_path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(20 * 1024 * 1024)
    _assert_one_line_error(runner.invoke(app, ["extract", str(path)]), path, "20.0 MB, over the 5.0 MB limit")


def test_extract_text_without_report_structure(tmp_path) -> None:
    path = tmp_path / "novel.txt"
    path.write_bytes(NOVEL.encode("gb18030"))
    _assert_one_line_error(runner.invoke(app, ["extract", str(path)]), path, "no report structure")


def _batch_folder(tmp_path: Path, sample_paths: list[Path], bad_files) -> Path:
    folder = tmp_path / "bad"  # the bad_files fixture already lives here
    for sample in sample_paths:
        shutil.copy(sample, folder / sample.name)
    (folder / "novel.txt").write_text(NOVEL, encoding="utf-8")
    return folder


def test_run_batch_goes_on_past_bad_files(tmp_path, sample_paths, bad_files) -> None:
    folder = _batch_folder(tmp_path, sample_paths, bad_files)
    out = tmp_path / "out"
    extra_missing = tmp_path / "gone.txt"
    result = runner.invoke(app, ["run", str(folder), str(extra_missing), "--out", str(out), "--format", "json"], env=WIDE)
    assert result.exit_code == ExitCode.SOME_FAILED, result.output
    assert "Traceback" not in result.output

    written = sorted(path.name for path in out.glob("*.json"))
    assert written == sorted(f"{sample.stem}.json" for sample in sample_paths)
    assert not [path.name for path in out.iterdir() if path.name.startswith(".") or path.suffix == ".part"]
    for name in written:
        document = json.loads((out / name).read_text(encoding="utf-8"))
        assert document["source"]["sha256"]

    # Failures are listed after the summary table, one line each, naming the file.
    stdout = result.stdout
    tail = stdout[stdout.index("failures:") :]
    expected_failures = [path for path, _ in bad_files.values() if path.suffix in (".txt", ".md", ".docx", ".pdf", ".xlsx", ".xls")]
    expected_failures += [folder / "novel.txt", extra_missing]
    for path in expected_failures:
        assert f"{path}:" in tail, path
    # Unsupported files inside a folder are not reports: skipped, neither written nor failed.
    assert "report.rtf" not in stdout and "README" not in tail
    assert len([line for line in tail.splitlines()[1:] if line.strip()]) == len(expected_failures)


def test_run_leaves_no_partial_output(tmp_path, sample_paths, monkeypatch) -> None:
    """A write that fails midway is a listed failure and leaves neither a .part nor a target."""
    import summarizer.outputs as outputs

    real_replace = outputs.os.replace
    victim = f"{sample_paths[1].stem}.json"

    def flaky_replace(source, target):
        if Path(target).name == victim:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", flaky_replace)
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in sample_paths:
        shutil.copy(sample, folder / sample.name)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--format", "json"], env=WIDE)
    assert result.exit_code == ExitCode.SOME_FAILED, result.output
    tail = result.stdout[result.stdout.index("failures:") :]
    # (The line names the output folder, not yet the report whose write failed.)
    assert "No space left on device" in tail and len(tail.strip().splitlines()) == 2
    assert sorted(path.name for path in out.glob("*.json")) == sorted(
        f"{sample.stem}.json" for sample in sample_paths if sample != sample_paths[1]
    )
    assert not [path.name for path in out.iterdir() if path.name.startswith(".") or path.suffix == ".part"]


def test_a_text_over_max_chars_is_one_line_and_exit_3(tmp_path):
    """Every stage is bounded up to max_chars (measured on generated worst cases); longer texts are refused."""
    from typer.testing import CliRunner

    from summarizer.cli import app

    path = tmp_path / "huge.txt"
    path.write_text("某县某局2023年度部门整体支出绩效自评报告\n" + "支出1.5万元，" * 120_000, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "over the 500,000 limit" in lines[0] and "SUMMARIZER_MAX_CHARS" in lines[0]
