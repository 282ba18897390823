"""Scoring: compare one extracted Report with its gold annotation, field group by field group.

    Report + Gold ──score_report──▶ ReportScore (tp/fp/fn per group, misses listed)

What each group means (eval/README.md has the long form):

- meta: one decision per field. Strings are compared after NFKC, whitespace and punctuation
  removal; a gold field may list accepted alternatives; `meta_lenient` fields are accepted when
  right and ignored when absent. A gold null means "the report does not say": any value is a
  false positive.
- figures: gold and extracted figures pair one-to-one when the key matches (or an `alt_keys`
  entry, `*` for any) and the values agree: money after conversion to 万元 (numbers.to_wan,
  tolerance 0.005 万元), rates within 0.01 (growth compared by absolute value), counts exactly.
  Restated copies of a matched figure are neutral, not false positives; extracted figures whose
  key is in `unscored_figure_keys` (count, other_rate by default) and match no gold figure are
  neutral too, because gold annotates only the counts and rates a reviewer looks for.
- indicators: paired by name similarity (character-bigram Dice >= 0.6, or containment), a pair
  counts only when the weight/score/target/actual the gold gives agree; `indicator_names`
  scores the names alone.
- achievements, problems, measures: paired one-to-one by character-bigram Dice >= 0.5 on
  normalised text (enumerators such as 1、 一是 （二） stripped), greedily from the most similar
  pair down. Near-copies of a matched item are neutral.
- findings: an expected inconsistency is caught when a fail or warn check has a rule id starting
  with one of its `rules` prefixes, involves all its `numbers` (from the check's inputs, expected,
  observed or message) and, if given, mentions one of its `keywords`. A fail check that matches
  no expected finding is a false alarm.
- narrative: the share of numbers in render_narrative(report) that occur in the source text or
  in the checks; reported as a share (not P/R), skipped when render.py is not available.

Gold items marked `"required": false` are neutral: matching them is neither rewarded nor
penalised. This module never changes a Report; it only reads it. It runs no pipeline, reads no
files and prints nothing: runs.py extracts and collects, printing.py shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..numbers import find_quantities, to_wan
from ..schemas import Check, CheckStatus, Report
from .gold import (
    META_FIELDS,
    Gold,
    GoldFigure,
    GoldFinding,
    GoldIndicator,
    GoldText,
    figure_values_agree,
    normalise_text,
    numbers_close,
    unit_class,
)

GROUPS = (
    "meta",
    "figures",
    "indicators",
    "indicator_names",
    "achievements",
    "problems",
    "measures",
    "findings",
)

TEXT_THRESHOLD = 0.5
NAME_THRESHOLD = 0.6


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """None when there is nothing to score (no gold, no prediction)."""
        if not (self.tp + self.fp + self.fn):
            return None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round_score(self.precision),
            "recall": round_score(self.recall),
            "f1": round_score(self.f1),
        }


def round_score(value: float | None) -> float | None:
    """Scores are written to four decimals."""
    return None if value is None else round(value, 4)


@dataclass
class GroupScore:
    counts: Counts = field(default_factory=Counts)
    misses: list[dict[str, Any]] = field(default_factory=list)  # expected, not found
    false_positives: list[dict[str, Any]] = field(default_factory=list)  # found, not expected
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts.as_dict(),
            "misses": self.misses,
            "false_positives": self.false_positives,
            **({"extra": self.extra} if self.extra else {}),
        }


# --------------------------------------------------------------------------------------------
# Similarity
# --------------------------------------------------------------------------------------------


def _bigrams(text: str) -> list[str]:
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient of two already-normalised strings (multiset)."""
    if not a or not b:
        return 0.0
    grams_a, grams_b = _bigrams(a), _bigrams(b)
    pool: dict[str, int] = {}
    for gram in grams_a:
        pool[gram] = pool.get(gram, 0) + 1
    common = 0
    for gram in grams_b:
        if pool.get(gram, 0) > 0:
            pool[gram] -= 1
            common += 1
    return 2 * common / (len(grams_a) + len(grams_b))


