"""Verification helpers and the checks that read the report's own statements. No I/O.

Part of the verification pass (see verify.py for the rules, ids and tolerances). This module
holds what both halves share (the text index of quantities, sentences and blocks; tolerance
arithmetic; check construction) and the rules that need no extraction at all, because they
check what the text itself claims about its numbers:

- rate.ratio_statement       "1515 项，可网办事项 1490 项，可网办率达 100%" recomputed
- rate.growth_statement      "9082 件，与上年同期 6142 件相比增长 47.87%" recomputed
- consistency.unit_slip      "预算为 4.4 万元，决算为 4.4 元" (the same number in 元 and 万元)
- consistency.comparison_claim "10 人 … 10 人，比率大于 100%"; "决算 18.63 … 预算 18.63，决算数大于预算数"

Every number comes from numbers.find_quantities: there is no second number grammar here.
A statement these scans cannot read with confidence (more than two candidate amounts,
mixed units, an approximate 约/多/余 amount) produces no check: a scan never guesses.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .document import Document
from .structure import Layout, analyse
from .numbers import COUNT_UNITS, MONEY_UNITS, Quantity, to_wan
from .schemas import Check, CheckInput, CheckStatus, RuleId, Severity, Span

# ---- tolerances ---------------------------------------------------------------------------

SUM_TOLERANCE = Decimal("0.01")  # 万元, for totals against their parts
SCORE_TOLERANCE = Decimal("0.01")  # points, for self-score tables
RATE_TOLERANCE = Decimal("0.1")  # percentage points, for recomputed rates
HUNDRED = Decimal(100)


def fmt(value: Decimal | None) -> str:
    """A Decimal as a reviewer writes it: 875.6, 1179.61, 100 (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    normal = value.normalize()
    text = str(normal)  # as format(normal, "f") unless it writes an exponent (1E+2, 1E-7)
    if "E" in text or "e" in text:
        text = format(normal, "f")
    return "0" if text in ("-0", "") else text


def percent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def rate_agrees(computed: Decimal, stated: Decimal) -> bool:
    """A stated percentage agrees with the recomputed one.

    Within RATE_TOLERANCE (0.1 point), or inside the band that rounding or truncating the
    computed value to the precision the report states would give: "87%" accepts 86.5–87.99,
    "91.4%" accepts 91.35–91.49. A stated 100% therefore needs at least 99.5%.
    """
    if abs(computed - stated) <= RATE_TOLERANCE:
        return True
    exponent = stated.as_tuple().exponent
    step = Decimal(1).scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else Decimal(1)
    return stated - step / 2 <= computed < stated + step


def rate_tolerance(stated: Decimal) -> Decimal:
    exponent = stated.as_tuple().exponent
    step = Decimal(1).scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else Decimal(1)
    return max(RATE_TOLERANCE, step)


def typo_like(a: Decimal, b: Decimal) -> bool:
    """Two values one keystroke apart: a digit dropped or doubled (19251/1925), two digits
    swapped (304.01/340.01), or a power-of-ten slip (4.4/44). Small numbers are left alone:
    7 and 70 are too likely to be two different things."""
    if a == b:
        return False
    x, y = fmt(abs(a)), fmt(abs(b))
    if min(len(x.replace(".", "").strip("0")), len(y.replace(".", "").strip("0"))) < 2:
        return False
    digits_x, digits_y = x.replace(".", ""), y.replace(".", "")
    if len(digits_x) != len(digits_y):
        longer, shorter = (digits_x, digits_y) if len(digits_x) > len(digits_y) else (digits_y, digits_x)
        if len(longer) == len(shorter) + 1 and len(shorter) >= 3:
            if any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer))):
                return True
    elif x.count(".") == y.count("."):
        diffs = [i for i, (p, q) in enumerate(zip(x, y)) if p != q]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]] and x[diffs[1]] == y[diffs[0]]:
            return True
    ratio = max(abs(a), abs(b)) / min(abs(a), abs(b)) if min(abs(a), abs(b)) else Decimal(0)
    return ratio in (Decimal(10), Decimal(100), Decimal(1000), Decimal(10000))


# ---- checks -------------------------------------------------------------------------------

STATUS_ORDER = {CheckStatus.FAIL: 0, CheckStatus.WARN: 1, CheckStatus.PASS: 2}
SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}


def severity_key(check: Check) -> tuple[int, int]:
    """Sort key, most severe first: fails before warns before passes, then by severity."""
    return STATUS_ORDER[check.status], SEVERITY_ORDER[check.severity]


# A Check / CheckInput through its validator alone: the same validated model, cheaper than the
# keyword constructor (about 20 checks and 40 inputs are made a report).
_new_check = Check.__pydantic_validator__.validate_python
new_input = CheckInput.__pydantic_validator__.validate_python
# A rule id passed as its RuleId: the model's rule validator (which turns a known id into its
# RuleId) then has nothing to look up.
_RULE_IDS = RuleId._value2member_map_


def make_check(
    rule: str,
    status: CheckStatus,
    severity: Severity,
    message: str,
    inputs: Iterable[CheckInput] = (),
    expected: Decimal | None = None,
    observed: Decimal | None = None,
    tolerance: Decimal | None = None,
) -> Check:
    if status is CheckStatus.PASS:
        severity = Severity.INFO
    return _new_check({
        "rule": _RULE_IDS.get(rule, rule),
        "status": status,
        "severity": severity,
        "message": message,
        "inputs": list(inputs),
        "expected": expected,
        "observed": observed,
        "tolerance": tolerance,
    })


# ---- the text index -----------------------------------------------------------------------

_LABEL_CUT = re.compile(r"[\d.%，,。；;、：:（）()\t\n“”\"]+")
_LABEL_TRAIL = re.compile(r"(?:共|约|达到|达|为|是|近|计)+$")


