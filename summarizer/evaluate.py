"""Gold-set scoring: compare extracted Reports with hand-read gold annotations, field group by field group.

    Report + Gold ──score_report──▶ ReportScore (tp/fp/fn per group, misses listed)
    samples + gold dir ──evaluate──▶ EvalRun (per report, overall, run metadata)

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
penalised. This module never changes a Report; it only reads it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, InputError, SummarizerError
from .numbers import MONEY_UNITS, PERCENT_UNITS, find_quantities, to_wan
from .schemas import FIGURE_KEYS, Check, CheckStatus, Report

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
META_FIELDS = (
    "unit_name",
    "region",
    "year",
    "kind",
    "project_name",
    "report_date",
    "contact_person",
    "contact_phone",
    "staff_authorized",
    "staff_actual",
    "self_score",
    "grade",
)
DEFAULT_UNSCORED_KEYS = ("count", "other_rate")

TEXT_THRESHOLD = 0.5
NAME_THRESHOLD = 0.6
MONEY_TOLERANCE_WAN = Decimal("0.005")
RATE_TOLERANCE = Decimal("0.01")
NUMBER_TOLERANCE = Decimal("0.005")


# --------------------------------------------------------------------------------------------
# Gold format
# --------------------------------------------------------------------------------------------


class GoldModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldFigure(GoldModel):
    key: str
    value: Decimal
    unit: str
    period: str | None = None
    year: int | None = None
    item: str | None = None
    alt_keys: list[str] = Field(default_factory=list)
    required: bool = True
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _known_key(cls, key: str) -> str:
        if key != "*" and key not in FIGURE_KEYS:
            raise ValueError(f"unknown figure key {key!r}; use one of schemas.FIGURE_KEYS or '*'")
        return key

    def accepts_key(self, key: str) -> bool:
        return self.key == "*" or "*" in self.alt_keys or key == self.key or key in self.alt_keys


class GoldIndicator(GoldModel):
    level1: str | None = None
    level2: str | None = None
    name: str
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    required: bool = True
    note: str | None = None


class GoldText(GoldModel):
    text: str
    required: bool = True
    note: str | None = None


class GoldFinding(GoldModel):
    id: str
    kind: str
    about: str
    rules: list[str] = Field(min_length=1, description="rule-id prefixes, e.g. consistency.")
    numbers: list[Decimal] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    statuses: list[CheckStatus] = Field(default_factory=lambda: [CheckStatus.FAIL, CheckStatus.WARN])
    required: bool = True


class GoldIdentity(GoldModel):
    """An arithmetic relation the report's own numbers satisfy (verified by the annotator).

    sum: total = Σ parts; difference: total = parts[0] − Σ parts[1:]; rate: total (a %) =
    parts[0] / parts[1] × 100. Numbers as written, in one unit per identity. Mutation plants
    errors in these, so each must hold within the report's rounding when annotated.
    """

    about: str
    relation: Literal["sum", "difference", "rate"] = "sum"
    total: Decimal
    parts: list[Decimal] = Field(min_length=1)
    note: str | None = None


MetaValue = str | int | float | Decimal | None | list[str | int | float | Decimal]


class Gold(GoldModel):
    gold_version: int = 1
    source: str
    annotated_by: str | None = None
    notes: list[str] = Field(default_factory=list)
    meta: dict[str, MetaValue] = Field(default_factory=dict)
    meta_lenient: dict[str, MetaValue] = Field(default_factory=dict)
    figures: list[GoldFigure] = Field(default_factory=list)
    unscored_figure_keys: list[str] = Field(default_factory=lambda: list(DEFAULT_UNSCORED_KEYS))
    indicators: list[GoldIndicator] = Field(default_factory=list)
    achievements: list[GoldText] | None = None
    problems: list[GoldText] = Field(default_factory=list)
    measures: list[GoldText] = Field(default_factory=list)
    findings: list[GoldFinding] = Field(default_factory=list)
    identities: list[GoldIdentity] = Field(default_factory=list)

    @field_validator("meta", "meta_lenient")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(META_FIELDS))
        if unknown:
            raise ValueError(f"unknown meta field(s) {', '.join(unknown)}; known: {', '.join(META_FIELDS)}")
        return value


def load_gold(path: Path) -> Gold:
    """Read one gold file; numbers keep their written precision (Decimal)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    except FileNotFoundError:
        raise InputError("gold file not found", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"gold file is not valid JSON ({exc})", path=path) from None
    try:
        return Gold.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"gold file does not follow the format at {where}: {first['msg']}", path=path) from None


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
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