def text_similarity(a: str | None, b: str | None) -> float:
    return dice(normalise_text(a), normalise_text(b))


def name_similarity(a: str | None, b: str | None) -> float:
    """Dice, or 0.9 when one normalised name contains the other (at least 3 characters)."""
    na, nb = normalise_text(a), normalise_text(b)
    score = dice(na, nb)
    short, long = sorted((na, nb), key=len)
    if len(short) >= 3 and short in long:
        score = max(score, 0.9)
    return score


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        text = str(value).strip().replace(",", "").rstrip("%％").strip()
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _greedy_pairs(scores: dict[tuple[int, int], float]) -> dict[int, int]:
    """One-to-one pairs (gold index -> predicted index), taking the best remaining pair first.

    Greedy rather than optimal (Hungarian): with a threshold and mostly well-separated scores the
    two agree on these reports, and greedy is easy to explain to an annotator. Ties break on the
    lower gold index, then the lower predicted index, so runs are deterministic.
    """
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for (gold_index, predicted_index), _score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if gold_index in pairs or predicted_index in used:
            continue
        pairs[gold_index] = predicted_index
        used.add(predicted_index)
    return pairs


# --------------------------------------------------------------------------------------------
# Meta
# --------------------------------------------------------------------------------------------


def _meta_value(field_name: str, value: Any) -> str | None:
    """One canonical string per meta value so that alternatives compare with ==."""
    if value is None:
        return None
    if hasattr(value, "value") and not isinstance(value, Decimal):  # enums
        value = value.value
    if field_name == "kind" and value == "未知":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    number = _decimal(value) if field_name in ("year", "staff_authorized", "staff_actual", "self_score") else None
    if number is not None:
        return format(number.normalize(), "f")
    if field_name == "report_date":
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D*", text)
        if match:
            return f"{int(match[1]):04d}-{int(match[2]):02d}-{int(match[3]):02d}"
        return text
    if field_name == "contact_phone":
        return re.sub(r"\D", "", str(value))
    return normalise_text(str(value)) or None


def _accepted(field_name: str, gold_value: Any) -> set[str]:
    values = gold_value if isinstance(gold_value, list) else [gold_value]
    return {canon for v in values if (canon := _meta_value(field_name, v)) is not None}


