"""The fast paths of structure, grid and numbers agree with the plain formulations they replace
(randomized over sample text; a few hundred cases, well under a second)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from summarizer import grid, numbers, structure
from summarizer.structure import Line, sentence_starts

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_PIECES = ["\n", "\n\n", " \n", "\t", "。", "，", "1、", "- ", "# ", "（一）", "①", "一、", "%", "（%）", "（ % ）",
           "存在问题", "整改措施", "12", "万人", "万元", "执行率为", "年", "”", "|", "\u3000", "١", "２"]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sample = "".join(path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt")))
    texts = []
    for _ in range(count):
        start = rng.randrange(len(sample))
        parts = [sample[start : start + rng.randint(0, 300)]] + [rng.choice(_PIECES) for _ in range(rng.randint(0, 12))]
        rng.shuffle(parts)
        texts.append("".join(parts))
    return texts


def _old_label_heading(text: str, line: Line):
    title = "".join(text.split()).strip("|")
    if not title or len(title) > structure.MAX_HEADING_CHARS or re.search(r"[，,。；;|]", title):
        return None
    if re.search(r"\d", title) and not re.search(r"[（(]%[）)]", title):
        return None
    if structure.role_of(title) is None:
        return None
    return structure.Heading(title.rstrip("：:"), "", structure.LABEL_LEVEL, line.start, line.end, label=True)


def _old_sentence_starts(text: str) -> list[int]:
    starts = [0, *(m.end() for m in re.finditer(r"[。；;！？!?\t]", text))]
    for match in re.finditer(r"\n[ \n]*", text):
        back = match.start()
        while back > 0 and text[back - 1] == " ":
            back -= 1
        previous = text[back - 1] if back else ""
        if previous in structure._SOFT_ENDS:
            continue
        end = match.end()
        if previous in structure._HARD_STOPS or text.count("\n", back, end) >= 2 or structure._ITEM_START.match(text, end) \
                or not re.match(r"[\u3400-\u9fff\d%）)”\"]", previous):
            starts.append(end)
    return sorted(set(starts))


def test_label_headings_and_marker_levels_match_the_plain_tests():
    for text in _texts(150, 1):
        for line in structure.split_lines(text):
            stripped = line.text.strip()
            if stripped:
                assert structure._label_heading(stripped, line) == _old_label_heading(stripped, line)
                match = structure._ANY_MARKER.match(stripped)
                first = next((level for pattern, level in structure._MARKERS if pattern.match(stripped)), None)
                assert (match and structure._MARKERS[match.lastindex - 1][1]) == (first if match else None)


def test_sentence_starts_match_the_plain_scan():
    for text in _texts(200, 2):
        assert sentence_starts(text) == _old_sentence_starts(text)


def test_cjk_comparisons_match_the_class():
    for text in _texts(50, 3):
        assert grid._cjk_count(text) == len(re.findall(r"[\u4e00-\u9fff]", text))
    # "执行率为74" lost its %; "执行率2省…" (a CJK character after the number) did not; 5万人 is no money.
    found = [(q.raw, q.unit, q.inferred_unit) for q in numbers.find_quantities("执行率为74，执行率2省，5万人，40万")]
    assert found == [("74", "%", True), ("2", "", False), ("5", "", False), ("40万", "万", False)]
