"""Figures and indicators by rule: the genre's label grammar for amounts, rates and counts.

No I/O. Works on a Document and its Layout; every figure's span and evidence are computed here
from positions in the text, so a figure is always something the report states.

Narrative: each number with a unit is labelled by the label words closest before it in its
clause (subject words such as 基本支出 beat generic words such as 预算/实际支出), with period
words (年初预算, 决算, 上年) setting the period and words after it (上缴财政, 结转至) overriding
where the genre puts the label last. Amounts with no label inside an enumeration become line
items. Tables: value cells take their key from the column header, key-value rows from the cell
before them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..chars import han_count, is_han
from ..document import Document, covering
from ..numbers import MONEY_UNITS, PERCENT_UNITS, Quantity, parse_decimal, to_wan
from ..schemas import Figure, FigureKind, Indicator, Period
from ..genre import vocabulary
from ..structure import Layout, Role, Table, TableRow, is_key_value_texts
from .patterns import any_of, branches, fast

# The label words come from the genre's vocabulary (summarizer/genre/figures.toml).
_GENRE = vocabulary()


class _LabelPatterns(list):
    """(pattern, key) pairs in priority order, each pattern in its `patterns.fast` form, and `any_of`: all
    the patterns as one regex, which matches somewhere exactly when one of them does (a fast
    reject for `_closest`). Not built when a pattern has groups: joined, a backreference would
    point at another pattern's group."""

    def __init__(self, entries) -> None:
        super().__init__((fast(entry.pattern), entry.key) for entry in entries)
        self.any_of = any_of([pattern for pattern, _ in self])


_SUBJECT_RE = _LabelPatterns(_GENRE.subjects)
_GENERIC_RE = _LabelPatterns(_GENRE.generics)
_RATE_RE = _LabelPatterns(_GENRE.rates)
_AFTER_RE = _LabelPatterns(_GENRE.after)
_KV_RE = _LabelPatterns(_GENRE.key_values)
_PERIOD_RE = _GENRE.periods
_PERIOD_FAST = {name: fast(pattern) for name, pattern in _PERIOD_RE.items()}

# Each kind of stretch ends at its stop characters: an enumeration runs across "；", a sentence
# ends there too, and a clause also at a comma or a tab (each kind's stops are the next's too).
_ENUMERATION_END = "。\n"
_SENTENCE_END = _ENUMERATION_END + "；;"
_CLAUSE_END = _SENTENCE_END + "，,\t"
_CLAUSE_STOP = re.compile(f"[{_CLAUSE_END}]")
_SENTENCE_STOP = re.compile(f"[{_SENTENCE_END}]")
_ENUMERATION_STOP = re.compile(f"[{_ENUMERATION_END}]")
_LIST_MARKER = _GENRE.markers["enumerator"]
# The marker pattern is one alternative anchored at the text's start: it can match only there, so
# a match there and a cut is its sub (an empty match cuts nothing, as sub replaces it by nothing).
_LIST_MARKER_AT_START = _LIST_MARKER.flags == re.UNICODE and len(branches(_LIST_MARKER.pattern)) == 1 \
    and _LIST_MARKER.pattern.startswith("^")
_TOTAL_ROW = _GENRE.markers["total_row"]
_YEAR = re.compile(r"(20\d{2})年")
_WHITESPACE = re.compile(r"\s+")


_THRESHOLD_AFTER = _GENRE.markers["threshold_after"]
_FORMULA_BEFORE = _GENRE.markers["formula_before"]


_INDICATOR_VALUE = fast(_GENRE.markers["indicator_value"])
_LINE_OF = {"budget": "project_line", "actual_spending": "spending_line"}
# A list item's number, then its name (_list_head reads the name).
_LIST_NUMBER = re.compile(r"\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])\s*")
_LIST_NAME_MARKS = frozenset("“”（）()")
_FUNDING_SOURCE = _GENRE.markers["funding_source"]
_PER_UNIT_AFTER = re.compile(r"\s*/\s*[\u4e00-\u9fff]")
MAX_RATE = Decimal(1000)
# The enum members read once per number: a member lookup (FigureKind.MONEY) costs ~40 ns in 3.11.
_MONEY, _RATE, _SCORE, _COUNT = FigureKind.MONEY, FigureKind.RATE, FigureKind.SCORE, FigureKind.COUNT
_UNSPECIFIED, _BUDGET, _PRIOR_YEAR = Period.UNSPECIFIED, Period.BUDGET, Period.PRIOR_YEAR


def _closest(patterns: list[tuple[re.Pattern[str], str]], context: str) -> tuple[str, int, str] | None:
    """The key whose match ends closest to the end of `context` (ties: the longer match)."""
    any_of = getattr(patterns, "any_of", None)
    if any_of is not None and not any_of.search(context):
        return None  # one search instead of one per pattern
    best: tuple[int, int, str, str] | None = None
    for pattern, key in patterns:
        first = pattern.search(context)  # most patterns are not there: no iterator for them
        if first is None:
            continue
        for match in pattern.finditer(context, first.start()):
            candidate = (match.end(), match.end() - match.start(), key, match.group(0))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return None if best is None else (best[2], best[0], best[3])


def _period(context: str, year: int | None, report_year: int | None) -> Period:
    if _ANY_PERIOD is not None and not _ANY_PERIOD.search(context):
        # No period word at all (most counts and rates): one search instead of four.
        return _PRIOR_YEAR if year is not None and report_year is not None and year < report_year else _UNSPECIFIED
    if _PERIOD_FAST["prior_year"].search(context):
        return _PRIOR_YEAR
    if year is not None and report_year is not None and year < report_year:
        return _PRIOR_YEAR
    if _PERIOD_FAST["adjusted"].search(context):
        return Period.ADJUSTED
    actual = _PERIOD_FAST["actual"].search(context)
    budget = _PERIOD_FAST["budget"].search(context)  # not 一般公共预算拨款
    if actual and (not budget or actual.end() > budget.end()):
        return Period.ACTUAL
    if budget:
        return _BUDGET
    return _UNSPECIFIED


_ANY_PERIOD = any_of([_PERIOD_RE[name] for name in ("prior_year", "adjusted", "actual", "budget")])


