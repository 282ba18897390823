"""Meta by rule: who wrote the report, about what, when, and how it scored itself. No I/O.

Reports state these facts in many places: a 单位名称/实施单位/主管部门 field (with its value on
the same line, the next cell, or glued on after the label in a one-line paste), the title line
("某县某局2023年度部门整体支出绩效自评报告", "2021年某局整体支出绩效自评报告"), the signature
("某局\n2023年3月15日") and a web page's 来源/发布机构 line. Each candidate is accepted only when
it reads as a unit name: Chinese, and ending in an organisation word (局, 办公室, 中心, 小学 …,
from summarizer/genre/meta.toml), so a form's "(盖章)" or a sentence is never taken for a unit.
The region is the administrative chain that opens the unit name (省, 市/州, 县/区/旗).
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal

from ..chars import HAN_FIRST, HAN_LAST, is_han
from ..document import Document
from ..genre import vocabulary
from ..schemas import Evidence, Grade, Meta, ReportKind
from .patterns import branches

_GENRE = vocabulary()
_W = _GENRE.meta_words
_CJK = "\u4e00-\u9fff"
_UNIT_RUN = re.compile(rf"{_W['unit_chars']}+")
_ORG_END = re.compile(rf"(?:{_W['org_suffix']})$")
_STOP = re.compile(_W["stop_labels"])
_NOT_REGION_PREFIX = re.compile(_W["unit_prefix_not_region"])
_KIND_OR_TITLE = re.compile(rf"{_W['department_kind']}|{_W['project_kind']}|{_W['title']}|部门|年度|关于")
_TITLE = re.compile(_W["title"])
_DEPARTMENT = re.compile(_W["department_kind"])
_PROJECT = re.compile(_W["project_kind"])
# One administrative level: characters that are not themselves level words, then the level word.
_P = rf"(?:州(?=市)|(?![省市县区州旗盟年度级])[{_CJK}])"
_REGION = re.compile(
    rf"(?P<province>{_P}{{2,7}}?(?:省|自治区))?(?P<city>{_P}{{1,7}}?(?:市|自治州|州(?!市)|地区|盟))?"
    rf"(?P<county>{_P}{{1,6}}?(?:自治县|县|区|旗|市))?"
)
# The last character of every level word above: a region (not empty) ends in one of them.
_LEVEL_END_CHARS = frozenset("省区市州盟县旗")
_LEAD = re.compile(r"(?:附件\s*\d*|\d{1,2}[、.．](?!\d)|[\s#:：])*")
_YEAR = re.compile(r"(20\d{2})\s*年(度?)")
_YEAR_IN_TITLE = re.compile(r"[（(]?\s*(20\d{2})\s*年度?\s*[）)]?")
_DATE_CN = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_SEPARATORS = re.compile(r"(?:[\s|:：]|[（(][盖公]章[）)]|\d{3,}-)*")  # "219001-某镇人民政府": a budget code
_MIN_UNIT = 3
_MAX_UNIT = 40


def _labels(name: str) -> list[re.Pattern[str]]:
    """A label alternation as a list, in priority order."""
    return [re.compile(part) for part in _W[name].split("|") if part]


_UNIT_LABELS = _labels("unit_labels")
_PAGE_LABELS = _labels("page_labels")
_PROJECT_LABELS = _labels("project_labels")
_TOWNSHIP_END = re.compile(r"[乡镇]$")
_PROJECT_VALUE = re.compile(rf"[{_CJK}（）()“”\"《》A-Za-z0-9\-—]+")
_HEADING_START = re.compile(r"\s*[一二三四五六七八九十]+、")
_TITLE_TAIL = re.compile(r"(?:项目支出|区域|年度)+$")
_OUTER_BRACKET = re.compile(r"^[（(]|[)）]$")
_MONTH_AFTER = re.compile(r"\s*\d{1,2}\s*月")
_SEAL_END = re.compile(r"[盖公]章[）)]?$")
_GENERIC_PROJECT = re.compile(_W["generic_project"])


def _opens_with_level_word(text: str) -> bool:
    """Does r"[\u4e00-\u9fff]{0,2}(?:级|域)" match at the start of `text` ("级", "省级", "流域")?"""
    for char in text[:3]:
        if char in "级域":
            return True
        if not is_han(char):
            return False
    return False


# Patterns few reports reach (a signature as the only unit name, a project named in brackets
# by its title), compiled on first use: their big character classes cost ~0.6 ms each at import.
@functools.lru_cache(maxsize=1)
def _signature_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The unit words that end a stretch, and the title or label words that cut them."""
    return re.compile(rf"{_W['unit_chars']}+$"), re.compile(rf"{_W['title']}|{_W['stop_labels']}|[（(]盖章[）)]")


