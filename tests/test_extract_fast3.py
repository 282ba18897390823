"""The rules backend's third round of fast paths agrees with the plain forms they replace (random texts)."""

import random
import re
from pathlib import Path

from summarizer.backends import rules_figures, rules_meta
from summarizer.document import plain_document
from summarizer.structure import analyse, is_key_value_row

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]


def _pieces(rng: random.Random, texts: list[str], extras: list[str], count: int, longest: int):
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randint(0, len(text))
        piece = text[start : start + rng.randint(0, longest)]
        if rng.random() < 0.5:
            parts = [piece] + [rng.choice(extras) for _ in range(rng.randint(1, 4))]
            rng.shuffle(parts)
            piece = "".join(parts)
        yield piece


def test_stretch_starts_are_the_last_stops_each_kind_finds_within_reach():
    rng = random.Random(15)
    extras = ["。", "；", ";", "，", ",", "\n", "\t", "其中：", "万元", "，" * 3, "。\n"]
    kinds = ((rules_figures._ENUMERATION_STOP, 600), (rules_figures._SENTENCE_STOP, 400), (rules_figures._CLAUSE_STOP, 60))
    for piece in _pieces(rng, _texts(), extras, 600, 1500):
        starts = rules_figures._ClauseStarts(piece)
        for position in {0, len(piece), *(rng.randint(0, len(piece)) for _ in range(5))}:
            expected = tuple(starts.start(stops, position, limit) for stops, limit in kinds)
            assert rules_figures._stretch_starts(piece, position) == expected, (piece, position)


def test_table_rows_read_as_each_row_was_read():
    rng = random.Random(15)
    extras = ["数量指标\t", "质量 指标", "\t", "\n", "指标\t权重\t得分\n", "一级指标\t二级指标\t三级指标\n", " 1 \t 2 \n", "  "]
    for piece in _pieces(rng, _texts(), extras, 150, 2500):
        layout = analyse(plain_document(piece))
        rows = rules_figures.TableRows(layout)
        for table, table_rows, tabbed in zip(layout.tables, rows.tables, rows.tabbed):
            for row, (same, texts, is_indicator_row, level2_at), has_tab in zip(table.rows, table_rows, tabbed):
                assert same is row and texts == row.texts()
                assert is_indicator_row == (bool(row.labels) and rules_figures._is_indicator_table(row.labels))
                collapsed = [rules_figures._collapse_spaces(text).replace(" ", "") for text in texts]
                first = next((i for i, text in enumerate(collapsed) if rules_figures._LEVEL2.match(text)), None)
                assert level2_at == (None if is_indicator_row else first)
                assert has_tab == any("\t" in text for text in texts)
                values = [rules_figures.parse_decimal(text) is not None for text in texts]
                assert rules_figures._is_key_value(texts, values) == is_key_value_row(row)


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
    for piece in _pieces(rng, _texts(), extras, 1500, 400):
        for unit in units:
            assert rules_meta._region_before(piece, unit) == _region_before_plain(piece, unit), (piece, unit)
