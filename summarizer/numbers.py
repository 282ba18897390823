"""Numbers with units in (normalised) report text, as Decimal. No I/O.

This is the one place that knows the genre's number grammar and unit arithmetic:
`find_quantities` lists every number the text states with its unit, `to_wan` normalises
money to 万元, and `parse_decimal` reads one cell. Both the rules backend and the
verification pass use it, so "the numbers regex finds in the source" means one thing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .chars import HAN_FIRST, HAN_LAST

# "40万" with no 元 is money too when nothing follows the 万 ("万人", "万户" are counts).
MONEY_UNITS = {"元": Decimal("0.0001"), "万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000), "千元": Decimal("0.1")}
PERCENT_UNITS = ("%", "个百分点")
# Count units, longest first so 人次 wins over 人.
COUNT_UNITS = (
    "人次", "万条", "万次", "万份", "件", "项", "人", "名", "个", "家", "条", "次", "台", "套", "枚", "份",
    "天", "批", "期", "场", "户", "所", "辆", "栋", "篇", "本", "册", "张", "处", "座", "间", "类", "村", "镇",
)
SCORE_UNITS = ("分",)
_UNITS = sorted([*MONEY_UNITS, *PERCENT_UNITS, *COUNT_UNITS, *SCORE_UNITS], key=len, reverse=True)

# The first digit is matched before the look-behind (the digit or dot before it), so the
# regex engine can skip ahead to the next digit instead of trying every position of the text.
_NUMBER = r"\d(?<![\d.]\d)(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?(?!\d)"

_QUANTITY = re.compile(
    rf"(?P<number>{_NUMBER})[ ]?(?P<approx>多|余|左右)?[ ]?(?P<unit>{'|'.join(map(re.escape, _UNITS))})?"
)
# A bare number that is a rate by context: "增长 30.28," "达到 90 以上" "执行率为74" (the % was
# dropped). Only numbers right after a rate word count; the unit is then inferred as %.
_RATE_CONTEXT = re.compile(r"(?:率|增长|下降|减少|提高|降低|占比|比例)(?:为|达|达到|是)?\s?$")


# A CJK character ([\u4e00-\u9fff]) is tested with comparisons on a one-character slice ("" is
# below the range): a compiled class of the range costs ~1 ms at import.
_CJK_FIRST, _CJK_LAST = HAN_FIRST, HAN_LAST
_NOT_A_UNIT = {("分", "钟"), ("个", "月"), ("个", "工"), ("天", "内"), ("人", "民")}


@dataclass(frozen=True)
class Quantity:
    """A number found in text. `start`/`end` are offsets into the text that was searched."""

    value: Decimal
    unit: str  # "" when the text gives none
    raw: str
    start: int
    end: int
    inferred_unit: bool = False

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def value_wan(self) -> Decimal | None:
        return to_wan(self.value, self.unit)


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@functools.lru_cache(maxsize=4096)
def parse_decimal(raw: str) -> Decimal | None:
    """Read '1,179.61' or '74.36%' or '127' as a Decimal; None if it is not a number.

    Cached: table cells are read many times by structure and the backends (Decimal is immutable).
    """
    cleaned = raw.strip().replace(",", "").replace("，", "").rstrip("%").strip()
    if not cleaned or not _PLAIN_NUMBER.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def to_wan(value: Decimal, unit: str) -> Decimal | None:
    """Money in any unit -> 万元; None if the unit is not money. The only unit conversion."""
    factor = MONEY_UNITS.get(unit)
    return None if factor is None else (value * factor).normalize()


def find_quantities(text: str, start: int = 0, end: int | None = None, *, with_bare: bool = True) -> list[Quantity]:
    """Every number in text[start:end] with its unit, in order of position.

    Dates, document numbers (【2021】1号) and phone numbers are skipped. A bare number right
    after a rate word gets the unit % with inferred_unit=True. Other bare numbers are kept
    (with unit "") only when with_bare is True: table cells and "编制 34" need them.
    """
    end = len(text) if end is None else end
    if start == 0 and end == len(text):
        return list(_find_all(text, with_bare))
    return list(_find(text, start, end, with_bare))


@functools.lru_cache(maxsize=4)
def _find_all(text: str, with_bare: bool) -> tuple[Quantity, ...]:
    # Several stages scan the same whole document; str caches its hash, so the key is cheap.
    return _find(text, 0, len(text), with_bare)


_NEW = object.__new__


_DATE_OR_CODE_AFTER = frozenset(("年", "月", "日", "号", "时", "-", "—", "/", ":"))
_DATE_OR_CODE_BEFORE = frozenset(("【", "[", "〔", "第", "-", "/", ":"))
# The units _NOT_A_UNIT (and 万 before a CJK character) can take back.
_UNITS_TAKEN_BACK = frozenset([unit for unit, _ in _NOT_A_UNIT] + ["万"])
# The last characters a _RATE_CONTEXT match can end with: its words' and whitespace (its \s is
# str.isspace: tests/test_fast_paths_analyse checks the list); a number whose preceding character is
# none of these has no rate context (no search).
_RATE_CONTEXT_LAST = frozenset(
    "率长降少高低比例为达到是"
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _find(text: str, start: int, end: int, with_bare: bool) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    append, new = found.append, _NEW
    # Module globals as locals: the loop runs for every number of a report.
    not_a_unit, taken_back, date_after, date_before = _NOT_A_UNIT, _UNITS_TAKEN_BACK, _DATE_OR_CODE_AFTER, _DATE_OR_CODE_BEFORE
    cjk_first, cjk_last, rate_context, rate_last, parse = _CJK_FIRST, _CJK_LAST, _RATE_CONTEXT.search, _RATE_CONTEXT_LAST, parse_decimal
    for match in _QUANTITY.finditer(text, start, end):
        number, _, unit = match.groups()  # the number opens the match
        n_start = match.start()
        n_end = n_start + len(number)
        if unit is not None:
            q_end = match.end()
            if unit in taken_back and (
                (unit, text[q_end : q_end + 1]) in not_a_unit or (unit == "万" and cjk_first <= text[q_end : q_end + 1] <= cjk_last)
            ):
                unit = None  # 15分钟, 3个月, 2个工作日: a duration; 5万人: a count of its own
        if unit is None:
            before = text[n_start - 1 : n_start]  # "" at the text's start
            # Dates (2021年, 3月), document numbers (【2021】1号, 第3), times and ranges.
            if text[n_end : n_end + 1] in date_after or before in date_before:
                continue
            # Phone numbers and long codes: more than 8 digits with no unit.
            if len(number) > 8 and len(number.replace(",", "").split(".")[0]) > 8:
                continue
            if (
                before in rate_last
                and rate_context(text, max(0, n_start - 6), n_start)
                and not cjk_first <= text[n_end : n_end + 1] <= cjk_last
            ):
                # "执行率为74," lost its %; "执行率2省…" is a row number glued to the next cell.
                unit, inferred, q_end = "%", True, match.end()
            elif with_bare:
                unit, inferred, q_end = "", False, n_end
            else:
                continue  # (before reading the number: it is dropped either way)
        else:
            inferred = False
        value = parse(number)
        if value is None:
            continue
        # Quantity(value, unit, raw, start, end, inferred) without the frozen dataclass's __init__,
        # which sets each field through object.__setattr__ (a third of the scan); its fields are
        # stored in declaration order. tests/test_numbers.py checks the two agree on every field.
        quantity = new(Quantity)
        fields = quantity.__dict__
        fields["value"], fields["unit"], fields["raw"] = value, unit, text[n_start:q_end]
        fields["start"], fields["end"], fields["inferred_unit"] = n_start, q_end, inferred
        append(quantity)
    return tuple(found)


def same_amount(a: Decimal, unit_a: str, b: Decimal, unit_b: str, tolerance_wan: Decimal = Decimal("0.01")) -> bool:
    """Two stated amounts equal within tolerance after unit normalisation (money) or as-is."""
    wan_a, wan_b = to_wan(a, unit_a), to_wan(b, unit_b)
    if wan_a is not None and wan_b is not None:
        return abs(wan_a - wan_b) <= tolerance_wan
    return unit_a == unit_b and a == b
