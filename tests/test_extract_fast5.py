"""The rules backend's comparisons that replace CJK character classes (issue 15: each such class
costs ~0.5 ms to compile at import) agree with the regexes they replace, on random slices and
joins of the samples and of texts made to hit their edges."""

import random
import re

from summarizer.backends import rules_figures, rules_meta
from test_extract_fast_paths import _pieces, _texts

_CJK_EXTRAS = ["1.", "（2）", "10、", "3．", " ", "\n", "：", ":", "“", "”", "(", "）", "项目", "养老机构运营补贴",
               "abc", "级", "域", "省级", "流域", "x级", "一二三四五六七八九十一二三四五六七八九十一"]


def test_a_list_head_is_the_name_the_list_head_regex_reads():
    plain = re.compile(r"\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])\s*([\u4e00-\u9fff“”（）()]{2,20})[:：]")
    rng = random.Random(15)
    for piece in _pieces(rng, _texts(), _CJK_EXTRAS, 3000, 40, most_extras=6):
        start = rng.randint(0, len(piece))
        end = rng.randint(start, len(piece))
        match = plain.match(piece, start, end)
        assert rules_figures._list_head(piece, start, end) == (match.group(1) if match else None), (piece, start, end)


def test_han_counts_and_level_words_read_as_their_regexes():
    level_word = re.compile(r"[\u4e00-\u9fff]{0,2}(?:级|域)")
    han = re.compile(r"[\u4e00-\u9fff]")
    rng = random.Random(15)
    for piece in _pieces(rng, _texts(), _CJK_EXTRAS, 3000, 12, most_extras=4):
        assert rules_figures._han_count(piece) == len(han.findall(piece)), piece
        assert rules_meta._opens_with_level_word(piece) == bool(level_word.match(piece)), piece


def test_the_field_finder_finds_every_place_a_field_matches():
    # Its alternatives holding the CJK range are cut to their opening words: it still finds every start.
    rng = random.Random(15)
    extras = ["核定编制", "核定行政编制34名", "核定车辆编制", "核定", "编制数", "人员编制", "总分(100分)", "联系人：张三"]
    for piece in _pieces(rng, _texts(), extras, 400, 300, most_extras=4):
        for at in range(len(piece)):
            if any(pattern.match(piece, at) for pattern in rules_meta._FIELDS.values()):
                assert rules_meta._ANY_FIELD.match(piece, at), (piece, at)