_COLON = re.compile(r"[：:]")
_LEAD_WORDS = ("其中", "包括", "分别为", "具体为")
_LEAD_WORD = re.compile(rf"^(?:{'|'.join(_LEAD_WORDS)})[：:]?")


def _label_from(context: str) -> str:
    label = context.strip()
    if not label:
        return label
    head = label[:-1]
    if "：" in head or ":" in head:
        label = _COLON.split(label.rstrip("：:"))[-1]  # "专项资金使用情况：1、行政审批…"
    if _LIST_MARKER_AT_START:  # (_LIST_MARKER.subn, without trying every position)
        marker = _LIST_MARKER.match(label)
        if marker:  # up to two markers ("1、（1）"); with no first there is no second
            label = label[marker.end() :]
            marker = _LIST_MARKER.match(label)
            label = label[marker.end() :] if marker else label
    else:
        label, removed = _LIST_MARKER.subn("", label)
        if removed:
            label = _LIST_MARKER.sub("", label)
    if label.startswith(_LEAD_WORDS):  # (the regex matches only there)
        label = _LEAD_WORD.sub("", label)
    label = label.strip(" ：:（(，,、)）-").lstrip("为是共计约达").rstrip("为是约达")
    return label[-24:]


# A figure's kind by its unit (every other unit is a count); one lookup per number.
_KIND_OF_UNIT = {**dict.fromkeys(MONEY_UNITS, _MONEY), **dict.fromkeys(PERCENT_UNITS, _RATE), "分": _SCORE}


# The indicator words match alike wherever a slice starts (no anchor, lookbehind or word
# boundary): a slice that holds none has no shorter slice ending at the same place that holds one.
_INDICATOR_WORDS_CONTEXT_FREE = not re.search(r"\^|\\[AbB]|\(\?<", _INDICATOR_VALUE.pattern)


def _sentence_start(text: str, position: int, limit: int) -> int:
    """Just after the last sentence stop before `position`, at most `limit` characters back."""
    low = max(0, position - limit)
    rfind = text.rfind
    return max(low, *(rfind(stop, low, position) + 1 for stop in _SENTENCE_END))




def _stated_quantities(text: str, quantities: list[Quantity], inside) -> list[Quantity]:
    """The quantities with a unit, outside the ranges `inside` tells, that state a figure of the report.

    Not a rule or a formula: "执行率未达到90%的需说明原因", "(B/A×100%)". Not an indicator's target
    or actual ("年初指标值为不低于85%,全年实际完成值100%": an indicator word in its sentence, at
    most 40 characters back), a standard per unit ("260元/辆"), or a rate of 202010100% (glued digits).
    """
    kept = []
    threshold_after, formula_before, indicator_word = _THRESHOLD_AFTER.match, _FORMULA_BEFORE.search, _INDICATOR_VALUE.search
    for quantity in quantities:
        unit = quantity.unit
        if not unit:
            continue
        start, end = quantity.start, quantity.end
        if inside(start, end) or threshold_after(text[end : end + 6]) or formula_before(text, start - 1 if start else 0, start):
            continue
        if unit in PERCENT_UNITS and quantity.value > MAX_RATE or unit in MONEY_UNITS and _PER_UNIT_AFTER.match(text, end):
            continue
        # An indicator word in the 40 characters before is rare: only then is the sentence's start
        # (at most 40 back) needed to tell whether the word is in the quantity's sentence.
        # (Context free, the words are found in text[low:start] by a search between those bounds.)
        if (not _INDICATOR_WORDS_CONTEXT_FREE or indicator_word(text, start - 40 if start > 40 else 0, start)) \
                and indicator_word(text[_sentence_start(text, start, 40) : start]):
            continue
        kept.append(quantity)
    return kept