@functools.lru_cache(maxsize=1)
def _bracket_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """"(某某补助经费项目)" on the line under a title, and at the end of the title line."""
    return (
        re.compile(rf"\s*[（(]([{_CJK}“”\"《》（）()]{{4,40}})[）)]"),
        re.compile(rf"[（(]([{_CJK}“”\"《》]{{4,40}})[）)]\s*$"),
    )


def unit_name_in(value: str) -> str | None:
    """The unit name a field value (or a stretch of title) opens with, if it reads as one."""
    run = _UNIT_RUN.match(value.strip())
    if not run:
        return None
    words = run.group(0)
    for cut in (_STOP, _KIND_OR_TITLE):
        match = cut.search(words, 1)
        if match:
            words = words[: match.start()]
    # The longest prefix that ends in an organisation word: "某县水利局资金情况" -> "某县水利局".
    for end in range(len(words), _MIN_UNIT - 1, -1):
        candidate = words[:end]
        if _ORG_END.search(candidate) and not candidate.startswith(("我", "本", "该")):
            if len(candidate) < 4 and not region_of(candidate) and not _TOWNSHIP_END.search(candidate):
                return None  # "财政处" alone names an office, not the unit
            return candidate if len(candidate) <= _MAX_UNIT else None
    return None


def region_of(unit: str) -> str | None:
    """"岳阳市岳阳楼区文化旅游局" -> 岳阳市岳阳楼区; "中共某县委办公室" -> 某县."""
    name = _NOT_REGION_PREFIX.sub("", unit)
    return _region_at(name, 0)


def _region_at(text: str, position: int) -> str | None:
    match = _REGION.match(text, position)
    if not match or not match.group(0):
        return None
    region = match.group(0)
    county = match.group("county")
    # "某市城市管理…": a county-level 市 right after a city is a word, not a level.
    if county and county.endswith("市") and match.group("city"):
        region = region[: -len(county)]
    return region or None


def _region_before(text: str, unit: str) -> tuple[int, int] | None:
    """"某县田心乡" somewhere in the text gives the region of a unit named "田心乡" in its title."""
    for match in re.finditer(re.escape(unit), text[:20000]):
        if match.start() == 0 or text[match.start() - 1] not in _LEVEL_END_CHARS:
            continue  # no level word ends right before it: no width gives a region
        for width in (*range(3, 13), 2):  # the shortest named chain: "楚雄州武定县田心乡" -> 武定县 (南县 last)
            start = match.start() - width
            if start >= 0 and (region := _REGION.fullmatch(text, start, match.start())) and region.group(0):
                return start, match.start()
    return None


def _title_line(text: str) -> tuple[int, int] | None:
    """The first line in the opening that names the genre (绩效自评报告 …)."""
    for match in _TITLE.finditer(text, 0, min(len(text), 1500)):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end == -1 else end
        if end - start < 16 and not _YEAR.search(text, start, end):
            # A title wrapped over two lines ("某区2021年度项目支出\n\n绩效评价自评报告").
            previous = text[:start].rstrip()
            start = previous.rfind("\n") + 1 if previous else start
        return start, end
    return None


def _report_kind(text: str) -> ReportKind:
    """The title decides (its first 400 characters); the body only breaks a tie."""
    for window in (text[:400], text[:1500]):
        department, project = _DEPARTMENT.search(window), _PROJECT.search(window)
        if department and (not project or department.start() < project.start()):
            return ReportKind.DEPARTMENT
        if project:
            return ReportKind.PROJECT
    return ReportKind.UNKNOWN


# Evidence(**fields) without its __init__ frame; given its span's fields, it builds the Span too.
_new_evidence = Evidence.__pydantic_validator__.validate_python


def _set(meta: Meta, document: Document, name: str, value, start: int, end: int, quote_start: int | None = None) -> None:
    setattr(meta, name, value)
    meta.evidence[name] = _new_evidence({
        "span": document.span_fields(start, end),
        "quote": document.quote(quote_start if quote_start is not None else start, end),
    })


def _field_value_start(text: str, label_end: int) -> int:
    """Where a label's value starts: past separators, "(盖章)" and up to two empty cells."""
    return _SEPARATORS.match(text, label_end).end()


def _unit_from_fields(text: str, limit: int, labels: list[re.Pattern[str]] = _UNIT_LABELS) -> tuple[str, int, int] | None:
    for pattern in labels:
        for match in pattern.finditer(text, 0, limit):
            start = _field_value_start(text, match.end())
            unit = unit_name_in(text[start : start + 80])
            if unit:
                begin = text.find(unit, start)
                return unit, begin, begin + len(unit)
    return None