@dataclass
class TextIndex:
    """Quantities, sentences and blocks of a Document's normalised text, computed once.

    A *sentence* ends at 。；！？, a tab (a table cell) or a line break that starts a new item;
    a line wrapped in the middle of a sentence (PDF text) does not end it. A *block* is what
    figures must share to be compared: one table row (a tab-separated line, or the run of
    one-cell-per-line cells between blank lines) or one paragraph of prose.
    """

    document: Document
    quantities: list[Quantity]
    sentence_starts: list[int]
    block_starts: list[int]
    block_tables: list[int | None]
    quantity_starts: list[int] = field(default_factory=list, repr=False)  # the Layout's, when built from one

    @classmethod
    def build(cls, document: Document, layout: Layout | None = None) -> TextIndex:
        """The index of the analysis structure made once (analysed now when none is given)."""
        layout = layout if layout is not None else analyse(document)
        return cls(
            document, layout.quantities, layout.sentence_starts, layout.block_starts, layout.block_tables,
            layout.quantity_starts,
        )

    def sentence(self, position: int) -> tuple[int, int]:
        """The sentence around a position, as (start, end); kept per position (the scans of the
        stated percentages each ask for the same ones)."""
        found = self._sentences.get(position)
        if found is None:
            index = bisect_right(self.sentence_starts, position) - 1
            start = self.sentence_starts[max(index, 0)]
            end = self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else len(self.text)
            found = self._sentences[position] = (start, end)
        return found

    def is_sentence_start(self, position: int) -> bool:
        at = bisect_left(self.sentence_starts, position)
        return at < len(self.sentence_starts) and self.sentence_starts[at] == position

    def block(self, position: int) -> int:
        return max(bisect_right(self.block_starts, position) - 1, 0)

    def table_of_block(self, block: int) -> int | None:
        return self.block_tables[block] if 0 <= block < len(self.block_tables) else None

    def __post_init__(self) -> None:
        self.text: str = self.document.text  # an attribute, not a property: the scans read it often
        if not self.quantity_starts:
            self.quantity_starts = [quantity.start for quantity in self.quantities]
        self._starts = self.quantity_starts
        self._normalised: dict[tuple[int, int], tuple[int, int] | None] = {}  # to_normalised, per span
        self._percents: list[tuple[Quantity, int]] | None = None  # _percent_statements, read by four scans
        self._rate_words: dict[int, re.Match[str] | None] = {}  # _rate_word per stated percentage, read by three scans
        self._money: list[Quantity] | None = None
        self._sentences: dict[int, tuple[int, int]] = {}  # sentence(), per position asked

    def money(self) -> list[Quantity]:
        """The money quantities, in text order (found once: three scans read only these)."""
        if self._money is None:
            self._money = [quantity for quantity in self.quantities if quantity.unit in MONEY_UNITS]
        return self._money

    def quantities_in(self, start: int, end: int) -> list[Quantity]:
        return self.quantities[bisect_left(self._starts, start) : bisect_left(self._starts, end)]

    def span(self, start: int, end: int) -> Span:
        return self.document.span(start, end)

    def to_normalised(self, span: Span) -> tuple[int, int] | None:
        """Map an original-offset span back to the normalised text (None if out of range)."""
        # Each figure's span is mapped by several checks: the answer is kept per span.
        at = (span.start, span.end)
        found = self._normalised.get(at, False)  # False: not asked yet (None: out of range)
        return self.locate((span,))[0] if found is False else found

    def locate(self, spans: Iterable[Span]) -> list[tuple[int, int] | None]:
        """to_normalised of each span, in one loop (a report's figures are located together)."""
        offsets = self.document.offsets
        last = len(offsets) - 1
        original_length = len(self.document.original)
        text_length = len(self.text)
        known = self._normalised
        located: list[tuple[int, int] | None] = []
        # bisect_left(offsets, x, 0, last) for each bound, which is min(bisect_left(offsets, x),
        # last). A bound is first tried at the shift (normalised - original) of the span located
        # before it: spans come in text order and normalising deletes little, so the guess j is
        # most often the answer, known by offsets[j - 1] < x <= offsets[j] without a search.
        shift = 0
        for span in spans:
            at = (span_start, span_end) = (span.start, span.end)
            if at in known:
                located.append(known[at])
                continue
            if span_start < 0 or span_end > original_length or span_end < span_start:
                known[at] = None
                located.append(None)
                continue
            start = span_start + shift
            if not (0 < start <= last and offsets[start - 1] < span_start <= offsets[start]):
                start = bisect_left(offsets, span_start)
            end = span_end + start - span_start
            if not (0 < end <= last and offsets[end - 1] < span_end <= offsets[end]):
                end = bisect_left(offsets, span_end)
            if end > last:
                start, end = min(start, last), last
            shift = start - span_start
            if span_end > span_start and end <= start:
                end = start + 1
            known[at] = found = (start, min(end, text_length))
            located.append(found)
        return located

    def label_before(self, position: int, width: int = 12) -> str:
        """The words right before a number ("可网办事项" in "可网办事项 1490 项"), as an input label."""
        start = max(self.sentence(position)[0], position - width)
        for word in reversed(_LABEL_CUT.split(self.text[start:position])):
            word = word.strip()
            if word:  # the last words before the number
                return _LABEL_TRAIL.sub("", word) or "数值"
        return "数值"

    def input_for(self, quantity: Quantity, label: str | None = None) -> CheckInput:
        return new_input({
            "label": label or self.label_before(quantity.start),
            "value": quantity.value,
            "unit": quantity.unit,
            "span": self.document.span_fields(quantity.start, quantity.end),  # the Span built inside
        })


# ---- statement scans ----------------------------------------------------------------------