class _StretchStarts:
    """Where the enumeration (at most 600 characters back), the sentence (400) and the clause (60)
    ending at a position start: just after the last of their stop characters, else that far back.

    Each kind's stops are the next kind's too, so the last clause stop (one regex search over the
    reversed text: the first stop found there) is the last sentence stop if it is one, and the sentence's
    stop the enumeration's if it is a full stop or a line break: mostly one or two searches."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.reversed = text[::-1]
        self.length = len(text)

    def __call__(self, position: int) -> tuple[int, int, int]:
        # Each search finds the last stop in text[low:high] as the first in reversed[length - high : length - low]
        # (called once per number: the searches are written out, not a helper's calls).
        text, reversed_text, length = self.text, self.reversed, self.length
        low = position - 60 if position > 60 else 0
        found = _CLAUSE_STOP.search(reversed_text, length - position, length - low)
        stop = -1 if found is None else length - 1 - found.start()
        clause = stop + 1 if stop >= 0 else low
        if stop < 0 or text[stop] not in _SENTENCE_END:
            # No sentence stop after the clause's start (or 60 back): the sentence's is before it.
            low = position - 400 if position > 400 else 0
            found = _SENTENCE_STOP.search(reversed_text, length - (stop if stop >= 0 else clause), length - low)
            stop = -1 if found is None else length - 1 - found.start()
            sentence = stop + 1 if stop >= 0 else low
        else:
            sentence = clause
        if stop < 0 or text[stop] not in _ENUMERATION_END:
            low = position - 600 if position > 600 else 0
            found = _ENUMERATION_STOP.search(reversed_text, length - (stop if stop >= 0 else sentence), length - low)
            stop = -1 if found is None else length - 1 - found.start()
            enumeration = stop + 1 if stop >= 0 else low
        else:
            enumeration = sentence
        return enumeration, sentence, clause


def narrative_figures(document: Document, layout: Layout, report_year: int | None, skip: set[tuple[int, int]]) -> list[dict]:
    """The figures stated in the text outside the `skip` ranges, each as the fields of its Figure
    (`build_figures` makes them: rules.py drops repeats first)."""
    text = document.text
    figures: list[dict] = []
    inside = covering(skip)
    in_table = covering((table.start, table.end) for table in layout.tables)
    quantities = _stated_quantities(text, layout.quantities, inside)
    stretch_starts = _StretchStarts(text)
    next_money = _next_money_starts(quantities, len(text))
    previous: dict | None = None
    previous_sentence = -1
    last_amount_end = last_unit_end = 0
    any_period = _ANY_PERIOD.search if _ANY_PERIOD is not None else None
    for index, quantity in enumerate(quantities):
        start = quantity.start
        if index:
            # Every kept quantity has a unit, so the one before always moves last_unit_end.
            before = quantities[index - 1]
            last_unit_end = before.end
            if before.unit in MONEY_UNITS or before.unit in PERCENT_UNITS:
                last_amount_end = before.end
        # An enumeration runs across "；" (其中：申请省级财政0万元；申请市级财政0万元), so the
        # figure before stays in reach until a full stop or a line break.
        enumeration_start, sentence_start, clause_start = stretch_starts(start)
        kind = _KIND_OF_UNIT.get(quantity.unit, _COUNT)
        # Only an amount reads its enumeration's words (其中, the head's period).
        enumeration = text[enumeration_start:start] if kind is _MONEY else None
        # The clause stops at the previous amount too: "…35万元，实际支付30.66万元" are two clauses.
        # A count before an amount ("预算8个项目985万元") is part of its label; an amount before
        # anything, or a count before a count ("首次登记12000件、转移登记21000件"), is not.
        value_wan = to_wan(quantity.value, quantity.unit) if kind is _MONEY else None
        clause_start = max(clause_start, last_amount_end if kind is _MONEY else last_unit_end)
        context = text[clause_start:start]
        # Years inside brackets ("（含2023年转列项目5个）") describe an aside, not this amount.
        year = _year_outside_brackets(context) if "年" in context else None  # (most contexts name none)
        if kind is _MONEY:
            # Only an amount reads its whole sentence: for its year, its list head, its total's label.
            sentence_context = text[sentence_start:start]
            year = year or _year_outside_brackets(sentence_context)
        if previous is not None and previous_sentence != enumeration_start:
            opening = enumeration_start  # the enumeration's first word, past its leading whitespace
            if opening < start and text[opening].isspace():
                opening = start - len(text[opening:start].lstrip())
            if not text.startswith("其中", opening):
                previous = None  # a new sentence, unless it opens with 其中 (the parts of the one before)
        key: str | None = None
        item: str | None = None
        label = _label_from(context)
        if kind is _MONEY:
            subject = _closest(_SUBJECT_RE, context)
            generic = _closest(_GENERIC_RE, context)
            if _CHANGE.search(context):
                key, item = "change_amount", label or None  # "较上年减少2.1万元": a difference
            elif subject and generic and generic[1] == subject[1] and len(generic[2]) > len(subject[2]):
                key = generic[0]  # "实际支出94.44万元": the longer generic label ends at the number
            elif subject and (listed := _LISTED_AFTER.search(context, subject[1] - len(subject[2]))):
                # "项目支出包括委员活动经费36.3万元": an item of the subject's breakdown.
                key = "project_line" if subject[0] == "project_expenditure" else "spending_line"
                item = _label_from(listed.group(1))
            elif subject:
                key = subject[0]
            elif generic:
                key = generic[0]
                # "实际支付30.66万元" after "行政审批制度改革35万元": a line item's actual.
                if previous is not None and previous["item"] and (previous["key"] in _LINE_KEYS or previous["key"] == key):
                    # "市级财政安排120万元" names its own line; "实际支付30.66万元" continues the last.
                    remainder = re.sub(generic[2] + r"|\d+|[年月份度全已实际的为共计约达]", "", label)
                    if han_count(remainder) >= 2:
                        item = remainder
                    elif previous["key"] in _LINE_KEYS:
                        item = previous["item"]
                elif key in _LINE_OF and "其中" in enumeration:
                    # "其中支付养老机构运营补贴48万": a part named by what it pays for is a line.
                    remainder = re.sub(generic[2] + r"|\d+|[年月份度全已实际的为共计约达其中：:，,、]", "", context)
                    if han_count(remainder) >= 4 and not _FUNDING_SOURCE.search(remainder):
                        key, item = _LINE_OF[key], remainder
                if item is None and key in _LINE_OF and (head := _list_head(text, sentence_start, quantity.start)):
                    # "1.养老机构运营补贴项目：2023年下达…48万元": the list item names the line.
                    if not _FUNDING_SOURCE.search(head):
                        key, item = _LINE_OF[key], head
            elif previous is not None and _SAME_SUBJECT.fullmatch(context):
                key, item = previous["key"], previous["item"]  # "预算为4.4万元,决算为4.4元": same subject
            if subject is None:
                # The words after the number, up to the next amount, the sentence's end or 40 characters.
                end = min(next_money[index], quantity.end + 40)
                stop = _SENTENCE_STOP.search(text, quantity.end, end)
                override = _closest(_AFTER_RE, text[quantity.end : stop.end() if stop else end])
                if override:
                    key = override[0]
            if key is None and previous is not None and "其中" in enumeration \
                    and previous["key"] in ("budget", "funds_received", "income_total", "project_line"):
                # "预算资金200万元，其中：中央补助80万元": a part of the head; a budget's named parts are its lines.
                named_line = bool(label) and not _FUNDING_SOURCE.search(label)
                key = "project_line" if previous["key"] in ("budget", "project_line") and named_line else (
                    "budget" if previous["key"] == "project_line" else previous["key"])
                item = label or None
            if key is None and _TOTAL_WORD.fullmatch(context or "-"):
                # "按生均1000元安排，共计239万元": the total takes the sentence's label.
                found = _closest(_SUBJECT_RE, sentence_context) or _closest(_GENERIC_RE, sentence_context)
                if found:
                    key = found[0]
            if key is None:
                section = layout.section_at(quantity.start)
                before = text[max(0, sentence_start - 300) : quantity.start]
                if section is not None and section.role is Role.FINANCE or _SPENDING_WORD.search(before):
                    allocated = _enumeration_period(enumeration) is _BUDGET or _ALLOCATED.search(enumeration)
                    key = "project_line" if _PROJECT_WORD.search(before) or allocated else "spending_line"
                else:
                    key = "other_amount"
                item = label or None
        elif kind is _RATE:
            rate = _closest(_RATE_RE, context)
            key = rate[0] if rate else "other_rate"
            if key in _NAMED_RATES:
                item = label or None  # 群众满意率 / 网上可办率: the rate's subject is its name
        elif kind is _SCORE:
            # The score word right before the number ("自评得分100分", "总分为97分"), not somewhere
            # earlier in the clause ("总分…一级指标分值统一设置为:产出指标50分").
            if not _SCORE_WORD.search(context):
                continue
            key = "self_score"
        else:
            key = "count"
            item = _count_item(text, quantity, label)
        if not label:
            label = previous["label"] if previous is not None and key == previous["key"] else key
        if any_period is not None and not any_period(context):
            # No period word (most counts and rates): _period's first test, without its call.
            period = _PRIOR_YEAR if year is not None and report_year is not None and year < report_year else _UNSPECIFIED
        else:
            period = _period(context, year, report_year)
        if period is _UNSPECIFIED and kind is _MONEY and previous is not None \
                and previous["period"] is not _UNSPECIFIED and "其中" in enumeration:
            period = previous["period"]  # "决算18.5万元，其中：公务接待费3.5万元": parts share the period
        if period is _PRIOR_YEAR and report_year is not None and (year is None or year >= report_year):
            year = report_year - 1  # "上年收入支出决算" in a 2022 report is 2021's
        if period is _UNSPECIFIED and key in ("project_line", "spending_line"):
            # "1、行政审批制度改革35万元，实际支付30.66万元": the line's own amount is its budget.
            # Otherwise a line takes its enumeration head's period ("年初预算数为…，其中：1、…").
            following = text[quantity.end : quantity.end + 40]
            following = following[: _sentence_end(following)]
            if _PAID_AFTER.search(following):
                period = _BUDGET
            else:
                period = _enumeration_period(enumeration)
        if key == "budget" and period is _UNSPECIFIED:
            period = _BUDGET
        # The evidence is the trimmed clause, as document.evidence quotes it (its span is not needed).
        figure = {
            "key": key, "label": label, "value": quantity.value, "unit": quantity.unit, "kind": kind,
            "value_wan": value_wan, "period": period, "year": year, "item": item,
            "table": in_table(start, start + 1),
            "span": document.span_fields(quantity.start, quantity.end),
            "evidence": text[clause_start : quantity.end].strip(),  # document.quote
        }
        figures.append(figure)
        previous, previous_sentence = figure, enumeration_start
    return figures


_PARENTHETICAL = re.compile(r"[（(][^（()）]*[)）]")


def _list_head(text: str, start: int, end: int) -> str | None:
    r"""The name of the numbered list item opening text[start:end] ("1.养老机构运营补贴项目：…"):
    group 1 of r"\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])\s*([\u4e00-\u9fff“”（）()]{2,20})[:：]" matched
    there. The name's characters are compared; it ends at its first other character, a colon."""
    number = _LIST_NUMBER.match(text, start, end)
    if number is None:
        return None
    name_start = position = number.end()
    limit = min(end, name_start + 20)
    while position < limit and (is_han(text[position]) or text[position] in _LIST_NAME_MARKS):
        position += 1
    if position - name_start >= 2 and position < end and text[position] in ":：":
        return text[name_start:position]
    return None
