"""Normalise report text for analysis while keeping a map back to original offsets.

Pure functions, no I/O. Each pass rewrites matched stretches and carries, for every output
character, the index of the original character it came from, so spans found in the
normalised text can always be reported against the text as the reviewer has it.

Passes, in order (each explained where it is defined):
full-width ASCII -> ASCII, HTML tags and entities, spaces inside numbers and between CJK
characters, a number (or its unit) pushed onto the next line, runaway repeated clauses.
It never changes a digit, never reorders text, and never invents characters other than the
newline that stands for a removed HTML paragraph tag.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter, deque
from itertools import accumulate, compress, count, islice, repeat
from operator import eq
from collections.abc import Callable

from .chars import is_cjk
from .genre import vocabulary

CJK = "\u3400-\u9fff\uf900-\ufaff"


_Text = tuple[str, list[int] | None]

# The entries of identity maps, shared: a slice of this list copies references, where a list
# made from range() makes an int object for each entry (most of what building a report's first
# map cost). Grown, by rebinding (threads read texts too), to the longest text read, up to
# _SHARED_MAX entries (~36 bytes each); a longer text has its map made from range().
_SHARED_MAX = 1 << 17
_shared_entries: list[int] = []


def identity_map(size: int) -> list[int]:
    """list(range(size)), its int objects shared with the maps made before."""
    global _shared_entries
    shared = _shared_entries
    if size > len(shared):
        if size > _SHARED_MAX:
            return list(range(size))
        shared = _shared_entries = list(range(min(_SHARED_MAX, max(size, 2 * len(shared)))))
    return shared[:size]


def _rewrite(text: str, offsets: list[int] | None, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> _Text:
    """Like re.sub, but keeps the offset map. `offsets` has len(text) + 1 entries. A match whose
    replacement is itself changes nothing and costs no copy: text and map are rebuilt only
    around the stretches that change, and returned as they were when none does."""
    edits = []
    for match in pattern.finditer(text):
        replacement = replace(match)
        if replacement != match.group(0):
            edits.append((match.start(), match.end(), replacement))
    return _apply(text, offsets, edits)


def _apply(text: str, offsets: list[int] | None, edits: list[tuple[int, int, str]]) -> _Text:
    """Replace text[start:end] by each edit's replacement (edits in order, not overlapping).
    The map given is the caller's no longer (a few edits change it in place). `offsets` None
    stands for the identity map (no pass has changed the text yet): it is built as a list only
    by the first pass that changes the text."""
    if not edits:  # the common case for most passes: nothing to copy
        return text, offsets
    if offsets is None:
        offsets = identity_map(len(text) + 1)
    if len(edits) <= _FEW_EDITS:
        return _apply_in_place(text, offsets, edits)
    out: list[str] = []
    out_offsets: list[int] = []
    last = 0
    for start, end, replacement in edits:
        out.append(text[last:start])
        out_offsets.extend(offsets[last:start])
        if not replacement:  # a deletion (most edits): nothing of it is kept
            last = end
            continue
        out.append(replacement)
        if len(replacement) == end - start:
            out_offsets.extend(offsets[start:end])
        elif start == end:  # an insertion (a line break before an inline heading): at what follows
            out_offsets.extend([offsets[start]] * len(replacement))
        else:
            # A shorter or longer replacement: each character points at the match start,
            # except a kept prefix/suffix which keeps its own offsets where it lines up.
            out_offsets.extend(_align_replacement(text[start:end], replacement, offsets[start:end]))
        last = end
    out.append(text[last:])
    out_offsets.extend(offsets[last:])
    return "".join(out), out_offsets


# Up to this many edits, the map is changed in place (each edit moves the entries after it, a
# memmove) rather than copied whole (every entry touched): a copy costs as much as ten moves.
_FEW_EDITS = 8


def _apply_in_place(text: str, offsets: list[int], edits: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """_apply for a few edits: the same text and map, the map changed in place (`offsets` is
    the caller's no longer), from the last edit back so the positions of the others stand."""
    out: list[str] = []
    last = len(text)
    for start, end, replacement in reversed(edits):
        out.append(text[end:last])
        out.append(replacement)
        if not replacement:
            del offsets[start:end]
        elif start == end:
            offsets[start:start] = [offsets[start]] * len(replacement)
        elif len(replacement) != end - start:
            offsets[start:end] = _align_replacement(text[start:end], replacement, offsets[start:end])
        last = start
    out.append(text[:last])
    out.reverse()
    return "".join(out), offsets


def _align_replacement(matched: str, replacement: str, offsets: list[int]) -> list[int]:
    """Give each replacement character the offset of the same character in the match when it
    is a subsequence of the match (deletions), else the match start."""
    result: list[int] = []
    position = 0
    for char in replacement:
        found = matched.find(char, position)
        if found == -1:
            result.append(offsets[min(position, len(offsets) - 1)] if offsets else 0)
        else:
            result.append(offsets[found])
            position = found + 1
    return result


# Full-width digits, Latin letters and the percent sign become ASCII. Chinese punctuation
# such as （ ） ， ： stays as written: the heading grammar reads both forms and evidence
# quotes stay faithful. U+3000 (ideographic space) becomes a plain space.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({0xFF05: ord("%"), 0xFF0E: ord("."), 0x3000: ord(" "), 0xA0: ord(" "), 0xFF5E: ord("~")})

_FULLWIDTH_CHAR = re.compile("[" + "".join(map(chr, _FULLWIDTH)) + "]")

_LINE_END = re.compile(r"\r\n?")
# A paragraph-level tag becomes a newline and takes the spaces and tabs beside it (a <p> in a
# table cell ends that row anyway), but never a newline: eating the line break after "</p>"
# would strip the leading tabs of the next table row and shift its cells one column left.
# The tag is scanned for (from its "<") and the spaces and tabs before it are taken by _html_breaks.
_HTML_BREAK = re.compile(r"<(?:/?p\b[^<>]*>|br\s*/?>|/?div\b[^<>]*>|/?tr\b[^<>]*>|/?li\b[^<>]*>)[ \t]*", re.I)


def _html_breaks(text: str) -> list[tuple[int, int, str]]:
    """The edits that turn each paragraph-level tag, with the spaces and tabs beside it (not
    those a previous edit took), into a newline."""
    edits = []
    position = 0
    for match in _HTML_BREAK.finditer(text):
        start = match.start()
        while start > position and text[start - 1] in " \t":
            start -= 1
        edits.append((start, match.end(), "\n"))
        position = match.end()
    return edits


_HTML_TAG = re.compile(r"</?(?:b|i|u|strong|em|span|font|td|th|table|tbody|thead|ul|ol|h[1-6]|sup|sub)\b[^<>]*>", re.I)
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5});")

