"""The genre's vocabulary, as data: figure keys and their labels, period words, section roles,
heading synonyms, grades and indicator columns of 预算绩效自评报告.

The words live in the TOML files beside this module; `vocabulary()` reads and validates them
once into a frozen object with compiled patterns. Every stage (structure, the rules backend,
verify, draft, render, mutate) reads its words from here, so extending a label means editing
one TOML file, not Python. No other I/O.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Mapping

KINDS = ("money", "rate", "count", "score")
ROLES = ("score", "achievements", "targets", "finance", "basic", "performance")
PERIODS = ("prior_year", "adjusted", "actual", "budget")
GRADES = ("优", "良", "中", "差")


class GenreError(ValueError):
    """A vocabulary file is malformed (unknown key, bad pattern, missing field)."""


@dataclass(frozen=True)
class KeySpec:
    key: str
    name: str
    kind: str
    group: str


@dataclass(frozen=True)
class Labelled:
    """A label pattern and the figure key (or role) it names."""

    key: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Genre:
    keys: Mapping[str, KeySpec]
    subjects: tuple[Labelled, ...]
    generics: tuple[Labelled, ...]
    rates: tuple[Labelled, ...]
    after: tuple[Labelled, ...]
    key_values: tuple[Labelled, ...]
    periods: Mapping[str, re.Pattern[str]]
    period_names: Mapping[str, str]
    markers: Mapping[str, re.Pattern[str]]
    problem: re.Pattern[str]
    measure: re.Pattern[str]
    not_problem: re.Pattern[str]
    template_text: re.Pattern[str]
    form_note: re.Pattern[str]
    roles: tuple[Labelled, ...]
    heading_synonyms: Mapping[str, tuple[str, ...]]
    grade_words: Mapping[str, str]
    grade_bands: tuple[tuple[str, Decimal], ...]
    expected_rate: Decimal  # grades.toml [expected]: the rate a well-run budget reaches, percent
    indicator_level1: re.Pattern[str]
    indicator_level2: re.Pattern[str]
    indicator_total_row: re.Pattern[str]
    indicator_columns: Mapping[str, re.Pattern[str]]
    meta_words: Mapping[str, str]  # meta.toml: raw patterns, composed by the meta reader
    form_budget_columns: tuple[Labelled, ...] = ()  # forms.toml: canonical label, header pattern
    form_indicator_columns: tuple[Labelled, ...] = ()
    form_budget_group: re.Pattern[str] | None = None
    form_level1_cell: re.Pattern[str] | None = None
    form_glued_columns: tuple[Labelled, ...] = ()
    form_glued_indicator_columns: tuple[Labelled, ...] = ()
    form_glued_value_units: str = "%"
    form_glued: Mapping[str, re.Pattern[str]] = field(default_factory=dict)  # level1, level2, stop, operators, name_units
    indicator_prose: re.Pattern[str] | None = None
    indicator_prose_level: re.Pattern[str] | None = None

    @property
    def key_names(self) -> dict[str, str]:
        return {key: spec.name for key, spec in self.keys.items()}

    def grade_of_word(self, word: str) -> str | None:
        return self.grade_words.get(word)

    @property
    def top_grade_floor(self) -> Decimal:
        """The lowest score of the highest grade (优): a "high" self score."""
        return self.grade_bands[0][1]

    def grade_for_score(self, score: Decimal) -> str:
        return next((grade for grade, floor in self.grade_bands if score >= floor), self.grade_bands[-1][0])

    @property
    def grade_word_pattern(self) -> str:
        """An alternation of every grade word, longest first (优秀 before 优)."""
        return "|".join(sorted(map(re.escape, self.grade_words), key=len, reverse=True))


def _compile(pattern: object, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise GenreError(f"{where}: a pattern must be a non-empty string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise GenreError(f"{where}: bad pattern {pattern!r} ({exc})") from None


def _labelled(entries: list[dict], where: str, known: set[str]) -> tuple[Labelled, ...]:
    found = []
    for index, entry in enumerate(entries):
        key = entry.get("key") or entry.get("role")
        if key not in known:
            raise GenreError(f"{where}[{index}]: unknown key {key!r}")
        found.append(Labelled(key, _compile(entry.get("pattern"), f"{where}[{index}]")))
    return tuple(found)


def _read(name: str) -> dict:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GenreError(f"{name}: {exc}") from None


META_FIELDS = (
    "org_suffix", "unit_chars", "unit_prefix_not_region", "unit_labels", "stop_labels", "project_labels",
    "contact_labels", "phone_labels", "date_labels", "score_labels", "grade_labels", "staff_authorized_labels",
    "staff_actual_labels", "department_kind", "project_kind", "title", "page_labels", "generic_project",
)  # fmt: skip


def _columns(entries: list[dict], where: str) -> tuple[Labelled, ...]:
    found = []
    for index, entry in enumerate(entries):
        if not entry.get("label"):
            raise GenreError(f"{where}[{index}]: needs a label")
        found.append(Labelled(entry["label"], _compile(entry.get("pattern"), f"{where}[{index}]")))
    return tuple(found)


def build(
    figures: dict, sections: dict, grades: dict, indicators: dict, meta: dict | None = None, forms: dict | None = None
) -> Genre:
    """Validate the four vocabularies and compile their patterns."""
    keys = {}
    for key, spec in figures.get("keys", {}).items():
        if spec.get("kind") not in KINDS or not spec.get("name"):
            raise GenreError(f"figures.keys.{key}: needs a name and a kind among {KINDS}")
        keys[key] = KeySpec(key, spec["name"], spec["kind"], spec.get("group", "other"))
    known = set(keys)
    periods = figures.get("periods", {})
    if set(PERIODS) - set(periods):
        raise GenreError(f"figures.periods: needs {', '.join(PERIODS)}")
    words = {word: grade for word, grade in grades.get("words", {}).items()}
    if set(words.values()) - set(GRADES):
        raise GenreError(f"grades.words: grades are {GRADES}")
    bands = tuple((grade, Decimal(str(floor))) for grade, floor in grades.get("bands", {}).items())
    if [grade for grade, _ in bands] != list(GRADES) or list(map(lambda b: b[1], bands)) != sorted((b[1] for b in bands), reverse=True):
        raise GenreError("grades.bands: one floor per grade, highest grade (and floor) first")
    columns = indicators.get("columns", {})
    meta = meta or {}
    missing = [name for name in META_FIELDS if name not in meta]
    if missing:
        raise GenreError(f"meta: needs {', '.join(missing)}")
    for name in META_FIELDS:
        _compile(meta[name], f"meta.{name}")
    return Genre(
        keys=MappingProxyType(keys),
        subjects=_labelled(figures.get("subject", []), "figures.subject", known),
        generics=_labelled(figures.get("generic", []), "figures.generic", known),
        rates=_labelled(figures.get("rate", []), "figures.rate", known),
        after=_labelled(figures.get("after", []), "figures.after", known),
        key_values=_labelled(figures.get("key_value", []), "figures.key_value", known),
        periods=MappingProxyType({p: _compile(periods[p], f"figures.periods.{p}") for p in PERIODS}),
        period_names=MappingProxyType(dict(periods.get("names", {}))),
        markers=MappingProxyType({k: _compile(v, f"figures.markers.{k}") for k, v in figures.get("markers", {}).items()}),
        problem=_compile(sections.get("problem"), "sections.problem"),
        measure=_compile(sections.get("measure"), "sections.measure"),
        not_problem=_compile(sections.get("not_problem"), "sections.not_problem"),
        template_text=_compile(sections.get("template_text", "(?!)"), "sections.template_text"),
        form_note=_compile(sections.get("form_note", "(?!)"), "sections.form_note"),
        roles=_labelled(sections.get("role", []), "sections.role", set(ROLES)),
        heading_synonyms=MappingProxyType({k: tuple(v) for k, v in sections.get("synonyms", {}).items()}),
        grade_words=MappingProxyType(words),
        grade_bands=bands,
        expected_rate=Decimal(str(grades.get("expected", {}).get("rate", 90))),
        indicator_level1=_compile(indicators.get("level1"), "indicators.level1"),
        indicator_level2=_compile(indicators.get("level2"), "indicators.level2"),
        indicator_total_row=_compile(indicators.get("total_row"), "indicators.total_row"),
        indicator_columns=MappingProxyType({k: _compile(v, f"indicators.columns.{k}") for k, v in columns.items()}),
        indicator_prose=_compile(indicators.get("prose", "(?!)"), "indicators.prose"),
        indicator_prose_level=_compile(indicators.get("prose_level", "(?!)"), "indicators.prose_level"),
        meta_words=MappingProxyType({name: meta[name] for name in META_FIELDS}),
        form_budget_columns=_columns((forms or {}).get("budget_column", []), "forms.budget_column"),
        form_indicator_columns=_columns((forms or {}).get("indicator_column", []), "forms.indicator_column"),
        form_budget_group=_compile((forms or {}).get("budget_group", "(?!)"), "forms.budget_group"),
        form_level1_cell=_compile((forms or {}).get("level1_cell", "(?!)"), "forms.level1_cell"),
        form_glued_columns=_columns((forms or {}).get("glued_column", []), "forms.glued_column"),
        form_glued_indicator_columns=_columns((forms or {}).get("glued_indicator_column", []), "forms.glued_indicator_column"),
        form_glued=MappingProxyType({
            name: _compile((forms or {}).get(f"glued_{name}", "(?!)"), f"forms.glued_{name}")
            for name in ("level1", "level2", "stop", "operators", "name_units")
        }),
        form_glued_value_units=_compile((forms or {}).get("glued_value_units", "%"), "forms.glued_value_units").pattern,
    )


@functools.cache
def vocabulary() -> Genre:
    """The genre's vocabulary, read once from the package's TOML files."""
    return build(
        _read("figures.toml"), _read("sections.toml"), _read("grades.toml"), _read("indicators.toml"), _read("meta.toml"),
        _read("forms.toml"),
    )
