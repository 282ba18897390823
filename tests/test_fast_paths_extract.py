"""The fast paths of the extract stage (the rules backend, issue 15) give what the plain forms
they replace give, on random texts.

Covered: label and period patterns, clause and sentence starts, table rows, counts, prose
indicators, labels, points, labelled fields and spans; and the comparisons that replace CJK
character classes (each such class costs ~0.5 ms to compile at import): list heads, han counts,
level words and the field finder. The plain forms are kept here as references and both run on
the same inputs.

Texts: random slices of the sample reports in samples/*.txt, half of them shuffled together with
made-up pieces that hit the patterns and their edges (seeded, so the same every run).
"""

import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from summarizer import chars
from summarizer.backends import patterns as fast_patterns
from summarizer.backends import rules, rules_figures, rules_meta
from summarizer.document import Document, plain_document
from summarizer.genre import vocabulary
from summarizer.numbers import MONEY_UNITS, PERCENT_UNITS
from summarizer.schemas import Figure, Period
from summarizer.structure import analyse, is_key_value_row

SAMPLE_PATHS = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


def _texts() -> list[str]:
    """The sample reports' text, in file-name order."""
    return [path.read_text(encoding="utf-8") for path in SAMPLE_PATHS]


def _pieces(rng: random.Random, texts: list[str], extras: list[str], count: int, longest: int, most_extras: int = 3):
    """`count` random slices of `texts` (at most `longest` characters), half of them shuffled
    together with 1 to `most_extras` of `extras`."""
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randint(0, len(text))
        piece = text[start : start + rng.randint(0, longest)]
        if rng.random() < 0.5:
            parts = [piece] + [rng.choice(extras) for _ in range(rng.randint(1, most_extras))]
            rng.shuffle(parts)
            piece = "".join(parts)
        yield piece


def _slices(count: int, seed: int):
    texts = _texts()
    rng = random.Random(seed)
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        yield text[start : start + rng.randint(0, 900)]


class _ClauseStarts:
    """Start of the clause (sentence, enumeration) ending at a position: just after the last stop
    character before it, at most `limit` characters back, one regex search over the reversed
    text per kind of stop. The plain form rules_figures._StretchStarts is held to."""

    def __init__(self, text: str) -> None:
        self.reversed = text[::-1]
        self.length = len(text)

    def start(self, stops: re.Pattern[str], position: int, limit: int) -> int:
        low = max(0, position - limit)
        # text[low:position] reversed is self.reversed[length - position : length - low].
        stop = stops.search(self.reversed, self.length - position, self.length - low)
        return low if stop is None else self.length - stop.start()


@pytest.mark.parametrize(
    ("text", "stops", "limit", "start"),
    [
        ("预算100万元，实际支出90万元", "[，]", 60, 8),  # just after the comma
        ("预算100万元，实际支出90万元", "[。]", 60, 0),  # no stop: the text's start
        ("预算100万元，实际支出90万元", "[。]", 5, 7),  # no stop within reach: `limit` back
        ("。。实际支出90万元", "[。]", 60, 2),  # the last of several stops
        ("实际，支出90万元", "[，]", 3, 3),  # a stop right at the limit
    ],
)
def test_a_clause_starts_after_the_last_stop_within_reach(text, stops, limit, start):
    position = text.index("90")
    assert _ClauseStarts(text).start(re.compile(stops), position, limit) == start
    # The definition it stands for: the furthest rfind of any stop character, at most `limit` back.
    low = max(0, position - limit)
    assert start == max([low] + [text.rfind(stop, low, position) + 1 for stop in stops.strip("[]")])