# "86. 1%" -> "86.1%"; "20 21 年" -> "2021年" (a year split by OCR). A list marker is not a
# decimal: "1. 2022年预算" and "2. 10个部门" keep their gap (see _join_decimal).
_DECIMAL_GAP = re.compile(r"\.[ ]+(?=\d)")
_LIST_MARKER_BEFORE = re.compile(r"(?:^|\n)[ \t\-*+#]*\d{1,2}$")
_YEAR_AFTER = re.compile(r"(?:19|20)\d\d[ ]*年")
_FRACTION_ALONE = re.compile(r"\d+[ ]*(?:%|$|\t|\n)")
# (The year's first digit comes first and the look back after it: a class first is scanned fast.
# Its heads 1, 19, 20, 201, 202 differ in the character after them, so at most one can match.)
_SPLIT_YEAR = re.compile(r"([12](?<![\d.][12])(?:(?<=1)9?|(?<=2)0[12]?))[ ]+(\d{1,3})(?=[ ]*年)")
# Spaces between CJK characters, or between a number and CJK text / a unit, are OCR and
# layout debris in Chinese prose (tabs are kept: they separate table cells): a run of spaces
# goes after CJK text when CJK text or a digit follows, and after a digit or % when CJK text or
# % follows. The pattern starts with the space and looks back at the character before from there
# (a pattern that starts with a literal is scanned fast; one that starts with a lookbehind or a
# class as common as CJK is tried at nearly every character). A "digit" is what str.isdigit() holds for: \d and _DIGIT_LIKE, the
# characters that are digits but not decimal (² ① ⑴ ⒈ ❶ …; a test checks the list).
_DIGIT_LIKE = (
    "\u00b2-\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c"
    "\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792"
    "\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
)
LAYOUT_SPACE = rf" (?:(?<=[{CJK}] ) *(?=[{CJK}\d{_DIGIT_LIKE}])|(?<=[\d{_DIGIT_LIKE}%] ) *(?=[{CJK}%]))"
# The runs, captured: re.split gives the stretches kept and the runs dropped, in turn. (Only this
# form is compiled: each copy of these CJK classes costs ~2 ms to compile, on every start.)
_LAYOUT_SPACE_RUN = re.compile(f"({LAYOUT_SPACE})")


