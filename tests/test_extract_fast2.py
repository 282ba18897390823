"""The rules backend's fast paths agree with the plain forms they replace (random texts)."""

import random
from pathlib import Path

from summarizer.backends import rules, rules_figures
from summarizer.schemas import Period

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]


def _pieces(rng: random.Random, texts: list[str], extras: list[str], count: int, longest: int):
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randint(0, len(text))
        piece = text[start : start + rng.randint(0, longest)]
        if rng.random() < 0.5:
            parts = [piece] + [rng.choice(extras) for _ in range(rng.randint(1, 3))]
            rng.shuffle(parts)
            piece = "".join(parts)
        yield piece


def test_branches_split_at_top_level_bars_only():
    assert rules._branches(r"a[|(]b|(c|d)|\|e|[]|]x|[^]|]y|[a[]|z") == [
        "a[|(]b", "(c|d)", r"\|e", "[]|]x", "[^]|]y", "[a[]", "z"]


def test_template_text_split_finds_what_the_whole_pattern_finds():
    rng = random.Random(15)
    extras = ["（50字以内）", "结合自评情况", "附件1", "备注：", "注：1", "项目情况。", "：无。", "：暂无", "某某 | 无", "\n", "。", "|"]
    for piece in _pieces(rng, _texts(), extras, 4000, 60):
        assert rules._is_template_text(piece) == bool(rules._TEMPLATE_TEXT.search(piece)), piece


def test_item_key_from_a_prefix_is_the_key_of_the_whole_text():
    rng = random.Random(15)
    extras = ["１２３", "  12、", "一二三、", "—" * 70, "9" * 80, "（一）", "。"]
    for piece in _pieces(rng, _texts(), extras, 4000, 300):
        assert rules._item_key(piece) == rules._ITEM_KEY_DROPPED.sub("", piece)[:40], piece


def _period_plain(context: str, year, report_year) -> Period:
    patterns = rules_figures._PERIOD_RE
    if patterns["prior_year"].search(context):
        return Period.PRIOR_YEAR
    if year is not None and report_year is not None and year < report_year:
        return Period.PRIOR_YEAR
    if patterns["adjusted"].search(context):
        return Period.ADJUSTED
    actual, budget = patterns["actual"].search(context), patterns["budget"].search(context)
    if actual and (not budget or actual.end() > budget.end()):
        return Period.ACTUAL
    return Period.BUDGET if budget else Period.UNSPECIFIED


def test_period_with_its_fast_reject_reads_as_the_four_searches():
    rng = random.Random(15)
    extras = ["上年", "调整后", "决算", "一般公共预算", "预算", "安排", "实际"]
    for piece in _pieces(rng, _texts(), extras, 3000, 30):
        for year, report_year in ((None, 2022), (2021, 2022), (2022, 2022), (2021, None)):
            assert rules_figures._period(piece, year, report_year) is _period_plain(piece, year, report_year), piece


def _closest_plain(patterns, context: str):
    best = None
    for pattern, key in patterns:
        for match in pattern.finditer(context):
            candidate = (match.end(), match.end() - match.start(), key, match.group(0))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return None if best is None else (best[2], best[0], best[3])


def test_closest_label_is_the_one_every_match_of_every_pattern_gives():
    rng = random.Random(15)
    extras = ["三公经费", "公务接待费", "项目支出", "基本支出", "实际支出", "预算", "执行率", "上缴财政", "编制人数"]
    groups = (rules_figures._SUBJECT_RE, rules_figures._GENERIC_RE, rules_figures._RATE_RE, rules_figures._AFTER_RE, rules_figures._KV_RE)
    for piece in _pieces(rng, _texts(), extras, 1500, 40):
        for patterns in groups:
            assert rules_figures._closest(patterns, piece) == _closest_plain(patterns, piece), piece
