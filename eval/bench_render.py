"""Render benchmark: milliseconds per report to write each output format, extraction excluded.

A script, not a test (timings on a shared machine are too noisy to assert). It writes N report
files made from samples/ (bench_run.make_corpus), extracts and drafts each once, and then, for
each format alone, times only outputs.write_outputs (render plus the atomic write) over all of
them, --repeat times, printing the median ms/report per format (wall clock and CPU). html includes its evidence view.

    python eval/bench_render.py                         # 100 reports, json,md,html,docx,all, 3 rounds
    python eval/bench_render.py -n 300 --format docx --repeat 5
    python eval/bench_render.py --profile docx          # cProfile of one round of that format
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_run

from summarizer import draft, outputs, pipeline
from summarizer.backends import get_backend
from summarizer.config import Settings

ALL = ["json", "md", "html", "docx"]


def prepared(folder: Path, count: int) -> list[tuple[str, object, str, object]]:
    """(stem, report, source text, draft) of `count` bench reports."""
    bench_run.make_corpus(folder, count)
    settings = Settings(workers=1)
    backend = get_backend(settings)
    items = []
    for path in sorted(folder.glob("*.txt")):
        report, document = pipeline._extract(path, settings, backend)
        items.append((path.stem, report, document.original, draft.draft(report, settings)))
    return items


def write_all(items, fmt: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds to write `fmt` for every report ("all": every format in one call, as
    a run does). CPU time is the steadier figure on a loaded machine."""
    settings = Settings(formats=ALL if fmt == "all" else [fmt], workers=1)
    start, start_cpu = time.perf_counter(), time.process_time()
    for stem, report, text, drafted in items:
        outputs.write_outputs(report, settings, out, stem, source_text=text, drafted=drafted)
    return time.perf_counter() - start, time.process_time() - start_cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100, help="reports (default 100)")
    parser.add_argument("--format", default="json,md,html,docx,all", help="formats, comma-separated (all: the four together)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per format (median shown)")
    parser.add_argument("--profile", metavar="FORMAT", help="cProfile one round of FORMAT instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as temp:
        items = prepared(Path(temp) / "in", args.n)
        out = Path(temp) / "out"
        for fmt in args.format.split(","):  # warm-up: imports, templates and caches built once
            write_all(items[:3], fmt, out)
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            write_all(items, args.profile, out)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            return 0
        for fmt in args.format.split(","):
            rounds = [write_all(items, fmt, out) for _ in range(args.repeat)]
            wall = [seconds * 1000 / len(items) for seconds, _ in rounds]
            cpu = [seconds * 1000 / len(items) for _, seconds in rounds]
            shown = " ".join(f"{value:.2f}" for value in wall)
            print(
                f"{fmt:5} {statistics.median(wall):7.2f} ms/report wall, {statistics.median(cpu):6.2f} CPU"
                f"   (wall rounds: {shown})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
