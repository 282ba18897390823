"""The fast scans of normalise and ingest give what the plain forms they replace give.

Each pass of normalise was rewritten to scan from a literal or a class (a pattern that starts
with a lookbehind is tried at every character) or to try a pattern only where it can match.
The plain forms are kept here as references and both run on random texts built from the
characters the passes react to and on slices of the samples."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from summarizer import ingest
from summarizer import normalise as n
from summarizer.document import Document

_LAYOUT_SPACE = re.compile(n.LAYOUT_SPACE)


def _layout_space_edits(text: str) -> list[tuple[int, int, str]]:
    """The edits that drop layout spaces, one per match of normalise.LAYOUT_SPACE."""
    return [(*match.span(), "") for match in _LAYOUT_SPACE.finditer(text)]


CJK = n.CJK
_D = n._DIGIT_LIKE

# The plain forms: the patterns as they were written before they were made fast.
LAYOUT_SPACE = re.compile(rf"[{CJK}] +(?=[{CJK}\d{_D}])|[\d{_D}%] +(?=[{CJK}%])")
SPACED_WORDS = re.compile(r"\S(?: +\S++){11}")
INLINE_HEADING = re.compile(
    r"(?<=[^\n\d一二三四五六七八九十第、（(和与及至])"
    r"(?=[一二三四五六七八九十]{1,2}、[^\d一二三四五六七八九十、]|[（(][一二三四五六七八九十]{1,2}[）)][^\d，,、）)])"
)
LONG_LINES = re.compile(r"[^\n]{161,}")
SPLIT_YEAR = re.compile(r"(?<![\d.])(1|19|20|201|202)[ ]+(\d{1,3})(?=[ ]*年)")
NUMBER_ON_NEXT_LINE = re.compile(rf"(?<=[{CJK}])[ ]*\n[ \n]*(?=\d[\d.,]*[ ]*(?:万元|亿元|元|%)(?![ \t|]*(?:\n|$)))")
UNIT_ON_NEXT_LINE = re.compile(r"(?<=\d)[ ]*\n[ \n]*(?=(?:万元|亿元|元|%))")
HTML_BREAK = re.compile(r"[ \t]*(?:</?p\b[^<>]*>|<br\s*/?>|</?div\b[^<>]*>|</?tr\b[^<>]*>|</?li\b[^<>]*>)[ \t]*", re.I)
PINYIN_GLOSS = re.compile(rf"[（(](?<=[{CJK}][（(])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{{1,7}}[)）]")
CJK_GAP = re.compile(rf"(?<=[{CJK}）)]) +(?=[{CJK}（(≥≤])")


def layout_spaces(text: str) -> list:
    return [(m.start() + 1, m.end(), "") for m in LAYOUT_SPACE.finditer(text)]


def spaced_form_lines(text: str) -> list:
    edits, position = [], 0
    while match := SPACED_WORDS.search(text, position):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end == -1 else end
        line = text[start:end]
        if (cells := n._cells_to_tabs(line)) != line:
            edits.append((start, end, cells))
        position = end
    return edits


def inline_headings(text: str) -> list:
    return [
        (h.start(), h.start(), "\n")
        for line in LONG_LINES.finditer(text)
        for h in INLINE_HEADING.finditer(text, line.start(), line.end() + 1)
        if h.start() < line.end()
    ]


def edits_of(pattern: re.Pattern[str], replace, text: str) -> list:
    return [(m.start(), m.end(), r) for m in pattern.finditer(text) if (r := replace(m)) != m.group(0)]


def join_year(match: re.Match[str]) -> str:
    joined = match.group(1) + match.group(2)
    return joined if len(joined) == 4 else match.group(0)


def join_unit(match: re.Match[str]) -> str:
    line_start = match.string.rfind("\n", 0, match.start()) + 1
    return match.group(0) if re.fullmatch(r"[\s|]*[\d.,]+", match.string[line_start : match.start()]) else ""


ALPHABET = [
    *"中文预算部门一二三十第、，,。；;（()）0129.%年 \t\n|ab",
    "  ", "\n\n", "万元", "<p>", "</P >", "<br/>", "<div>", "20 21", "19 98", "201 9",
    "875.6", "一、", "（一）", "(二)", "區(qū)", "預（yù）", "(ab", "ǜ)",
    "年初预算数", "全年执行数", "分值", "得分",
]

CELLS = ["年初预算数", "全年预算数", "全年执行数", "分值", "得分", "执行率", "指标值"]  # column names first
CELLS += ["项目名称", "中", "12", "，说明", "相关性(5", "分)"]

YEARS = ["1", "19", "20", "201", "202", "2", "0", "9", "3", " ", "  ", "年", ".", "中", "\n"]


def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    samples_dir = Path(__file__).parent.parent / "samples"
    samples = [p.read_text(encoding="utf-8") for p in sorted(samples_dir.glob("*.txt"))]
    texts = []
    for _ in range(count):
        if rng.random() < 0.15:  # a form's row of cells separated by spaces, or something like it
            row = "".join(rng.choice(CELLS) + rng.choice([" "] * 6 + ["  ", "\t", ""]) for _ in range(rng.randrange(10, 24)))
            texts.append(rng.choice(["", "前言\n", "中文 "]) + row + rng.choice(["", "\n", "\n" + row]))
            continue
        if rng.random() < 0.1:  # a row of exactly about 12 column names
            row = " ".join(rng.choice(CELLS[:7]) for _ in range(rng.choice([11, 12, 13])))
            texts.append(rng.choice(["", "中\n", "x "]) + row + rng.choice(["", "\n", " 说明"]))
            continue
        if rng.random() < 0.1:  # a year split by spaces, or digits like one
            texts.append("".join(rng.choice(YEARS) for _ in range(rng.randrange(1, 14))))
            continue
        if rng.random() < 0.3:
            sample = rng.choice(samples)
            start = rng.randrange(len(sample))
            texts.append(sample[start : start + rng.randrange(1, 1500)])
            continue
        pieces = [rng.choice(ALPHABET) for _ in range(rng.randrange(1, 80))]
        if rng.random() < 0.2:  # a long line
            pieces = [piece.replace("\n", "") for piece in pieces] * 4
        texts.append("".join(pieces))
    return texts


TEXTS = random_texts(15, 2000)


@pytest.mark.parametrize(
    ("fast", "plain"),
    [
        (_layout_space_edits, layout_spaces),
        (n._spaced_form_lines, spaced_form_lines),
        (n._inline_headings, inline_headings),
        (n._number_joins, lambda t: edits_of(NUMBER_ON_NEXT_LINE, lambda m: "", t)),
        (n._unit_joins, lambda t: edits_of(UNIT_ON_NEXT_LINE, join_unit, t)),
        (n._html_breaks, lambda t: edits_of(HTML_BREAK, lambda m: "\n", t)),
        (n._pinyin_glosses, lambda t: edits_of(PINYIN_GLOSS, lambda m: "", t)),
        (n._repeated_clauses, lambda t: edits_of(n._REPEATED_CLAUSE, n._collapse_repeats, t)),
        (lambda t: edits_of(n._SPLIT_YEAR, n._join_year, t), lambda t: edits_of(SPLIT_YEAR, join_year, t)),
        (lambda t: len(n._CJK_GAP.findall(t)), lambda t: len(CJK_GAP.findall(t))),
        (lambda t: bool(n._DIGITS_SPACED.search(t)), lambda t: bool(re.search(r"\d[ ]+\d", t))),
    ],
)
def test_fast_scan_finds_what_the_plain_pattern_finds(fast, plain) -> None:
    for text in TEXTS:
        assert fast(text) == plain(text), text


def test_repeated_clauses_runs_and_glued_copies() -> None:
    rng = random.Random(3)
    for _ in range(1500):
        clause = "".join(rng.choice("ab中") for _ in range(rng.randrange(5, 9)))
        parts = [rng.choice([clause, clause, "x" + clause, clause + "y", "a"]) for _ in range(rng.randrange(1, 8))]
        text = "".join(part + rng.choice("，,。；;\n") for part in parts) + rng.choice(["", "\n", "。"])
        assert n._repeated_clauses(text) == edits_of(n._REPEATED_CLAUSE, n._collapse_repeats, text), text


def test_control_characters_counted_as_bytes_as_as_characters() -> None:
    rng = random.Random(5)
    for _ in range(300):
        size = rng.choice([50, 1000, 20000, 20001])
        chars = list("".join(rng.choices("中文ab\n", k=size)))
        for _ in range(max(0, size // 100 + rng.randrange(-3, 4))):
            chars[rng.randrange(size)] = rng.choice("\x01\x08\x0e\x19\x1b\x1f\x1a\x0b")
        text = "".join(chars)
        outcomes = []
        for utf8 in (None, text.encode()):
            try:
                outcomes.append(ingest._checked(text, "x", utf8) is text)
            except ingest.InputError:
                outcomes.append(False)
        assert outcomes[0] == outcomes[1]


def test_span_fast_path_matches_clamping() -> None:
    original = "一、 概况\r\n项目支出 875.6\n万元，执行率 98 %。" * 3
    text, offsets = n.normalise(original)
    document = Document(path="x", original=original, text=text, offsets=offsets)
    size = len(text)
    for start in range(-2, size + 3):
        for end in range(start - 2, min(start + 12, size + 3)):
            a, b = max(0, min(start, size)), max(max(0, min(start, size)), min(end, size))
            expected = (offsets[a], offsets[a]) if a == b else (offsets[a], offsets[b - 1] + 1)
            span = document.span(start, end)
            assert (span.start, span.end) == expected


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_file_larger_than_stat_says_is_read_on_to_the_limit(tmp_path) -> None:
    # A /proc file reports size 0 but has content: like a file that grew after stat().
    link = tmp_path / "grown.txt"
    link.symlink_to("/proc/self/cmdline")
    content = Path("/proc/self/cmdline").read_bytes()
    assert ingest._read_bytes(link, len(content)) == content
    with pytest.raises(ingest.InputError, match="over the"):
        ingest._read_bytes(link, len(content) - 1)
