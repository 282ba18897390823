"""Mutation: perturbed copies of a report, to measure what verification catches and how extraction holds up.

Four kinds of perturbation, each a single edit of the report's decoded text:

- identity_number: one amount or rate that takes part in an identity (a total, a part, a
  balance, a rate) is changed by 3–10 % (at least 1 in its unit), in one of the places it is
  written. Verification is expected to raise a new fail or warn.
- unit_switch: one "X 万元" that gold annotates becomes "X 元" (the ×10,000 slip). Verification
  is expected to raise a new fail or warn.
- heading_synonym: a problems/measures/achievements heading is renamed to a synonym
  (存在的主要问题 → 问题与不足 …). Nothing is wrong with the report, so verification should
  stay quiet and extraction should not move.
- section_removed: one headed section (problems, measures, achievements, targets, analysis) is
  cut out with its heading. Extraction of the rest should not move.

Each copy carries an adjusted gold: items that the edit legitimately changed or removed become
optional (neutral), so "F1 on mutated copies vs clean" measures robustness, not the edit.
Copies are deterministic for a given (seed, report name, index). No I/O here.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from .document import Document
from .evaluation.gold import Gold, GoldFigure, figure_values_agree, normalise_text
from .genre import vocabulary
from .genre.identities import identities
from .numbers import Quantity, find_quantities, to_wan
from .structure import Role, analyse

KINDS = ("identity_number", "unit_switch", "heading_synonym", "section_removed")
EXPECT_CATCH = {"identity_number": True, "unit_switch": True, "heading_synonym": False, "section_removed": False}

# Heading phrase -> synonyms a real report might use instead (summarizer/genre/sections.toml).
SYNONYMS: dict[str, tuple[str, ...]] = dict(vocabulary().heading_synonyms)
_HEADING_LINE_MAX = 40
_REMOVABLE = (
    Role.PROBLEMS, Role.MEASURES, Role.PROBLEMS_AND_MEASURES, Role.ACHIEVEMENTS, Role.TARGETS, Role.PERFORMANCE,
)  # fmt: skip


@dataclass(frozen=True)
class Mutation:
    """One perturbed copy: the new decoded text, what changed, and the gold adjusted to it."""

    kind: str
    index: int
    description: str
    text: str
    start: int  # edited range in the original text
    end: int
    expect_catch: bool
    gold: Gold


def _original_range(document: Document, quantity: Quantity, unit_only: bool = False) -> tuple[int, int]:
    """Original offsets of a quantity found in the normalised text."""
    if unit_only:
        start = quantity.start + len(quantity.raw) - len(quantity.unit)
        span = document.span(start, quantity.end)
    else:
        digits = re.match(r"[\d,.]+", quantity.raw)
        span = document.span(quantity.start, quantity.start + (digits.end() if digits else len(quantity.raw)))
    return span.start, span.end


def _agrees(figure: GoldFigure, quantity: Quantity) -> bool:
    # A table cell carries no unit of its own: judge it in the gold unit.
    unit = quantity.unit or figure.unit
    return figure_values_agree(figure, figure.key, quantity.value, unit)


def _shifted(value: Decimal, raw: str, rng: random.Random) -> str:
    """The number changed by 3–10 % (at least 1), written with the same decimals."""
    digits = raw.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    delta = max(Decimal(1), abs(value) * Decimal(str(rng.choice((0.03, 0.05, 0.1)))))
    sign = 1 if value < 2 or rng.random() < 0.5 else -1
    new = value + sign * delta
    quantum = Decimal(1).scaleb(-decimals)
    new = new.quantize(quantum, rounding=ROUND_HALF_UP)
    if new == value:
        new = value + quantum
    return format(new, "f")


def _neutralise(gold: Gold, figure_test=None, text_test=None, finding_test=None, meta_test=None, edited=None) -> Gold:
    """A copy of gold where items the edit legitimately changed are optional.

    `edited` maps a changed gold figure to its edited form (new value or unit), added as an
    optional figure so that reading the edited number faithfully is not a false positive.
    """
    figures = [f.model_copy(update={"required": False}) if figure_test and f.required and figure_test(f) else f for f in gold.figures]
    if edited is not None and figure_test is not None:
        figures += [edited(f) for f in gold.figures if figure_test(f)]

    def texts(items):
        if items is None:
            return None
        return [i.model_copy(update={"required": False}) if text_test and i.required and text_test(i.text) else i for i in items]

    findings = [
        f.model_copy(update={"required": False}) if finding_test and f.required and finding_test(f) else f for f in gold.findings
    ]
    meta, lenient = dict(gold.meta), dict(gold.meta_lenient)
    if meta_test:
        for name, value in list(meta.items()):
            if value is not None and meta_test(name, value):
                lenient[name] = meta.pop(name)
    return gold.model_copy(
        update={
            "figures": figures,
            "achievements": texts(gold.achievements),
            "problems": texts(gold.problems),
            "measures": texts(gold.measures),
            "findings": findings,
            "meta": meta,
            "meta_lenient": lenient,
        }
    )


def _money_wan(figure: GoldFigure) -> Decimal | None:
    return to_wan(figure.value, figure.unit)


def _close(a: Decimal | None, b: Decimal | None, tolerance: Decimal = Decimal("0.011")) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance


def identity_members(gold: Gold) -> list[GoldFigure]:
    """Gold figures that take part in an identity the gold figures themselves satisfy (the
    members of identity_groups, each once)."""
    members: list[GoldFigure] = []
    for group in identity_groups(gold):
        members.extend(f for f in group if f not in members)
    return members


def identity_groups(gold: Gold) -> list[list[GoldFigure]]:
    """The identities the gold figures satisfy, each as the list of its member figures.

    The identities are the genre's, read from summarizer/genre/identities.toml (the same data
    verification checks): sums (支出 = 基本 + 项目 = 人员 + 公用 + 项目, 基本 = 人员 + 公用, 三公 =
    parts, 项目支出 = project lines …), differences (结余 = 收入 − 支出), rates (执行率, 到位率,
    结余率) and growth. Only the members of identities that hold are returned, so a mutation of
    one of them breaks a true identity rather than one the report never stated.
    """
    known = identities()
    figures = [f for f in gold.figures if f.required]
    by_key: dict[str, list[GoldFigure]] = {}
    for figure in figures:
        for key in (figure.key, *figure.alt_keys):
            by_key.setdefault(key, []).append(figure)
    groups: list[list[GoldFigure]] = []

    def add(*group: GoldFigure) -> None:
        groups.append(list(group))

    def sums(total_key: str, parts: list[GoldFigure]) -> None:
        """The largest subset of parts (a report may list extra lines) that adds up to the total."""
        parts = parts[:14]  # bounded search: 2^14 subsets at most
        for candidate in by_key.get(total_key, []):
            target = _money_wan(candidate)
            pool = [p for p in parts if p is not candidate]
            for size in range(len(pool), 0, -1):
                subset = next(
                    (c for c in combinations(pool, size) if _close(target, sum((_money_wan(p) or Decimal(0)) for p in c))),
                    None,
                )
                if subset is not None:
                    add(candidate, *subset)
                    break

    for identity in known.sums:
        parts = [f for key in identity.parts for f in (by_key.get(key, []) if identity.lines else by_key.get(key, [])[:1])]
        if len(parts) >= 2 or (len(parts) == 1 and identity.mode == "table"):
            sums(identity.total, parts)
    for difference in known.differences:
        for total in by_key.get(difference.total, []):
            for minuend in (f for key in difference.minuend for f in by_key.get(key, [])):
                for subtrahend in (f for key in difference.subtrahend for f in by_key.get(key, [])):
                    if minuend is total or subtrahend is total or minuend is subtrahend:
                        continue
                    value = (_money_wan(minuend) or Decimal(0)) - (_money_wan(subtrahend) or Decimal(0))
                    if _close(_money_wan(total), value):
                        add(total, minuend, subtrahend)
    for rate_identity in known.rates:
        for rate in by_key.get(rate_identity.rate, []):
            for denominator in (f for key in rate_identity.denominator for f in by_key.get(key, [])):
                for numerator in (f for key in rate_identity.numerator for f in by_key.get(key, [])):
                    b, x = _money_wan(denominator), _money_wan(numerator)
                    if numerator is not denominator and b and x is not None and _close(rate.value, x / b * 100, Decimal("0.06")):
                        add(rate, denominator, numerator)
    amounts = [f for f in figures if _money_wan(f) is not None]
    for growth in known.growth:
        for rate in by_key.get(growth.rate, []):
            for now in amounts:
                for before in amounts:
                    if now is before or before.period != "prior_year" or now.key not in (before.key, *before.alt_keys):
                        continue
                    b, x = _money_wan(before), _money_wan(now)
                    if b and x is not None and _close(rate.value, (x - b) / b * 100, Decimal("0.06")):
                        add(rate, now, before)
    return groups


STATED_WINDOW = 400  # characters: the other members of a gold identity must be written this close


def _stated_identity_numbers(document: Document, gold: Gold, quantities: list[Quantity]) -> list[Quantity]:
    """Quantities that are a member of an identity written where the identity is stated: the
    identities of the gold figures (identity_groups) and those annotated in gold `identities`.
    For each identity, the occurrences of its members whose farthest other member is nearest
    (within STATED_WINDOW): a value such as 100% recurs all over a report, and changing it in an
    indicator list breaks no identity."""
    groups: list[list] = []
    for group in identity_groups(gold):
        groups.append([lambda q, f=f: _agrees(f, q) for f in group])
    for identity in gold.identities:
        # A percentage is a member only as a rate's result: "100%" is not the 总分 100 of a sum.
        if identity.relation == "rate":
            members = [(Decimal(identity.total), True), *((Decimal(n), False) for n in identity.parts)]
        else:
            members = [(Decimal(n), False) for n in (identity.total, *identity.parts)]
        groups.append([lambda q, n=n, rate=rate: q.value == n and (q.unit == "%") == rate or (rate and q.value == n and not q.unit) for n, rate in dict(members).items()])
    found: list[Quantity] = []
    for members in groups:
        hits = [[q for q in quantities if member(q)] for member in members]
        if any(not hit for hit in hits):
            continue
        reach: list[tuple[int, Quantity]] = []
        for number, hit in enumerate(hits):
            others = [other for index, other in enumerate(hits) if index != number]
            for quantity in hit:
                distances = [min(abs(o.start - quantity.start) for o in other) for other in others]
                reach.append((max(distances, default=0), quantity))
        best = min(distance for distance, _ in reach)
        if best <= STATED_WINDOW:
            found += [quantity for distance, quantity in reach if distance <= best + 40]
    return found


def _bare_cell(document: Document, quantity: Quantity) -> bool:
    """A number standing alone in a cell: only separators between it and the cell edges."""
    text = document.text
    line_start = text.rfind("\n", 0, quantity.start) + 1
    line_end = text.find("\n", quantity.end)
    line_end = len(text) if line_end == -1 else line_end
    before = re.split(r"[|\t]", text[line_start : quantity.start])[-1]
    after = re.split(r"[|\t]", text[quantity.end : line_end])[0]
    return not before.strip() and not after.strip()


def _identity_number(document: Document, gold: Gold, rng: random.Random, index: int, used: set) -> Mutation | None:
    layout = analyse(document)
    quantities = find_quantities(document.text)
    stated = {q.start for q in _stated_identity_numbers(document, gold, quantities)}

    def cell(q: Quantity) -> bool:
        # a bare number counts only in a table cell, and never as an enumerator (2、 3.)
        if document.text[q.end : q.end + 1] in ("、", ".", "．"):
            return False
        return layout.table_at(q.start) is not None or (q.start in stated and _bare_cell(document, q))

    candidates = [
        q
        for q in quantities
        if q.start in stated
        and (q.unit or cell(q))
        and ("identity_number", q.start) not in used
        # only numbers written in one piece in the original (not rejoined across a line break)
        and re.fullmatch(r"[\d,]+(?:\.\d+)?", document.original[slice(*_original_range(document, q))])
    ]
    if not candidates:
        return None
    quantity = rng.choice(candidates)
    used.add(("identity_number", quantity.start))
    start, end = _original_range(document, quantity)
    old = document.original[start:end]
    new = _shifted(quantity.value, old, rng)
    text = document.original[:start] + new + document.original[end:]
    gold = _neutralise(
        gold,
        figure_test=lambda f: _agrees(f, quantity),
        finding_test=lambda f: any(abs(n - quantity.value) < Decimal("0.005") for n in f.numbers),
        edited=lambda f: f.model_copy(update={"value": Decimal(new), "unit": quantity.unit or f.unit, "required": False}),
    )
    line = document.original.count("\n", 0, start) + 1
    return Mutation("identity_number", index, f"line {line}: {old}{quantity.unit} -> {new}{quantity.unit}", text, start, end, True, gold)


def _unit_switch(document: Document, gold: Gold, rng: random.Random, index: int, used: set) -> Mutation | None:
    # An amount whose 元 twin the report already states (4.4万元 beside 4.4元) is skipped: switching
    # it would remove a slip, not plant one.
    twins = {f.value for f in gold.figures if f.unit == "元"}
    # 0 万元 is 0 元: switching its unit plants nothing.
    figures = [f for f in gold.figures if f.required and f.unit == "万元" and f.value not in twins and f.value != 0]
    candidates = [
        q
        for q in find_quantities(document.text)
        if q.unit == "万元" and q.value != 0 and any(_agrees(f, q) for f in figures) and ("unit_switch", q.start) not in used
    ]
    if not candidates:
        return None
    quantity = rng.choice(candidates)
    used.add(("unit_switch", quantity.start))
    start, end = _original_range(document, quantity, unit_only=True)
    if document.original[start:end] != "万元":
        return None
    text = document.original[:start] + "元" + document.original[end:]
    gold = _neutralise(
        gold,
        figure_test=lambda f: _agrees(f, quantity),
        finding_test=lambda f: any(abs(n - quantity.value) < Decimal("0.005") for n in f.numbers),
        edited=lambda f: f.model_copy(update={"unit": "元", "required": False}),
    )
    line = document.original.count("\n", 0, start) + 1
    return Mutation("unit_switch", index, f"line {line}: {quantity.raw} -> {quantity.value}元", text, start, end, True, gold)


def _heading_synonym(document: Document, gold: Gold, rng: random.Random, index: int, used: set) -> Mutation | None:
    candidates: list[tuple[int, int, str]] = []
    position = 0
    for line in document.original.split("\n"):
        stripped = line.strip().lstrip("#").strip()
        if 0 < len(stripped) <= _HEADING_LINE_MAX:
            for phrase in SYNONYMS:
                at = line.find(phrase)
                if at >= 0:
                    if ("heading_synonym", position + at) not in used:
                        candidates.append((position + at, position + at + len(phrase), phrase))
                    break
        position += len(line) + 1
    if not candidates:
        return None
    start, end, phrase = rng.choice(candidates)
    used.add(("heading_synonym", start))
    synonym = rng.choice(SYNONYMS[phrase])
    text = document.original[:start] + synonym + document.original[end:]
    line = document.original.count("\n", 0, start) + 1
    return Mutation("heading_synonym", index, f"line {line}: {phrase} -> {synonym}", text, start, end, False, gold)


def _section_removed(document: Document, gold: Gold, rng: random.Random, index: int, used: set) -> Mutation | None:
    layout = analyse(document)
    candidates = [
        section
        for section in layout.sections
        if section.own_role
        and section.role in _REMOVABLE
        and not section.heading.label
        and section.body_end - section.heading.start > 20
        and ("section_removed", section.heading.start) not in used
    ]
    if not candidates:
        return None
    section = rng.choice(candidates)
    used.add(("section_removed", section.heading.start))
    span = document.span(section.heading.start, section.body_end)
    removed = document.original[span.start : span.end]
    text = document.original[: span.start] + document.original[span.end :]
    removed_norm = normalise_text(removed)
    remaining = find_quantities(text)
    remaining_norm = normalise_text(text)

    def gone_text(item_text: str) -> bool:
        norm = normalise_text(item_text)
        return bool(norm) and (norm in removed_norm or norm[: max(8, len(norm) // 2)] in removed_norm)

    def gone_figure(figure: GoldFigure) -> bool:
        return not any(_agrees(figure, q) for q in remaining)

    def gone_finding(finding) -> bool:
        values = {q.value for q in remaining}
        return any(not any(abs(n - v) < Decimal("0.005") for v in values) for n in finding.numbers)

    def gone_meta(name: str, value) -> bool:
        values = value if isinstance(value, list) else [value]
        for v in values:
            norm = normalise_text(str(v))
            if name == "report_date":
                year, month, day = (int(part) for part in str(v).split("-"))
                norm = f"{year}年{month}月{day}日"
            if norm and norm in remaining_norm:
                return False
        return True

    # Removing the section that states the self score rightly raises "no self score"
    # (plausibility.self_score); decide before the gold is adjusted.
    score = gold.meta.get("self_score")
    expect_catch = score is not None and gone_meta("self_score", score)
    gold = _neutralise(gold, figure_test=gone_figure, text_test=gone_text, finding_test=gone_finding, meta_test=gone_meta)
    line = document.original.count("\n", 0, span.start) + 1
    title = section.heading.title[:20]
    return Mutation(
        "section_removed", index, f"line {line}: removed section {title} ({section.role.value})",
        text, span.start, span.end, expect_catch, gold,
    )


_MAKERS = {
    "identity_number": _identity_number,
    "unit_switch": _unit_switch,
    "heading_synonym": _heading_synonym,
    "section_removed": _section_removed,
}


def mutate(document: Document, gold: Gold, n: int, *, seed: int = 0, name: str = "") -> list[Mutation]:
    """N perturbed copies of one report, cycling through KINDS; deterministic for (seed, name).

    When a kind has no candidate left in this report (no 万元 amount, no known heading), the next
    kind is used, so a report yields N copies whenever any edit is possible.
    """
    mutations: list[Mutation] = []
    used: set = set()
    for index in range(n):
        rng = random.Random(f"{seed}/{name}/{index}")
        for offset in range(len(KINDS)):
            kind = KINDS[(index + offset) % len(KINDS)]
            mutation = _MAKERS[kind](document, gold, rng, index, used)
            if mutation is not None:
                mutations.append(mutation)
                break
    return mutations
