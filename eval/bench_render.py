"""Render benchmark: milliseconds per report to write each output format, extraction excluded.

A script, not a test (timings on a shared machine are too noisy to assert). It writes N report
files made from samples/ (bench_run.make_corpus), extracts and drafts each once, and then, for
each format alone, times only outputs.write_outputs (render plus the atomic write) over all of
them, --repeat times, printing the median ms/report per format. html includes its evidence view.

    python eval/bench_render.py                         # 100 reports, json,md,html,docx, 3 rounds
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

import bench_run  # noqa: E402

from summarizer import draft, outputs, pipeline  # noqa: E402
from summarizer.backends import get_backend  # noqa: E402
from summarizer.config import Settings  # noqa: E402


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


def write_all(items, fmt: str, out: Path) -> float:
    """Seconds to write `fmt` for every report."""
    settings = Settings(formats=[fmt], workers=1)
    start = time.perf_counter()
    for stem, report, text, drafted in items:
        outputs.write_outputs(report, settings, out, stem, source_text=text, drafted=drafted)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100, help="reports (default 100)")
    parser.add_argument("--format", default="json,md,html,docx", help="formats, comma-separated")
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
            rounds = [write_all(items, fmt, out) * 1000 / len(items) for _ in range(args.repeat)]
            shown = " ".join(f"{value:.2f}" for value in rounds)
            print(f"{fmt:5} {statistics.median(rounds):7.2f} ms/report   (rounds: {shown})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