def score_meta(report: Report, gold: Gold) -> GroupScore:
    score = GroupScore()
    per_field: dict[str, str] = {}
    for name in META_FIELDS:
        if name not in gold.meta and name not in gold.meta_lenient:
            continue
        predicted_raw = getattr(report.meta, name, None)
        predicted = _meta_value(name, predicted_raw)
        shown = None if predicted is None else str(getattr(predicted_raw, "value", predicted_raw))
        required = _accepted(name, gold.meta.get(name))
        lenient = _accepted(name, gold.meta_lenient.get(name))
        expected_shown = gold.meta.get(name) if required else gold.meta_lenient.get(name)
        if required:
            if predicted in required:
                score.counts.tp += 1
                per_field[name] = "ok"
            elif predicted is None:
                score.counts.fn += 1
                per_field[name] = "missing"
                score.misses.append({"field": name, "expected": jsonable(expected_shown), "got": None})
            else:
                score.counts.fn += 1
                score.counts.fp += 1
                per_field[name] = "wrong"
                score.misses.append({"field": name, "expected": jsonable(expected_shown), "got": shown})
        elif predicted is None:
            per_field[name] = "ok" if not lenient else "neutral"
        elif predicted in lenient:
            per_field[name] = "neutral"
        else:
            score.counts.fp += 1
            per_field[name] = "spurious"
            score.false_positives.append({"field": name, "expected": jsonable(expected_shown), "got": shown})
    score.extra["fields"] = per_field
    return score


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _figure_row(figure: Any) -> dict[str, Any]:
    return {
        "key": figure.key,
        "value": format(figure.value, "f"),
        "unit": figure.unit,
        **({"item": figure.item} if getattr(figure, "item", None) else {}),
        **({"period": _enum_value(figure.period)} if _enum_value(getattr(figure, "period", None)) not in (None, "unspecified") else {}),
    }


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def score_figures(report: Report, gold: Gold) -> GroupScore:
    score = GroupScore()
    predicted = report.figures
    unscored = set(gold.unscored_figure_keys)

    def compatible(g: GoldFigure, p) -> bool:
        return g.accepts_key(p.key) and figure_values_agree(g, p.key, p.value, p.unit)

    def preference(g: GoldFigure, p) -> float:
        # Period outweighs exact-vs-alternative key: "已到位 36" is the actual line, whatever its key.
        value = 1.5 if p.key == g.key else 1.0
        predicted_period = _enum_value(p.period)
        if g.period and predicted_period == g.period:
            value += 1.0
        elif g.period and predicted_period not in (None, "unspecified"):
            value -= 0.5
        elif g.period:
            value -= 0.25
        if g.item and p.item:
            value += text_similarity(g.item, p.item)
        if p.unit == g.unit:
            value += 0.25
        return value

    matched: dict[int, int] = {}
    taken: set[int] = set()
    # Required gold first, so a restated figure is spent on what counts.
    for required in (True, False):
        candidates = {
            (gi, pi): preference(g, p)
            for gi, g in enumerate(gold.figures)
            if g.required is required
            for pi, p in enumerate(predicted)
            if pi not in taken and compatible(g, p)
        }
        pairs = _greedy_pairs(candidates)
        matched.update(pairs)
        taken.update(pairs.values())

    period_right = period_total = item_right = item_total = 0
    attribute_misses: list[dict[str, Any]] = []
    for gi, g in enumerate(gold.figures):
        if not g.required:
            continue
        if gi in matched:
            score.counts.tp += 1
            p = predicted[matched[gi]]
            if g.period:
                period_total += 1
                if _enum_value(p.period) == g.period:
                    period_right += 1
                else:
                    attribute_misses.append({**_figure_row(g), "attribute": "period", "got": _enum_value(p.period)})
            if g.item:
                item_total += 1
                # 0.4: items are short names ("食堂运行" vs "食堂运行专项"); bigram Dice is harsh on them
                if p.item and name_similarity(g.item, p.item) >= 0.4:
                    item_right += 1
                else:
                    attribute_misses.append({**_figure_row(g), "attribute": "item", "got": p.item})
        else:
            score.counts.fn += 1
            score.misses.append({**_figure_row(g), **({"note": g.note} if g.note else {})})
    neutral = unscored_count = 0
    for pi, p in enumerate(predicted):
        if pi in taken:
            continue
        if any(compatible(g, p) for g in gold.figures):
            neutral += 1  # a restatement of a matched figure, or an optional one
        elif p.key in unscored:
            unscored_count += 1
        else:
            score.counts.fp += 1
            score.false_positives.append({**_figure_row(p), "label": p.label, "evidence": p.evidence[:60]})
    score.extra.update(
        {
            "restated_or_optional": neutral,
            "unscored": unscored_count,
            "period": [period_right, period_total],
            "item": [item_right, item_total],
            "attribute_misses": attribute_misses,
        }
    )
    return score


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def _indicator_values_agree(gold: GoldIndicator, predicted) -> tuple[bool, list[str]]:
    disagreements = []
    for name in ("weight", "score"):
        expected = getattr(gold, name)
        if expected is None:
            continue
        got = _decimal(getattr(predicted, name))
        if got is None or got != expected:
            disagreements.append(name)
    for name in ("target", "actual"):
        expected = getattr(gold, name)
        if expected is None:
            continue
        got = getattr(predicted, name)
        expected_number, got_number = _decimal(expected), _decimal(got)
        if expected_number is not None and got_number is not None:
            if expected_number != got_number:
                disagreements.append(name)
        elif text_similarity(expected, got) < NAME_THRESHOLD:
            disagreements.append(name)
    return not disagreements, disagreements