def _drop_layout_spaces(text: str, offsets: list[int] | None) -> _Text:
    """The text without its layout space runs (each match of LAYOUT_SPACE), and its map: no
    match object, edit or Python step per dropped run (a report has a hundred or more): re.split
    cuts the text, and the map is copied stretch by stretch by calls made from C."""
    pieces = _LAYOUT_SPACE_RUN.split(text)
    if len(pieces) == 1:
        return text, offsets
    bounds = list(accumulate(map(len, pieces), initial=0))  # piece i is text[bounds[i]:bounds[i + 1]]
    starts, ends = bounds[0::2], bounds[1::2]  # of the kept pieces (the even ones)
    ends[-1] += 1  # the map's last entry, for the end of the text, stays
    source = identity_map(len(text) + 1) if offsets is None else offsets
    out_offsets: list[int] = []
    deque(map(out_offsets.extend, map(source.__getitem__, map(slice, starts, ends))), maxlen=0)
    return "".join(pieces[0::2]), out_offsets


# A paragraph broken right before its number: "其中：……项目支出\n\n875.6 万元。" (after CJK text)
# A number alone on its line is a form's cell, not the end of the sentence above it.
_NUMBER_ON_NEXT_LINE = re.compile(r"\n[ \n]*(?=\d[\d.,]*[ ]*(?:万元|亿元|元|%)(?![ \t|]*(?:\n|$)))")
# ... or broken between the number and its unit: "875.6\n万元" (after a digit).
_UNIT_ON_NEXT_LINE = re.compile(r"\n[ \n]*(?=(?:万元|亿元|元|%))")
_NUMBER_ALONE = re.compile(r"[\s|]*[\d.,]+")
# A cheap test that the split-year pass can match at all, scanned from a literal.
_DIGITS_SPACED = re.compile(r" (?<=\d )[ ]*\d")
# The same clause three or more times in a row (a runaway paste): keep one. The first copy is
# often glued to the words before it ("明确对免证办事项……材料，对免证办事项……材料，…"), so a run
# of two or more whole copies that follows a clause ending in the same words is dropped too.
_CLAUSE_END = "，,。；;"
_REPEATED_CLAUSE = re.compile(rf"(^|[{_CLAUSE_END}\n])([^{_CLAUSE_END}\n]{{6,200}})((?:[{_CLAUSE_END}]\2)+)([{_CLAUSE_END}]|$)")


def _join_year(match: re.Match[str]) -> str:
    joined = match.group(1) + match.group(2)
    return joined if len(joined) == 4 else match.group(0)


def _with_space_to_empty(match: re.Match[str]) -> str:
    return ""


