"""Turn a model's answer into grounded output items, and merge answers across chunks. No I/O.

The model proposes; code decides. For every item the model returns:
- its evidence quote is aligned to the source (align.py); an item whose quote cannot be found
  is dropped and counted in a warning, never kept on trust;
- the evidence stored is the source text at that span, not the model's quote;
- numbers are read back from the source: a figure's value and unit are taken from the number
  in its evidence that matches the model's value (directly or after unit conversion), and its
  span is that number's span. A value the evidence does not contain is kept as the model said
  it, flagged in a warning, and failed by the verification pass's grounding rule;
- a unit comes from the source too: a bare number ("20" in a score cell) takes the model's unit
  only where the report writes that unit for it (its cell's column, its row's label, the table's
  caption); otherwise the figure is dropped with a warning, never shown as 20亿元;
- an indicator's weight and score, and numeric metadata, are kept only if the evidence states
  them; text items get their numbers from the source text, not from the model;
- a text item (achievement, problem, measure) is shown in the report's words: the model's text
  aligned near its evidence gives the source text there; a paraphrase whose words and numbers the
  evidence supports is shown as the evidence itself; a text the evidence does not support (an
  invented "挪用专项资金500万元" beside a real quote) is dropped with a warning;
- kind, value_wan and the table flag are computed here, and `backend` names who produced it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..document import Document
from ..numbers import MONEY_UNITS, PERCENT_UNITS, SCORE_UNITS, find_quantities, to_wan
from ..numbers import Quantity as FoundQuantity
from ..schemas import Alignment, Evidence, Figure, FigureKind, Indicator, Meta, Quantity, TextItem
from ..structure import Layout
from .align import Aligner, Match

Windows = Sequence[tuple[int, int]]


def figure_kind(unit: str) -> FigureKind:
    if unit in MONEY_UNITS:
        return FigureKind.MONEY
    if unit in PERCENT_UNITS:
        return FigureKind.RATE
    if unit in SCORE_UNITS:
        return FigureKind.SCORE
    return FigureKind.COUNT


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _same_number(found: FoundQuantity, value: Decimal, unit: str) -> bool:
    if found.value != value:
        return False
    return not found.unit or not unit or found.unit == unit or (found.unit in PERCENT_UNITS and unit in PERCENT_UNITS)


def _converted(found: FoundQuantity, value: Decimal, unit: str) -> bool:
    """The model converted units (4400 元 said as 0.44 万元): the same amount in 万元."""
    ours, theirs = to_wan(found.value, found.unit), to_wan(value, unit)
    return ours is not None and theirs is not None and ours == theirs


_WORD_CHARS = re.compile(r"[\w\u3400-\u9fff]")
# A paraphrase is supported when this share of its character pairs occurs in its evidence.
MIN_SUPPORT = 0.6
# How far around its evidence a text item's own words are looked for.
TEXT_SLACK = 200


def _pairs(text: str) -> set[str]:
    chars = "".join(_WORD_CHARS.findall(text.lower()))
    return {chars[i : i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def supported(text: str, region: str) -> bool:
    """The region (an evidence quote) says what `text` says: most of its character pairs occur
    there and every number it states is there (with its unit, or the same amount in 万元)."""
    pairs = _pairs(text)
    if not pairs or len(pairs & _pairs(region)) < MIN_SUPPORT * len(pairs):
        return False
    stated = list(find_quantities(region))
    return all(
        any(_same_number(found, said.value, said.unit) or _converted(found, said.value, said.unit) for found in stated)
        for said in find_quantities(text)
    )


_DECLARED_UNIT = re.compile(r"[（(]\s*(?:单位[：:]\s*)?([^（）()\s]{1,4})\s*[）)]|单位[：:为]\s*([^\s，,。；;）)]{1,4})")


def _unit_words(layout: Layout, position: int) -> str:
    """Where the report writes the unit of a bare table number: its column's label and path,
    its row's label cell and the table's caption ("" outside a table)."""
    table = layout.table_at(position)
    if table is None:
        return ""
    # The caption is the prose above the table: only a unit it declares counts, not any amount in it.
    words = [unit for pair in _DECLARED_UNIT.findall(table.caption or "") for unit in pair]
    row = next((row for row in table.rows if row.start <= position < row.end), None)
    if row is not None and row.cells:
        words.append(row.cells[0].text)
        for index, cell in enumerate(row.cells):
            if cell.start <= position < cell.end:
                words += [*(row.labels or [])[index : index + 1], *(row.paths or [])[index : index + 1]]
    return "".join(words)


@dataclass
class Grounder:
    """Grounds one report's model answers; collects what it had to drop or flag."""

    document: Document
    layout: Layout
    backend: str = "llm"
    aligner: Aligner = field(init=False)
    dropped: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unitless: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.aligner = Aligner(self.document.text)

    def _align(self, quote: str, windows: Windows, what: str) -> Match | None:
        match = self.aligner.align(quote, windows)
        if match is None:
            self.dropped.append(what)
        return match

    def _evidence(self, match: Match) -> Evidence:
        return self.document.evidence(match.start, match.end)

    # -- items ----------------------------------------------------------------------------

    def figure(self, item: Any, windows: Windows) -> Figure | None:
        what = f"{item.label} {item.value}{item.unit}"
        match = self._align(item.evidence, windows, what)
        if match is None:
            return None
        evidence = self._evidence(match)
        found = find_quantities(self.document.text, match.start, match.end)
        number = next((q for q in found if _same_number(q, item.value, item.unit)), None)
        number = number or next((q for q in found if _converted(q, item.value, item.unit)), None)
        if number is not None and not number.unit and item.unit and item.unit not in _unit_words(self.layout, number.start):
            # The report writes "20" and nothing says 亿元: the model's unit is not the report's.
            self.unitless.append(f"{what}（原文“{number.raw}”未写单位）")
            return None
        if number is not None:
            value, unit = number.value, number.unit or item.unit
            span = self.document.span(number.start, number.end)
            position = number.start
        else:
            # Kept as the model said it so the verification pass can fail it in the open.
            value, unit, span, position = item.value, item.unit, evidence.span, match.start
            self.unverified.append(what)
        return Figure(
            key=item.key,
            label=item.label,
            value=value,
            unit=unit,
            kind=figure_kind(unit),
            value_wan=to_wan(value, unit),
            period=item.period,
            year=item.year if item.year is not None and str(item.year) in self.document.text else None,
            item=item.item,
            table=self.layout.table_at(position) is not None,
            span=span,
            evidence=evidence.quote,
            alignment=match.alignment,
            backend=self.backend,
        )

    def _report_words(self, said: str, match: Match, quote: str) -> str | None:
        """The item in the report's words: the source text where the model's words are (near the
        evidence), else the evidence itself when it supports them, else None (not the report's)."""
        said = " ".join((said or "").split())
        if not said:
            return quote
        near = (max(0, match.start - TEXT_SLACK), min(len(self.document.text), match.end + TEXT_SLACK))
        found = self.aligner.align(said, [(match.start, match.end), near], anywhere=False)
        # A fuzzy match may differ in a number: it counts only when its words support the model's.
        if found is not None and (found.alignment is not Alignment.FUZZY or supported(said, self.document.text[found.start : found.end])):
            return " ".join(self.document.text[found.start : found.end].split())
        return " ".join(quote.split()) if supported(said, quote) else None

    def _stated(self, value: Decimal | None, match: Match) -> Decimal | None:
        if value is None:
            return None
        for found in find_quantities(self.document.text, match.start, match.end):
            if found.value == value:
                return found.value
        return None

    def indicator(self, item: Any, windows: Windows) -> Indicator | None:
        match = self._align(item.evidence, windows, f"指标 {item.name}")
        if match is None:
            return None
        evidence = self._evidence(match)
        weight, score = self._stated(item.weight, match), self._stated(item.score, match)
        for name, said, kept in (("权重", item.weight, weight), ("得分", item.score, score)):
            if said is not None and kept is None:
                self.unverified.append(f"指标 {item.name} 的{name} {said}（已置空）")
        return Indicator(
            level1=item.level1,
            level2=item.level2,
            name=item.name,
            target=item.target,
            actual=item.actual,
            weight=weight,
            score=score,
            span=evidence.span,
            evidence=evidence.quote,
            alignment=match.alignment,
            backend=self.backend,
        )

    def text_item(self, item: Any, windows: Windows) -> TextItem | None:
        what = _fold(item.text)[:20]
        match = self._align(item.evidence, windows, what)
        if match is None:
            return None
        evidence = self._evidence(match)
        text = self._report_words(item.text, match, evidence.quote)
        if text is None:
            self.unsupported.append(what)
            return None
        numbers = [
            Quantity(value=q.value, unit=q.unit, raw=q.raw)
            for q in find_quantities(self.document.text, match.start, match.end, with_bare=False)
        ]
        return TextItem(
            text=text,
            span=evidence.span,
            evidence=evidence.quote,
            numbers=numbers,
            alignment=match.alignment,
            backend=self.backend,
        )

    def meta(self, item: Any, windows: Windows) -> Meta:
        """Keep each metadata field whose evidence is found and states it; drop the rest."""
        values: dict[str, Any] = {}
        evidence: dict[str, Evidence] = {}
        quotes = dict(item.evidence or {})
        for name in Meta.model_fields:
            if name == "evidence":
                continue
            value = getattr(item, name, None)
            if value is None or (name == "kind" and value.value == "未知"):
                continue
            said = value.value if hasattr(value, "value") else value
            quote = quotes.get(name) or str(said)
            match = self.aligner.align(quote, windows)
            if match is None or not self._meta_stated(name, value, match):
                self.dropped.append(f"meta.{name}={said}")
                continue
            values[name] = value
            evidence[name] = self._evidence(match)
        return Meta(**values, evidence=evidence)

    def _meta_stated(self, name: str, value: Any, match: Match) -> bool:
        region = self.document.text[match.start : match.end]
        if name == "year":
            return re.search(rf"(?<!\d){value}(?!\d)", region) is not None  # find_quantities skips years
        if name in ("staff_authorized", "staff_actual", "self_score"):
            return any(found.value == Decimal(str(value)) for found in find_quantities(self.document.text, match.start, match.end))
        if name == "report_date":
            return str(value.year) in region
        if name in ("kind", "grade"):
            return True  # an enum read from an aligned quote (优秀 -> 优); nothing numeric to check
        return _fold(str(value)) in _fold(region) or _fold(str(value)) in _fold(self.document.text)

    def warnings(self) -> list[str]:
        self.dropped = list(dict.fromkeys(self.dropped))  # chunks repeat; say each once
        self.unverified = list(dict.fromkeys(self.unverified))
        notes = []
        if self.dropped:
            shown = "；".join(self.dropped[:5]) + ("……" if len(self.dropped) > 5 else "")
            notes.append(f"LLM 返回的 {len(self.dropped)} 项在报告原文中找不到证据，已丢弃：{shown}")
        if self.unverified:
            shown = "；".join(self.unverified[:5]) + ("……" if len(self.unverified) > 5 else "")
            notes.append(f"LLM 返回的 {len(self.unverified)} 个数字在其证据原文中找不到：{shown}")
        for found, words in ((self.unitless, "个数字的单位原文未写，已丢弃"), (self.unsupported, "项文字不是报告原文所述（证据不支持），已丢弃")):
            found[:] = list(dict.fromkeys(found))
            if found:
                shown = "；".join(found[:5]) + ("……" if len(found) > 5 else "")
                notes.append(f"LLM 返回的 {len(found)} {words}：{shown}")
        return notes