def score_indicators(report: Report, gold: Gold) -> tuple[GroupScore, GroupScore]:
    """(name and values, names only)."""
    full, names = GroupScore(), GroupScore()
    predicted = report.indicators

    def preference(g: GoldIndicator, p) -> float | None:
        similarity = name_similarity(g.name, p.name)
        if similarity < NAME_THRESHOLD:
            return None
        agree, disagreements = _indicator_values_agree(g, p)
        value = similarity + (1.0 if agree else 0.5 - 0.1 * len(disagreements))
        for level in ("level1", "level2"):
            if getattr(g, level) and getattr(p, level):
                value += 0.3 * name_similarity(getattr(g, level), getattr(p, level))
        return value

    matched: dict[int, int] = {}
    taken: set[int] = set()
    for required in (True, False):
        candidates = {}
        for gi, g in enumerate(gold.indicators):
            if g.required is not required:
                continue
            for pi, p in enumerate(predicted):
                if pi not in taken and (value := preference(g, p)) is not None:
                    candidates[(gi, pi)] = value
        pairs = _greedy_pairs(candidates)
        matched.update(pairs)
        taken.update(pairs.values())

    for gi, g in enumerate(gold.indicators):
        if not g.required:
            continue
        if gi not in matched:
            full.counts.fn += 1
            names.counts.fn += 1
            names.misses.append({"name": g.name})
            full.misses.append({"name": g.name, "reason": "not found"})
            continue
        p = predicted[matched[gi]]
        names.counts.tp += 1
        agree, disagreements = _indicator_values_agree(g, p)
        if agree:
            full.counts.tp += 1
        else:
            full.counts.fn += 1
            full.counts.fp += 1
            full.misses.append(
                {
                    "name": g.name,
                    "reason": "values differ",
                    **{d: {"expected": jsonable(getattr(g, d)), "got": jsonable(getattr(p, d))} for d in disagreements},
                }
            )
    for pi, p in enumerate(predicted):
        if pi in taken:
            continue
        if any(name_similarity(g.name, p.name) >= NAME_THRESHOLD for g in gold.indicators):
            continue  # a second copy of a matched indicator, or an optional one
        for group in (full, names):
            group.counts.fp += 1
            group.false_positives.append({"name": p.name, "level1": p.level1, "level2": p.level2})
    return full, names


# --------------------------------------------------------------------------------------------
# Text items: achievements, problems, measures
# --------------------------------------------------------------------------------------------


def score_text_items(predicted_texts: Sequence[str], gold_items: Sequence[GoldText]) -> GroupScore:
    score = GroupScore()
    gold_norm = [normalise_text(item.text) for item in gold_items]
    predicted_norm = [normalise_text(text) for text in predicted_texts]
    similarity = {
        (gi, pi): dice(g, p) for gi, g in enumerate(gold_norm) for pi, p in enumerate(predicted_norm)
    }
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for required in (True, False):
        candidates = {
            (gi, pi): s
            for (gi, pi), s in similarity.items()
            if s >= TEXT_THRESHOLD and gold_items[gi].required is required and pi not in taken
        }
        pairs = _greedy_pairs(candidates)
        matched.update(pairs)
        taken.update(pairs.values())
    matched_similarity = []
    for gi, item in enumerate(gold_items):
        if not item.required:
            continue
        if gi in matched:
            score.counts.tp += 1
            matched_similarity.append(similarity[(gi, matched[gi])])
        else:
            score.counts.fn += 1
            best = max((similarity[(gi, pi)] for pi in range(len(predicted_texts))), default=0.0)
            score.misses.append({"text": item.text[:80], "best_similarity": round(best, 3)})
    for pi, text in enumerate(predicted_texts):
        if pi in taken:
            continue
        if any(similarity[(gi, pi)] >= TEXT_THRESHOLD for gi in range(len(gold_items))):
            continue  # a near-copy of a matched item (reports restate), or an optional item
        score.counts.fp += 1
        best = max((similarity[(gi, pi)] for gi in range(len(gold_items))), default=0.0)
        score.false_positives.append({"text": text[:80], "best_similarity": round(best, 3)})
    if matched_similarity:
        score.extra["mean_similarity"] = round(sum(matched_similarity) / len(matched_similarity), 3)
    return score


