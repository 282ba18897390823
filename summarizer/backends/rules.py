"""The rules backend: deterministic, offline extraction by the genre's grammar. The default.

No I/O and no network. It reads metadata from the title block and key-value cells, figures
and indicators through rules_figures, and achievements, problems and measures as one item per
stated point in the sections whose role structure.py assigned. It never special-cases a
particular report: everything keys on the vocabulary of 预算绩效自评报告 in general.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..config import Settings
from ..document import Document
from ..genre import vocabulary
from ..schemas import FIGURE_KEYS, Evidence, Figure, FigureKind, Meta, Report, Span, TextItem
from ..structure import Layout, Role
from . import rules_figures
from .patterns import branches, literal_openings
from .rules_meta import extract_meta


class RulesBackend:
    name = "rules"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def extract(self, document: Document, layout: Layout) -> Report:
        meta = extract_meta(document)
        rows = rules_figures.TableRows(layout)  # read once for figures and indicators
        table_figures, used = rules_figures.table_figures(document, layout, meta.year, rows)
        # Both give each figure's fields: only the ones dedupe keeps are built.
        found = table_figures + rules_figures.narrative_figures(document, layout, meta.year, used)
        found.sort(key=lambda fields: fields["span"]["start"])  # (a span's fields: the Figure validates it)
        figures = rules_figures.build_figures(rules_figures.dedupe(found))
        indicators = rules_figures.indicators(document, layout, rows)
        indicators += rules_figures.prose_indicators(document, {indicator.name for indicator in indicators})
        _complete_meta(meta, figures, indicators)
        problems, measures = extract_problems_and_measures(document, layout)
        achievements = extract_items(document, layout, (Role.ACHIEVEMENTS,))
        if not achievements and not layout.sections_with(Role.ACHIEVEMENTS):
            # No 主要成效 section: the performance analysis (绩效情况, 完成情况) states what was achieved.
            achievements = extract_items(document, layout, (Role.PERFORMANCE,))
        warnings = []
        if not layout.sections_with(Role.PROBLEMS, Role.PROBLEMS_AND_MEASURES):
            warnings.append("报告未设“存在问题”部分")
        elif not problems:
            warnings.append("“存在问题”部分为空")
        if not layout.sections_with(Role.MEASURES, Role.PROBLEMS_AND_MEASURES):
            warnings.append("报告未设“改进措施/建议”部分")
        return Report(
            meta=meta,
            figures=figures,
            indicators=indicators,
            achievements=achievements,
            problems=problems,
            measures=measures,
            warnings=warnings,
            source=document.source(),
            backend=self.name,
        )


# ---- meta: rules_meta.extract_meta --------------------------------------------------------


def _complete_meta(meta: Meta, figures: list[Figure], indicators) -> None:
    """Fill meta gaps from table figures (a 总分 row, a 人员编制 cell) the text patterns missed."""
    keys = [figure.key for figure in figures]  # (the figures appended below are of keys not there)
    if meta.self_score is None:
        total = next((i for i in indicators if i.name in ("总分", "合计", "总计") and i.score is not None), None)
        if total is not None:
            meta.self_score = total.score
            written = format(total.score, "f")
            quote = total.evidence.rstrip()
            if quote.endswith(written) and total.span.end - total.span.start >= len(quote):
                # The score cell that closes the row ("总分 | 100 | 97"; glued "总分100100").
                end = total.span.start + len(quote)
                span = Span(start=end - len(written), end=end)
                meta.evidence["self_score"] = Evidence(span=span, quote=written)
            else:
                meta.evidence["self_score"] = Evidence(span=total.span, quote=total.evidence)
    elif "self_score" in meta.evidence and "self_score" not in keys:
        figures.append(_meta_figure(meta, "self_score", "分", FigureKind.SCORE))
    for key in ("staff_authorized", "staff_actual"):
        figure = figures[keys.index(key)] if key in keys else None
        if getattr(meta, key) is None and figure is not None:
            setattr(meta, key, int(figure.value))
            meta.evidence[key] = Evidence(span=figure.span, quote=figure.evidence)
        elif figure is None and getattr(meta, key) is not None and key in meta.evidence:
            written = meta.evidence[key].quote.rstrip()[-1:]
            figures.append(_meta_figure(meta, key, written if written in ("名", "人", "个") else "人", FigureKind.COUNT))
    # A grade the report does not state is never inferred from the score; verify flags it.


def _meta_figure(meta: Meta, key: str, unit: str, kind: FigureKind) -> Figure:
    """A number the meta grammar read (自评总分(分)97.6, 编制 34名) is a figure a reviewer looks for too."""
    evidence = meta.evidence[key]
    return Figure(
        key=key, label=FIGURE_KEYS[key], value=Decimal(getattr(meta, key)), unit=unit, kind=kind,
        span=evidence.span, evidence=evidence.quote,
    )


# ---- achievements, problems, measures -----------------------------------------------------

# One alternative anchored at the start (rules cut a match of it by a match and a slice).
_ITEM_START = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|[①-⑩])"
)
_INLINE_POINT = re.compile(r"(?<=[。；;！!])\s*(?=(?:[一二三四五六七八九十]是|[（(]?\d{1,2}[)）、.．](?!\d)))")
_INLINE_NUMBER = re.compile(r"(?<=[。；;！!])\s*(?=\d{1,2}[、.．](?!\d))")
_FIRST_POINT = re.compile(r"(?<=[^\s])(?=[二三四五六七八九十]是)")
_PROBLEM_CUE = re.compile(r"问题|不足|滞后|不够|有待|欠缺|缺乏|未能|差距|偏低|不完善|不到位|不健全|薄弱|不高|不强|较慢|较低|困难|压力")
_MEASURE_CUE = re.compile(r"建议|应当|^应|加强|加大|进一步|完善|提高|强化|健全|下一步|下阶段|^将|规范|落实|做好|推进|严格")
# The plan words, and "2024年我局将" (four digits, then _PLAN_YEAR_TAIL). Apart, each opens with
# characters the regex engine skips to: a text holding neither has no plan cue.
_PLAN_WORD = re.compile(r"下阶段|下一步|下一阶段|今后|下一年度|明年")
_PLAN_YEAR_TAIL = re.compile(r"年[，,]?我[局中单位]{1,2}将")
_PLAN_CUE = re.compile(rf"^(?:[-*]\s*)?(?:{_PLAN_WORD.pattern}|\d{{4}}{_PLAN_YEAR_TAIL.pattern})")
MIN_ITEM_CHARS = 6


def _section_spans(layout: Layout, roles: tuple[Role, ...]) -> list[tuple[int, int]]:
    """Body ranges of the sections with these roles, without nested sections of other roles."""
    spans: list[tuple[int, int]] = []
    for section in layout.sections:
        if section.role not in roles:
            continue
        end = section.body_end
        for other in layout.sections:
            if section.body_start <= other.heading.start < end and other.role not in roles:
                end = other.heading.start
                break
        # Sub-sections of the same role are covered by their parent's body.
        if any(start <= section.heading.start < stop for start, stop in spans):
            continue
        if end > section.body_start:
            spans.append((section.body_start, end))
    return spans


_FIELD_LABEL = re.compile(r"[\u4e00-\u9fff（）()]{2,10}[:：][\s|]*")
_FORM_NOTE = vocabulary().form_note


def _points(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a body into one range per stated point: list markers, 一是/二是, else paragraphs."""
    points: list[list[int]] = []
    position = start
    for raw in text[start:end].split("\n"):
        line_start, line_end = position, position + len(raw)
        position = line_end + 1
        line = raw.strip("\t |")
        if not line:
            continue
        if _FIELD_LABEL.fullmatch(line) or _FORM_NOTE.match(line):
            break  # "项目负责人:" (the form's next field) or "备注:" (its footnote) closes the body
        if line.isspace() or _is_label_only(line):  # (line is not empty here)
            continue
        if _ITEM_START.match(line) or not points:
            points.append([line_start, line_end])
        else:
            points[-1][1] = line_end
    ranges: list[tuple[int, int]] = []
    for point_start, point_end in points:
        body = text[point_start:point_end]
        # "2. 全面深化改革。一是……二是……": a numbered point keeps its 一是/二是 inside, but
        # "1、……。2、……" run together on one line are separate points.
        numbered = _ITEM_START.match(body)
        inline = _INLINE_NUMBER if numbered else _INLINE_POINT
        cuts = [0] + [m.start() for m in inline.finditer(body)] + [len(body)]
        if numbered:
            cuts = sorted(set(cuts))
            for a, b in zip(cuts, cuts[1:]):
                ranges.append((point_start + a, point_start + b))
            continue
        if len(cuts) == 2:
            cuts = [0] + [m.start() for m in _FIRST_POINT.finditer(body) if _ends_sentence(body, m.start())] + [len(body)]
        for a, b in zip(cuts, cuts[1:]):
            if b > a:
                ranges.append((point_start + a, point_start + b))
    return ranges


