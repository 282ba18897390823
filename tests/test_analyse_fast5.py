"""The fifth round of analyse fast paths agree with the plain rules they replace: the markdown and
bullet prefixes cut with str methods, _CellsFollow reading forward, and the scan's lines."""

from __future__ import annotations

import random
import re
from pathlib import Path

from summarizer import structure
from summarizer.structure import Line, split_lines

_SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


def _prefix_cut(text: str) -> tuple[str, str]:
    """The plain rule: ^(#{1,6})\\s* then ^[-*+]\\s+ (with the rest stripped), by regex."""
    markdown = re.match(r"^(#{1,6})\s*", text) if text.startswith("#") else None
    if markdown:
        text = text[markdown.end():]
    if bullet := re.match(r"^[-*+]\s+", text):
        text = text[bullet.end():].strip()
    return (markdown.group(1) if markdown else ""), text


def _random_lines(rng: random.Random, count: int) -> list[str]:
    prefixes = ["", "#", "##", "######", "#######", "# ", "#\u3000", "- ", "-", "* ", "+\t", "#- ", "## - ", "-- "]
    markers = ["", "一、", "（一）", "(二)", "1、", "1.", "1.5", "12．", "（3）", "①", "123、"]
    tails = ["", " ", "项目概况", "项目概况。道里区", "存在问题", "1、资金支付滞后。", "预算执行率（%）", "科学合理编制预算，严格执行预算。"]
    return [
        rng.choice(["", " ", "\t"]) + rng.choice(prefixes) + rng.choice(prefixes) + rng.choice(markers) + rng.choice(tails)
        for _ in range(count)
    ]


def test_heading_prefixes_cut_as_the_regexes_do():
    rng = random.Random(5)
    lines = _random_lines(rng, 3000) + [line for path in _SAMPLES for line in path.read_text(encoding="utf-8").split("\n")]
    for raw in lines:
        text = raw.strip()
        if not text or "\t" in raw:
            continue
        markdown, rest = _prefix_cut(text)
        heading = structure._heading_of(Line(raw, 0, len(raw)), text)
        match = structure._ANY_MARKER.match(rest)
        if match:
            if heading is not None and heading.level < structure.LABEL_LEVEL:
                assert heading.marker == match.group(0)
        elif markdown and rest.strip() and len(rest.strip()) <= 60:
            assert heading is not None and (heading.title, heading.marker, heading.level) == (rest.strip(), markdown, len(markdown) + 1)


def _plain_cells_follow(codes: list[int], index: int, window: int = 8) -> bool:
    """The plain rule: a cell line follows `index` with at most `window` non-blank lines between."""
    between = 0
    for at in range(index + 1, len(codes)):
        if codes[at] & structure._CELL_LINE:
            return between <= window
        between += bool(codes[at] & structure._FILLED)
    return False


def test_cells_follow_reads_forward_as_the_plain_rule():
    rng = random.Random(6)
    kinds = ["", "\t", "\tcell", "text", "a\tb", "  "]
    for _ in range(300):
        lines = split_lines("\n".join(rng.choice(kinds) for _ in range(rng.randrange(1, 40))))
        codes = [structure._line_code(line.text) for line in lines]
        follows = structure._CellsFollow(codes)
        assert [follows(index) for index in range(len(codes))] == [_plain_cells_follow(codes, index) for index in range(len(codes))]


def test_scan_lines_skip_empty_lines_but_keep_their_codes_and_blocks():
    rng = random.Random(7)
    kinds = ["", "", "\t", "\tcell", "text。", "text", "a\tb", "  ", "一、概况", "\t存在问题"]
    for _ in range(200):
        text = "\n".join(rng.choice(kinds) for _ in range(rng.randrange(0, 30)))
        lines, _, codes, openers, block_starts, block_tables, _ = structure._scan_lines(text)
        assert lines == split_lines(text)
        assert codes == [structure._line_code(line.text) for line in lines]
        assert openers == [index for index, code in enumerate(codes) if code & (structure._CELL_LINE | structure._TSV_LINE)]
        assert (block_starts, block_tables) == structure.blocks(text)