def _round(value: float | None) -> float | None:
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
# Normalisation and similarity
# --------------------------------------------------------------------------------------------

_ENUMERATOR = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|"
    r"\d{1,2}(?:[、．]|\.(?!\d))|[①②③④⑤⑥⑦⑧⑨⑩]|[一二三四五六七八九十]是)\s*"
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str | None) -> str:
    """NFKC, no leading enumerator (1、 一是 （二）), no whitespace, no punctuation, lower case."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = _ENUMERATOR.sub("", text, count=1)
    return _NOT_WORD.sub("", text).lower()


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


def _close(a: Decimal, b: Decimal, tolerance: Decimal = NUMBER_TOLERANCE) -> bool:
    return abs(a - b) <= max(tolerance, abs(a) * Decimal("0.000001"))


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
                score.misses.append({"field": name, "expected": _jsonable(expected_shown), "got": None})
            else:
                score.counts.fn += 1
                score.counts.fp += 1
                per_field[name] = "wrong"
                score.misses.append({"field": name, "expected": _jsonable(expected_shown), "got": shown})
        elif predicted is None:
            per_field[name] = "ok" if not lenient else "neutral"
        elif predicted in lenient:
            per_field[name] = "neutral"
        else:
            score.counts.fp += 1
            per_field[name] = "spurious"
            score.false_positives.append({"field": name, "expected": _jsonable(expected_shown), "got": shown})
    score.extra["fields"] = per_field
    return score


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _unit_class(unit: str) -> str:
    if unit in MONEY_UNITS:
        return "money"
    if unit in PERCENT_UNITS:
        return "percent"
    if unit in ("人", "名"):
        return "people"  # 10名 and 10人 count the same persons
    return unit or ""


def figure_values_agree(gold: GoldFigure, key: str, value: Decimal, unit: str) -> bool:
    """Same amount: money after conversion to 万元, rates within 0.01 (growth by magnitude)."""
    gold_class, predicted_class = _unit_class(gold.unit), _unit_class(unit)
    if gold_class == "money" or predicted_class == "money":
        gold_wan, predicted_wan = to_wan(gold.value, gold.unit), to_wan(value, unit)
        if gold_wan is None or predicted_wan is None:
            return False
        return _close(gold_wan, predicted_wan, MONEY_TOLERANCE_WAN)
    if gold_class == "percent":
        if predicted_class not in ("percent", ""):
            return False
        if "growth" in gold.key or key == "growth_rate":
            return _close(abs(gold.value), abs(value), RATE_TOLERANCE)
        return _close(gold.value, value, RATE_TOLERANCE)
    # counts, scores, people: the unit may be dropped by an extractor, never changed.
    if gold_class and predicted_class and gold_class != predicted_class:
        return False
    return gold.value == value


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
                    **{d: {"expected": _jsonable(getattr(g, d)), "got": _jsonable(getattr(p, d))} for d in disagreements},
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
        if not all(any(_close(n, m) for m in involved) for n in finding.numbers):
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
            "share": _round(self.share),
            "unsupported": self.unsupported,
            **({"skipped": self.skipped} if self.skipped else {}),
        }


def _narrative_renderer() -> Callable[..., str] | None:
    try:
        from . import render
    except ImportError:
        return None
    return getattr(render, "render_narrative", None)


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
        cls = _unit_class(quantity.unit)
        for candidate in source:
            other = _unit_class(candidate.unit)
            if cls == "money" and other == "money":
                if _close(quantity.value_wan, candidate.value_wan):
                    return True
            elif cls == "" or other == "" or cls == other:
                if _close(quantity.value, candidate.value):
                    return True
        values = [quantity.value] + ([quantity.value_wan] if quantity.value_wan is not None else [])
        return any(_close(value, known) for value in values for known in check_values)

    for quantity in narrative_numbers(narrative):
        result.numbers += 1
        if supported(quantity):
            result.supported += 1
        else:
            result.unsupported.append(quantity.raw)
    return result


# --------------------------------------------------------------------------------------------
# One report, a run
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
    from .schemas import Source

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


@dataclass
class EvalRun:
    backend: str
    reports: list[ReportScore]
    metadata: dict[str, Any] = field(default_factory=dict)
    mutation: dict[str, Any] | None = None
    extractions: dict[str, Report] = field(default_factory=dict, repr=False)  # not written to the run file

    @property
    def overall(self) -> dict[str, Counts]:
        return overall_counts(self.reports)

    @property
    def narrative(self) -> Faithfulness:
        return overall_faithfulness(self.reports)

    @property
    def figure_attributes(self) -> dict[str, Any]:
        """Among matched figures: how often the period (budget/actual/prior year) and the item agree."""
        totals = {"period": [0, 0], "item": [0, 0]}
        for score in self.reports:
            extra = score.groups.get("figures", GroupScore()).extra
            for name in totals:
                right, total = extra.get(name, [0, 0])
                totals[name][0] += right
                totals[name][1] += total
        return {
            name: {"right": right, "total": total, "accuracy": _round(right / total) if total else None}
            for name, (right, total) in totals.items()
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "summarizer-eval-run",
            **self.metadata,
            "backend": self.backend,
            "overall": {name: counts.as_dict() for name, counts in self.overall.items()},
            "narrative": self.narrative.as_dict(),
            "figure_attributes": self.figure_attributes,
            "reports": {score.name: score.as_dict() for score in self.reports},
            **({"mutation": self.mutation} if self.mutation is not None else {}),
        }


def pair_gold_with_samples(gold_dir: Path, samples_dir: Path) -> list[tuple[Path, Path]]:
    """(gold file, sample file) pairs, matched by file stem; a gold file without a sample is an error."""
    gold_files = sorted(Path(gold_dir).glob("*.json"))
    if not gold_files:
        raise ConfigError(f"no gold files (*.json) in {gold_dir}; pass --gold DIR")
    from .ingest import SUPPORTED

    pairs = []
    for gold_file in gold_files:
        candidates = sorted(
            path for path in Path(samples_dir).glob(gold_file.stem + ".*") if path.suffix.lower() in SUPPORTED
        )
        if not candidates:
            raise ConfigError(f"gold file {gold_file.name} has no sample {gold_file.stem}.* in {samples_dir}; pass --samples DIR")
        pairs.append((gold_file, candidates[0]))
    return pairs


def prompts_hash() -> str | None:
    """Content hash of the prompt templates an LLM run would use (None when they cannot be found)."""
    try:
        from .llm.prompts import PromptSet

        return PromptSet().hash
    except Exception:  # noqa: BLE001 - the LLM helpers are optional for scoring
        return None


def extract_and_score(
    path: Path, gold: Gold, settings, backend=None, *, name: str | None = None, narrative: bool = True
) -> tuple[ReportScore, Report | None]:
    """Run the pipeline on one file and score it; a pipeline error scores as an empty report."""
    from .ingest import read_document
    from .pipeline import extract_report

    name = name or Path(path).stem
    try:
        report = extract_report(Path(path), settings, backend)
        document = read_document(Path(path), settings) if narrative else None
    except SummarizerError as error:
        return empty_score(name, gold, error.one_line()), None
    except Exception as error:  # noqa: BLE001 - a stage bug scores as a failed report; the run goes on
        return empty_score(name, gold, f"{type(error).__name__}: {error} (a bug in the pipeline)"), None
    if document is None:
        return score_report(report, gold, name=name, narrative=Faithfulness(skipped="not computed for mutated copies")), report
    narrative = narrative_score(report, document.text, settings)
    return score_report(report, gold, name=name, narrative=narrative), report


def narrative_score(report: Report, source_text: str, settings) -> Faithfulness:
    renderer = _narrative_renderer()
    if renderer is None:
        return Faithfulness(skipped="render.render_narrative not available yet")
    try:
        text = renderer(report, settings)
    except Exception as exc:  # noqa: BLE001 - a renderer bug must not stop the scoring run
        return Faithfulness(skipped=f"render_narrative failed: {type(exc).__name__}: {exc}")
    return score_faithfulness(text, source_text, report.checks)


def evaluate(
    gold_dir: Path,
    samples_dir: Path,
    settings,
    *,
    backend=None,
    on_done: Callable[[ReportScore], None] | None = None,
) -> EvalRun:
    """Extract every sample that has a gold file, score it, and collect the run."""
    from . import __version__
    from .backends import get_backend
    from .schemas import SCHEMA_VERSION

    pairs = pair_gold_with_samples(gold_dir, samples_dir)
    backend = backend or get_backend(settings)
    scores: list[ReportScore] = []
    extractions: dict[str, Report] = {}
    hashes: set[str] = set()
    for gold_file, sample in pairs:
        score, report = extract_and_score(sample, load_gold(gold_file), settings, backend, name=gold_file.stem)
        if report is not None:
            extractions[gold_file.stem] = report
            if report.prompt_hash:
                hashes.add(report.prompt_hash)
        scores.append(score)
        if on_done is not None:
            on_done(score)
    backend_name = getattr(backend, "name", settings.backend)
    metadata = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "prompt_hash": ",".join(sorted(hashes)) if hashes else (prompts_hash() if backend_name != "rules" else None),
        "gold_dir": str(gold_dir),
        "samples_dir": str(samples_dir),
        "model": settings.model if backend_name != "rules" else None,
        "thresholds_text": TEXT_THRESHOLD,
        "thresholds_name": NAME_THRESHOLD,
    }
    return EvalRun(backend=backend_name, reports=scores, metadata=metadata, extractions=extractions)


# --------------------------------------------------------------------------------------------
# Mutation runs
# --------------------------------------------------------------------------------------------

ROBUSTNESS_GROUPS = tuple(group for group in GROUPS if group != "findings")


def check_signature(check: Check) -> tuple[str, str, tuple[str, ...]]:
    numbers = sorted({format(n.quantize(Decimal("0.01")) if abs(n) < 10**12 else n, "f") for n in check_numbers(check)})
    return check.rule, check.status.value, tuple(numbers)


def new_alarms(clean: Sequence[Check], mutated: Sequence[Check]) -> list[Check]:
    """Fail/warn checks of the mutated copy that the clean report did not raise."""
    alarm = (CheckStatus.FAIL, CheckStatus.WARN)
    before = {check_signature(c) for c in clean if c.status in alarm}
    return [c for c in mutated if c.status in alarm and check_signature(c) not in before]


def count_mutations(gold_dir: Path, samples_dir: Path, n: int) -> int:
    """How many copies evaluate_mutations will extract (for a progress bar)."""
    from .ingest import TEXT_SUFFIXES

    return n * sum(1 for _gold, sample in pair_gold_with_samples(gold_dir, samples_dir) if sample.suffix.lower() in TEXT_SUFFIXES)


def evaluate_mutations(
    gold_dir: Path,
    samples_dir: Path,
    settings,
    n: int,
    *,
    clean: EvalRun,
    seed: int = 0,
    backend=None,
    on_done: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """N mutated copies per text sample: what verification catches, how extraction F1 moves.

    A copy is "caught" when its verification raises a fail or warn that the clean report did not
    (compared by rule, status and the numbers involved). Extraction is scored on each copy and,
    for the comparison, the clean extraction is scored against the same adjusted gold, so the
    difference is the edit's effect on extraction alone.
    """
    import tempfile

    from .backends import get_backend
    from .ingest import TEXT_SUFFIXES, read_document
    from .mutate import EXPECT_CATCH, KINDS, mutate

    backend = backend or get_backend(settings)
    copies: list[dict[str, Any]] = []
    mutated_totals: dict[str, Counts] = {}
    clean_totals: dict[str, Counts] = {}
    by_kind: dict[str, dict[str, Any]] = {
        kind: {"copies": 0, "expect_catch": EXPECT_CATCH[kind], "caught": 0, "catch_rate": None} for kind in KINDS
    }
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="summarizer-mutate-") as folder:
        for gold_file, sample in pair_gold_with_samples(gold_dir, samples_dir):
            if sample.suffix.lower() not in TEXT_SUFFIXES:
                skipped.append(f"{sample.name}: only text reports are mutated")
                continue
            clean_report = clean.extractions.get(gold_file.stem)
            if clean_report is None:
                skipped.append(f"{sample.name}: the clean extraction failed")
                continue
            document = read_document(sample, settings)
            for mutation in mutate(document, load_gold(gold_file), n, seed=seed, name=gold_file.stem):
                path = Path(folder) / f"{gold_file.stem}.m{mutation.index}{sample.suffix}"
                path.write_text(mutation.text, encoding="utf-8")
                score, report = extract_and_score(path, mutation.gold, settings, backend, name=path.stem, narrative=False)
                baseline = score_report(clean_report, mutation.gold, name=gold_file.stem)
                alarms = new_alarms(clean_report.checks, report.checks) if report is not None else []
                for name in ROBUSTNESS_GROUPS:
                    if name in score.groups:
                        mutated_totals.setdefault(name, Counts())
                        mutated_totals[name] += score.groups[name].counts
                        clean_totals.setdefault(name, Counts())
                        clean_totals[name] += baseline.groups[name].counts
                row = by_kind[mutation.kind]
                row["copies"] += 1
                row["caught"] += bool(alarms)
                copies.append(
                    {
                        "report": gold_file.stem,
                        "index": mutation.index,
                        "kind": mutation.kind,
                        "edit": mutation.description,
                        "expect_catch": mutation.expect_catch,
                        "caught": bool(alarms),
                        "new_alarms": [f"{c.status.value} {c.rule}" for c in alarms],
                        "error": score.error,
                        "f1": {
                            name: {"clean": _round(baseline.groups[name].counts.f1), "mutated": _round(score.groups[name].counts.f1)}
                            for name in ROBUSTNESS_GROUPS
                            if name in score.groups
                        },
                    }
                )
                if on_done is not None:
                    on_done(mutation)
    for row in by_kind.values():
        row["catch_rate"] = _round(row["caught"] / row["copies"]) if row["copies"] else None
    expected = [c for c in copies if c["expect_catch"]]
    quiet = [c for c in copies if not c["expect_catch"]]
    f1 = {}
    for name in ROBUSTNESS_GROUPS:
        if name not in mutated_totals:
            continue
        before, after = clean_totals[name].f1, mutated_totals[name].f1
        f1[name] = {
            "clean": _round(before),
            "mutated": _round(after),
            "delta": None if before is None or after is None else round(after - before, 4),
        }
    return {
        "per_sample": n,
        "seed": seed,
        "copies": len(copies),
        "caught": sum(c["caught"] for c in expected),
        "expected_to_be_caught": len(expected),
        "catch_rate": _round(sum(c["caught"] for c in expected) / len(expected)) if expected else None,
        "alarms_on_harmless_edits": sum(c["caught"] for c in quiet),
        "by_kind": by_kind,
        "f1": f1,
        "mutations": copies,
        **({"skipped": skipped} if skipped else {}),
    }


# --------------------------------------------------------------------------------------------
# Thresholds and comparison
# --------------------------------------------------------------------------------------------


def load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} is not valid JSON ({exc})", path=path) from None


def check_thresholds(run: EvalRun | dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Every score below its minimum, as one message each; an empty list means the run passes.

    Keys of a thresholds file: min_f1 and min_recall (per field group, overall micro scores),
    min_figure_attributes (period, item accuracy among matched figures) and min_narrative_share.
    A group with nothing to score (F1 None) fails its minimum: a guard must not pass on no data.
    """
    data = run.as_dict() if isinstance(run, EvalRun) else run
    failures = []
    for group, minimum in thresholds.get("min_f1", {}).items():
        got = data["overall"].get(group, {}).get("f1")
        if got is None or got < minimum:
            failures.append(f"{group}: F1 {_fmt(got)} below the minimum {minimum:.3f}")
    for group, minimum in thresholds.get("min_recall", {}).items():
        got = data["overall"].get(group, {}).get("recall")
        if got is None or got < minimum:
            failures.append(f"{group}: recall {_fmt(got)} below the minimum {minimum:.3f}")
    attributes = data.get("figure_attributes", {})
    for name, minimum in thresholds.get("min_figure_attributes", {}).items():
        got = attributes.get(name, {}).get("accuracy")
        if got is None or got < minimum:
            failures.append(f"figure {name}: accuracy {_fmt(got)} below the minimum {minimum:.3f}")
    minimum = thresholds.get("min_narrative_share")
    if minimum is not None:
        narrative = data.get("narrative", {})
        if not narrative.get("skipped"):
            got = narrative.get("share")
            if got is None or got < minimum:
                failures.append(f"narrative: faithfulness {_fmt(got)} below the minimum {minimum:.3f}")
    return failures


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@dataclass
class Difference:
    scope: str  # "overall" or a report name
    group: str
    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)


