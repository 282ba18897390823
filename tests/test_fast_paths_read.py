"""The fast paths of the read stage (ingest, normalise, document spans) give what the plain forms
they replace give, on random texts.

Each pass of normalise was rewritten to scan from a literal or a class (a pattern that starts
with a lookbehind is tried at every character) or to try a pattern only where it can match;
repeated clauses are found from str.replace/str.split instead of a back-reference scan, spaced
form lines from str.count per line instead of a regex, layout spaces dropped through re.split,
and the offset map is built only by the first pass that changes the text; the character before a
pinyin gloss or a line break is tested with comparisons instead of a compiled CJK class (each
costs ~0.7 ms at import). The plain forms are kept here as references and both run on the same
inputs.

Texts: random texts built from the characters and words the passes react to (seeded, so the same
every run), and random slices of the sample reports in samples/*.txt.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from summarizer import chars, ingest
from summarizer import normalise as n
from summarizer.document import Document
from summarizer.draft import _places

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


def _samples() -> list[str]:
    """The sample reports' text, in file-name order."""
    return [path.read_text(encoding="utf-8") for path in sorted(SAMPLES_DIR.glob("*.txt"))]


_LAYOUT_SPACE = re.compile(n.LAYOUT_SPACE)


def _layout_space_edits(text: str) -> list[tuple[int, int, str]]:
    """The edits that drop layout spaces, one per match of normalise.LAYOUT_SPACE."""
    return [(*match.span(), "") for match in _LAYOUT_SPACE.finditer(text)]


CJK = n.CJK
_D = n._DIGIT_LIKE


# ---- the passes scanned from a literal or a class ---------------------------------------------

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


def spaced_form_lines_searched(text: str) -> list:
    """Spaced form lines as first written: SPACED_WORDS searched through the whole text."""
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


SCAN_ALPHABET = [
    *"中文预算部门一二三十第、，,。；;（()）0129.%年 \t\n|ab",
    "  ", "\n\n", "万元", "<p>", "</P >", "<br/>", "<div>", "20 21", "19 98", "201 9",
    "875.6", "一、", "（一）", "(二)", "區(qū)", "預（yù）", "(ab", "ǜ)",
    "年初预算数", "全年执行数", "分值", "得分",
]

CELLS = ["年初预算数", "全年预算数", "全年执行数", "分值", "得分", "执行率", "指标值"]  # column names first
CELLS += ["项目名称", "中", "12", "，说明", "相关性(5", "分)"]

YEARS = ["1", "19", "20", "201", "202", "2", "0", "9", "3", " ", "  ", "年", ".", "中", "\n"]


def scan_texts(seed: int, count: int) -> list[str]:
    """Form rows, split years, slices of the samples and runs of SCAN_ALPHABET."""
    rng = random.Random(seed)
    samples = _samples()
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
        pieces = [rng.choice(SCAN_ALPHABET) for _ in range(rng.randrange(1, 80))]
        if rng.random() < 0.2:  # a long line
            pieces = [piece.replace("\n", "") for piece in pieces] * 4
        texts.append("".join(pieces))
    return texts


SCAN_TEXTS = scan_texts(15, 2000)


