"""Benchmark the LLM backend's batch concurrency against a local fake endpoint (no network).

    python eval/bench_llm.py [--reports 64] [--delay 0.2] [--concurrency 8] [--repeat 3]

Writes REPORTS report files (the samples, each copy made distinct), starts tests/fake_openai.py
on 127.0.0.1 answering every request after a fixed DELAY (a model's latency, nothing else), and
runs `summarizer run --backend llm --no-cache` over the folder at concurrency 1 and at
CONCURRENCY, REPEAT times each (the fastest run counts: other work on the machine only ever
slows a run down). Prints the wall times, the speed-up, and requests and tokens per report.
The fake model's answer quotes a money figure from the chunk it was sent, so grounding and
verification run as they would against a real endpoint.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Reply, extraction  # noqa: E402

from summarizer.config import resolve_settings  # noqa: E402
from summarizer.llm.usage import total_usage  # noqa: E402
from summarizer.pipeline import run_batch  # noqa: E402

_MONEY = re.compile(r"([\u4e00-\u9fff]{2,12})(\d+(?:\.\d+)?)万元")


def answer(body: dict) -> Reply:
    """Quote the first money figure of the chunk, as a model would."""
    user = body["messages"][1]["content"]
    data = user.split("<report-", 1)[-1]
    match = _MONEY.search(data)
    figures = []
    if match:
        figures.append(
            {"key": "other_amount", "label": match.group(1), "value": match.group(2), "unit": "万元", "evidence": match.group(0)}
        )
    # No usage block: the client counts tokens itself (tiktoken, or the documented estimate offline).
    return Reply(content=extraction(figures=figures), usage=False)


def make_reports(folder: Path, count: int) -> list[Path]:
    samples = sorted((ROOT / "samples").glob("*.txt"))
    paths = []
    for index in range(count):
        source = samples[index % len(samples)]
        text = source.read_text(encoding="utf-8")
        path = folder / f"{index:03d}_{source.name}"
        # A distinct first line keeps every report (and request) different.
        path.write_text(f"报告编号 {index:03d}\n" + text, encoding="utf-8")
        paths.append(path)
    return paths


def run_once(folder: Path, out: Path, base_url: str, concurrency: int):
    settings = resolve_settings(
        flags={
            "backend": "llm",
            "base_url": base_url,
            "model": "bench-model",
            "cache": False,
            "concurrency": concurrency,
            "retries": 1,
            "timeout": 30,
        },
        environ={},
    )
    started = time.perf_counter()
    result = run_batch([folder], settings, out)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # A multiple of the concurrency: with 50 reports at 8 the 50th starts a seventh round of
    # requests, which caps any client at about 7.1x however little time it spends itself.
    parser.add_argument("--reports", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs per concurrency; the fastest counts")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-DUMMY")

    work = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    try:
        folder = work / "reports"
        folder.mkdir()
        make_reports(folder, args.reports)
        timings = {}
        with FakeOpenAI(default=lambda body: _delayed(answer(body), args.delay)) as server:
            for concurrency in (1, args.concurrency):
                runs = []
                for _ in range(args.repeat):
                    before = server.count
                    seconds, result = run_once(folder, work / f"out-{concurrency}", server.base_url, concurrency)
                    runs.append(seconds)
                sent = server.count - before
                usage = total_usage(result.reports)
                timings[concurrency] = seconds = min(runs)  # the least disturbed run of a busy machine
                reports = len(result.reports)
                print(
                    f"concurrency {concurrency:>2}: {seconds:6.2f} s for {reports} reports "
                    f"(best of {args.repeat}: {', '.join(f'{run:.2f}' for run in runs)}; {len(result.failures)} failed), "
                    f"{sent} requests, max in flight {server.max_in_flight}"
                )
                server.max_in_flight = 0
        per_report_requests = usage.requests / max(1, reports)
        print(f"requests per report: {per_report_requests:.2f}")
        how = "estimated, calibrated on cl100k_base" if usage.estimated else "tiktoken"
        print(
            f"tokens per report: {usage.input_tokens / max(1, reports):.0f} in, "
            f"{usage.output_tokens / max(1, reports):.0f} out ({how})"
        )
        print(f"speed-up of concurrency {args.concurrency} over 1: {timings[1] / timings[args.concurrency]:.2f}x "
              f"(reply delay {args.delay * 1000:.0f} ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _delayed(reply: Reply, delay: float) -> Reply:
    reply.delay = delay
    return reply


if __name__ == "__main__":
    main()