# --------------------------------------------------------------------------------------------
# Verification findings
# --------------------------------------------------------------------------------------------


def check_numbers(check: Check) -> list[Decimal]:
    """Every number a check involves: its inputs (also in 万元), expected, observed, message."""
    numbers: list[Decimal] = []
    for item in check.inputs:
        numbers.append(item.value)
        wan = to_wan(item.value, item.unit)
        if wan is not None:
            numbers.append(wan)
    numbers.extend(value for value in (check.expected, check.observed) if value is not None)
    numbers.extend(quantity.value for quantity in find_quantities(check.message))
    return numbers


def finding_matches(finding: GoldFinding, check: Check) -> bool:
    if check.status not in finding.statuses:
        return False
    if not any(check.rule.startswith(prefix) for prefix in finding.rules):
        return False
    if finding.numbers:
        involved = check_numbers(check)
        if not all(any(numbers_close(n, m) for m in involved) for n in finding.numbers):
            return False
    if finding.keywords:
        haystack = f"{check.rule} {check.message}".lower()
        if not any(keyword.lower() in haystack for keyword in finding.keywords):
            return False
    return True


def score_findings(checks: Sequence[Check], findings: Sequence[GoldFinding]) -> GroupScore:
    score = GroupScore()
    caught: dict[str, list[str]] = {}
    explained: set[int] = set()
    for finding in findings:
        hits = [index for index, check in enumerate(checks) if finding_matches(finding, check)]
        explained.update(hits)
        if hits:
            caught[finding.id] = [checks[index].rule for index in hits]
        if not finding.required:
            continue
        if hits:
            score.counts.tp += 1
        else:
            score.counts.fn += 1
            score.misses.append({"id": finding.id, "about": finding.about})
    unexpected_warns = 0
    for index, check in enumerate(checks):
        if index in explained:
            continue
        if check.status is CheckStatus.FAIL:
            score.counts.fp += 1
            score.false_positives.append({"rule": check.rule, "message": check.message[:100]})
        elif check.status is CheckStatus.WARN:
            unexpected_warns += 1
    score.extra.update(
        {
            "caught": caught,
            "checks": len(checks),
            "fail": sum(c.status is CheckStatus.FAIL for c in checks),
            "warn": sum(c.status is CheckStatus.WARN for c in checks),
            "unexpected_warns": unexpected_warns,
        }
    )
    return score


# --------------------------------------------------------------------------------------------
# Narrative faithfulness
# --------------------------------------------------------------------------------------------


@dataclass
class Faithfulness:
    numbers: int = 0
    supported: int = 0
    unsupported: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def share(self) -> float | None:
        return self.supported / self.numbers if self.numbers else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "numbers": self.numbers,
            "supported": self.supported,
            "share": round_score(self.share),
            "unsupported": self.unsupported,
            **({"skipped": self.skipped} if self.skipped else {}),
        }


def narrative_numbers(text: str) -> list[Any]:
    """Numbers a reader would take as facts: skip bare list enumerators (1、 2. …)."""
    found = []
    for quantity in find_quantities(text):
        after = text[quantity.end : quantity.end + 1]
        if not quantity.unit and quantity.value <= 20 and after in ("、", ".", "．", ")", "）"):
            continue
        found.append(quantity)
    return found