_RATE_WORD = re.compile(
    r"(?P<name>[\u3400-\u9fff“”\"]{0,10}?(?:率|比例|占比))[\u3400-\u9fff]{0,2}?"
    r"(?P<verb>达到了|达到|达|为|是|约为|约|大于|高于|超过|小于|低于|不足|不到|不低于|不少于|不高于|[:：])?\s*$"
)
_GROWTH_WORD = re.compile(r"(?P<verb>增长|增加|上升|提高|提升|下降|减少|降低|下降了|减少了|增长了)(?:率|幅度)?(?:为|达|达到|约|了)?\s*$")
_GROWTH_NAME = re.compile(r"增长|增幅|降幅|增速|下降|减少|同比|环比|提高|降低|提升")
_COMPLEMENT_NAME = re.compile(r"结余|节约|压缩|剩余|未|差评|故障|投诉|退回")
_MONEY_RATE_NAME = re.compile(r"执行率|支出率|到位率|结余率|支付率|拨付率|使用率|完成率")
_GREATER = ("大于", "高于", "超过", "不低于", "不少于")
_LESS = ("小于", "低于", "不足", "不到", "不高于")
_COMPARING = _GREATER + _LESS
_ENUMERATION = re.compile(r"^[^，,；;：:]{0,12}?(?:、|和|及|与|以及)")
_DELTA = re.compile(r"(?:增加|减少|下降|增长|节约|节省|降低|提高|上升|多|少|超支|结余)了?\s*$")
_PRIOR = re.compile(r"上年|去年|同期|上一年|前一年|上年度|上期")
_YEAR = re.compile(r"(\d{4})[ ]?年")


def _approximate(index: TextIndex, quantity: Quantity) -> bool:
    """约/近/逾 just before the number, or 多/余/左右 in it (word tests: most amounts are read)."""
    before = index.text[max(0, quantity.start - 2) : quantity.start]
    raw = quantity.raw
    return "约" in before or "近" in before or "逾" in before or "多" in raw or "余" in raw or "左右" in raw


_COUNT_UNITS = frozenset(COUNT_UNITS)  # membership only: a set, not the tuple's scan
_DIVISIBLE_UNITS = _COUNT_UNITS | frozenset(MONEY_UNITS)  # the units _divisible_groups groups


def _comparable(quantities: Sequence[Quantity], money: bool) -> list[list[Quantity]]:
    """Group quantities that can be divided by one another: all money, or one count unit."""
    if money:
        return [[q for q in quantities if q.is_money]]
    groups: dict[str, list[Quantity]] = {}
    for quantity in quantities:
        if quantity.unit in _COUNT_UNITS:
            family = "人" if quantity.unit in ("人", "名") else quantity.unit
            groups.setdefault(family, []).append(quantity)
    return list(groups.values())


def _divisible_groups(quantities: Sequence[Quantity]) -> list[list[Quantity]]:
    """The non-empty groups of _comparable(…, True) then of _comparable(…, False), in one pass."""
    money: list[Quantity] = []
    counts: dict[str, list[Quantity]] = {}
    for quantity in quantities:
        unit = quantity.unit
        if unit in MONEY_UNITS:
            money.append(quantity)
        if unit in _COUNT_UNITS:
            counts.setdefault("人" if unit in ("人", "名") else unit, []).append(quantity)
    return ([money] if money else []) + list(counts.values())


def _amount(quantity: Quantity) -> Decimal:
    wan = to_wan(quantity.value, quantity.unit)
    return wan if wan is not None else quantity.value


def _percent_statements(index: TextIndex) -> Iterable[tuple[Quantity, int]]:
    """Each stated percentage with the start of the stretch its operands may come from
    (the sentence start, or the end of the previous percentage in that sentence)."""
    if index._percents is None:  # found once per report: the ratio, growth, of and labelled scans share them
        index._percents = list(_find_percent_statements(index))
    return index._percents


# The rate's words and verb before a percentage (_RATE_WORD without its trailing spaces) are at
# most this long: 10 + 2 name, 2 between, 3 verb.
_RATE_WORD_REACH = 17


def _rate_word(index: TextIndex, stated: Quantity, start: int) -> re.Match[str] | None:
    """_RATE_WORD.search(text[start:stated.start]), found once per percentage (its positions are
    in the text, not in that slice). A match ends at stated.start, so it starts at most
    _RATE_WORD_REACH characters before the trailing spaces: only that tail is searched."""
    words = index._rate_words
    if stated.start not in words:
        text, tail = index.text, stated.start
        while tail > start and text[tail - 1].isspace():
            tail -= 1
        begin = max(start, tail - _RATE_WORD_REACH)
        # A rate's name holds 率 or 比 (比例, 占比): without either the search cannot match.
        if text.find("率", begin, stated.start) == -1 and text.find("比", begin, stated.start) == -1:
            words[stated.start] = None
        else:
            words[stated.start] = _RATE_WORD.search(text, begin, stated.start)
    return words[stated.start]


def _find_percent_statements(index: TextIndex) -> Iterator[tuple[Quantity, int]]:
    previous_end: dict[int, int] = {}
    for quantity in [quantity for quantity in index.quantities if quantity.unit == "%"]:
        sentence_start, _ = index.sentence(quantity.start)
        start = max(sentence_start, previous_end.get(sentence_start, sentence_start))
        previous_end[sentence_start] = quantity.end
        yield quantity, start