def compare_runs(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, tuple[Any, Any]], list[Difference]]:
    """(run metadata that differs, every score that differs) between two run files."""
    meta_keys = ("backend", "prompt_hash", "package_version", "schema_version", "model", "timestamp")
    metadata = {key: (before.get(key), after.get(key)) for key in meta_keys if before.get(key) != after.get(key)}
    differences: list[Difference] = []

    def walk(scope: str, groups_before: dict[str, Any], groups_after: dict[str, Any]) -> None:
        for group in [*GROUPS, *sorted(set(groups_before) | set(groups_after) - set(GROUPS))]:
            a, b = groups_before.get(group), groups_after.get(group)
            if a is None and b is None:
                continue
            for metric in ("precision", "recall", "f1"):
                va, vb = (a or {}).get(metric), (b or {}).get(metric)
                if va != vb:
                    differences.append(Difference(scope, group, metric, va, vb))

    walk("overall", before.get("overall", {}), after.get("overall", {}))
    share_a, share_b = before.get("narrative", {}).get("share"), after.get("narrative", {}).get("share")
    if share_a != share_b:
        differences.append(Difference("overall", "narrative", "share", share_a, share_b))
    reports_a, reports_b = before.get("reports", {}), after.get("reports", {})
    for name in sorted(set(reports_a) | set(reports_b)):
        walk(name, reports_a.get(name, {}).get("groups", {}), reports_b.get(name, {}).get("groups", {}))
    return metadata, differences


