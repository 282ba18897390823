"""The str-method scans of normalise give what the regex scans they replace give.

Repeated clauses are found from str.replace/str.split instead of a back-reference scan, spaced
form lines from str.count per line instead of a regex, layout spaces dropped through re.split,
and the offset map is built only by the first pass that changes the text. The regex forms are
kept here as references and both run on random texts built from the characters the passes react
to and on slices of the samples."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from summarizer import normalise as n

_LAYOUT_SPACE = re.compile(n.LAYOUT_SPACE)


def _layout_space_edits(text: str) -> list[tuple[int, int, str]]:
    """The edits that drop layout spaces, one per match of normalise.LAYOUT_SPACE."""
    return [(*match.span(), "") for match in _LAYOUT_SPACE.finditer(text)]


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


def spaced_form_lines(text: str) -> list:
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
ALPHABET = [*"中文预算部门一二，,。；;（()）0129.% \t\n|ab", "<p>", " </p> ", "<br/>", CLAUSE, CLAUSE[:6], "  ", "\n\n", "，，", FORM, " 万元"]


def _samples() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(Path(__file__).parents[1].joinpath("samples").glob("*.txt"))]


def _texts(seed: int, count: int) -> list[str]:
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
                parts.append(rng.choice(ALPHABET))
        texts.append("".join(parts))
    return texts


@pytest.mark.parametrize("seed", range(3))
def test_scans_match_their_plain_forms(seed: int) -> None:
    for text in _texts(seed, 300):
        assert n._repeated_clauses(text) == repeated_clauses(text), text
        assert n._spaced_form_lines(text) == spaced_form_lines(text), text
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
    texts = _texts(0, 300)
    assert sum(bool(repeated_clauses(text)) for text in texts) > 20
    assert sum(bool(spaced_form_lines(text)) for text in texts) > 5
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