def ratio_statements(index: TextIndex, covered: set[int]) -> list[Check]:
    """A stated ratio beside its numerator and denominator, recomputed."""
    checks: list[Check] = []
    text = index.text
    for stated, start in _percent_statements(index):
        if stated.start in covered:
            continue
        word = _rate_word(index, stated, start)
        if word is None or _GROWTH_NAME.search(word.group("name")):
            continue
        # (only the units _divisible_groups groups are tested for approximation)
        operands = [q for q in index.quantities_in(start, word.start()) if q.unit in _DIVISIBLE_UNITS and not _approximate(index, q)]
        groups = _divisible_groups(operands)
        candidates = [group for group in groups if len(group) == 2]
        if len(candidates) != 1 or any(len(g) > 2 for g in groups):
            continue
        name = word.group("name").strip("“”\"")
        verb = word.group("verb") or ""
        after = text[stated.end : stated.end + 3]
        first, second = candidates[0]
        money_rate = first.is_money and bool(_MONEY_RATE_NAME.search(name))
        a, b = _amount(first), _amount(second)
        if a <= 0 or b <= 0 or _ENUMERATION.search(text[first.end : second.start]):
            continue
        inputs = [index.input_for(first), index.input_for(second), index.input_for(stated, name)]
        if verb in _GREATER or verb in _LESS or after.startswith(("以上", "以下")):
            checks.append(_comparison(name, verb, after, a, b, stated, inputs))
            continue
        part, whole = min(a, b), max(a, b)
        computed = part / whole * HUNDRED
        # Either way round (完成率 may pass 100%), or the complement (结余率 beside 收入/支出).
        alternatives = [(computed, f"{fmt(part)}/{fmt(whole)}"), (whole / part * HUNDRED, f"{fmt(whole)}/{fmt(part)}")]
        if _COMPLEMENT_NAME.search(name):
            alternatives.append((HUNDRED - computed, f"1 − {fmt(part)}/{fmt(whole)}"))
        agreeing = [(value, formula) for value, formula in alternatives if rate_agrees(value, stated.value)]
        if agreeing:
            value, formula = agreeing[0]
            checks.append(make_check(
                "rate.ratio_statement", CheckStatus.PASS, Severity.INFO,
                f"{name} {fmt(stated.value)}% 与所列数字一致（{formula} = {fmt(percent(value))}%）",
                inputs, percent(value), stated.value, rate_tolerance(stated.value),
            ))
            continue
        # "100%" beside a part that falls short of its whole; far below half, the two numbers
        # are more likely not part and whole at all.
        claims_all = stated.value == HUNDRED and part < whole and computed >= 50
        if money_rate or claims_all:
            status, severity = CheckStatus.FAIL, Severity.MEDIUM
            why = "报告称 100%，但所列数字并未全部达到" if claims_all else "比率与所列金额不符"
        else:
            status, severity = CheckStatus.WARN, Severity.LOW
            why = "比率与所列数字不符（也可能分子口径不同，请核对）"
        checks.append(make_check(
            "rate.ratio_statement", status, severity,
            f"{name} 写为 {fmt(stated.value)}%，按所列数字 {fmt(part)}/{fmt(whole)} 计算为 {fmt(percent(computed))}%：{why}",
            inputs, percent(computed), stated.value, rate_tolerance(stated.value),
        ))
    return checks


def _comparison(name: str, verb: str, after: str, a: Decimal, b: Decimal, stated: Quantity, inputs: list[CheckInput]) -> Check:
    """'比率大于 100%' beside the two numbers: true for either order of division?"""
    ratios = [a / b * HUNDRED, b / a * HUNDRED]
    if verb in _GREATER or (not verb and after.startswith("以上")):
        strict = verb in ("大于", "高于", "超过")
        holds = any(r > stated.value if strict else r >= stated.value - RATE_TOLERANCE for r in ratios)
        relation = verb or "以上"
    else:
        strict = verb in ("小于", "低于", "不足", "不到")
        holds = any(r < stated.value if strict else r <= stated.value + RATE_TOLERANCE for r in ratios)
        relation = verb or "以下"
    best = min(ratios, key=lambda r: abs(r - stated.value))
    if holds:
        return make_check(
            "consistency.comparison_claim", CheckStatus.PASS, Severity.INFO,
            f"“{name}{relation} {fmt(stated.value)}%”与所列数字相符", inputs, percent(best), stated.value,
        )
    return make_check(
        "consistency.comparison_claim", CheckStatus.FAIL, Severity.MEDIUM,
        f"文中称{name}{relation} {fmt(stated.value)}%，但所列数字 {fmt(a)} 与 {fmt(b)} 之比为 {fmt(percent(best))}%，说法与数字矛盾",
        inputs, percent(best), stated.value,
    )


def _year_before(index: TextIndex, quantity: Quantity, sentence_start: int) -> int | None:
    window = index.text[max(sentence_start, quantity.start - 14) : quantity.start]
    years = _YEAR.findall(window)
    return int(years[-1]) if years else None


def growth_statements(index: TextIndex, covered: set[int]) -> list[Check]:
    """'A … 上年 B … 增长 P%' recomputed as (A − B) / B; needs one operand marked as the prior one."""
    checks: list[Check] = []
    text = index.text
    for stated, start in _percent_statements(index):
        if stated.start in covered:
            continue
        word = _GROWTH_WORD.search(text, max(start, stated.start - 8), stated.start)  # (bounds, not a slice: $ is at the end bound)
        if word is None:
            continue
        sentence_start, _ = index.sentence(stated.start)
        operands = [q for q in index.quantities_in(start, stated.start) if not _approximate(index, q)]
        groups = [g for g in _comparable(operands, False) if len(g) == 2]
        money = [q for q in operands if q.is_money]
        if len(money) == 2 and not groups:
            groups = [money]
        if len(groups) != 1:
            continue
        first, second = groups[0]
        if any(_DELTA.search(text[max(sentence_start, q.start - 4) : q.start]) for q in (first, second)):
            continue  # "较上年减少 0.5 万元": a change, not last year's amount
        ordered = _prior_and_current(index, first, second, sentence_start)
        if ordered is None:
            continue
        prior, current = ordered
        base, now = _amount(prior), _amount(current)
        if base <= 0:
            continue
        computed = (now - base) / base * HUNDRED
        falling = word.group("verb").startswith(("下降", "减少", "降低"))
        claimed = -stated.value if falling else stated.value
        inputs = [index.input_for(current), index.input_for(prior), index.input_for(stated, word.group("verb"))]
        if rate_agrees(computed, claimed) if not falling else rate_agrees(-computed, stated.value):
            checks.append(make_check(
                "rate.growth_statement", CheckStatus.PASS, Severity.INFO,
                f"{word.group('verb')} {fmt(stated.value)}% 与所列数字一致（{fmt(now)} 对 {fmt(base)}，{fmt(percent(computed))}%）",
                inputs, percent(computed), claimed, rate_tolerance(stated.value),
            ))
        else:
            checks.append(make_check(
                "rate.growth_statement", CheckStatus.FAIL, Severity.MEDIUM,
                f"文中写{word.group('verb')} {fmt(stated.value)}%，按本期 {fmt(now)} 与上期 {fmt(base)} 计算为 {fmt(percent(computed))}%",
                inputs, percent(computed), claimed, rate_tolerance(stated.value),
            ))
    return checks