_SAME_SUBJECT = re.compile(r"\W*(?:决算|实际|调整后|预算)?\W*(?:数)?(?:为|是)?\W*")
_TOTAL_WORD = re.compile(r"\W*(?:共计|合计|总计|累计|共|计)\W*")
_SCORE_WORD = re.compile(r"(?:自评|总分|总得分|综合得分|评价得分|考核得分|最终得分)[^，,。；;\d]{0,6}$")
_SPENDING_WORD = re.compile(r"支出|经费|资金")
_PROJECT_WORD = re.compile(r"项目支出|专项")
_ALLOCATED = re.compile(r"下达|分配|安排")
_PAID_AFTER = re.compile(r"实际支付|实际支出|已支付|实际到位|已到位|到位")
_LISTED_AFTER = _GENRE.markers["listed_after"]
_CHANGE = _GENRE.markers["change"]
# A count's label before it is sometimes only a verb ("实现215个村居"): then the noun after
# the unit names what was counted.
# A label of at most three characters, or one ending in one of these words ("$": or before a final "\n").
_SHORT_LABEL = re.compile(r"^.{0,3}$")
_WEAK_COUNT_WORDS = ("实现", "完成", "组织", "涉及", "收录", "下设", "共有", "有", "达", "达到", "共", "累计", "完善", "新增",
                     "开展", "召开", "举办", "覆盖", "惠及", "服务")
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff]{1,4}")


_NOUN_CUT = re.compile(r"[和及与的、]")
_NOT_NOUN = re.compile(r"(?:以上|以下|左右|之内|内)")


def _count_item(text: str, quantity: Quantity, label: str) -> str | None:
    weak = label.endswith(_WEAK_COUNT_WORDS) or label.endswith("\n") and label[:-1].endswith(_WEAK_COUNT_WORDS) \
        or len(label) <= 4 and _SHORT_LABEL.search(label)
    if label and not weak:
        return label
    after = _NOUN_AFTER.match(text, quantity.end)
    noun = _NOUN_CUT.split(after.group(0))[0] if after else ""
    if noun and not _NOT_NOUN.match(noun):
        return noun
    return label or None


_NAMED_RATES = ("satisfaction_rate", "completion_rate", "other_rate", "growth_rate")


_ENUMERATION_ACTUAL = re.compile(r"使用情况|实际支出|支出情况|实际使用|决算")
_ENUMERATION_BUDGET = re.compile(r"年初预算|预算数|预算安排|安排")


def _enumeration_period(context: str) -> Period:
    if _ENUMERATION_ACTUAL.search(context):
        return Period.ACTUAL
    if _ENUMERATION_BUDGET.search(context):
        return Period.BUDGET
    return Period.UNSPECIFIED


_LINE_KEYS = ("project_line", "spending_line", "actual_spending", "funds_received")
_COMPARISON_YEAR = re.compile(r"(?:同比|相比|比|较|与)\s*$")


def _year_of(context: str) -> int | None:
    """The last year named in a context, unless it is a comparison base (同比2021年)."""
    for match in reversed(list(_YEAR.finditer(context))):
        if not _COMPARISON_YEAR.search(context[: match.start()]):
            return int(match.group(1))
    return None


def _year_outside_brackets(context: str) -> int | None:
    """The context's year (`_year_of`), years inside brackets left out ("（含2023年转列项目5个）")."""
    if "年" not in context:
        return None  # no year to find: spare the bracket removal
    return _year_of(_PARENTHETICAL.sub("", context))