def _unit_from_title(text: str, title: tuple[int, int]) -> tuple[str, int, int] | None:
    start, end = title
    line = text[start:end]
    # After enumerators, 附件 words and a year: the unit opens the rest of the line.
    openings = [m.end() for m in _YEAR_IN_TITLE.finditer(line)] + [0]
    for opening in openings:
        stripped = _LEAD.match(line, opening).end()
        unit = unit_name_in(line[stripped:])
        if unit:
            return unit, start + stripped, start + stripped + len(unit)
    return None


def _unit_before_date(text: str) -> tuple[str, int, int] | None:
    """The signature: "某县水利局2022年12月30日" (the unit right before the date)."""
    unit_run_at_end, title_or_stop = _signature_patterns()
    for match in _DATE_CN.finditer(text):
        before = text[max(0, match.start() - 60) : match.start()].rstrip(" \t\n|")
        words = unit_run_at_end.search(before)
        if not words:
            continue
        pieces = title_or_stop.split(words.group(0))
        unit = unit_name_in(pieces[-1]) if pieces[-1] else None
        if unit and pieces[-1].endswith(unit):
            end = match.start() - (len(text[: match.start()]) - len(text[: match.start()].rstrip(" \t\n|")))
            return unit, end - len(unit), end
    return None


def _project_name(text: str, title: tuple[int, int] | None, unit: str | None, limit: int) -> tuple[str, int, int] | None:
    for pattern in _PROJECT_LABELS:
        for match in pattern.finditer(text, 0, limit):
            start = _field_value_start(text, match.end())
            value = _PROJECT_VALUE.match(text[start : start + 80])
            if value:
                words = value.group(0)
                cut = _STOP.search(words, 2)
                words = words[: cut.start()] if cut else words
                if len(words) >= 2:
                    return words, start, start + len(words)
    if title is None:
        return None
    for candidate in (title, *_more_titles(text, title)):
        found = _project_in_title(text, candidate, unit)
        if found and not _GENERIC_PROJECT.match(found[0]):
            return found
    return None


def _more_titles(text: str, first: tuple[int, int]) -> list[tuple[int, int]]:
    """Other title lines in the opening (a page title, then the report's own)."""
    found = []
    for match in _TITLE.finditer(text, first[1], min(len(text), 1500)):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end == -1 else end
        if end - start <= 60 and not _HEADING_START.match(text[start:end]):
            found.append((start, end))  # a title line, not a heading or a paragraph
    return found


def _project_in_title(text: str, title: tuple[int, int], unit: str | None) -> tuple[str, int, int] | None:
    start, end = title
    # "某局2021年度项目绩效自评报告\n(某某补助经费项目)": the project in brackets after the title.
    bracket_line, trailing_bracket = _bracket_patterns()
    bracket = bracket_line.match(text, end)
    trailing = trailing_bracket.search(text[start:end])
    for found, base in ((trailing, start), (bracket, 0)):
        if found and not _YEAR.search(found.group(1)):
            return found.group(1), base + found.start(1), base + found.end(1)
    line = text[start:end]
    head = _TITLE.search(line)
    stretch = line[: head.start()] if head else line
    years = list(_YEAR_IN_TITLE.finditer(stretch))
    position = years[-1].end() if years else 0
    if years and not stretch[position:].strip(" （）()"):
        # "某县某某公益金转移支付2023年度绩效自评报告": the project before the year.
        stretch, position = stretch[: years[-1].start()], 0
    name = stretch[position:]
    if unit and unit in name:
        position += name.index(unit) + len(unit)
        name = stretch[position:]
    lead = _LEAD.match(name).end()
    position += lead
    name = name[lead:]
    region = _region_at(name, 0)
    if region and len(name) - len(region) >= 4:
        name = name[len(region):]  # the region opens the title, not the project's name
    name = _TITLE_TAIL.sub("", name).strip(" （）()")
    name = _OUTER_BRACKET.sub("", name)
    if len(name) >= 4 and any(map(is_han, name)):
        at = start + line.index(name, 0)
        return name, at, at + len(name)
    return None


def _year(text: str, title: tuple[int, int] | None) -> tuple[int, int, int] | None:
    """The year evaluated: the title's year, else the first 20xx年度, else the first year that
    is not a date (a filing date names the next year)."""
    if title is not None:
        head = _TITLE.search(text, *title)
        years = list(_YEAR.finditer(text, title[0], head.start() if head else title[1])) or list(_YEAR.finditer(text, *title))
        if years:
            match = years[-1]
            return int(match.group(1)), match.start(), match.end()
    head = text[:1500]
    for match in _YEAR.finditer(head):
        if match.group(2):
            return int(match.group(1)), match.start(), match.end()
    for match in _YEAR.finditer(head):
        if not _MONTH_AFTER.match(head[match.end() :]):
            return int(match.group(1)), match.start(), match.end()
    return None