def _prior_and_current(index: TextIndex, first, second, sentence_start: int):
    """(prior, current) of two amounts of a sentence: the one marked 上年 (or the like) just
    before it, else the one under the earlier year; None when neither tells them apart."""
    text = index.text
    marks = [bool(_PRIOR.search(text[max(sentence_start, q.start - 10) : q.start])) for q in (first, second)]
    if marks[0] != marks[1]:
        return (first, second) if marks[0] else (second, first)
    years = [_year_before(index, q, sentence_start) for q in (first, second)]
    if None not in years and years[0] != years[1]:
        return (first, second) if years[0] < years[1] else (second, first)
    return None


_PART_OF = re.compile(r"其中|主要是|主要为|包括")
_CHANGE_AMOUNT = re.compile(r"(?P<verb>增加|增长|上升|提高|减少|下降|降低|节约|压减)了?\s*$")


def change_statements(index: TextIndex) -> list[Check]:
    """'本年支出 A 万元，上年 B 万元，增加 X 万元' : the stated change against A − B. Only a sentence
    with exactly two amounts before the change, one of them marked as the prior one (上年, an
    earlier year); the change may be of a part rather than of these two, so a mismatch warns."""
    checks: list[Check] = []
    text = index.text
    for stated in index.money():
        verb = _CHANGE_AMOUNT.search(text, max(0, stated.start - 6), stated.start)  # (bounds: $ is at the end bound)
        if verb is None:
            continue
        sentence_start, _ = index.sentence(stated.start)
        operands = [q for q in index.quantities_in(sentence_start, stated.start) if q.is_money]
        if len(operands) != 2 or any(_approximate(index, q) for q in (*operands, stated)):
            continue
        first, second = operands
        if _PART_OF.search(text[second.end : stated.start]):
            continue  # "其中办公费增加5万元": the change of a part, not of the two amounts
        ordered = _prior_and_current(index, first, second, sentence_start)
        if ordered is None:
            continue
        prior, current = ordered
        base, now, change = _amount(prior), _amount(current), _amount(stated)
        falling = verb.group("verb") in ("减少", "下降", "降低", "节约", "压减")
        computed = base - now if falling else now - base
        tolerance = max(_half_step(prior) + _half_step(current) + _half_step(stated), SUM_TOLERANCE)
        inputs = [index.input_for(current), index.input_for(prior), index.input_for(stated, verb.group("verb"))]
        if abs(computed - change) <= tolerance:
            checks.append(make_check(
                RuleId.CHANGE_STATEMENT, CheckStatus.PASS, Severity.INFO,
                f"{verb.group('verb')} {fmt(change)}万元 与所列数字一致（{fmt(now)} 对 {fmt(base)}）",
                inputs, computed, change, tolerance,
            ))
        else:
            checks.append(make_check(
                RuleId.CHANGE_STATEMENT, CheckStatus.WARN, Severity.MEDIUM,
                f"文中写{verb.group('verb')} {fmt(change)}万元，按本期 {fmt(now)}万元 与上期 {fmt(base)}万元 计算为 {fmt(computed)}万元；若所说的不是这两个数之差则无妨，请核对",
                inputs, computed, change, tolerance,
            ))
    return checks


def _half_step(quantity: Quantity) -> Decimal:
    """Half a unit of the last written digit, in 万元 (the rounding a written amount carries)."""
    digits = quantity.raw.replace(",", "")
    number = re.match(r"\d+(?:\.(\d+))?", digits)
    decimals = len(number.group(1) or "") if number is not None else 0
    step = Decimal(1).scaleb(-decimals) / 2
    wan = to_wan(step, quantity.unit)
    return wan if wan is not None else step


_RATE_STEMS = {"到位率": ("到位",), "执行率": ("执行", "支出", "支付", "拨付"), "支付率": ("支付", "拨付"), "拨付率": ("拨付",)}
_RATE_STEM_NAMES = tuple(_RATE_STEMS)
_PLAN_LABEL = re.compile(r"下达|预算|安排|计划|总额|批复")


