"""The gold model: hand-read annotations of what a report states, and how a value compares with one.

    eval/gold/<stem>.json, eval/corpus/<stem>.json ──load_gold──▶ Gold

Gold lists, per report, the meta fields, figures, indicator rows, achievements, problems and
measures a reviewer would look for, the inconsistencies a careful reviewer would flag (findings)
and the arithmetic identities the report's numbers satisfy (identities). eval/README.md gives the
format field by field. The comparisons every consumer of gold shares live here too: text
normalisation (normalise_text) and figure value agreement (figure_values_agree), so scoring and
mutation judge "the same figure" the same way.

This module reads gold files and nothing else; it never scores, extracts or mutates.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError
from ..numbers import MONEY_UNITS, PERCENT_UNITS, to_wan
from ..schemas import FIGURE_KEYS, CheckStatus

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
# Comparisons shared by scoring and mutation
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


def numbers_close(a: Decimal, b: Decimal, tolerance: Decimal = NUMBER_TOLERANCE) -> bool:
    """Equal within an absolute tolerance, or within a millionth of a large value."""
    return abs(a - b) <= max(tolerance, abs(a) * Decimal("0.000001"))


def unit_class(unit: str) -> str:
    """money, percent, people, or the unit itself ("" for a bare number)."""
    if unit in MONEY_UNITS:
        return "money"
    if unit in PERCENT_UNITS:
        return "percent"
    if unit in ("人", "名"):
        return "people"  # 10名 and 10人 count the same persons
    return unit or ""


def figure_values_agree(gold: GoldFigure, key: str, value: Decimal, unit: str) -> bool:
    """Same amount: money after conversion to 万元, rates within 0.01 (growth by magnitude)."""
    gold_class, predicted_class = unit_class(gold.unit), unit_class(unit)
    if gold_class == "money" or predicted_class == "money":
        gold_wan, predicted_wan = to_wan(gold.value, gold.unit), to_wan(value, unit)
        if gold_wan is None or predicted_wan is None:
            return False
        return numbers_close(gold_wan, predicted_wan, MONEY_TOLERANCE_WAN)
    if gold_class == "percent":
        if predicted_class not in ("percent", ""):
            return False
        if "growth" in gold.key or key == "growth_rate":
            return numbers_close(abs(gold.value), abs(value), RATE_TOLERANCE)
        return numbers_close(gold.value, value, RATE_TOLERANCE)
    # counts, scores, people: the unit may be dropped by an extractor, never changed.
    if gold_class and predicted_class and gold_class != predicted_class:
        return False
    return gold.value == value