# Each labelled field's pattern is (?:label words)rest; _ANY_FIELD holds every label word: it
# matches wherever one of the fields' patterns can (a label word opens each), and at a few places
# more (a label without its value), where trying the fields finds nothing. The label words alone,
# not each followed by its rest: the union of the rests cost 13 ms to compile, on every start.
_FIELD_ALTERNATIVES: list[str] = []


_LITERAL_OPENING = re.compile(r"[^\\.^$*+?{}\[\]|()]*")


def _finder(label: str) -> str:
    """A label alternative as _ANY_FIELD holds it: one holding the CJK range ("核定(?![\u4e00-\u9fff]{0,6}车)…")
    as the literal words it opens with (matching wherever it does, and maybe more), which spares
    compiling the range's class again (~0.5 ms each)."""
    if "\\u4e00-\\u9fff" not in label and f"{HAN_FIRST}-{HAN_LAST}" not in label:
        return label
    opening = _LITERAL_OPENING.match(label).group(0)
    if label[len(opening) : len(opening) + 1] in ("*", "?", "{"):
        opening = opening[:-1]  # the last character may be absent
    return re.escape(opening) if opening else label


def _label_then(labels: str, rest: str) -> re.Pattern[str]:
    """(?:labels)rest, its label words kept for _ANY_FIELD."""
    _FIELD_ALTERNATIVES.extend(_finder(label) for label in branches(labels))
    return re.compile(f"(?:{labels}){rest}")


def _labelled(labels: str, value: str) -> re.Pattern[str]:
    """A label, then its value: "自评得分(100分)为：97", "联系电话 | 0731-1234567"."""
    return _label_then(labels, rf"\s*(?:[（(]\d*分[)）])?\s*(?:为|是|共)?\s*[:：]?[\s|]*{value}")