def labelled_rate_statements(index: TextIndex, covered: set[int]) -> list[Check]:
    """'下达 48 万元，其中 … 到位资金 48 万元，资金到位率 100%': with more than two amounts in the
    sentence, the rate's own words pick its operands: the nearest amount labelled with the rate's
    stem (到位 for 到位率) over the sentence's first amount when that one is labelled a plan
    (下达, 预算, 安排). A mismatch is a warn: the reading of the operands is a guess."""
    checks: list[Check] = []
    text = index.text
    for stated, start in _percent_statements(index):
        if stated.start in covered:
            continue
        word = _rate_word(index, stated, start)
        if word is None or (word.group("verb") or "") in _COMPARING or not word.group("name").endswith(_RATE_STEM_NAMES):
            continue
        stems = next((value for name, value in _RATE_STEMS.items() if word.group("name").endswith(name)), None)
        if stems is None:
            continue
        sentence_start, _ = index.sentence(stated.start)
        money = [q for q in index.quantities_in(sentence_start, stated.start) if q.is_money and not _approximate(index, q)]
        if len(money) <= 2:
            continue  # two amounts: ratio_statements reads them
        plan, actual = money[0], money[-1]
        plan_label = text[max(sentence_start, plan.start - 14) : plan.start]
        actual_label = text[max(sentence_start, actual.start - 8) : actual.start]
        if not _PLAN_LABEL.search(plan_label) or not any(stem in actual_label for stem in stems) or _amount(plan) <= 0:
            continue
        computed = _amount(actual) / _amount(plan) * HUNDRED
        name = word.group("name").strip("“”\"")
        inputs = [index.input_for(stated, name), index.input_for(actual), index.input_for(plan)]
        if rate_agrees(computed, stated.value):
            checks.append(make_check("rate.ratio_statement", CheckStatus.PASS, Severity.INFO, f"{name} {fmt(stated.value)}% 与 {actual.raw} ÷ {plan.raw} 一致", inputs, percent(computed), stated.value, rate_tolerance(stated.value)))
            continue
        checks.append(make_check(
            "rate.ratio_statement", CheckStatus.WARN, Severity.MEDIUM,
            f"{name} 写为 {fmt(stated.value)}%，按同句 {actual.raw} ÷ {plan.raw} 计算为 {fmt(percent(computed))}%，请核对",
            inputs, percent(computed), stated.value, rate_tolerance(stated.value),
        ))
    return checks


_OF_BASE = re.compile(r"的\s*$")
_OF_VERB = re.compile(r"完成|达到|相当于|为|占")


def of_statements(index: TextIndex, covered: set[int]) -> list[Check]:
    """'培训 2399 人，完成市目标任务数 2000 人的 120%': the amount before, over the base, times 100.
    The numerator is the nearest earlier quantity of the base's unit in the sentence."""
    checks: list[Check] = []
    text = index.text
    for stated, start in _percent_statements(index):
        if stated.start in covered or not _OF_BASE.search(text, max(start, stated.start - 2), stated.start):
            continue
        sentence_start, _ = index.sentence(stated.start)
        before = [q for q in index.quantities_in(sentence_start, stated.start) if q.unit and q.unit not in ("%", "个百分点")]
        if len(before) < 2:
            continue
        base = before[-1]
        if text[base.end : stated.start].strip() != "的" or not _OF_VERB.search(text[max(sentence_start, base.start - 16) : base.start]):
            continue
        same = [q for q in before[:-1] if (q.is_money and base.is_money) or q.unit == base.unit]
        if not same or _approximate(index, same[-1]) or _approximate(index, base) or _amount(base) <= 0:
            continue
        part = same[-1]
        computed = _amount(part) / _amount(base) * HUNDRED
        inputs = [index.input_for(part), index.input_for(base), index.input_for(stated, "比例")]
        if rate_agrees(computed, stated.value):
            checks.append(make_check(
                "rate.ratio_statement", CheckStatus.PASS, Severity.INFO,
                f"{part.raw} 为 {base.raw} 的 {fmt(stated.value)}%，与计算一致（{fmt(percent(computed))}%）",
                inputs, percent(computed), stated.value, rate_tolerance(stated.value),
            ))
            continue
        money = part.is_money
        checks.append(make_check(
            "rate.ratio_statement", CheckStatus.FAIL if money else CheckStatus.WARN, Severity.MEDIUM if money else Severity.LOW,
            f"文中写 {part.raw} 为 {base.raw} 的 {fmt(stated.value)}%，按所列数字计算为 {fmt(percent(computed))}%，请核对",
            inputs, percent(computed), stated.value, rate_tolerance(stated.value),
        ))
    return checks


def unit_slips(index: TextIndex, covered_spans: list[tuple[int, int]]) -> list[Check]:
    """The same number written with 元 in one place and 万元 (or 亿元) right beside it."""
    checks: list[Check] = []
    seen: set[tuple[int, int]] = set()
    # Money quantities only: the stop conditions grow with the start, so skipping the others
    # between two amounts changes nothing.
    quantities = index.money()
    for position, first in enumerate(quantities):
        sentence_end = -1  # read on the first amount near enough (most have none)
        for following in range(position + 1, len(quantities)):
            second = quantities[following]
            if second.start - first.end > 40:
                break
            if sentence_end < 0:
                sentence_end = index.sentence(first.start)[1]
            if second.start >= sentence_end:
                break
            if second.unit == first.unit or first.value == 0 or second.value == 0:
                continue
            if any(s <= first.start < e or s <= second.start < e for s, e in covered_spans) or (first.start, second.start) in seen:
                continue
            if second.value != first.value:
                check = _likely_slip(index, first, second)
                if check is not None:
                    seen.add((first.start, second.start))
                    checks.append(check)
                continue
            seen.add((first.start, second.start))
            checks.append(make_check(
                "consistency.unit_slip", CheckStatus.FAIL, Severity.HIGH,
                f"同一句中同一数字分别写作 {first.raw} 与 {second.raw}，单位相差 "
                f"{fmt(max(MONEY_UNITS[first.unit], MONEY_UNITS[second.unit]) / min(MONEY_UNITS[first.unit], MONEY_UNITS[second.unit]))} 倍，"
                "疑似元/万元混用",
                [index.input_for(first), index.input_for(second)],
                _amount(first), _amount(second),
            ))
    return checks


_PER_UNIT = re.compile(r"/|每|人均|标准|单价|平均")
_ACTUAL_WORDS = re.compile(r"实际|决算|支付|支出|到位|执行|结余|剩余|使用")