def write_run(run: EvalRun, path: Path) -> None:
    from .outputs import write_atomic

    data = json.dumps(run.as_dict(), ensure_ascii=False, indent=2, default=_jsonable)
    write_atomic(Path(path), (data + "\n").encode("utf-8"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------------------------
# Presentation (rich, loaded lazily; reads results, never changes them)
# --------------------------------------------------------------------------------------------

_SHORT = {
    "meta": "meta",
    "figures": "figs",
    "indicators": "ind",
    "indicator_names": "ind.nm",
    "achievements": "ach",
    "problems": "prob",
    "measures": "meas",
    "findings": "find",
}


def short_name(name: str) -> str:
    """xiangyin_2022_administrative_... -> xiangyin_2022 (the table stays readable)."""
    parts = name.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 and len(name) > 24 else name


def _cell(value: float | None) -> str:
    if value is None:
        return "[dim]—[/dim]"
    colour = "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"
    return f"[{colour}]{value:.2f}[/{colour}]"


def print_run(run: EvalRun, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    data = run.as_dict()
    groups = [g for g in GROUPS if g in data["overall"]]
    from rich import box

    table = Table(title=f"summarizer eval — backend {run.backend} (F1 per field group)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("report", no_wrap=True)
    for group in groups:
        table.add_column(_SHORT[group], justify="right", no_wrap=True, min_width=4)
    table.add_column("narr", justify="right", no_wrap=True, min_width=4)
    for name, report in data["reports"].items():
        label = short_name(name) + (" [red](error)[/red]" if report.get("error") else "")
        table.add_row(
            label,
            *[_cell(report["groups"].get(g, {}).get("f1")) for g in groups],
            _cell(report["narrative"].get("share")),
        )
    table.add_section()
    table.add_row(
        "[bold]overall[/bold]",
        *[_cell(data["overall"][g]["f1"]) for g in groups],
        _cell(data["narrative"].get("share")),
    )
    console.print(table)

    detail = Table(title="overall precision / recall / F1")
    for column in ("group", "tp", "fp", "fn", "precision", "recall", "F1"):
        detail.add_column(column, justify="left" if column == "group" else "right")
    for group in groups:
        row = data["overall"][group]
        detail.add_row(group, str(row["tp"]), str(row["fp"]), str(row["fn"]), _cell(row["precision"]), _cell(row["recall"]), _cell(row["f1"]))
    console.print(detail)
    attributes = data["figure_attributes"]
    console.print(
        "figure attributes among matched figures: "
        + " ".join(f"{name} {_fmt(row['accuracy'])} ({row['right']}/{row['total']})" for name, row in attributes.items())
    )
    narrative = data["narrative"]
    if narrative.get("skipped"):
        console.print(f"narrative faithfulness: skipped ({narrative['skipped']})")
    else:
        console.print(f"narrative faithfulness: {narrative['supported']}/{narrative['numbers']} numbers found in source or checks")
    if run.mutation:
        print_mutation(run.mutation, console)


def print_misses(run: EvalRun, console=None, limit: int = 12) -> None:
    from rich.console import Console

    console = console or Console()
    for score in run.reports:
        lines = []
        for group_name, group in score.groups.items():
            for miss in group.misses[:limit]:
                lines.append(f"  [yellow]miss[/yellow] {group_name}: {json.dumps(miss, ensure_ascii=False, default=_jsonable)}")
            for extra in group.false_positives[:limit]:
                lines.append(f"  [red]extra[/red] {group_name}: {json.dumps(extra, ensure_ascii=False, default=_jsonable)}")
            for wrong in group.extra.get("attribute_misses", [])[:limit]:
                lines.append(f"  [dim]attr[/dim] {group_name}: {json.dumps(wrong, ensure_ascii=False, default=_jsonable)}")
        if lines:
            console.print(f"[bold]{short_name(score.name)}[/bold]")
            for line in lines:
                console.print(line, highlight=False)


def print_mutation(mutation: dict[str, Any], console) -> None:
    from rich.table import Table

    table = Table(title=f"mutation (N={mutation['per_sample']} per sample, seed {mutation['seed']})")
    for column in ("kind", "copies", "expected to be caught", "caught", "catch rate"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, row in mutation["by_kind"].items():
        table.add_row(
            kind,
            str(row["copies"]),
            "yes" if row["expect_catch"] else "no",
            str(row["caught"]),
            _cell(row["catch_rate"]),
        )
    console.print(table)
    f1 = Table(title="extraction F1: clean vs mutated copies")
    for column in ("group", "clean", "mutated", "Δ"):
        f1.add_column(column, justify="left" if column == "group" else "right")
    for group, row in mutation["f1"].items():
        delta = row["delta"]
        f1.add_row(group, _cell(row["clean"]), _cell(row["mutated"]), "—" if delta is None else f"{delta:+.2f}")
    console.print(f1)


def print_comparison(before: dict[str, Any], after: dict[str, Any], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    metadata, differences = compare_runs(before, after)
    for key, (a, b) in metadata.items():
        console.print(f"{key}: {a} → {b}", highlight=False)
    if not differences:
        console.print("no score differs between the two runs")
        return
    table = Table(title="score differences (A → B)")
    for column in ("scope", "group", "metric", "A", "B", "Δ"):
        table.add_column(column, justify="left" if column in ("scope", "group", "metric") else "right")
    for diff in differences:
        delta = diff.delta
        shown = "—" if delta is None else (f"[green]{delta:+.3f}[/green]" if delta > 0 else f"[red]{delta:+.3f}[/red]")
        table.add_row(diff.scope, diff.group, diff.metric, _fmt(diff.before), _fmt(diff.after), shown)
    console.print(table)