# -- merging across chunks --------------------------------------------------------------------


def _overlap(a: Any, b: Any) -> bool:
    return a.span.start < b.span.end and b.span.start < a.span.end or a.span == b.span


def merge_meta(metas: Iterable[Meta]) -> Meta:
    """First stated value per field, in reading order, with its evidence."""
    values: dict[str, Any] = {}
    evidence: dict[str, Evidence] = {}
    for meta in metas:
        for name in Meta.model_fields:
            if name == "evidence" or name in values:
                continue
            value = getattr(meta, name)
            if value is None or (name == "kind" and value.value == "未知"):
                continue
            values[name] = value
            if name in meta.evidence:
                evidence[name] = meta.evidence[name]
    return Meta(**values, evidence=evidence)


def dedupe_figures(figures: Iterable[Figure]) -> list[Figure]:
    """One figure per number stated: the same key and amount at the same place is one figure."""
    kept: list[Figure] = []
    for figure in sorted(figures, key=lambda f: (f.span.start, f.span.end)):
        duplicate = any(
            other.key == figure.key
            and (other.value_wan or other.value) == (figure.value_wan or figure.value)
            and (_overlap(other, figure) or other.evidence == figure.evidence)
            for other in kept
        )
        if not duplicate:
            kept.append(figure)
    return kept


def dedupe_indicators(indicators: Iterable[Indicator]) -> list[Indicator]:
    kept: list[Indicator] = []
    for indicator in sorted(indicators, key=lambda i: i.span.start):
        name = _fold(indicator.name)
        if not any(_fold(other.name) == name and (_overlap(other, indicator) or other.actual == indicator.actual) for other in kept):
            kept.append(indicator)
    return kept


def dedupe_items(items: Iterable[TextItem]) -> list[TextItem]:
    """One item per stated point: overlapping evidence or the same words are one item."""
    kept: list[TextItem] = []
    for item in sorted(items, key=lambda i: i.span.start):
        words = _fold(re.sub(r"\W", "", item.text))
        if not any(_overlap(other, item) or _fold(re.sub(r"\W", "", other.text)) == words for other in kept):
            kept.append(item)
    return kept

