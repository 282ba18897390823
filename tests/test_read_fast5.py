"""The cheaper forms of read-fast5 give what the forms they replace give.

normalise tests the character before a pinyin gloss or a line break with comparisons instead of a
compiled CJK class (each costs ~0.7 ms at import). The regex forms are kept here as references
and both run on random texts built from the characters the passes react to."""

from __future__ import annotations

import random
import re

from summarizer import normalise as n

CJK = n.CJK
# The plain forms: the look back done by the pattern.
PINYIN_GLOSSES = (
    re.compile(rf"（(?<=[{CJK}]（){n._PINYIN}"),
    re.compile(rf"\((?<=[{CJK}]\(){n._PINYIN}"),
)
CJK_CHAR = re.compile(rf"[{CJK}]")
DIGIT = re.compile(r"\d")

# Characters the passes react to, with CJK and non-CJK neighbours of each range's ends.
ALPHABET = [
    "中", "文", "\u3400", "\u9fff", "\uf900", "\ufaff", "\u33ff", "\ua000", "\uf8ff", "\ufb00", "ａ", "a", "ū", "ǚ",
    "（", "(", "）", ")", " ", "\n", "\n\n", "1", "٣", "²", "①", "875.6", "万元", "元", "%", "|", "\t", ".",
]


def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 40))) for _ in range(count)]


TEXTS = random_texts(5, 3000)


def test_is_cjk_is_the_class() -> None:
    for code in [*range(0x3300, 0xA100), *range(0xF800, 0xFC00), 0, 0x10000, 0x20000]:
        char = chr(code)
        assert n._is_cjk(char) == bool(CJK_CHAR.match(char)), hex(code)


def test_pinyin_glosses_as_looked_back_at() -> None:
    for text in TEXTS:
        plain = sorted((*gloss.span(), "") for pattern in PINYIN_GLOSSES for gloss in pattern.finditer(text))
        assert n._pinyin_glosses(text) == plain, text


def test_line_breaks_as_looked_back_at() -> None:
    for text in TEXTS:
        for pattern, before, plain in (
            (n._NUMBER_ON_NEXT_LINE, n._is_cjk, CJK_CHAR),
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
    from summarizer.draft import _places

    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("1200.5%万 ") for _ in range(rng.randrange(0, 30)))
        written = "".join(rng.choice("120.%") for _ in range(rng.randrange(0, 4)))
        assert _places(written, text) == [m.start() for m in re.finditer(re.escape(written), text)], (written, text)
