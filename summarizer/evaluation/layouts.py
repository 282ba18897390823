"""Layout variations of a report that keep its content: the same gold must still hold.

Reports the tool has not seen arrive in layouts the development corpus may not show. The most
common is a PDF's text layer copied out as plain text: every paragraph cut into lines of one
width, wherever the page broke it (between a label and its number, between 万 and 元). `hard_wrap`
makes that layout from any report, so the corpus can be scored in it (tests/test_regression.py,
and `python -m summarizer.evaluation.layouts FOLDER OUT_DIR [WIDTH]` to write such a copy of a folder).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..normalise import text_width

_UNBREAKABLE = re.compile(r"[0-9A-Za-z.%]")


def hard_wrap(text: str, width: float) -> str:
    """Every line of prose (no tab, no |) longer than `width` cut into lines of at most that
    width, as a page sets it: anywhere between characters, except inside a run of digits or
    Latin letters, which moves to the next line whole (or overflows a line it fills alone)."""
    out: list[str] = []
    for line in text.split("\n"):
        if "\t" in line or "|" in line or text_width(line) <= width:
            out.append(line)
            continue
        current, used = "", 0.0
        for index, char in enumerate(line):
            current += char
            used += text_width(char)
            following = line[index + 1 : index + 2]
            if following and used + text_width(following) > width and not (_UNBREAKABLE.match(char) and _UNBREAKABLE.match(following)):
                out.append(current)
                current, used = "", 0.0
        if current:
            out.append(current)
    return "\n".join(out)


def wrap_folder(source: Path, target: Path, width: float) -> int:
    """Hard-wrapped copies of a folder's .txt and .md reports; returns how many were written."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.iterdir()):
        if path.suffix.lower() in (".txt", ".md") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            (target / path.name).write_text(hard_wrap(text, width), encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":  # pragma: no cover - a helper for eval runs
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    print(wrap_folder(folder, out, float(sys.argv[3]) if len(sys.argv) > 3 else 38.0), "reports written to", out)
