"""Speed benchmark: `summarizer run` over a folder of a few hundred report files.

A script, not a test (timings on a shared machine are too noisy to assert). It writes N
report files made from samples/ with small variations (another county's name, one amount
changed) so every file has its own bytes, runs

    summarizer run DIR --out OUT --format json

in a child process, and prints reports per second (wall clock, including the child's start
and imports) and the child's peak memory (ru_maxrss). Target on the 2-core reference machine:
at least 50 reports/s and under 300 MB.

    python eval/bench_run.py                 # 300 files
    python eval/bench_run.py -n 600 --format json,md
    python eval/bench_run.py --profile       # in-process cProfile of the same batch instead

Exit status is 0 when the run succeeded and met both targets, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TARGET_RATE = 50.0  # reports per second
TARGET_MB = 300.0

# Place names in the samples, and the names that replace them in the copies.
PLACES = ("乐昌市", "湘阴县", "雨花区")
OTHER_PLACES = ("南雄市", "仁化县", "始兴县", "翁源县", "新丰县", "乳源县", "浏阳市", "宁乡市", "望城区", "岳麓区", "汨罗市", "平江县")
AMOUNT = re.compile(r"\d+\.\d{2}(?=\s*万元)")


def vary(text: str, index: int) -> str:
    """Another unit's report: rename the county and change the first 万元 amount."""
    place = OTHER_PLACES[index % len(OTHER_PLACES)]
    for old in PLACES:
        text = text.replace(old, place)
    match = AMOUNT.search(text)
    if match:
        changed = f"{float(match.group(0)) + (index + 1) / 100:.2f}"
        text = text[: match.start()] + changed + text[match.end() :]
    return text


def make_corpus(folder: Path, count: int) -> int:
    """Write `count` report files into `folder`; return their total size in bytes."""
    samples = sorted(SAMPLES.glob("*.txt"))
    if not samples:
        raise SystemExit(f"no samples in {SAMPLES}")
    texts = [(path.stem, path.read_text(encoding="utf-8")) for path in samples]
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index in range(count):
        stem, text = texts[index % len(texts)]
        data = vary(text, index).encode("utf-8")
        (folder / f"{index:04d}_{stem}.txt").write_bytes(data)
        total += len(data)
    return total


def run_child(folder: Path, out: Path, formats: str) -> tuple[float, float, float, subprocess.CompletedProcess[str]]:
    """Run the CLI in a child process; return (wall seconds, CPU seconds, peak RSS in MB, process)."""
    command = [sys.executable, "-c", "from summarizer.cli import main; main()", "run", str(folder), "--out", str(out), "--format", formats]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    # The only child this process has waited for; Linux reports ru_maxrss in KiB.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, completed


def profile(folder: Path, out: Path, formats: str, top: int) -> None:
    """The same work as `summarizer run`, file by file in this thread (cProfile does not see
    into run_batch's worker thread)."""
    import cProfile
    import pstats

    from summarizer.backends import get_backend
    from summarizer.config import resolve_settings
    from summarizer.errors import SummarizerError
    from summarizer.outputs import OutputNames, write_outputs
    from summarizer.pipeline import collect_files, extract_report

    settings = resolve_settings(flags={"formats": formats})
    files, _ = collect_files([folder])
    backend, names, failed = get_backend(settings), OutputNames(), 0
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for path in files:
        try:
            write_outputs(extract_report(path, settings, backend), settings, out, names.stem_for(path))
        except SummarizerError:
            failed += 1
    profiler.disable()
    seconds = time.perf_counter() - started
    print(f"in-process: {len(files)} reports ({failed} failed) in {seconds:.2f} s = {len(files) / seconds:.1f} reports/s (profiled, slower than real)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=300, help="number of report files (default 300)")
    parser.add_argument("--format", default="json", help="output formats for `summarizer run` (default json)")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and outputs here (default: a temp folder, removed)")
    parser.add_argument("--profile", action="store_true", help="profile in-process with cProfile instead of timing the CLI")
    parser.add_argument("--top", type=int, default=25, help="rows of profile output")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="summarizer-bench-"))
    corpus, out = workdir / "reports", workdir / "out"
    try:
        size = make_corpus(corpus, args.count)
        print(f"corpus: {args.count} files, {size / 1024 / 1024:.1f} MB, in {corpus}")
        if args.profile:
            profile(corpus, out, args.format, args.top)
            return 0
        load = os.getloadavg()[0]
        seconds, cpu_seconds, peak_mb, completed = run_child(corpus, out, args.format)
        written = len(list(out.glob("*.json"))) if out.exists() else 0
        rate = args.count / seconds
        print(f"summarizer run: exit {completed.returncode}, {written} JSON outputs")
        print(f"time:   {seconds:.2f} s  ->  {rate:.1f} reports/s  (target >= {TARGET_RATE:.0f})")
        # CPU time is what the run costs when the machine is not shared; compare it with the
        # wall clock when the load average says other work was competing for the cores.
        print(f"cpu:    {cpu_seconds:.2f} s  ->  {args.count / cpu_seconds:.1f} reports per CPU-second  (load average before: {load:.2f})")
        print(f"memory: {peak_mb:.0f} MB peak RSS of the child  (target < {TARGET_MB:.0f})")
        if completed.returncode != 0:
            print(completed.stdout[-2000:], completed.stderr[-2000:], sep="\n", file=sys.stderr)
        ok = completed.returncode == 0 and rate >= TARGET_RATE and peak_mb < TARGET_MB
        print("result: " + ("meets both targets" if ok else "MISSES a target or failed"))
        return 0 if ok else 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