def _next_money_starts(quantities: list[Quantity], default: int) -> list[int]:
    """For each quantity, where the next amount of money after it starts (`default` if none)."""
    starts = [default] * len(quantities)
    following = default
    for index in range(len(quantities) - 1, -1, -1):
        starts[index] = following
        if quantities[index].unit in MONEY_UNITS:
            following = quantities[index].start
    return starts


def _sentence_end(text: str) -> int:
    match = _SENTENCE_STOP.search(text)
    return match.end() if match else len(text)


_MONEY_UNIT = re.compile(r"(万元|亿元|千元|元)")


def _table_unit(table: Table, path: str) -> str:
    for source in (path, table.caption):
        match = _MONEY_UNIT.search(source or "")
        if match:
            return match.group(1)
    return "万元"


def _money_key(label: str) -> str | None:
    subject = _closest(_SUBJECT_RE, label)
    if subject:
        return subject[0]
    generic = _closest(_GENERIC_RE, label)
    return generic[0] if generic else None


_BUDGET_COLUMNS = re.compile(r"预算数|执行数|预算金额|执行率")


def _is_indicator_table(labels: list[str]) -> bool:
    """A score table (指标 | 权重/分值 | 得分), not a budget table that also carries 分值/得分
    columns (年初预算数 | 全年执行数 | 分值 | 执行率 | 得分)."""
    joined = "".join(labels)
    if "三级指标" in labels:
        return True  # the standard 一级/二级/三级指标 table, with or without score columns
    if _BUDGET_COLUMNS.search(joined):
        return False
    return bool(_WEIGHT_COLUMN.search(joined) and _SCORE_COLUMN.search(joined))


class TableRows:
    """What table_figures and indicators both read of every table row, read once per document.

    `tables[t][r]` is (row, texts, collapsed, is_indicator_row, level2_at, tabbed): the row's
    stripped cell texts (row.texts()), those with each run of spaces and tabs made one space
    (`_collapse_spaces`), whether its column labels make it a score-table row, the first cell
    naming a level-2 indicator (数量指标 …; spaces and tabs ignored; None if none or if the row is a
    score-table row), and whether a text holds a tab (table_figures then ignores only the spaces).
    """

    def __init__(self, layout: Layout) -> None:
        self.tables: list[list[tuple[TableRow, list[str], list[str], bool, int | None, bool]]] = []
        score_table: dict[tuple[str, ...], bool] = {}  # rows of a table share their labels
        for table in layout.tables:
            rows = []
            for row in table.rows:
                texts = [cell.text.strip() for cell in row.cells]  # row.texts()
                # The texts are stripped: a run of spaces never spans two lines of `joined`.
                joined = "\n".join(texts)
                tabbed = "\t" in joined
                collapsed = [_collapse_spaces(text) for text in texts] if tabbed or "  " in joined else texts
                is_indicator_row = False
                if row.labels:
                    labels = tuple(row.labels)
                    is_indicator_row = score_table.get(labels)
                    if is_indicator_row is None:
                        is_indicator_row = score_table[labels] = _is_indicator_table(row.labels)
                level2_at = None
                # One search over the texts, a line each, finds every row where a text names a
                # level-2 indicator (and maybe a few more); only those are read text by text.
                if not is_indicator_row and (_LEVEL2_ON_A_LINE is None or _LEVEL2_ON_A_LINE.search(
                        joined.replace(" ", "").replace("\t", "") if tabbed or " " in joined else joined)):
                    for position, text in enumerate(texts):
                        if _LEVEL2.match(text.replace(" ", "").replace("\t", "")):
                            level2_at = position
                            break
                rows.append((row, texts, collapsed, is_indicator_row, level2_at, tabbed))
            self.tables.append(rows)


def table_figures(
    document: Document, layout: Layout, report_year: int | None = None, rows: TableRows | None = None
) -> tuple[list[dict], set[tuple[int, int]]]:
    """Figures from table value cells (the fields of each Figure, as narrative_figures gives
    them), and the ranges they used (cells and indicator rows), which the narrative pass then skips.
    `rows`: the layout's TableRows, if already read."""
    rows = rows or TableRows(layout)
    figures: list[dict] = []
    used: set[tuple[int, int]] = set()
    columns: dict[tuple, tuple] = {}  # what a column's label and path say, read once per document
    for table, table_rows in zip(layout.tables, rows.tables):
        head: str | None = None  # the subject whose lines the rows below list (项目支出 → its projects)
        for row, texts, _, is_indicator_row, level2_at, tabbed in table_rows:
            if tabbed and not is_indicator_row:
                level2_at = next((i for i, t in enumerate(texts) if _LEVEL2.match(t.replace(" ", ""))), None)
            if is_indicator_row or level2_at is not None:
                used.add((row.start, row.end))  # indicator rows: targets and actuals, not figures
            elif table.layout != "form" and is_key_value_texts(texts):
                figures.extend(_key_value_figures(document, row, used, texts))  # (is_key_value_row)
            elif row.labels:
                found = _grid_figures(document, table, row, used, report_year, head, columns)
                subjects = {figure["key"] for figure in found if figure["item"] is None and figure["kind"] is FigureKind.MONEY}
                if subjects & set(_LINE_HEADS):
                    head = next(key for key in _LINE_HEADS if key in subjects)
                elif subjects & _SUBJECT_KEYS:
                    head = None
                figures.extend(found)
    return figures, used


# A table row of these subjects is followed by rows of its lines (项目支出: 1、业务工作经费 …).
_LINE_HEADS = {"project_expenditure": "project_line", "public_expenditure": "spending_line"}
_SUBJECT_KEYS = {key for _, key in _SUBJECT_RE}


def _cell_quantity(cell_text: str) -> tuple[Decimal, str] | None:
    raw = cell_text.strip()
    value = parse_decimal(raw)
    if value is None:
        return None
    return value, ("%" if raw.endswith("%") else "")


_SEQUENCE_COLUMN = re.compile(r"序号|编号")
_RATE_COLUMN = re.compile(r"率|%|％")
_ADJUSTED_COLUMN = re.compile(r"全年预算|调整")


