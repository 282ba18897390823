"""The rules backend: deterministic, offline extraction by the genre's grammar. The default.

No I/O and no network. It reads metadata from the title block and key-value cells, figures
and indicators through rules_figures, and achievements, problems and measures as one item per
stated point in the sections whose role structure.py assigned. It never special-cases a
particular report: everything keys on the vocabulary of 预算绩效自评报告 in general.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..config import Settings
from ..document import Document
from ..genre import vocabulary
from ..numbers import find_quantities
from ..schemas import Evidence, Figure, Grade, Meta, Quantity, Report, ReportKind, TextItem
from ..structure import Layout, Role
from . import rules_figures


class RulesBackend:
    name = "rules"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def extract(self, document: Document, layout: Layout) -> Report:
        meta = extract_meta(document)
        table_figures, used = rules_figures.table_figures(document, layout)
        figures = table_figures + rules_figures.narrative_figures(document, layout, meta.year, used)
        figures.sort(key=lambda figure: figure.span.start)
        figures = rules_figures.dedupe(figures)
        indicators = rules_figures.indicators(document, layout)
        _complete_meta(meta, figures, indicators)
        problems, measures = extract_problems_and_measures(document, layout)
        achievements = extract_items(document, layout, (Role.ACHIEVEMENTS,))
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


# ---- meta ---------------------------------------------------------------------------------

_REGION = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:自治州|自治县|省|市|县|区|州|旗))")
_TITLE = re.compile(r"(?:20\d{2})\s*年度?[\s\S]{0,30}?(?:绩效|自评)")
_UNIT_LABEL = re.compile(
    r"(?:部门（单位）名称|部门\(单位\)名称|部门名称|单位名称|预算单位|项目实施单位|实施单位|评价单位)\s*[:：]?\s*[\t ]*([^\t\n]{2,40})"
)
_DATE = re.compile(r"(?:报告日期|填报日期|报送日期|日期)\s*[:：]?\s*(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CONTACT = re.compile(
    r"(?:联系人|填报人|经办人)(?:（签名）|\(签名\))?\s*[:：]?\s*[\t ]*([\u4e00-\u9fff]{2,4}?)"
    r"(?=联系电话|联络电话|电话|职务|手机|[^\u4e00-\u9fff]|$)"
)
_PHONE = re.compile(r"(?:联系电话|联络电话|电话)\s*[:：]?\s*[\t ]*(\d{3,4}-?\d{7,8}|1\d{10}|\d{7,8})(?!\d)")
_PROJECT = re.compile(r"项目名称\s*[:：]?\s*[\t\n ]*([^\t\n]{2,60})")
_STAFF_AUTH = re.compile(r"(?:人员编制|编制人数|核定编制数?|编制数|核定[\u4e00-\u9fff]{0,6}编制)\s*(?:为|共)?\s*[:：]?\s*[\t ]*(\d{1,5})\s*(?:名|人)?")
_STAFF_ACTUAL = re.compile(r"(?:实有人数|实有人员|在编人员共?|现有干部职工|现有人员|在职人员)\s*(?:为|共)?\s*[:：]?\s*[\t ]*(\d{1,5})\s*(?:名|人)?")
_SCORE = re.compile(r"(?:自评综合得分|综合得分|自评得分|自评结果|自评分数?|得分为|评价得分|自评总得分|总得分|最终得分)\s*(?:为|是)?\s*[:：]?\s*[\t ]*(\d{1,3}(?:\.\d+)?)\s*分?")
_GENRE = vocabulary()
_GRADE = re.compile(
    r"(?:评价等次|评价等级|自评等级|绩效等级|等级为|等次为|评定为|评价结果为)\s*(?:为|是|评定为)?\s*[:：]?\s*[\t ]*[“\"'「]?"
    f"({_GENRE.grade_word_pattern})"
)


def _report_kind(text: str) -> ReportKind:
    """The title decides (its first 400 characters); the body only breaks a tie."""
    for window in (text[:400], text[:1500]):
        department = re.search(r"整体支出|部门整体|单位整体", window)
        project = re.search(r"项目支出绩效|项目支出|项目绩效|项目名称", window)
        if department and (not project or department.start() < project.start()):
            return ReportKind.DEPARTMENT
        if project:
            return ReportKind.PROJECT
    return ReportKind.UNKNOWN


def _value_follows_label(text: str, match: re.Match[str]) -> bool:
    """A label may have its value on the next line ("人员编制\n\n21") only when it stands alone on
    its line; in a header row ("编制人数\t实有人数\n34\t30") the next line's first cell is not its value."""
    if "\n" not in text[match.start() : match.start(1)]:
        return True
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.start())
    return "\t" not in text[line_start:line_end].strip("\t ")