def _ends_sentence(body: str, position: int) -> bool:
    before = body[:position].rstrip()
    return bool(before) and before[-1] in "。；;！!"


_PUNCTUATION = re.compile(r"[。，,；;]")


def _is_label_only(line: str) -> bool:
    return len(line) <= 12 and not _PUNCTUATION.search(line) and line.strip() in ("问题", "建议", "措施")


_TEMPLATE_TEXT = vocabulary().template_text


def _split_at_start(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """`pattern` as (its "^" alternatives, the others): it finds something exactly when the first
    matches at 0 or the second is found. The others alone open with a few characters the regex
    engine skips to, where the whole had to try every alternative at every position."""
    if pattern.flags != re.UNICODE or pattern.pattern.startswith("(?"):
        return None  # inline or MULTILINE flags: a "^" may match inside the text
    alternatives = branches(pattern.pattern)
    at_start = [branch for branch in alternatives if branch.startswith("^")]
    anywhere = [branch for branch in alternatives if not branch.startswith("^")]
    if not at_start or not anywhere:
        return None
    # (Alternatives copied per opening character would renumber groups: only without groups.)
    anywhere = literal_openings(anywhere) if pattern.groups == 0 else [f"(?:{part})" for part in anywhere]
    return re.compile("|".join(f"(?:{part})" for part in at_start)), re.compile("|".join(anywhere))


_TEMPLATE_SPLIT = _split_at_start(_TEMPLATE_TEXT)


def _is_template_text(text: str) -> bool:
    """Does _TEMPLATE_TEXT occur in `text` (the form's instructions, an attachment list)?"""
    if _TEMPLATE_SPLIT is None:
        return bool(_TEMPLATE_TEXT.search(text))
    at_start, anywhere = _TEMPLATE_SPLIT
    return bool(at_start.match(text) or anywhere.search(text))


# At least MIN_ITEM_CHARS word characters (\w), found without counting them all.
_ENOUGH_WORD_CHARS = re.compile(rf"(?:\W*\w){{{MIN_ITEM_CHARS}}}")
# A point's number (at its start), and punctuation anywhere: dropped from its dedupe key. The two
# apart: one alternation of both tries the anchored number at every position.
_ITEM_NUMBER = re.compile(r"^\W*(?:\d+|[一二三四五六七八九十]+)[、.．]?")
_NON_WORD = re.compile(r"\W")
_ITEM_KEY_DROPPED = re.compile(f"{_ITEM_NUMBER.pattern}|{_NON_WORD.pattern}")
_WORD_RUN = re.compile(r"\w+")  # what _NON_WORD.sub("", ...) keeps, joined


# TextItem(**fields), without its __init__ frame; given its span's fields, it builds the Span too.
_new_text_item = TextItem.__pydantic_validator__.validate_python


def _item(document: Document, start: int, end: int, layout: Layout, backend: str = "rules") -> TextItem | None:
    # A flattened form's bars around a cell ("| 1、资金到位较晚。", "不够。 | |") are not the point's.
    source = document.text
    while start < end and source[start] in " \t|":
        start += 1
    while end > start and source[end - 1] in " \t|\n":
        end -= 1
    # Then trimmed of whitespace as document.evidence trims it (str.strip: the same isspace).
    quote = source[start:end]
    stripped = quote.lstrip()
    quote_start = start + len(quote) - len(stripped)
    quote = stripped.rstrip()
    text = " ".join(quote.split())  # each whitespace run one space, the ends stripped
    if not _ENOUGH_WORD_CHARS.match(text):
        return None
    marker = _ITEM_START.match(text)  # (_ITEM_START.sub: it can match only at the start)
    if _is_template_text((text[marker.end() :] if marker else text).strip(" |")):
        return None  # the form's instructions or an attachment list, not a stated point
    # Each number's fields: TextItem's validation makes the Quantity (no Python frame per number).
    numbers = [{"value": q.value, "unit": q.unit, "raw": q.raw} for q in layout.quantities_in(start, end, with_bare=False)]
    return _new_text_item({
        "text": text, "span": document.span_fields(quote_start, quote_start + len(quote)), "evidence": quote,
        "numbers": numbers, "backend": backend,
    })


def _item_key(text: str) -> str:
    """The first 40 characters of a point without its number and punctuation. A prefix of 64
    characters is cleaned first: when that leaves 40 characters, the number at its start ended
    well inside the prefix, so the whole text would give the same 40."""
    key = _without_number_and_punctuation(text[:64])
    return key[:40] if len(key) >= 40 else _without_number_and_punctuation(text)[:40]


def _without_number_and_punctuation(text: str) -> str:
    """_ITEM_KEY_DROPPED.sub("", text): the number can match only at the start, so it is cut there
    (if it matches), then every punctuation character after it."""
    number = _ITEM_NUMBER.match(text)
    return "".join(_WORD_RUN.findall(text, number.end() if number else 0))


def _dedupe_items(items: list[TextItem]) -> list[TextItem]:
    seen: set[str] = set()
    kept = []
    for item in items:
        key = _item_key(item.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept


def extract_items(document: Document, layout: Layout, roles: tuple[Role, ...]) -> list[TextItem]:
    items = []
    for start, end in _section_spans(layout, roles):
        for a, b in _points(document.text, start, end):
            item = _item(document, a, b, layout=layout)
            if item is not None:
                items.append(item)
    return _dedupe_items(items)


def extract_problems_and_measures(document: Document, layout: Layout) -> tuple[list[TextItem], list[TextItem]]:
    problems = extract_items(document, layout, (Role.PROBLEMS,))
    measures = extract_items(document, layout, (Role.MEASURES,))
    # A merged section (存在的问题及原因分析或有关建议): sort each sentence by its cues.
    for start, end in _section_spans(layout, (Role.PROBLEMS_AND_MEASURES,)):
        for a, b in _points(document.text, start, end):
            for s_start, s_end in _sentences(document.text, a, b):
                sentence = document.text[s_start:s_end]
                item = _item(document, s_start, s_end, layout=layout)
                if item is None:
                    continue
                if _PROBLEM_CUE.search(sentence):
                    problems.append(item)
                elif _MEASURE_CUE.search(_ITEM_START.sub("", sentence).strip()):
                    measures.append(item)
    # Plans stated elsewhere ("其他需要说明的问题：下阶段将……") are measures too.
    # Once a paragraph turns to plans, its following sentences are plans as well.
    for section in layout.sections_with(Role.OTHER):
        if not (_PLAN_WORD.search(document.text, section.body_start, section.body_end)
                or _PLAN_YEAR_TAIL.search(document.text, section.body_start, section.body_end)):
            continue  # no plan word at all: no sentence opens with one
        for a, b in _points(document.text, section.body_start, section.body_end):
            planning = False
            for s_start, s_end in _sentences(document.text, a, b):
                planning = planning or bool(_PLAN_CUE.match(document.text[s_start:s_end].strip()))
                if planning and (item := _item(document, s_start, s_end, layout=layout)) is not None:
                    measures.append(item)
    return _dedupe_items(problems), _dedupe_items(measures)


_SENTENCE_END = re.compile(r"[。！!]")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    ranges, position = [], start
    for match in _SENTENCE_END.finditer(text[start:end]):
        ranges.append((position, start + match.end()))
        position = start + match.end()
    if position < end and text[position:end].strip():
        ranges.append((position, end))
    return ranges