def _column_reading(table: Table, label: str, path: str, report_year: int | None, percent: bool) -> tuple | None:
    """What a value cell under a column is read as, from the column's label and path and whether
    the cell holds a "%": (key, unit, kind, period), None when the label names no figure."""
    if percent or _RATE_COLUMN.search(label):
        rate = _closest(_RATE_RE, label)
        key, unit, kind = (rate[0] if rate else "other_rate"), "%", FigureKind.RATE
    elif (staff := _closest(_KV_RE, label)) is not None and staff[0] != "self_score":
        key, unit, kind = staff[0], "人", FigureKind.COUNT  # 编制人数 | 实有人数
    else:
        key = _money_key(label)
        if key is None:
            return None
        unit, kind = _table_unit(table, path), FigureKind.MONEY
    return key, unit, kind, _period(path, _year_of(path), report_year)


def _grid_figures(
    document: Document, table: Table, row: TableRow, used: set[tuple[int, int]],
    report_year: int | None = None, head: str | None = None, columns: dict[tuple, tuple] | None = None,
) -> list[dict]:
    """`columns`: the _column_reading of each column (label, path, caption, "%") seen so far, filled in here."""
    columns = {} if columns is None else columns
    figures = []
    row_label = _WHITESPACE.sub("", row.cells[0].text)
    first_column = 1
    if parse_decimal(row_label) is not None:
        labels = row.labels or []
        named = next((i for i in range(1, min(3, len(row.cells))) if row.cells[i].text.strip()
                      and parse_decimal(row.cells[i].text.strip()) is None), None)
        if named is not None and (_SEQUENCE_COLUMN.search(labels[0] if labels else "") or len(row_label) <= 2):
            # "1 | 某某管理中心 | 30 | 30.00": a sequence number, then the row's name.
            row_label, first_column = _WHITESPACE.sub("", row.cells[named].text), named + 1
        else:
            row_label, first_column = "", 0  # a header-only table: every column, the first too, is a value
    item = None if (not row_label or _TOTAL_ROW.search(row_label)) else _label_from(row_label)
    # "基本支出 | 年初预算 820 | 全年执行数 800": the row names the subject, the column the period.
    row_subject = _closest(_SUBJECT_RE, row_label)
    for column, cell in enumerate(row.cells[first_column:], start=first_column):
        parsed = _cell_quantity(cell.text)
        if parsed is None or column >= len(row.labels or []):
            continue
        value, unit = parsed
        label = (row.labels or [])[column]
        path = (row.paths or [])[column]
        if not label:
            continue
        column_key = (label, path, table.caption, unit == "%")
        if column_key not in columns:
            columns[column_key] = _column_reading(table, label, path, report_year, unit == "%")
        reading = columns[column_key]
        if reading is None:
            continue
        key, unit, kind, period = reading
        value_wan = to_wan(value, unit) if kind is FigureKind.MONEY else None
        start = cell.start + (len(cell.text) - len(cell.text.lstrip()))
        end = start + len(cell.text.strip())
        used.add((start, end))
        if key == "budget" and period is Period.UNSPECIFIED:
            period = Period.BUDGET
        cell_item = item
        if row_subject is not None and key in ("budget", "actual_spending"):
            if period is not Period.PRIOR_YEAR:
                period = Period.ADJUSTED if _ADJUSTED_COLUMN.search(path) else (
                    Period.BUDGET if key == "budget" else Period.ACTUAL)
            key, cell_item = row_subject[0], None
        elif head is not None and item and key in ("budget", "actual_spending"):
            key = _LINE_HEADS[head]  # "1、业务工作经费" under 项目支出: a project line
            if period is Period.UNSPECIFIED:
                period = Period.BUDGET
        figures.append({
            "key": key, "label": label, "value": value, "unit": unit, "kind": kind, "value_wan": value_wan,
            "period": period, "item": cell_item, "table": True, "span": document.span_fields(start, end),
            "evidence": f"{row_label} | {label}: {cell.text.strip()}",
        })
    return figures


def _key_value_figures(document: Document, row: TableRow, used: set[tuple[int, int]], texts: list[str]) -> list[dict]:
    """`texts`: row.texts()."""
    figures = []
    for column in range(1, len(row.cells)):
        parsed = _cell_quantity(texts[column])
        if parsed is None:
            continue
        label = _WHITESPACE.sub("", texts[column - 1])
        value, unit = parsed
        kv = _closest(_KV_RE, label)
        if kv is not None:
            key = kv[0]
            kind = FigureKind.SCORE if key == "self_score" else FigureKind.COUNT
            unit = unit or ("分" if key == "self_score" else "人")
            value_wan = None
        elif (money := _money_key(label)) is not None:
            key, kind, unit = money, FigureKind.MONEY, unit or "万元"
            value_wan = to_wan(value, unit)
        else:
            continue
        cell = row.cells[column]
        start = cell.start + (len(cell.text) - len(cell.text.lstrip()))
        end = start + len(texts[column])
        used.add((start, end))
        figures.append({
            "key": key, "label": label, "value": value, "unit": unit, "kind": kind, "value_wan": value_wan,
            "table": True, "span": document.span_fields(start, end), "evidence": f"{label} | {texts[column]}",
        })
    return figures


def dedupe(figures: list[dict]) -> list[dict]:
    """Drop repeats of the same statement (same key, item, period, value, unit), from the fields
    of figures not yet built (a Figure's period, item and year default as below)."""
    seen: set[tuple] = set()
    kept = []
    for figure in figures:
        key = figure["key"]
        identity = (key, figure.get("item"), figure.get("period", _UNSPECIFIED), figure["value"], figure["unit"],
                    figure["label"] if key == "count" else None)
        if identity in seen:
            continue
        seen.add(identity)
        kept.append(figure)
    return kept


_new_figure = Figure.__pydantic_validator__.validate_python  # Figure(**fields) without its __init__ frame
# Indicator(**fields) likewise; given its span's fields, it builds the Span too (document.span_fields).
_new_indicator = Indicator.__pydantic_validator__.validate_python


def build_figures(figures: list[dict]) -> list[Figure]:
    """The Figures of these fields (validated as Figure(**fields) validates them)."""
    return [_new_figure(fields) for fields in figures]


# ---- indicators -------------------------------------------------------------------------