def _join_decimal(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if not (start and text[start - 1].isdigit()) or _YEAR_AFTER.match(text, end):
        return match.group(0)  # "1. 2022年": a list item about a year
    if _LIST_MARKER_BEFORE.search(text, max(0, start - 8), start) and not _FRACTION_ALONE.match(text, end):
        return match.group(0)  # "2. 10个部门" at the start of a line is a numbered point
    return "."


# A form whose cells a PDF text layer separated by single spaces ("年初预算数 全年预算数 全年执行数
# 分值 …"): many words of two or more characters on one line. Its spaces become tabs (cell
# separators) before layout spaces are dropped, so the cells are not glued into one word.
# Only lines holding 12 space-separated words are offered (_spaced_form_lines): a pattern that
# reached a whole line by backtracking ([^\n]*\S(?: +\S+){11,}[^\n]*) was quadratic in the
# line's length (a 100 kB line without spaces took minutes); \S++ never backtracks. The pattern
# starts at the first space, looking back at the word before (a literal first is scanned fast).
_SPACED_WORDS = re.compile(r" (?<=\S )[ ]*\S++(?: +\S++){10}")
MIN_CELL_WORDS = 12


_CLAUSE_MARK = re.compile(r"[，,。；;、]")
_CJK_GAP = re.compile(rf" (?<=[{CJK}）)] ) *(?=[{CJK}（(≥≤])")  # from the space: a literal first is scanned fast


def _is_column_name(word: str) -> bool:
    genre = vocabulary()
    return any(entry.pattern.search(word) for entry in (*genre.form_budget_columns, *genre.form_indicator_columns))


def _spaced_form_lines(text: str) -> list[tuple[int, int, str]]:
    """The edits that turn the spaces of spaced form lines into tabs (see _cells_to_tabs). Only
    lines with 11 spaces, the least such a line has, are searched for _SPACED_WORDS."""
    if text.count(" ") < MIN_CELL_WORDS - 1:
        return []
    lines = text.split("\n")
    # The lines with 11 spaces or more (str.count scans far faster than a regex over Chinese text).
    spaced = compress(count(), map((MIN_CELL_WORDS - 1).__le__, map(str.count, lines, repeat(" "))))
    edits = []
    counted = start = 0  # line `counted` starts at `start`
    for index in spaced:
        start += sum(map(len, islice(lines, counted, index))) + index - counted
        counted = index
        end = start + len(lines[index])
        if not _SPACED_WORDS.search(text, start, end):
            continue
        line = text[start:end]
        cells = _cells_to_tabs(line)
        if cells != line:
            edits.append((start, end, cells))
    return edits


def _cells_to_tabs(line: str) -> str:
    """A line of a form's whole-word cells, its separating spaces as tabs; any other line as it is."""
    words = line.split()
    # Not a form: too few words; "2022 年" gaps, which are not cells; OCR debris between single
    # characters ("部 门 整 体"); prose, whose words carry commas and full stops; no column names (a
    # form names its columns in whole words). The cheaper tests first: one scan of the line
    # before a test of each word.
    if (
        len(words) < MIN_CELL_WORDS
        or len(_CJK_GAP.findall(line)) < MIN_CELL_WORDS // 2
        or sum(len(word) >= 2 for word in words) * 4 < len(words) * 3
        or sum(bool(_CLAUSE_MARK.search(word)) for word in words) * 5 > len(words)
        or sum(_is_column_name(word) for word in words) < 3
    ):
        return line
    out, depth = [], 0
    for index, char in enumerate(line):
        depth += char in "（(" and 1 or 0
        depth -= char in "）)" and depth > 0 and 1 or 0
        # "相关性(5 分)": a space inside brackets is inside one cell.
        out.append("\t" if char == " " and depth == 0 and (index == 0 or line[index - 1] != " ") else char)
    return "".join(out)


def _line_breaks(text: str, pattern: re.Pattern[str], before: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Each match of `pattern` (a line break and the blank lines after it) with the spaces before
    it, where the character before those spaces passes `before`. (The look back is done here:
    a pattern that starts with a lookbehind is tried at every character, one that starts with
    the line break is scanned fast.)"""
    found = []
    for match in pattern.finditer(text):
        start = match.start()
        while start and text[start - 1] == " ":
            start -= 1
        if start and before(text[start - 1]):
            found.append((start, match.end()))
    return found


def _number_joins(text: str) -> list[tuple[int, int, str]]:
    """The edits that join a number pushed onto the next line to the CJK text before it."""
    return [(start, end, "") for start, end in _line_breaks(text, _NUMBER_ON_NEXT_LINE, is_cjk)]


def _unit_joins(text: str) -> list[tuple[int, int, str]]:
    """The edits that join a unit pushed onto the next line to its number: "项目支出875.6\n万元" is
    one statement; "100\n%" where the number stands alone on its line is a form's value cell and
    its unit cell."""
    edits = []
    # (str.isdecimal holds for what \d matches: the Unicode category Nd.)
    for start, end in _line_breaks(text, _UNIT_ON_NEXT_LINE, str.isdecimal):
        line_start = text.rfind("\n", 0, start) + 1
        if not _NUMBER_ALONE.fullmatch(text, line_start, start):
            edits.append((start, end, ""))
    return edits


def _collapse_repeats(match: re.Match[str]) -> str:
    before, clause, run, end = match.groups()
    copies = 1 + len(run) // (len(clause) + 1)
    # The clause before this run ends with the same words: that is the first copy, so the whole
    # run goes and only the run's closing delimiter stays ("明确X，X，X。" -> "明确X。").
    if before and copies >= 2 and match.string.endswith(clause, 0, match.start()):
        return end
    if copies >= 3:
        return before + clause + end
    return match.group(0)


# Mirror sites gloss characters with their pinyin: "區(qū)", "預(yù)算". The gloss goes.
# (A pattern that starts with a literal is scanned much faster than one that starts with a class:
# one pattern for each bracket. A gloss holds no bracket, so the two never overlap, and a match
# not after a CJK character, dropped, hides no gloss. The CJK character before the bracket is
# tested by _pinyin_glosses, not looked back at: a CJK class costs ~0.7 ms to compile.)
_PINYIN = "[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[)）]"
_PINYIN_GLOSSES = (re.compile(f"（{_PINYIN}"), re.compile(rf"\({_PINYIN}"))


def _pinyin_glosses(text: str) -> list[tuple[int, int, str]]:
    """The edits that drop pinyin glosses (a gloss right after a CJK character), in order."""
    return sorted(
        (*gloss.span(), "")
        for pattern in _PINYIN_GLOSSES
        for gloss in pattern.finditer(text)
        if gloss.start() and is_cjk(text[gloss.start() - 1])
    )

# Traditional characters become simplified ones, character by character (so offsets stay
# one-to-one), when the text is written in traditional characters: the label grammar is simplified.
_TRADITIONAL_CUES = re.compile("[與們會預經費資這為個來對時發於萬務開關項報績評單門區縣財標實際務額預撥餘]")
_TRADITIONAL_MIN = 8


@functools.cache
def _traditional_table() -> dict[int, str]:
    """TSCharacters from OpenCC's dictionary, one-to-one characters only (the first candidate)."""
    from importlib import resources

    table: dict[int, str] = {}
    text = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table


# A character that is either (the two sets are apart), for normalise's first scan.
_FULLWIDTH_OR_CUE = re.compile(_FULLWIDTH_CHAR.pattern[:-1] + _TRADITIONAL_CUES.pattern[1:])
_FULLWIDTH_CHARS = {chr(code): chr(ascii) for code, ascii in _FULLWIDTH.items()}


def to_simplified(text: str) -> str:
    """Traditional -> simplified, one character for one, when the text is mostly traditional."""
    if len(_TRADITIONAL_CUES.findall(text)) < _TRADITIONAL_MIN:
        return text
    try:
        return text.translate(_traditional_table())
    except (ModuleNotFoundError, OSError):  # the dictionary is a dependency; without it, as written
        return text


# A report pasted as one long line (web pages): headings 一、 （一） run on after the sentence
# before them. A line break goes before each such marker on a long line, so the heading grammar
# sees it; short lines (tables, lists) are left alone.
_LONG_LINE = 160
# A marker (一、 or （一）) not right after a line break, a digit, a numeral or a joining word; the
# match is the marker's first character (consumed, then looked back from: a class first is
# scanned fast, a lookbehind first is tried at every character).
_INLINE_HEADING = re.compile(
    r"[一二三四五六七八九十（(](?<=[^\n\d一二三四五六七八九十第、（(和与及至].)"
    r"(?:(?<=[一二三四五六七八九十])(?=[一二三四五六七八九十]?、[^\d一二三四五六七八九十、])"
    r"|(?<=[（(])(?=[一二三四五六七八九十]{1,2}[）)][^\d，,、）)]))"
)

# A long line after a line break (found from the break: a pattern that can start anywhere is
# retried at every character of a short line), and the first line, which has none before it.
_LONG_LINES = re.compile(rf"\n[^\n]{{{_LONG_LINE + 1},}}")
_LONG_FIRST_LINE = re.compile(rf"[^\n]{{{_LONG_LINE + 1},}}")


def _inline_headings(text: str) -> list[tuple[int, int, str]]:
    """A line break before each inline heading marker of a long line. (The marker's pattern
    reads one character past the line: the one after 一、 may be its line's end.)"""
    lines = [(line.start() + 1, line.end()) for line in _LONG_LINES.finditer(text)]
    if first := _LONG_FIRST_LINE.match(text):
        lines.insert(0, first.span())
    return [
        (heading.start(), heading.start(), "\n")
        for start, end in lines
        for heading in _INLINE_HEADING.finditer(text, start, end + 1)
        if heading.start() < end
    ]


def _repeated_clauses(text: str) -> list[tuple[int, int, str]]:
    """The edits of _REPEATED_CLAUSE (see _collapse_repeats), as its scan would find them. It can
    match only at the delimiter (or the start) before two clauses in a row that are the same
    (6-200 characters), so it is tried there alone, in order, each past the last match."""
    # The clauses, each delimiter made a line break (one character for one, so positions stand):
    # str.replace and str.split scan far faster than a regex over Chinese text, and comparing
    # each clause with the next is done in C; few pairs are equal (mostly empty ones).
    clauses = text.replace("，", "\n").replace("。", "\n").replace("；", "\n").replace(",", "\n").replace(";", "\n")
    clauses = clauses.split("\n")
    candidates = []
    counted = start = 0  # clause `counted` starts at `start`
    for index in compress(count(), map(eq, clauses, islice(clauses, 1, None))):
        if 6 <= len(clauses[index]) <= 200:
            start += sum(map(len, islice(clauses, counted, index))) + index - counted
            counted = index
            candidates.append(start - 1 if index else 0)  # the delimiter before the clause, or the start
    edits = []
    position = 0
    for at in candidates:
        if at < position or not (match := _REPEATED_CLAUSE.match(text, at)):
            continue
        replacement = _collapse_repeats(match)
        if replacement != match.group(0):
            edits.append((match.start(), match.end(), replacement))
        position = match.end()
    return edits


# A text copied out of a PDF keeps the page's line breaks: its paragraphs arrive cut into lines
# of one width, mid-sentence ("…其中项目支出\n875.6万元", "下达15万\n元"), so a label and its
# number, or a number and its unit, sit on two lines. When most prose lines of a text end at one
# width (an ASCII character counting 1/2, any other 1), a line that reaches that width runs on:
# its line break is dropped unless the line ends a sentence or the next line starts a heading,
# a list item or an indented paragraph. Texts not wrapped so (web pages, forms, a paragraph per
# line) have no such common width and are left alone.
_WRAP_MIN_WIDTH = 16  # shorter lines are form cells and headings, not wrapped prose
_WRAP_MIN_LINES = 5
_WRAP_SHARE = 0.4  # of the prose lines at the common width
_WRAP_SLACK = 0.85  # a line within 15% below the width reached the margin (punctuation, ASCII runs)
_WRAP_OVERFLOW = 1.15  # ... or a little past it (an unbreakable run of digits overflows it)
_WRAP_BEYOND = 0.1  # at most this share of the prose lines run well past the margin
_WRAP_END = tuple("。！？!?：:")
# What may overflow the margin: it cannot break (stripped from a line's end with rstrip).
_TRAILING_RUN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,%"
_PARAGRAPH_START = re.compile(
    r"[ \u3000]{2}|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]|第[一二三四五六七八九十\d]+[章节部分条]|[-*+#]"
)


def text_width(line: str) -> float:
    """A line's width in CJK characters: an ASCII character is half as wide as any other."""
    return len(line) - len(line.encode("ascii", "ignore")) / 2


def _wrapped_lines(text: str) -> list[tuple[int, int, str]]:
    """The edits that join the lines of paragraphs a page wrapped (see above)."""
    lines = text.split("\n")
    # Tables are not prose, and a line shorter than _WRAP_MIN_WIDTH characters is narrower than that.
    candidates = [line.rstrip() for line in lines if len(line) >= _WRAP_MIN_WIDTH and "\t" not in line and "|" not in line]
    widths = list(map(text_width, candidates))
    prose = [width for width in widths if width >= _WRAP_MIN_WIDTH]
    if len(prose) < _WRAP_MIN_LINES:
        return []
    counts = Counter(map(round, prose))
    margin = max(counts, key=lambda width: (counts[width], width))
    low, high = margin * _WRAP_SLACK, (margin + 1) * _WRAP_OVERFLOW
    # Wrapped text has a hard right edge: many lines end at it and almost none run past it
    # (a paragraph per line, as web pages give, has lines of every length).
    at_margin = sum(low <= width <= high for width in prose)
    if at_margin < max(_WRAP_MIN_LINES, _WRAP_SHARE * len(prose)):
        return []
    beyond = sum(text_width(line.rstrip(_TRAILING_RUN)) > high for line, width in zip(candidates, widths) if width > high)
    if beyond > _WRAP_BEYOND * len(prose):
        return []
    edits = []
    position = 0
    for index, line in enumerate(lines[:-1]):
        end = position + len(line)
        following = lines[index + 1]
        if (
            "\t" not in line
            and "|" not in line
            and text_width(line.rstrip()) >= low
            and not line.rstrip().endswith(_WRAP_END)
            and following.strip()
            and "\t" not in following
            and "|" not in following
            and not _PARAGRAPH_START.match(following)
        ):
            edits.append((end, end + 1, ""))
        position = end + 1
    return edits


def normalise(original: str) -> tuple[str, list[int]]:
    """Return (normalised text, offsets) for a decoded report text."""
    text, offsets = _rewrite(original, None, _LINE_END, lambda m: "\n")  # None: the identity map
    # One scan finds the full-width characters and the cues of traditional text (see below).
    found = _FULLWIDTH_OR_CUE.findall(text)
    # One for one, so the offsets stand (translate() is slow on Chinese text; few such characters).
    for char in set(found).intersection(_FULLWIDTH_CHARS):
        text = text.replace(char, _FULLWIDTH_CHARS[char])
    # No later pass adds a character but the HTML entity pass: without it the text ends with no
    # more cues than it has now, and to_simplified would leave a text with too few as it is.
    simplify = "&" in text or len(found) - sum(map(_FULLWIDTH_CHARS.__contains__, found)) >= _TRADITIONAL_MIN
    # Each pass runs only where it can match (a cheap test first): most reports need few of them.
    if "<" in text:
        text, offsets = _apply(text, offsets, _html_breaks(text))
        text, offsets = _rewrite(text, offsets, _HTML_TAG, _with_space_to_empty)
    if "&" in text:
        text, offsets = _rewrite(text, offsets, _HTML_ENTITY, lambda m: html.unescape(m.group(0)).replace("\xa0", " "))
    text, offsets = _apply(text, offsets, _wrapped_lines(text))
    text, offsets = _rewrite(text, offsets, _DECIMAL_GAP, _join_decimal)
    if _DIGITS_SPACED.search(text):
        text, offsets = _rewrite(text, offsets, _SPLIT_YEAR, _join_year)
    text, offsets = _apply(text, offsets, _spaced_form_lines(text))
    text, offsets = _drop_layout_spaces(text, offsets)
    text, offsets = _apply(text, offsets, _number_joins(text))
    text, offsets = _apply(text, offsets, _unit_joins(text))
    text, offsets = _apply(text, offsets, _repeated_clauses(text))
    text, offsets = _apply(text, offsets, _pinyin_glosses(text))
    if simplify:
        text = to_simplified(text)
    text, offsets = _apply(text, offsets, _inline_headings(text))
    return text, identity_map(len(text) + 1) if offsets is None else offsets