def test_branches_split_at_top_level_bars_only():
    assert fast_patterns.branches(r"a[|(]b|(c|d)|\|e|[]|]x|[^]|]y|[a[]|z") == [
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


def test_stretch_starts_are_the_last_stops_each_kind_finds_within_reach():
    rng = random.Random(15)
    extras = ["。", "；", ";", "，", ",", "\n", "\t", "其中：", "万元", "，" * 3, "。\n"]
    kinds = ((rules_figures._ENUMERATION_STOP, 600), (rules_figures._SENTENCE_STOP, 400), (rules_figures._CLAUSE_STOP, 60))
    for piece in _pieces(rng, _texts(), extras, 600, 1500, most_extras=4):
        starts, stretch_starts = _ClauseStarts(piece), rules_figures._StretchStarts(piece)
        for position in {0, len(piece), *(rng.randint(0, len(piece)) for _ in range(8))}:
            expected = tuple(starts.start(stops, position, limit) for stops, limit in kinds)
            assert stretch_starts(position) == expected, (piece, position)


def test_table_rows_read_as_each_row_was_read():
    rng = random.Random(15)
    extras = ["数量指标\t", "质量 指标", "\t", "\n", "指标\t权重\t得分\n", "一级指标\t二级指标\t三级指标\n", " 1 \t 2 \n", "  "]
    for piece in _pieces(rng, _texts(), extras, 150, 2500, most_extras=4):
        layout = analyse(plain_document(piece))
        rows = rules_figures.TableRows(layout)
        for table, table_rows in zip(layout.tables, rows.tables):
            for row, (same, texts, collapsed, is_indicator_row, level2_at, has_tab) in zip(table.rows, table_rows):
                assert same is row and texts == row.texts()
                assert collapsed == [rules_figures._collapse_spaces(text) for text in texts]
                assert is_indicator_row == (bool(row.labels) and rules_figures._is_indicator_table(row.labels))
                collapsed = [rules_figures._collapse_spaces(text).replace(" ", "") for text in texts]
                first = next((i for i, text in enumerate(collapsed) if rules_figures._LEVEL2.match(text)), None)
                assert level2_at == (None if is_indicator_row else first)
                assert has_tab == any("\t" in text for text in texts)
                assert rules_figures.is_key_value_texts(texts) == is_key_value_row(row)


def _region_before_plain(text: str, unit: str):
    for match in re.finditer(re.escape(unit), text[:20000]):
        for width in (*range(3, 13), 2):
            start = match.start() - width
            if start >= 0 and (region := rules_meta._REGION.fullmatch(text, start, match.start())) and region.group(0):
                return start, match.start()
    return None


def test_region_before_a_unit_is_found_where_every_width_finds_it():
    rng = random.Random(15)
    units = ["田心乡", "水利局", "人民政府", "中心", "局"]
    extras = ["楚雄州武定县", "南县", "某某市", "岳阳市岳阳楼区", "自治区", "盟", "旗", "省", "，", "\n", *units]
    for piece in _pieces(rng, _texts(), extras, 1500, 400, most_extras=4):
        for unit in units:
            assert rules_meta._region_before(piece, unit) == _region_before_plain(piece, unit), (piece, unit)


def test_patterns_with_literal_openings_match_as_the_genre_patterns_do():
    genre = vocabulary()
    groups = [genre.subjects, genre.generics, genre.rates, genre.after, genre.key_values]
    patterns = [entry.pattern for group in groups for entry in group]
    patterns += [*genre.periods.values(), genre.markers["indicator_value"], rules._TEMPLATE_TEXT]
    patterns += [re.compile(r"[ab]+c|[“\"”]x|[.]y|[a-c]z|[^d]w|[\]]v|[ab]{2}u")]  # classes left as they are
    patterns += [re.compile(r"[ab](?P<n>x)|y")]  # a group: left as it is
    rng = random.Random(15)
    extras = ["“三公”经费", "\"三公\"经费", "三公", "≥", "≤", "（50字以内）", "：无。", "aac", ".y", "bz", "ew", "]v", "abu", "预算", "收入"]
    pieces = list(_pieces(rng, _texts(), extras, 400, 80, most_extras=4))
    for pattern in patterns:
        fast = fast_patterns.fast(pattern)
        for piece in pieces:
            assert [m.span() for m in fast.finditer(piece)] == [m.span() for m in pattern.finditer(piece)], (pattern.pattern, piece)
    for group in groups:
        any_of = fast_patterns.any_of([entry.pattern for entry in group])
        for piece in pieces:
            assert bool(any_of.search(piece)) == any(entry.pattern.search(piece) for entry in group), piece
    at_start, anywhere = rules._TEMPLATE_SPLIT
    for piece in pieces:
        assert bool(at_start.match(piece) or anywhere.search(piece)) == bool(rules._TEMPLATE_TEXT.search(piece)), piece


def _count_item_plain(text: str, quantity, label: str):
    weak = re.compile(r"(?:^.{0,3}|实现|完成|组织|涉及|收录|下设|共有|有|达|达到|共|累计|完善|新增|开展|召开|举办|覆盖|惠及|服务)$")
    if label and not weak.search(label):
        return label
    after = rules_figures._NOUN_AFTER.match(text, quantity.end)
    noun = rules_figures._NOUN_CUT.split(after.group(0))[0] if after else ""
    return noun if noun and not rules_figures._NOT_NOUN.match(noun) else label or None


def test_a_count_item_reads_as_with_the_one_weak_label_pattern():
    rng = random.Random(15)
    extras = ["实现", "达到", "有", "\n", "ab\n", "a\nb", "服务", "", "实现\n", "有\n\n", "个村居", "以上"]
    texts = _texts()
    for label in _pieces(rng, texts, extras, 3000, 6, most_extras=4):
        after = rng.choice(texts)[rng.randint(0, 5000) :][:8]
        quantity = SimpleNamespace(end=len(label))
        text = label + after
        assert rules_figures._count_item(text, quantity, label) == _count_item_plain(text, quantity, label), repr(text)


def _prose_matches_plain(text: str):
    done = -1
    for anchor in rules_figures._PROSE_ANCHOR.finditer(text):
        start = max(text.rfind(stop, 0, anchor.start()) for stop in "。；;\n") + 1
        if start <= done:
            continue
        end = min((i for i in (text.find(stop, anchor.end()) for stop in "。；;\n") if i != -1), default=len(text))
        done = end
        yield from rules_figures._PROSE_INDICATOR.finditer(text, start, end)


def test_prose_indicators_are_the_matches_every_position_of_their_sentence_gives():
    assert rules_figures._NAME_REACH is not None  # the genre's pattern opens as _PROSE_OPENING says
    rng = random.Random(15)
    extras = ["群众满意率年初指标值为不低于85%，全年实际完成值100%", "年度目标值为10个,实际完成12个", "计划值为", "指标值",
              "全年实际值得分", "，", "。", "；", "\n", "数量指标安装坡面水标尺10≥266米" * 3, "年初", "实际为"]
    for piece in _pieces(rng, _texts(), extras, 2000, 300, most_extras=4):
        fast = [(m.span(), m.groupdict()) for m in rules_figures._prose_matches(piece)]
        assert fast == [(m.span(), m.groupdict()) for m in _prose_matches_plain(piece)], piece


def _label_from_plain(context: str) -> str:
    label = context.strip()
    if not label:
        return label
    if "：" in label[:-1] or ":" in label[:-1]:
        label = rules_figures._COLON.split(label.rstrip("：:"))[-1]
    label = rules_figures._LIST_MARKER.sub("", rules_figures._LIST_MARKER.sub("", label))
    label = rules_figures._LEAD_WORD.sub("", label)
    label = label.strip(" ：:（(，,、)）-").lstrip("为是共计约达").rstrip("为是约达")
    return label[-24:]


def test_a_label_reads_as_with_every_marker_substituted():
    rng = random.Random(15)
    extras = ["1、", "（1）", "1、（1）", "其中：", "- ", "① ", "包括：", "为", "：", " ", "二、", "10.5"]
    for piece in _pieces(rng, _texts(), extras, 3000, 40, most_extras=4):
        assert rules_figures._label_from(piece) == _label_from_plain(piece), piece


def _points_plain(text: str, start: int, end: int):
    lines, position = [], start
    for raw in text[start:end].split("\n"):
        lines.append((position, position + len(raw)))
        position += len(raw) + 1
    points, closed = [], False
    for line_start, line_end in lines:
        line = text[line_start:line_end].strip("\t |")
        if not line:
            continue
        if rules._FIELD_LABEL.fullmatch(line) or rules._FORM_NOTE.match(line):
            closed = True
            continue
        if closed or line.isspace() or rules._is_label_only(line):
            continue
        if rules._ITEM_START.match(line) or not points:
            points.append([line_start, line_end])
        else:
            points[-1][1] = line_end
    ranges = []
    for point_start, point_end in points:
        body = text[point_start:point_end]
        inline = rules._INLINE_NUMBER if rules._ITEM_START.match(body) else rules._INLINE_POINT
        cuts = [0] + [m.start() for m in inline.finditer(body)] + [len(body)]
        if rules._ITEM_START.match(body):
            cuts = sorted(set(cuts))
            ranges.extend((point_start + a, point_start + b) for a, b in zip(cuts, cuts[1:]))
            continue
        if len(cuts) == 2:
            cuts = [0] + [m.start() for m in rules._FIRST_POINT.finditer(body) if rules._ends_sentence(body, m.start())] + [len(body)]
        ranges.extend((point_start + a, point_start + b) for a, b in zip(cuts, cuts[1:]) if b > a)
    return ranges


def test_points_split_a_body_as_before():
    rng = random.Random(15)
    extras = ["\n项目负责人：\n", "\n备注：1\n", "\n1、加强管理。\n", "一是加强。二是完善。", "\n问题\n", "\n| |\n", "\n（2）规范。3、落实。\n"]
    for piece in _pieces(rng, _texts(), extras, 1500, 600, most_extras=4):
        assert rules._points(piece, 0, len(piece)) == _points_plain(piece, 0, len(piece)), piece


def _stated_plain(text: str, quantities):
    markers = vocabulary().markers
    starts = _ClauseStarts(text)
    kept = []
    for quantity in quantities:
        if not quantity.unit or markers["threshold_after"].match(text[quantity.end : quantity.end + 6]) \
                or markers["formula_before"].search(text, max(0, quantity.start - 1), quantity.start):
            continue
        if quantity.unit in PERCENT_UNITS and quantity.value > rules_figures.MAX_RATE:
            continue
        if quantity.unit in MONEY_UNITS and rules_figures._PER_UNIT_AFTER.match(text, quantity.end):
            continue
        sentence_start = starts.start(rules_figures._SENTENCE_STOP, quantity.start, 400)
        if markers["indicator_value"].search(text[max(sentence_start, quantity.start - 40) : quantity.start]):
            continue
        kept.append(quantity)
    return kept


def test_stated_quantities_are_the_ones_each_test_keeps():
    rng = random.Random(15)
    extras = ["年初指标值为不低于85%", "，全年实际完成值100%", "≥90%", "的需说明原因", "×100%", "260元/辆", "202010100%", "。", "；", "\n"]
    for piece in _pieces(rng, _texts(), extras, 600, 400, most_extras=4):
        quantities = analyse(plain_document(piece)).quantities
        assert rules_figures._stated_quantities(piece, quantities, lambda start, end: False) == _stated_plain(piece, quantities), piece


def test_labelled_fields_found_in_one_scan_are_the_ones_each_pattern_finds():
    assert rules_meta._ANY_FIELD is not None
    rng = random.Random(15)
    extras = ["自评得分为97分", "总分(100分)", "总分98", "满总分100", "评价等级：优秀", "联系人：张三", "联系电话：0731-1234567",
              "人员编制 34名", "编制人数\t实有人数\n34\t30", "实有人数\n\n21", "报告日期：2023年3月15日", "自评结果为良", "\n", "："]
    for piece in _pieces(rng, _texts(), extras, 1500, 3000, most_extras=4):
        one_scan = {name: (m.span(), m.groups()) for name, m in rules_meta._field_matches(piece).items()}
        apart = {name: (m.span(), m.groups()) for name, m in rules_meta._field_matches_apart(piece).items()}
        assert one_scan == apart, piece


def test_a_figure_built_from_span_fields_is_the_figure_built_from_the_span():
    rng = random.Random(4)
    for piece in _slices(60, 4):
        # An offset map with gaps (deleted characters), as normalisation leaves.
        offsets, at = [], 0
        for _ in range(len(piece) + 1):
            offsets.append(at)
            at += rng.choice((1, 1, 2))
        document = Document(path="<t>", original="x" * at, text=piece, offsets=offsets)
        for _ in range(20):
            start, end = rng.randint(-3, len(piece) + 3), rng.randint(-3, len(piece) + 3)
            fields = document.span_fields(start, end)
            span = document.span(start, end)
            assert span.start <= span.end and fields == span.model_dump()
            figure = {"key": "count", "label": "x", "value": 1, "unit": "个", "kind": "count", "evidence": "x"}
            assert Figure(**figure, span=fields) == Figure(**figure, span=span)


def _stretch_starts_plain(text: str, position: int) -> tuple[int, int, int]:
    starts = _ClauseStarts(text)
    return (starts.start(re.compile("[。\n]"), position, 600), starts.start(re.compile("[。\n；;]"), position, 400),
            starts.start(re.compile("[。\n；;，,\t]"), position, 60))


def test_stretch_starts_are_the_last_stops_within_reach():
    for piece in _slices(80, 5):
        stretch_starts = rules_figures._StretchStarts(piece)
        for position in range(0, len(piece) + 1, 7):
            assert stretch_starts(position) == _stretch_starts_plain(piece, position), (piece, position)


# ---- comparisons that replace CJK character classes ------------------------------------------

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
        assert chars.han_count(piece) == len(han.findall(piece)), piece
        assert rules_meta._opens_with_level_word(piece) == bool(level_word.match(piece)), piece


def test_the_field_finder_finds_every_place_a_field_matches():
    # Its alternatives holding the CJK range are cut to their opening words: it still finds every start.
    rng = random.Random(15)
    extras = ["核定编制", "核定行政编制34名", "核定车辆编制", "核定", "编制数", "人员编制", "总分(100分)", "联系人：张三"]
    for piece in _pieces(rng, _texts(), extras, 400, 300, most_extras=4):
        for at in range(len(piece)):
            if any(pattern.match(piece, at) for pattern in rules_meta._FIELDS.values()):
                assert rules_meta._ANY_FIELD.match(piece, at), (piece, at)
