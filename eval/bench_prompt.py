"""Measure what the LLM backend sends per report against a local fake endpoint (no network).

    python eval/bench_prompt.py [PATH ...] [--mode json] [--json]

For every report (default: samples/*.txt and ../shared/corpus/*.txt, when that folder exists)
it runs the real `--backend llm` extraction against tests/fake_openai.py, which records each
request and answers with an empty extraction. It prints, per report and in total: requests,
characters sent (message contents plus any tool definition, as the endpoint receives them) and
tokens sent, each against the report's own length. Tokens are counted with tiktoken when the
encoding loads (exact) and with the documented estimate otherwise; the output says which.
A script, not a test: it only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Reply  # noqa: E402

from summarizer.backends.llm import LLMBackend  # noqa: E402
from summarizer.config import resolve_settings  # noqa: E402
from summarizer.ingest import read_document  # noqa: E402
from summarizer.llm.tokens import TokenCounter  # noqa: E402
from summarizer.structure import analyse  # noqa: E402


FULL_LENGTH = 3000  # characters; the shared corpus holds excerpts of a few hundred


def default_paths() -> list[Path]:
    paths = sorted((ROOT / "samples").glob("*.txt"))
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus")
    return paths + sorted(corpus.glob("*.txt"))


def sent_text(body: dict) -> str:
    """Everything in a request the model reads: message contents and tool definitions."""
    parts = [str(message.get("content") or "") for message in body.get("messages", [])]
    if body.get("tools"):
        parts.append(json.dumps(body["tools"], ensure_ascii=False))
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--mode", default="json", choices=["tools", "json", "md_json"])
    parser.add_argument("--json", action="store_true", help="print the totals as one JSON object too")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-DUMMY")
    paths = args.paths or default_paths()

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-prompt-") as work, FakeOpenAI(default=Reply(content="{}", usage=False)) as server:
        settings = resolve_settings(
            flags={"backend": "llm", "base_url": server.base_url, "model": "bench-model", "cache": False,
                   "mode": args.mode, "cache_dir": Path(work)},
            environ={key: value for key, value in os.environ.items() if key.startswith("SUMMARIZER_")},
        )
        backend = LLMBackend(settings)
        counter = TokenCounter(settings.encoding)
        for path in paths:
            document = read_document(path, settings)
            layout = analyse(document)
            before = server.count
            backend.extract(document, layout)
            sent = [sent_text(body) for body in server.requests[before:]]
            rows.append({
                "report": path.name,
                "report_chars": len(document.text),
                "report_tokens": counter.count(document.text),
                "requests": len(sent),
                "sent_chars": sum(len(text) for text in sent),
                "sent_tokens": sum(counter.count(text) for text in sent),
            })

    how = "estimated (1 per CJK character, ~4 characters per token otherwise)" if counter.estimated else f"tiktoken {settings.encoding}"
    print(f"{'report':58} {'chars':>6} {'req':>3} {'sent':>7} {'x':>5} {'tokens':>7} {'x':>5}")
    for row in rows:
        print(f"{row['report'][:58]:58} {row['report_chars']:>6} {row['requests']:>3} {row['sent_chars']:>7} "
              f"{row['sent_chars'] / row['report_chars']:>5.2f} {row['sent_tokens']:>7} "
              f"{row['sent_tokens'] / max(1, row['report_tokens']):>5.2f}")
    total = {key: sum(row[key] for row in rows) for key in ("report_chars", "report_tokens", "requests", "sent_chars", "sent_tokens")}
    n = len(rows)
    summary = {
        "reports": n,
        "mode": args.mode,
        "tokens": how,
        "requests_per_report": round(total["requests"] / n, 2),
        "max_requests": max(row["requests"] for row in rows),
        "chars_sent_per_report": round(total["sent_chars"] / n),
        "tokens_sent_per_report": round(total["sent_tokens"] / n),
        "chars_ratio": round(total["sent_chars"] / total["report_chars"], 2),
        "tokens_ratio": round(total["sent_tokens"] / max(1, total["report_tokens"]), 2),
        "median_chars_ratio": round(sorted(row["sent_chars"] / row["report_chars"] for row in rows)[n // 2], 2),
    }
    print(f"\n{n} reports ({total['report_chars']} characters), mode {args.mode}; tokens {how}")
    for name, group in (("full-length", [r for r in rows if r["report_chars"] >= FULL_LENGTH]),
                        ("short", [r for r in rows if r["report_chars"] < FULL_LENGTH])):
        if group:
            chars = sum(r["sent_chars"] for r in group) / sum(r["report_chars"] for r in group)
            tokens = sum(r["sent_tokens"] for r in group) / max(1, sum(r["report_tokens"] for r in group))
            requests = sum(r["requests"] for r in group) / len(group)
            print(f"  {name} reports ({len(group)}, {'>=' if name == 'full-length' else '<'} {FULL_LENGTH} characters): "
                  f"{requests:.2f} requests each, sent {chars:.2f}x their characters, {tokens:.2f}x their tokens")
    print(f"requests per report {summary['requests_per_report']} (max {summary['max_requests']}); "
          f"sent per report {summary['chars_sent_per_report']} characters, {summary['tokens_sent_per_report']} tokens")
    print(f"sent / report: {summary['chars_ratio']}x characters (median report {summary['median_chars_ratio']}x), "
          f"{summary['tokens_ratio']}x tokens")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