_LEVEL2 = _GENRE.indicator_level2
# _LEVEL2 with "^" and "$" at each line's start and end: a text it matches whole, set on a line of
# its own, it finds (None if the pattern looks past a line's ends: a lookaround, \A, \Z, \b).
_LEVEL2_ON_A_LINE = None if re.search(r"\\[AZbB]|\(\?<?[=!]", _LEVEL2.pattern) else re.compile(
    _LEVEL2.pattern, _LEVEL2.flags | re.MULTILINE)
_LEVEL1 = _GENRE.indicator_level1
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])")
_NUMBERED_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBERED_LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_SPACE_RUN = re.compile(r"[ \t]+")


def _collapse_spaces(text: str) -> str:
    """A stripped cell text (row.texts()) with each run of spaces and tabs made one space. A text
    without a tab or a double space has nothing to collapse, and the ends stay stripped."""
    return _SPACE_RUN.sub(" ", text) if "\t" in text or "  " in text else text


def _execution_score_row(document: Document, row: TableRow, texts: list[str]) -> Indicator | None:
    """The budget table of the standard form scores the execution rate (分值 10, 得分 9): that row
    is one indicator of the self-score table, so the table's parts add up to its total."""
    labels = row.labels or []
    columns = {label: index for index, label in enumerate(labels)}
    weight_at = next((i for label, i in columns.items() if label in ("分值", "权重")), None)
    score_at = next((i for label, i in columns.items() if label in ("得分", "评分")), None)
    rate_at = next((i for label, i in columns.items() if "执行率" in label), None)
    if None in (weight_at, score_at, rate_at) or max(weight_at, score_at) >= len(texts):
        return None
    weight, score = parse_decimal(texts[weight_at]), parse_decimal(texts[score_at])
    if weight is None or score is None:
        return None
    return _new_indicator(dict(
        name="预算执行率", actual=texts[rate_at] if rate_at < len(texts) else None, weight=weight, score=score,
        span=document.span_fields(row.start, row.end), evidence=document.quote(row.start, row.end)[:300],
    ))


def indicators(document: Document, layout: Layout, rows: TableRows | None = None) -> list[Indicator]:
    """The indicators of the layout's tables: score-table rows, level-2 indicator rows and the
    execution-rate row of the budget table. `rows`: the layout's TableRows, if already read."""
    rows = rows or TableRows(layout)
    found: list[Indicator] = []
    label_columns: dict[tuple, list[int]] = {}  # the _score_row columns of each labels and pattern
    for table_rows in rows.tables:
        level1: str | None = None
        level2: str | None = None
        for row, _, texts, is_indicator_row, level2_at, _ in table_rows:
            if row.labels and not is_indicator_row:
                execution = _execution_score_row(document, row, texts)
                if execution is not None:
                    found.append(execution)
                    continue
            if is_indicator_row:
                indicator = _score_row(document, row, texts, level1, level2, label_columns)
                found.append(indicator)
                if "三级指标" in row.labels:
                    level1, level2 = indicator.level1, indicator.level2
                    continue
                name = texts[0]
                if _NUMBERED_LEVEL1.match(name):
                    level1, level2 = _NUMBERED.sub("", name), None
                elif _NUMBERED_LEVEL2.match(name):
                    level2 = _NUMBERED.sub("", name)
                elif not _NUMBERED.match(name):
                    level1 = level2 = None
                continue
            # The first text naming a level-2 indicator (TableRows found it: spaces and tabs
            # ignored, as here where a tab became a space).
            if level2_at is None:
                continue
            position = level2_at
            compact = texts[position].replace(" ", "")
            for earlier in reversed(texts[:position]):
                match = _LEVEL1.search(earlier)
                if match:
                    level1 = match.group(1)
                    break
            rest = [t for t in texts[position + 1 :]]
            target = rest[0] if len(rest) > 0 and rest[0] else None
            actual = rest[1] if len(rest) > 1 and rest[1] else None
            cell = row.cells[position]
            found.append(
                _new_indicator(dict(
                    level1=level1 or ("满意度" if "满意" in compact else None),
                    level2=compact,
                    name=compact,
                    target=target,
                    actual=actual,
                    span=document.span_fields(cell.start, row.end),
                    evidence=document.quote(cell.start, row.end)[:300],
                ))
            )
    return found


def _score_row(
    document: Document, row: TableRow, texts: list[str], level1: str | None, level2: str | None,
    label_columns: dict[tuple, list[int]] | None = None,
) -> Indicator:
    """`label_columns`: the columns whose label each pattern finds, per labels, filled in here."""
    labels = row.labels or []
    label_columns = {} if label_columns is None else label_columns
    labels_key = tuple(labels)

    def column(pattern: re.Pattern[str]) -> str | None:
        indexes = label_columns.get((labels_key, pattern))
        if indexes is None:
            indexes = label_columns[labels_key, pattern] = [i for i, label in enumerate(labels) if pattern.search(label)]
        for index in indexes:
            if index < len(texts) and texts[index]:
                return texts[index]
        return None

    level_columns = {name: index for index, name in enumerate(labels) if name in _LEVEL_COLUMNS}
    if "三级指标" in level_columns:
        return _graded_row(document, row, texts, level_columns, column, level1, level2)
    name = _NUMBERED.sub("", texts[0]).replace(" ", "")
    is_level1 = bool(_NUMBERED_LEVEL1.match(texts[0]))
    is_level2 = bool(_NUMBERED_LEVEL2.match(texts[0]))
    if not _NUMBERED.match(texts[0]):
        is_level1 = True  # 个性指标 / 总分: a top-level row without a number
    weight = column(_WEIGHT_COLUMN)
    score = column(_SCORE_COLUMN)
    return _new_indicator(dict(
        level1=None if is_level1 else level1,
        level2=None if (is_level1 or is_level2) else level2,
        name=name,
        target=column(_TARGET_COLUMN),
        actual=column(_ACTUAL_COLUMN),
        weight=parse_decimal(weight) if weight else None,
        score=parse_decimal(score) if score else None,
        span=document.span_fields(row.start, row.end),
        evidence=document.quote(row.start, row.end)[:300],
    ))