def _first(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    return pattern.search(text, start, len(text) if end is None else end)


def _note(meta: Meta, name: str, document: Document, match: re.Match[str], group: int = 1) -> None:
    meta.evidence[name] = Evidence(span=document.span(*match.span(group)), quote=document.quote(*match.span(0)))


def extract_meta(document: Document) -> Meta:
    text = document.text
    meta = Meta()
    head = text[:1500]
    title = _TITLE.search(head)
    if title:
        year = re.search(r"20\d{2}", title.group(0))
        meta.year = int(year.group(0))
        meta.evidence["year"] = Evidence(span=document.span(title.start(), title.end()), quote=title.group(0))
        line_start = text.rfind("\n", 0, title.start()) + 1
        region = _REGION.match(text, line_start, title.start() + 1) or _REGION.search(text[line_start : title.start()])
        if region:
            start = region.start(1) if region.string is text else line_start + region.start(1)
            meta.region = region.group(1).lstrip("#").strip()
            meta.evidence["region"] = Evidence(span=document.span(start, start + len(region.group(1))), quote=region.group(1))
    if meta.year is None:
        # No year in the title: the first year the opening names ("2021年部门决算收支…").
        first = re.search(r"(20\d{2})\s*年度?", head)
        if first:
            meta.year = int(first.group(1))
            meta.evidence["year"] = Evidence(span=document.span(*first.span(0)), quote=first.group(0))
    meta.kind = _report_kind(text)
    unit = _first(_UNIT_LABEL, text, 0, 6000)
    if unit:
        meta.unit_name = unit.group(1).strip(" ：:")
        _note(meta, "unit_name", document, unit)
    if meta.unit_name is None and title:
        # No 单位名称 line: the title's words before the year ("某县农业农村局2023年度…").
        line_start = text.rfind("\n", 0, title.start()) + 1
        prefix = text[line_start : title.start()].strip(" #\t")
        if len(prefix) >= 4 and prefix != meta.region and re.fullmatch(r"[\u4e00-\u9fff（）()“”]+", prefix):
            meta.unit_name = prefix
            start = text.index(prefix, line_start)
            meta.evidence["unit_name"] = Evidence(span=document.span(start, start + len(prefix)), quote=prefix)
    if meta.region is None and meta.unit_name:
        region = _REGION.match(meta.unit_name)
        if region and len(region.group(1)) <= 5:
            meta.region = region.group(1)
    if meta.kind is ReportKind.PROJECT:
        project = _first(_PROJECT, text, 0, 6000)
        if project:
            meta.project_name = project.group(1).strip()
            _note(meta, "project_name", document, project)
    when = _first(_DATE, text)
    if when:
        try:
            meta.report_date = date(int(when.group(1)), int(when.group(2)), int(when.group(3)))
            meta.evidence["report_date"] = Evidence(span=document.span(*when.span(0)), quote=when.group(0))
        except ValueError:
            pass
    contact = _first(_CONTACT, text)
    if contact:
        meta.contact_person = contact.group(1)
        _note(meta, "contact_person", document, contact)
    phone = _first(_PHONE, text)
    if phone:
        meta.contact_phone = phone.group(1)
        _note(meta, "contact_phone", document, phone)
    for name, pattern in (("staff_authorized", _STAFF_AUTH), ("staff_actual", _STAFF_ACTUAL)):
        match = next((m for m in pattern.finditer(text) if _value_follows_label(text, m)), None)
        if match:
            setattr(meta, name, int(match.group(1)))
            _note(meta, name, document, match)
    score = _first(_SCORE, text)
    if score:
        meta.self_score = Decimal(score.group(1))
        _note(meta, "self_score", document, score)
    grade = _first(_GRADE, text)
    if grade:
        meta.grade_label = grade.group(1)
        meta.grade = Grade(_GENRE.grade_of_word(grade.group(1)))
        _note(meta, "grade", document, grade)
    return meta


def _complete_meta(meta: Meta, figures: list[Figure], indicators) -> None:
    """Fill meta gaps from table figures (a 总分 row, a 人员编制 cell) the text patterns missed."""
    if meta.self_score is None:
        total = next((i for i in indicators if i.name in ("总分", "合计", "总计") and i.score is not None), None)
        if total is not None:
            meta.self_score = total.score
            meta.evidence["self_score"] = Evidence(span=total.span, quote=total.evidence)
    for key in ("staff_authorized", "staff_actual"):
        if getattr(meta, key) is None:
            figure = next((f for f in figures if f.key == key), None)
            if figure is not None:
                setattr(meta, key, int(figure.value))
                meta.evidence[key] = Evidence(span=figure.span, quote=figure.evidence)
    # A grade the report does not state is never inferred from the score; verify flags it.


# ---- achievements, problems, measures -----------------------------------------------------

_ITEM_START = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|[①-⑩])"
)
_INLINE_POINT = re.compile(r"(?<=[。；;！!])\s*(?=(?:[一二三四五六七八九十]是|[（(]?\d{1,2}[)）、.．](?!\d)))")
_INLINE_NUMBER = re.compile(r"(?<=[。；;！!])\s*(?=\d{1,2}[、.．](?!\d))")
_FIRST_POINT = re.compile(r"(?<=[^\s])(?=[二三四五六七八九十]是)")
_PROBLEM_CUE = re.compile(r"问题|不足|滞后|不够|有待|欠缺|缺乏|未能|差距|偏低|不完善|不到位|不健全|薄弱|不高|不强|较慢|较低|困难|压力")
_MEASURE_CUE = re.compile(r"建议|应当|^应|加强|加大|进一步|完善|提高|强化|健全|下一步|下阶段|^将|规范|落实|做好|推进|严格")
_PLAN_CUE = re.compile(r"^(?:[-*]\s*)?(?:下阶段|下一步|下一阶段|今后|下一年度|明年|\d{4}年[，,]?我[局中单位]{1,2}将)")
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