def _likely_slip(index: TextIndex, first: Quantity, second: Quantity) -> Check | None:
    """'行政审批制度改革 35 万元，实际支付 30.66 元': digits of the same size, units 10,000 apart,
    the second introduced right after the first as the amount spent/received. A per-head rate
    (元/人, 每人) is left alone."""
    yuan, larger = (first, second) if MONEY_UNITS[first.unit] < MONEY_UNITS[second.unit] else (second, first)
    if MONEY_UNITS[larger.unit] / MONEY_UNITS[yuan.unit] < 10000:
        return None
    ratio = yuan.value / larger.value
    if not Decimal("0.2") <= ratio <= Decimal(5):
        return None
    text = index.text
    around = text[max(0, yuan.start - 6) : yuan.end + 3] + text[max(0, larger.start - 6) : larger.end + 3]
    if _PER_UNIT.search(around):
        return None
    # The later amount is introduced as what was actually spent/received of the earlier one.
    between = text[first.end : second.start]
    if len(between) > 12 or not _ACTUAL_WORDS.search(between):
        return None
    return make_check(
        "consistency.unit_slip", CheckStatus.WARN, Severity.MEDIUM,
        f"同一句中 {larger.raw} 与 {yuan.raw} 数字相近而单位相差一万倍（{fmt(_amount(yuan))} 万元对 {fmt(_amount(larger))} 万元），"
        "疑似元/万元写错",
        [index.input_for(larger), index.input_for(yuan)], _amount(larger), _amount(yuan),
    )


# "决算数大于预算数": a left word, at most 10 claim characters, a verb, at most 14, a right word.
# Read by hand (_amount_claim_at) rather than by a pattern: its two CJK classes cost more to
# compile at import than the few places a verb allows a claim cost to read.
_CLAIM_LEFT = ("决算", "实际支出", "实际", "执行数", "支出数", "预算")
_CLAIM_VERBS = frozenset(("大于", "高于", "超过", "多于", "小于", "低于", "少于"))
_CLAIM_RIGHT = ("预算", "决算", "实际支出")
_ACTUAL_LABEL = re.compile(r"决算|实际|支出数|执行数|已支付")
_BUDGET_LABEL = re.compile(r"预算|安排|计划")


class _Claim(NamedTuple):
    start: int
    end: int
    left: str
    verb: str
    right: str


def _claim_character(character: str) -> bool:
    """A character a claim's gaps may hold: CJK (U+3400–U+9FFF) or a quote."""
    return "\u3400" <= character <= "\u9fff" or character in "“”\""


def _amount_claim_at(text: str, start: int) -> _Claim | None:
    """The claim starting at `start`, as the pattern
    (?P<left>…)[\u3400-\u9fff“”"]{0,10}?(?P<verb>…)[\u3400-\u9fff“”"]{0,14}?(?P<right>…) matches
    there: words tried in their order, each gap shortest first, a failed right word backing up
    to a longer first gap, a failed verb to the next left word."""
    for left in _CLAIM_LEFT:
        if not text.startswith(left, start):
            continue
        gap = start + len(left)
        for verb_at in range(gap, gap + 11):
            verb = text[verb_at : verb_at + 2]
            if verb in _CLAIM_VERBS:
                for right_at in range(verb_at + 2, verb_at + 17):
                    for right in _CLAIM_RIGHT:
                        if text.startswith(right, right_at):
                            return _Claim(start, right_at + len(right), left, verb, right)
                    if right_at >= len(text) or not _claim_character(text[right_at]):
                        break
            if verb_at >= len(text) or not _claim_character(text[verb_at]):
                break
    return None


# A claim's verb starts 2 to 14 characters after the claim (its left word, then at most 10
# characters); the verbs are found by their second character (a one-character find is a fast scan).
_CLAIM_VERB_ENDS = (("于", "大高多小低少"), ("过", "超"))


def _amount_claims(text: str) -> Iterator[_Claim]:
    """The claims of the text, left to right and not overlapping (as a pattern's finditer finds
    them), read only at the starts a verb found in the text allows."""
    starts: set[int] = set()
    for second, firsts in _CLAIM_VERB_ENDS:
        position = text.find(second, 1)
        while position != -1:
            if text[position - 1] in firsts:
                starts.update(range(max(0, position - 15), position - 2))
            position = text.find(second, position + 1)
    end = 0
    for start in sorted(starts):
        if start >= end and text[start] in "决实执支预" and (claim := _amount_claim_at(text, start)) is not None:
            end = claim.end
            yield claim


def comparison_claims(index: TextIndex) -> list[Check]:
    """'决算数大于预算数' written right after the two amounts: does the claim hold?"""
    checks: list[Check] = []
    text = index.text
    for claim in _amount_claims(text):
        left_actual = claim.left != "预算"
        right_actual = claim.right != "预算"
        if left_actual == right_actual:
            continue
        start, _ = index.sentence(claim.start)
        actual = budget = None
        for quantity in index.quantities_in(start, claim.start):
            if not quantity.is_money:
                continue
            label = text[max(start, quantity.start - 8) : quantity.start]
            if _ACTUAL_LABEL.search(label):
                actual = quantity
            elif _BUDGET_LABEL.search(label):
                budget = quantity
        if actual is None or budget is None:
            continue
        greater = claim.verb in ("大于", "高于", "超过", "多于")
        # "决算 … 大于 … 预算" claims actual > budget; "预算 … 大于 … 决算" the reverse.
        claims_actual_above = greater == left_actual
        a, b = _amount(actual), _amount(budget)
        holds = a > b if claims_actual_above else a < b
        written = text[claim.start : claim.end]
        inputs = [index.input_for(actual), index.input_for(budget)]
        if holds:
            checks.append(make_check(
                "consistency.comparison_claim", CheckStatus.PASS, Severity.INFO,
                f"“{written}”与所列金额相符（决算 {actual.raw}，预算 {budget.raw}）", inputs, b, a,
            ))
        else:
            checks.append(make_check(
                "consistency.comparison_claim", CheckStatus.FAIL, Severity.MEDIUM,
                f"文中称“{written}”，但所列决算 {actual.raw} 与预算 {budget.raw} 并非如此",
                inputs, b, a,
            ))
    return checks