@pytest.mark.parametrize(
    ("fast", "plain"),
    [
        (_layout_space_edits, layout_spaces),
        (n._spaced_form_lines, spaced_form_lines_searched),
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
    for text in SCAN_TEXTS:
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


# ---- the str-method scans and the offset map made by the first pass that changes the text ------

# The plain forms: the scans as they were written before.
ADJACENT_REPEAT = re.compile(r"[，,。；;\n](?=([^，,。；;\n]{6,200}+)[，,。；;\n]\1(?:[，,。；;\n]|\Z))")
ADJACENT_REPEAT_AT_START = re.compile(r"([^，,。；;\n]{6,200}+)[，,。；;\n]\1(?:[，,。；;\n]|\Z)")
ELEVEN_SPACES = re.compile(r"\n(?:[^\n ]*+ ){11}")
ELEVEN_SPACES_FIRST = re.compile(r"(?:[^\n ]*+ ){11}")


def repeated_clauses(text: str) -> list:
    candidates = [pair.start() for pair in ADJACENT_REPEAT.finditer(text)]
    if ADJACENT_REPEAT_AT_START.match(text):
        candidates.insert(0, 0)
    edits, position = [], 0
    for at in candidates:
        if at < position or not (match := n._REPEATED_CLAUSE.match(text, at)):
            continue
        if (replacement := n._collapse_repeats(match)) != match.group(0):
            edits.append((match.start(), match.end(), replacement))
        position = match.end()
    return edits


def spaced_form_lines_per_line(text: str) -> list:
    """Spaced form lines as written in between: lines with eleven spaces found by regex, then tested."""
    starts = [line.start() + 1 for line in ELEVEN_SPACES.finditer(text)]
    if ELEVEN_SPACES_FIRST.match(text):
        starts.insert(0, 0)
    edits = []
    for start in starts:
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end]
        if n._SPACED_WORDS.search(text, start, end) and (cells := n._cells_to_tabs(line)) != line:
            edits.append((start, end, cells))
    return edits


def copied_apply(text: str, offsets: list, edits: list) -> tuple:
    """_apply as it was for every edit list: the map copied around the edits, never changed."""
    out, out_offsets, last = [], [], 0
    for start, end, replacement in edits:
        out.append(text[last:start])
        out_offsets.extend(offsets[last:start])
        out.append(replacement)
        if not replacement:
            pass
        elif len(replacement) == end - start:
            out_offsets.extend(offsets[start:end])
        elif start == end:
            out_offsets.extend([offsets[start]] * len(replacement))
        else:
            out_offsets.extend(n._align_replacement(text[start:end], replacement, offsets[start:end]))
        last = end
    out.append(text[last:])
    out_offsets.extend(offsets[last:])
    return "".join(out), out_offsets


def identity_filled(text: str, result: tuple) -> tuple:
    """A pass's result with the identity map (None, when the text is unchanged) written out."""
    return result if result[1] is not None else (text, list(range(len(text) + 1)))


CLAUSE = "明确对免证办事项材料"
FORM = "年初预算数 全年预算数 全年执行数 分值 得分 执行率 项目名称 资金来源 年度目标 实际完成 偏差原因 改进措施 备注"
CLAUSE_ALPHABET = [
    *"中文预算部门一二，,。；;（()）0129.% \t\n|ab", "<p>", " </p> ", "<br/>", CLAUSE, CLAUSE[:6], "  ", "\n\n", "，，", FORM, " 万元",
]


def clause_texts(seed: int, count: int) -> list[str]:
    """Slices of the samples and runs of CLAUSE_ALPHABET with runs of copies of one clause."""
    rng = random.Random(seed)
    samples = _samples()
    texts = []
    for _ in range(count):
        if rng.random() < 0.3:
            sample = rng.choice(samples)
            start = rng.randrange(len(sample))
            texts.append(sample[start : start + rng.randint(1, 1500)])
            continue
        parts = []
        for _ in range(rng.randint(1, 40)):
            if rng.random() < 0.2:  # a run of copies of one clause
                clause = rng.choice([CLAUSE, CLAUSE[:6], CLAUSE[:5], CLAUSE * 25, "x" * 201])
                parts.append(rng.choice("，,。；;\n").join([clause] * rng.randint(1, 4)))
            else:
                parts.append(rng.choice(CLAUSE_ALPHABET))
        texts.append("".join(parts))
    return texts


@pytest.mark.parametrize("seed", range(3))
def test_scans_match_their_plain_forms(seed: int) -> None:
    for text in clause_texts(seed, 300):
        assert n._repeated_clauses(text) == repeated_clauses(text), text
        assert n._spaced_form_lines(text) == spaced_form_lines_per_line(text), text
        offsets = list(range(len(text) + 1))
        dropped = copied_apply(text, offsets, _layout_space_edits(text))
        assert n._drop_layout_spaces(text, offsets) == dropped
        assert identity_filled(text, n._drop_layout_spaces(text, None)) == dropped
        edits = _layout_space_edits(text) + [(len(text), len(text), "\n")]
        assert n._apply(text, None, edits) == copied_apply(text, offsets, edits)
        # A few edits change the map in place: the same as a copy, for a map that is not the identity.
        shifted = [2 * offset for offset in offsets]
        for few in (edits[:1], edits[-3:], edits[: n._FEW_EDITS], n._html_breaks(text), repeated_clauses(text)):
            assert n._apply(text, shifted.copy(), few) == copied_apply(text, shifted, few)


def test_the_random_texts_reach_the_passes() -> None:
    texts = clause_texts(0, 300)
    assert sum(bool(repeated_clauses(text)) for text in texts) > 20
    assert sum(bool(spaced_form_lines_per_line(text)) for text in texts) > 5
    assert sum(bool(_layout_space_edits(text)) for text in texts) > 50


def test_an_unchanged_text_gets_the_identity_map() -> None:
    assert n.normalise("预算执行率100%") == ("预算执行率100%", list(range(10)))


def test_traditional_text_is_simplified_as_to_simplified_would() -> None:
    # Cues counted in the first scan, beside the full-width characters; entities can add cues later.
    cues = "與們會預經費資這"
    assert n.normalise(cues + "１２％")[0] == n.to_simplified(cues) + "12%"
    assert n.normalise(cues[:7] + "１２％")[0] == cues[:7] + "12%"
    assert n.normalise(cues[:4] + "&#26371;" * 4)[0] == n.to_simplified(cues[:4] + "會" * 4)
    assert n.normalise("區(qū)" + cues[:7])[0] == n.to_simplified("區" + cues[:7])


# ---- comparisons instead of compiled CJK classes, identity maps, the draft's literal scan ------

# The plain forms: the look back done by the pattern.
PINYIN_GLOSSES = (
    re.compile(rf"（(?<=[{CJK}]（){n._PINYIN}"),
    re.compile(rf"\((?<=[{CJK}]\(){n._PINYIN}"),
)
CJK_CHAR = re.compile(rf"[{CJK}]")
DIGIT = re.compile(r"\d")

# Characters the passes react to, with CJK and non-CJK neighbours of each range's ends.
EDGE_ALPHABET = [
    "中", "文", "\u3400", "\u9fff", "\uf900", "\ufaff", "\u33ff", "\ua000", "\uf8ff", "\ufb00", "ａ", "a", "ū", "ǚ",
    "（", "(", "）", ")", " ", "\n", "\n\n", "1", "٣", "²", "①", "875.6", "万元", "元", "%", "|", "\t", ".",
]


def edge_texts(seed: int, count: int) -> list[str]:
    """Short runs of EDGE_ALPHABET."""
    rng = random.Random(seed)
    return ["".join(rng.choice(EDGE_ALPHABET) for _ in range(rng.randrange(1, 40))) for _ in range(count)]


EDGE_TEXTS = edge_texts(5, 3000)


def test_is_cjk_is_the_class() -> None:
    for code in [*range(0x3300, 0xA100), *range(0xF800, 0xFC00), 0, 0x10000, 0x20000]:
        char = chr(code)
        assert chars.is_cjk(char) == bool(CJK_CHAR.match(char)), hex(code)


def test_pinyin_glosses_as_looked_back_at() -> None:
    for text in EDGE_TEXTS:
        plain = sorted((*gloss.span(), "") for pattern in PINYIN_GLOSSES for gloss in pattern.finditer(text))
        assert n._pinyin_glosses(text) == plain, text


def test_line_breaks_as_looked_back_at() -> None:
    for text in EDGE_TEXTS:
        for pattern, before, plain in (
            (n._NUMBER_ON_NEXT_LINE, chars.is_cjk, CJK_CHAR),
            (n._UNIT_ON_NEXT_LINE, str.isdecimal, DIGIT),
        ):
            found = []
            for match in pattern.finditer(text):
                start = match.start()
                while start and text[start - 1] == " ":
                    start -= 1
                if start and plain.match(text, start - 1):
                    found.append((start, match.end()))
            assert n._line_breaks(text, pattern, before) == found, text


def test_identity_map_is_a_fresh_list_of_range() -> None:
    for size in (0, 1, 5, 3, 1000, 999, n._SHARED_MAX, n._SHARED_MAX + 1, 7):
        made = n.identity_map(size)
        assert made == list(range(size))
        made.append(-1)  # the caller's own list: the next map is not changed by it
        assert n.identity_map(size) == list(range(size))


def test_draft_places_are_the_literal_scan() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("1200.5%万 ") for _ in range(rng.randrange(0, 30)))
        written = "".join(rng.choice("120.%") for _ in range(rng.randrange(0, 4)))
        assert _places(written, text) == [m.start() for m in re.finditer(re.escape(written), text)], (written, text)