def score_faithfulness(narrative: str, source_text: str, checks: Sequence[Check]) -> Faithfulness:
    """Share of the narrative's numbers found in the source text or in the verification results.

    Unit-aware against the source: a money amount must equal a source amount in 万元 (or a bare
    table cell of the same value), a percentage a source percentage or bare number, a count a
    number with the same unit or none. Against the checks (whose expected/observed carry no
    unit) the value alone must match.
    """
    result = Faithfulness()
    source = find_quantities(source_text)
    check_values = [value for check in checks for value in check_numbers(check)]

    def supported(quantity) -> bool:
        cls = unit_class(quantity.unit)
        for candidate in source:
            other = unit_class(candidate.unit)
            if cls == "money" and other == "money":
                if numbers_close(quantity.value_wan, candidate.value_wan):
                    return True
            elif cls == "" or other == "" or cls == other:
                if numbers_close(quantity.value, candidate.value):
                    return True
        values = [quantity.value] + ([quantity.value_wan] if quantity.value_wan is not None else [])
        return any(numbers_close(value, known) for value in values for known in check_values)

    for quantity in narrative_numbers(narrative):
        result.numbers += 1
        if supported(quantity):
            result.supported += 1
        else:
            result.unsupported.append(quantity.raw)
    return result


# --------------------------------------------------------------------------------------------
# One report, and the sums over reports
# --------------------------------------------------------------------------------------------


@dataclass
class ReportScore:
    name: str
    groups: dict[str, GroupScore]
    narrative: Faithfulness
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "groups": {name: group.as_dict() for name, group in self.groups.items()},
            "narrative": self.narrative.as_dict(),
            **({"error": self.error} if self.error else {}),
        }


def score_report(
    report: Report,
    gold: Gold,
    *,
    name: str = "",
    narrative: Faithfulness | None = None,
) -> ReportScore:
    """Score one extracted Report against its gold annotation."""
    indicators, indicator_names = score_indicators(report, gold)
    groups = {
        "meta": score_meta(report, gold),
        "figures": score_figures(report, gold),
        "indicators": indicators,
        "indicator_names": indicator_names,
        "problems": score_text_items([item.text for item in report.problems], gold.problems),
        "measures": score_text_items([item.text for item in report.measures], gold.measures),
        "findings": score_findings(report.checks, gold.findings),
    }
    if gold.achievements is not None:
        groups["achievements"] = score_text_items([item.text for item in report.achievements], gold.achievements)
    return ReportScore(name=name, groups=groups, narrative=narrative or Faithfulness(skipped="not computed"))


def empty_score(name: str, gold: Gold, error: str) -> ReportScore:
    """A report the pipeline could not extract: everything the gold requires is missed."""
    score = score_report(_blank_report(name), gold, name=name, narrative=Faithfulness(skipped=error))
    score.error = error
    return score


def _blank_report(name: str) -> Report:
    from ..schemas import Source

    return Report(source=Source(path=name, sha256="", length=0, encoding="", format=""))


def overall_counts(scores: Iterable[ReportScore]) -> dict[str, Counts]:
    """Micro-average: counts summed over reports, per group."""
    totals: dict[str, Counts] = {}
    for score in scores:
        for name, group in score.groups.items():
            totals.setdefault(name, Counts())
            totals[name] += group.counts
    return {name: totals[name] for name in GROUPS if name in totals}


def overall_faithfulness(scores: Iterable[ReportScore]) -> Faithfulness:
    total = Faithfulness()
    skipped = []
    for score in scores:
        if score.narrative.skipped:
            skipped.append(score.narrative.skipped)
            continue
        total.numbers += score.narrative.numbers
        total.supported += score.narrative.supported
        total.unsupported.extend(f"{score.name}: {raw}" for raw in score.narrative.unsupported)
    if skipped and not total.numbers:
        total.skipped = skipped[0]
    return total


# --------------------------------------------------------------------------------------------
# Writing scores out
# --------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A gold or extracted value as JSON shows it: Decimal as written, enums by value, dates ISO."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