_LABELLED_DATE = _labelled(_W["date_labels"], r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_LABELLED_PHONE = _labelled(_W["phone_labels"], r"(\d{3,4}-?\d{7,8}|1\d{10}|\d{7,8})(?!\d)")
_LABELLED_SCORE = _labelled(_W["score_labels"], r"(\d{1,3}(?:\.\d+)?)(?![\d.])\s*分?")
_LABELLED_GRADE = _labelled(_W["grade_labels"], rf"(?:评定为|评为)?[“\"'「]?({_GENRE.grade_word_pattern})")
_CONTACT = _label_then(
    _W["contact_labels"],
    rf"(?:（签名）|\(签名\))?\s*[:：]?[\s|]*([{_CJK}]{{2,4}}?)(?=联系电话|联络电话|电话|职务|手机|[^{_CJK}]|$)",
)
_STAFF = {
    name: _label_then(_W[name + "_labels"], r"\s*(?:为|共)?\s*[:：]?[\t |]*(\d{1,5})(?![\d.])(?!\s*年)\s*(?:名|人|个)?")
    for name in ("staff_authorized", "staff_actual")
}
_FIELDS = {
    "date": _LABELLED_DATE, "contact": _CONTACT, "phone": _LABELLED_PHONE, **_STAFF,
    "score": _LABELLED_SCORE, "grade": _LABELLED_GRADE,
}


def _any_field() -> re.Pattern[str] | None:
    """The union of _FIELD_ALTERNATIVES, None if it does not compile."""
    try:
        return re.compile("|".join(_FIELD_ALTERNATIVES))
    except re.error:  # label words with named groups, repeated in the union
        return None


_ANY_FIELD = _any_field()


def _field_matches(text: str) -> dict[str, re.Match[str]]:
    """The first match of each field's pattern in `text` (a staff count's: the first whose value
    follows its label, as its finditer finds them). One scan for all: at each position where a
    label word stands (_ANY_FIELD finds it), each field not yet found is tried there; no field's
    match starts anywhere else."""
    if _ANY_FIELD is None:
        return _field_matches_apart(text)
    found: dict[str, re.Match[str]] = {}
    allowed = dict.fromkeys(_FIELDS, 0)  # a staff count's next match starts after the one refused
    position = 0
    while len(found) < len(_FIELDS) and (hit := _ANY_FIELD.search(text, position)) is not None:
        at = hit.start()
        for name, pattern in _FIELDS.items():
            if name in found or at < allowed[name] or (match := pattern.match(text, at)) is None:
                continue
            if name in _STAFF and not _value_follows_label(text, match):
                allowed[name] = match.end()
            else:
                found[name] = match
        position = at + 1
    return found


def _field_matches_apart(text: str) -> dict[str, re.Match[str]]:
    """_field_matches, one scan a field."""
    found = {}
    for name, pattern in _FIELDS.items():
        if name in _STAFF:
            match = next((m for m in pattern.finditer(text) if _value_follows_label(text, m)), None)
        else:
            match = pattern.search(text)
        if match is not None:
            found[name] = match
    return found


def extract_meta(document: Document) -> Meta:
    text = document.text
    meta = Meta()
    title = _title_line(text)
    year = _year(text, title)
    if year:
        _set(meta, document, "year", year[0], year[1], year[2])
    meta.kind = _report_kind(text)

    unit = (
        _unit_from_fields(text, 6000)
        or (_unit_from_title(text, title) if title else None)
        or _unit_from_fields(text, 1500, _PAGE_LABELS)
        or _unit_before_date(text)
    )
    if unit:
        _set(meta, document, "unit_name", unit[0], unit[1], unit[2])
        region = region_of(unit[0])
        if region:
            offset = unit[0].index(region)
            _set(meta, document, "region", region, unit[1] + offset, unit[1] + offset + len(region))
        else:
            before = _region_before(text, unit[0])
            if before:
                _set(meta, document, "region", text[before[0] : before[1]], before[0], before[1])
    if meta.region is None and title is not None:
        line = text[title[0] : title[1]]
        lead = _LEAD.match(line).end()
        for opening in [match.end() for match in _YEAR_IN_TITLE.finditer(line)] + [lead]:
            region = _region_at(line, opening)
            if region and not _opens_with_level_word(line[opening + len(region):]):
                _set(meta, document, "region", region, title[0] + opening, title[0] + opening + len(region))
                break

    if meta.kind is ReportKind.PROJECT:
        project = _project_name(text, title, meta.unit_name, 6000)
        if project and not _GENERIC_PROJECT.match(project[0]):
            _set(meta, document, "project_name", project[0], project[1], project[2])

    fields = _field_matches(text)
    labelled_date = fields.get("date")
    signed = labelled_date or _signature_date(text, meta.year)
    if signed:
        try:
            when = date(int(signed.group(1)), int(signed.group(2)), int(signed.group(3)))
            _set(meta, document, "report_date", when, signed.start(1), signed.end(0), signed.start(0))
        except ValueError:
            pass
    contact = fields.get("contact")
    if contact:
        _set(meta, document, "contact_person", contact.group(1), contact.start(1), contact.end(1), contact.start(0))
    phone = fields.get("phone")
    if phone:
        _set(meta, document, "contact_phone", phone.group(1), phone.start(1), phone.end(1), phone.start(0))
    for name in _STAFF:
        match = fields.get(name)
        if match:
            _set(meta, document, name, int(match.group(1)), match.start(1), match.end(0), match.start(0))
    score = fields.get("score")
    if score and Decimal(score.group(1)) <= 100:
        _set(meta, document, "self_score", Decimal(score.group(1)), score.start(1), score.end(1), score.start(0))
    grade = fields.get("grade")
    if grade:
        meta.grade_label = grade.group(1)
        _set(meta, document, "grade", Grade(_GENRE.grade_of_word(grade.group(1))), grade.start(1), grade.end(1), grade.start(0))
    return meta


def _signature_date(text: str, year: int | None) -> re.Match[str] | None:
    """A date standing alone on its line, after "(盖章)" or right after a unit name, in the opening
    or the closing of the report, not before the year evaluated."""
    for match in _DATE_CN.finditer(text):
        if 1500 < match.start() < len(text) - 800:
            continue
        if year is not None and int(match.group(1)) < year:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end == -1 else line_end
        before = text[line_start : match.start()].strip(" \t|")
        if not before and not text[line_start : match.start()].startswith("\t"):
            before = text[:line_start].rstrip(" \t|\n")  # the line above: "某局" or "(盖章)"
        if _ORG_END.search(before) or _SEAL_END.search(before):
            return match
    return None


def _value_follows_label(text: str, match: re.Match[str]) -> bool:
    """A label may have its value on the next line ("人员编制\n\n21") only when it stands alone on
    its line; in a header row ("编制人数\t实有人数\n34\t30") the next line's first cell is not its value."""
    if "\n" not in text[match.start() : match.start(1)]:
        return True
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.start())
    return "\t" not in text[line_start:line_end].strip("\t ")