def _points(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a body into one range per stated point: list markers, 一是/二是, else paragraphs."""
    lines = []
    position = start
    for raw in text[start:end].split("\n"):
        lines.append((position, position + len(raw)))
        position += len(raw) + 1
    points: list[list[int]] = []
    for line_start, line_end in lines:
        line = text[line_start:line_end].strip("\t ")
        if not line:
            continue
        if re.fullmatch(r"[\s\t]*", line) or _is_label_only(line):
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
        inline = _INLINE_NUMBER if _ITEM_START.match(body) else _INLINE_POINT
        cuts = [0] + [m.start() for m in inline.finditer(body)] + [len(body)]
        if _ITEM_START.match(body):
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


def _is_label_only(line: str) -> bool:
    return len(line) <= 12 and not re.search(r"[。，,；;]", line) and line.strip() in ("问题", "建议", "措施")


def _item(document: Document, start: int, end: int, backend: str = "rules") -> TextItem | None:
    evidence = document.evidence(start, end)
    text = re.sub(r"\s+", " ", evidence.quote.replace("\t", " ")).strip()
    if len(re.sub(r"\W", "", text)) < MIN_ITEM_CHARS:
        return None
    numbers = [
        Quantity(value=q.value, unit=q.unit, raw=q.raw)
        for q in find_quantities(document.text, start, end, with_bare=False)
    ]
    return TextItem(text=text, span=evidence.span, evidence=evidence.quote, numbers=numbers, backend=backend)


def _dedupe_items(items: list[TextItem]) -> list[TextItem]:
    seen: set[str] = set()
    kept = []
    for item in items:
        key = re.sub(r"^\W*(?:\d+|[一二三四五六七八九十]+)[、.．]?|\W", "", item.text)[:40]
        if key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept


def extract_items(document: Document, layout: Layout, roles: tuple[Role, ...]) -> list[TextItem]:
    items = []
    for start, end in _section_spans(layout, roles):
        for a, b in _points(document.text, start, end):
            item = _item(document, a, b)
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
                item = _item(document, s_start, s_end)
                if item is None:
                    continue
                if _PROBLEM_CUE.search(sentence):
                    problems.append(item)
                elif _MEASURE_CUE.search(_ITEM_START.sub("", sentence).strip()):
                    measures.append(item)
    # Plans stated elsewhere ("其他需要说明的问题：下阶段将……") are measures too.
    # Once a paragraph turns to plans, its following sentences are plans as well.
    for section in layout.sections_with(Role.OTHER):
        for a, b in _points(document.text, section.body_start, section.body_end):
            planning = False
            for s_start, s_end in _sentences(document.text, a, b):
                planning = planning or bool(_PLAN_CUE.match(document.text[s_start:s_end].strip()))
                if planning and (item := _item(document, s_start, s_end)) is not None:
                    measures.append(item)
    return _dedupe_items(problems), _dedupe_items(measures)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    ranges, position = [], start
    for match in re.finditer(r"[。！!]", text[start:end]):
        ranges.append((position, start + match.end()))
        position = start + match.end()
    if position < end and text[position:end].strip():
        ranges.append((position, end))
    return ranges
