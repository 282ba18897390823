"""Turn a model's answer into grounded output items, and merge answers across chunks. No I/O.

The model proposes; code decides. For every item the model returns:
- its evidence quote is aligned to the source (align.py); an item whose quote cannot be found
  is dropped and counted in a warning, never kept on trust;
- the evidence stored is the source text at that span, not the model's quote;
- numbers are read back from the source: a figure's value and unit are taken from the number
  in its evidence that matches the model's value (directly or after unit conversion), and its
  span is that number's span. A value the evidence does not contain is kept as the model said
  it, flagged in a warning, and failed by the verification pass's grounding rule;
- an indicator's weight and score, and numeric metadata, are kept only if the evidence states
  them; text items get their numbers from the source text, not from the model;
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
from ..schemas import Evidence, Figure, FigureKind, Indicator, Meta, Quantity, TextItem
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


@dataclass
class Grounder:
    """Grounds one report's model answers; collects what it had to drop or flag."""

    document: Document
    layout: Layout
    backend: str = "llm"
    aligner: Aligner = field(init=False)
    dropped: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

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
        match = self._align(item.evidence, windows, _fold(item.text)[:20])
        if match is None:
            return None
        evidence = self._evidence(match)
        numbers = [
            Quantity(value=q.value, unit=q.unit, raw=q.raw)
            for q in find_quantities(self.document.text, match.start, match.end, with_bare=False)
        ]
        text = " ".join(item.text.split()) or evidence.quote
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