_LEVEL_COLUMNS = ("一级指标", "二级指标", "三级指标")
_WEIGHT_COLUMN = re.compile(r"权重|分值")
_SCORE_COLUMN = re.compile(r"得分|评分")
_TARGET_COLUMN = re.compile(r"目标")
_ACTUAL_COLUMN = re.compile(r"实际|完成")
_GRADED_TARGET_COLUMN = re.compile(r"指标值|目标值|预期值|计划值")
_GRADED_ACTUAL_COLUMN = re.compile(r"实际完成|实际值|完成值|实际")
_NATURE_COLUMN = re.compile(r"^指标性质$")
_UNIT_COLUMN = re.compile(r"^度量单位$")
_TARGET_NATURE = re.compile(r"[=＝≥≤><]+|大于等于|小于等于|定性")
_TOTAL_INDICATOR = re.compile(r"(合计|总计|总分|小计)(?:[（(]\d+分[)）])?")


def _target(value: str | None, nature: str | None, unit: str | None) -> str | None:
    """"≤ | 30 | 万元" in three cells of the standard form is one target: ≤30万元."""
    if value is None:
        return None
    nature = nature if nature and _TARGET_NATURE.fullmatch(nature) and nature != "定性" else ""
    unit = unit if unit and len(unit) <= 6 and not value.endswith(unit) else ""
    return f"{nature}{value}{unit}"


def _graded_row(document, row, texts, level_columns, column, level1, level2) -> Indicator:
    """A row of the standard 一级/二级/三级指标 table; blank level cells repeat the row above
    (merged cells in the original form)."""

    def cell(name: str) -> str | None:
        index = level_columns.get(name)
        return texts[index] if index is not None and index < len(texts) and texts[index] else None

    weight = column(_WEIGHT_COLUMN)
    score = column(_SCORE_COLUMN)
    first = _WHITESPACE.sub("", texts[0]) if texts else ""
    if not cell("三级指标") and (total := _TOTAL_INDICATOR.fullmatch(first)):
        first = total.group(1)  # "总分(100分)": the total row, its full marks in brackets
        # The total row: no levels of its own (the merged cells above do not carry into it).
        return _new_indicator(dict(
            name=first, weight=parse_decimal(weight) if weight else None,
            score=parse_decimal(score) if score else None, span=document.span_fields(row.start, row.end),
            evidence=document.quote(row.start, row.end)[:300],
        ))
    return _new_indicator(dict(
        level1=cell("一级指标") or level1,
        level2=cell("二级指标") or level2,
        name=(cell("三级指标") or "").replace(" ", ""),
        target=_target(column(_GRADED_TARGET_COLUMN), column(_NATURE_COLUMN), column(_UNIT_COLUMN)),
        actual=column(_GRADED_ACTUAL_COLUMN),
        weight=parse_decimal(weight) if weight else None,
        score=parse_decimal(score) if score else None,
        span=document.span_fields(row.start, row.end),
        evidence=document.quote(row.start, row.end)[:300],
    ))


_PROSE_INDICATOR = _GENRE.indicator_prose
_PROSE_LEVEL = _GENRE.indicator_prose_level
_PROSE_LEAD = re.compile(r"^(?:第[一二三四五六七八九十]+[,，、]|[一二三四五六七八九十]是|\d{1,2}[、.．]|[（(]\d{1,2}[)）])\s*")


_PROSE_ANCHOR = re.compile(r"指标值|目标值|计划值")
_UP_TO_COLON = re.compile(r"^.*?[：:]")
_YEAR_WORD = re.compile(r"\d{4}年")


# The genre's prose pattern opens with a name of 2-40 characters, at most two more (年初/年度/全年)
# and an anchor word: its matches start 2 to _NAME_REACH characters before an anchor word.
# (A pattern of another opening is tried at every position of its sentence.)
_PROSE_OPENING = r"(?P<name>[^：:，,。；;\n]{2,40}?)(?:年初|年度|全年)?(?:指标值|目标值|计划值)"
_NAME_REACH = 42 if _PROSE_INDICATOR.pattern.startswith(_PROSE_OPENING) else None


def _prose_matches(text: str):
    """The prose-indicator matches, tried only in the sentences that carry an anchor word, and
    there only where a match can start (the pattern opens with a lazy name, costly to try at every
    position of a long sentence)."""
    done = -1
    anchors = [anchor.start() for anchor in _PROSE_ANCHOR.finditer(text)]
    for index, anchor in enumerate(anchors):
        start = 0  # just after the last sentence stop before the anchor: each rfind from the best so far
        for stop in _SENTENCE_END:
            start = max(start, text.rfind(stop, start, anchor) + 1)
        if start <= done:
            continue
        stop = _SENTENCE_STOP.search(text, anchor + 1)
        end = done = stop.start() if stop else len(text)
        if _NAME_REACH is None:
            yield from _PROSE_INDICATOR.finditer(text, start, end)
        else:
            yield from _prose_near(text, start, end, [a for a in anchors[index:] if a < end])


def _prose_near(text: str, start: int, end: int, anchors: list[int]):
    """_PROSE_INDICATOR.finditer(text, start, end), trying only the positions 2 to _NAME_REACH
    characters before one of the sentence's `anchors` (no match starts elsewhere)."""
    position = tried = start  # the next match starts at `position` or later; positions before `tried` failed
    for anchor in anchors:
        for at in range(max(position, tried, anchor - _NAME_REACH), anchor - 1):
            if at < position:
                continue
            match = _PROSE_INDICATOR.match(text, at, end)
            if match:
                yield match
                position = match.end()  # never empty: a name and an anchor word
        tried = max(tried, anchor - 1)


def prose_indicators(document: Document, known: set[str]) -> list[Indicator]:
    """Indicators a report states in sentences: "某比例年初指标值为不低于85%，全年实际完成值100%",
    with the levels of the heading they sit under ("1、产出数量指标：")."""
    text = document.text
    found: list[Indicator] = []
    for match in _prose_matches(text):
        name = _PROSE_LEAD.sub("", match.group("name").strip())
        name = _UP_TO_COLON.sub("", name).strip()
        if len(name) < 2 or name in known or _YEAR_WORD.search(name):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        level = _last_match(_PROSE_LEVEL, text[line_start : match.start()])
        start = match.start("name") + match.group("name").index(name)
        found.append(_new_indicator(dict(
            level1=level.group("level1") if level else None,
            level2=f"{level.group('level2')}指标" if level else None,
            name=name, target=match.group("target").strip(), actual=match.group("actual").strip(),
            span=document.span_fields(start, match.end()), evidence=document.quote(start, match.end()),
        )))
        known.add(name)
    return found


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):
        pass
    return found
