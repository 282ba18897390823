"""Format agreement: each sample rendered as .docx, .xlsx, text PDF and scanned PDF, read back,
and compared with its .txt (meta fields, figures, indicators), with the time each read took.

A script, not a test: tests/test_formats.py asserts the thresholds (100% for docx, xlsx and
text PDF; at least 95% of figures for scans); this prints the numbers behind them.

    python eval/format_agreement.py              # docx, xlsx, pdf (needs Chromium), scan (needs the OCR extra)
    python eval/format_agreement.py --formats docx,pdf

Figures count as agreeing on (key, value, unit, period, year, item); "figures*" drops the
item label (OCR cannot tell a full-width bracket in a label from an ASCII one).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import renderings  # noqa: E402

from summarizer.config import resolve_settings  # noqa: E402
from summarizer.formats import ocr  # noqa: E402
from summarizer.pipeline import extract_report  # noqa: E402


def items(report) -> dict[str, Counter]:
    meta = report.meta.model_dump(mode="json", exclude={"evidence"})
    return {
        "meta": Counter((key, str(value)) for key, value in meta.items() if value is not None),
        "figures": Counter((f.key, f.value, f.unit, f.period, f.year, f.item) for f in report.figures),
        "figures*": Counter((f.key, f.value, f.unit, f.period, f.year) for f in report.figures),
        "indicators": Counter(
            (i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score) for i in report.indicators
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="docx,xlsx,pdf,scan")
    args = parser.parse_args()
    formats = args.formats.split(",")
    settings = resolve_settings(environ={})
    samples = sorted((ROOT / "samples").glob("*.txt"))
    totals: dict[str, Counter] = {}
    print(f"{'sample':10} {'format':5} {'meta':>7} {'figures':>9} {'figures*':>9} {'indicators':>10} {'read s':>7}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for sample in samples:
            name = sample.stem.split("_")[0]
            expected = items(extract_report(sample, settings))
            blocks = renderings.blocks_of(sample)
            made: dict[str, tuple[str, bytes]] = {}
            if "docx" in formats:
                made["docx"] = ("docx", renderings.to_docx(blocks))
            if "xlsx" in formats:
                made["xlsx"] = ("xlsx", renderings.to_xlsx(blocks))
            if {"pdf", "scan"} & set(formats) and renderings.CHROMIUM:
                pdf = renderings.print_pdf(renderings.to_html(blocks), work / name)
                if "pdf" in formats:
                    made["pdf"] = ("pdf", pdf)
                if "scan" in formats and ocr.available():
                    made["scan"] = ("pdf", renderings.scan(pdf))
            for kind, (suffix, data) in made.items():
                path = work / f"{name}-{kind}.{suffix}"
                path.write_bytes(data)
                started = time.perf_counter()
                got = items(extract_report(path, settings))
                seconds = time.perf_counter() - started
                cells = []
                for part in ("meta", "figures", "figures*", "indicators"):
                    found, total = sum((expected[part] & got[part]).values()), sum(expected[part].values())
                    totals.setdefault(kind, Counter()).update({f"{part} found": found, f"{part} total": total})
                    cells.append(f"{found}/{total}")
                print(f"{name:10} {kind:5} {cells[0]:>7} {cells[1]:>9} {cells[2]:>9} {cells[3]:>10} {seconds:7.2f}")
    print()
    for kind, counts in totals.items():
        shares = [
            f"{part} {100 * counts[f'{part} found'] / counts[f'{part} total']:.1f}%"
            for part in ("meta", "figures", "figures*", "indicators")
            if counts[f"{part} total"]
        ]
        print(f"{kind:5} " + ", ".join(shares))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