# Shares of a whole: above 100% they cannot be (执行率, 完成率, 增长率 can, and are not listed).
_SHARE_RATE = re.compile(r"满意率|满意度|好评率|覆盖率|填报率|办结率|回复率|知晓率|合格率|达标率|可办率|网办率|进驻率|受理率|公开率|参与率|到位率|解答率|响应率|签收率|回访率")


_FUND_LABEL = re.compile(r"(?:资金|经费|费|预算|支出|收入|拨款|补助|总额|合计|安排|下达|到位|执行|投入|结余|结转|金额)[为是共计达到了：:\s]*$")
_ALLOCATION = re.compile(r"安排|批复|下达|预算|拨付|拨款|总额|合计|资金|经费")
_PER_HEAD = re.compile(r"每|人均|生均|户均|标准|单价|平均|按|/|／|元/|次均|月均")


_BRACKETED_TAIL = re.compile(r"[(（][^()（）]{1,30}[)）]\s*$")
_CHANGE = re.compile(r"(?:减少|增加|增长|下降|节约)了?\s*$")
_FUND_AFTER = re.compile(r"(?:的)?(?:资金|经费|补助|预算|拨款)")


def _alone_among_wan(index: TextIndex, quantity: Quantity, sentence_start: int) -> bool:
    """The only 元 amount of its sentence, beside amounts in 万元."""
    end = index.sentence(quantity.start)[1]
    others = [q for q in index.quantities_in(sentence_start, end) if q.is_money and q.start != quantity.start]
    return any(q.unit in ("万元", "万", "亿元") for q in others) and not any(q.unit == "元" for q in others)


def unit_magnitudes(index: TextIndex, covered_spans: list[tuple[int, int]]) -> list[Check]:
    """A fund amount written in 元 that is smaller than one 万 ("下达资金1.53元") in a report that
    states its amounts in 万元: likely "1.53 万元" with the 万 dropped. A warn: small 元 amounts
    (a per-head standard, a fee) exist, and the reviewer is asked to look."""
    money = index.money()
    yuan = [q for q in money if q.unit == "元"]
    if not yuan:
        return []
    large = sorted(_amount(q) for q in money if q.unit in ("万元", "万", "亿元") and q.value > 0)
    # The report's median amount in 万元, when it states its amounts in 万元 at all.
    typical = large[len(large) // 2] if len(large) >= 2 and len(large) > len(yuan) else None
    checks: list[Check] = []
    text = index.text
    for quantity in yuan:
        if quantity.value <= 0 or any(s <= quantity.start < e for s, e in covered_spans):
            continue
        sentence_start = index.sentence(quantity.start)[0]
        before = text[max(sentence_start, quantity.start - 12) : quantity.start]
        after = text[quantity.end : quantity.end + 3]
        if _PER_HEAD.search(before) or _PER_HEAD.search(after):
            continue
        # A fund amount: labelled before (a bracketed name between label and number skipped),
        # named after ("10441元资金全部拨付到位"), or the only 元 amount among 万元 amounts of its
        # sentence (a 其中 list, "上年 … 减少31.93元").
        label = _BRACKETED_TAIL.sub("", text[max(sentence_start, quantity.start - 40) : quantity.start])[-12:]
        fund = _FUND_LABEL.search(before) or _FUND_LABEL.search(label) or _FUND_AFTER.match(text, quantity.end)
        change = _CHANGE.search(before)  # "与上年对比减少31.93元": a change of a fund, as large
        if not fund and not change and not _alone_among_wan(index, quantity, sentence_start):
            continue
        # Far below the report's scale (under one 万 where amounts run to tens of 万), or an
        # allocation of a fund under a thousand 元, which no budget line is.
        out_of_scale = typical is not None and _amount(quantity) < min(Decimal(10), typical / 100)
        tiny_allocation = quantity.value < 1000 and not change and _ALLOCATION.search(text[max(sentence_start, quantity.start - 60) : quantity.start])
        if not (out_of_scale or tiny_allocation):
            continue
        checks.append(make_check(
            "plausibility.unit_magnitude", CheckStatus.WARN, Severity.MEDIUM,
            f"“{index.label_before(quantity.start)}”写作 {quantity.raw}，而本报告金额多以万元计，疑为 {fmt(quantity.value)} 万元漏写“万”，请核对",
            [index.input_for(quantity)], None, quantity.value,
        ))
    return checks


def impossible_rates(index: TextIndex) -> list[Check]:
    """A share (满意率, 办结率, 覆盖率 …) stated above 100%."""
    checks: list[Check] = []
    for stated, start in _percent_statements(index):
        if stated.value <= HUNDRED:
            continue
        word = _rate_word(index, stated, start)
        if word is None or not _SHARE_RATE.search(word.group("name")) or (word.group("verb") or "") in _COMPARING:
            continue
        name = word.group("name").strip("“”\"")
        glued = stated.value >= 1000  # "20100%": a cell's 20 run into 100%, more likely than a share of 201 times
        checks.append(make_check(
            "plausibility.rate_range", CheckStatus.WARN if glued else CheckStatus.FAIL, Severity.MEDIUM,
            f"{name} 写为 {fmt(stated.value)}%，这是占比，不可能超过 100%" + ("（疑为相邻数字粘连，请核对原表）" if glued else ""),
            [index.input_for(stated, name)], HUNDRED, stated.value,
        ))
    return checks
