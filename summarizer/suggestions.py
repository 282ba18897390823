"""The suggestion library: measures a reviewer may propose, as data (summarizer/data/suggestions.toml),
extended or overridden by the user's files (a suggestions.toml in --templates, or the
suggestions_file setting); and how one measure is matched to what a problem needs (its rule,
kind and words). Never writes a measure's text: drafting fills in the subject.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from string import Formatter

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import Settings
from .errors import ConfigError

DEFAULT_CATEGORY = "绩效管理意识"
LIBRARY_FILE_NAME = "suggestions.toml"

# ── the suggestion library ───────────────────────────────────────────────────────────────


class _LibraryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_LibraryModel):
    name: str
    keywords: tuple[str, ...] = ()


class Suggestion(_LibraryModel):
    id: str
    category: str
    text: str
    problems: tuple[str, ...] = Field((), description="problem kinds this measure answers")
    keywords: tuple[str, ...] = Field((), description="words of a stated problem that make it fit")
    rules: tuple[str, ...] = Field((), description="check rule ids (or their prefixes) a problem rests on that this measure answers")
    fallback: bool = Field(False, description="the measure for a problem no other measure fits")
    disabled: bool = False


class _LibraryFile(_LibraryModel):
    category: tuple[Category, ...] = ()
    suggestion: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class SuggestionLibrary:
    categories: tuple[Category, ...]
    suggestions: tuple[Suggestion, ...]
    sources: tuple[str, ...]

    def category_names(self) -> list[str]:
        return [category.name for category in self.categories]

    @cached_property
    def _keyword_index(self) -> dict[str, tuple[int, ...]]:
        """Keyword -> the positions of the (non-fallback) measures that list it."""
        index: dict[str, list[int]] = {}
        for order, suggestion in enumerate(self.suggestions):
            if not suggestion.fallback:
                for word in suggestion.keywords:
                    if word:
                        index.setdefault(word, []).append(order)
        return {word: tuple(orders) for word, orders in index.items()}

    @cached_property
    def _by_kind(self) -> dict[str, tuple[int, ...]]:
        """Problem kind -> the positions of the (non-fallback) measures that may answer a data
        problem of that kind: those naming the kind, and those matched by rule."""
        kinds = {kind for suggestion in self.suggestions for kind in suggestion.problems}
        return {
            kind: tuple(order for order, s in enumerate(self.suggestions) if not s.fallback and (kind in s.problems or s.rules))
            for kind in kinds
        }

    def candidates(self, need: "Need") -> Iterable[int]:
        """Positions, ascending, of the measures that can fit `need` at all (fit > 0 only there):
        for a stated problem those with a keyword in its text, for a data problem those of its
        kind or with rules."""
        if need.stated:
            index = self._keyword_index
            return sorted({order for word in index if word in need.text for order in index[word]})
        known = self._by_kind.get(need.kind)
        if known is not None:
            return known
        return [order for order, s in enumerate(self.suggestions) if not s.fallback and s.rules]


_ALLOWED_FIELDS = {"subject"}


def _parse_library(text: str, origin: str) -> _LibraryFile:
    try:
        data = tomllib.loads(text)
        parsed = _LibraryFile(**data)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"suggestion library is not valid TOML ({exc})", path=origin) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"suggestion library: invalid entry {where}: {first['msg']}", path=origin) from None
    for suggestion in parsed.suggestion:
        try:
            fields = {name for _, name, _, _ in Formatter().parse(suggestion.text) if name is not None}
        except ValueError as exc:
            raise ConfigError(f"suggestion {suggestion.id}: bad text ({exc})", path=origin) from None
        unknown = fields - _ALLOWED_FIELDS
        if unknown:
            raise ConfigError(
                f"suggestion {suggestion.id}: unknown placeholder {{{', '.join(sorted(unknown))}}}; only {{subject}} is filled in",
                path=origin,
            )
    return parsed


def _merge(files: list[tuple[str, _LibraryFile]]) -> SuggestionLibrary:
    categories: dict[str, Category] = {}
    suggestions: dict[str, Suggestion] = {}
    for _, parsed in files:
        for category in parsed.category:
            if category.name in categories:
                old = categories[category.name]
                merged = tuple(dict.fromkeys((*old.keywords, *category.keywords)))
                categories[category.name] = Category(name=category.name, keywords=merged)
            else:
                categories[category.name] = category
        for suggestion in parsed.suggestion:
            suggestions.pop(suggestion.id, None)  # a same id replaces (and moves to the end)
            suggestions[suggestion.id] = suggestion
    for suggestion in suggestions.values():
        if suggestion.category not in categories:
            categories[suggestion.category] = Category(name=suggestion.category)
    active = tuple(s for s in suggestions.values() if not s.disabled)
    return SuggestionLibrary(tuple(categories.values()), active, tuple(origin for origin, _ in files))


def library_paths(settings: Settings | None) -> list[Path]:
    """User library files, in the order they are merged over the built-in one."""
    paths: list[Path] = []
    if settings is not None and settings.templates_dir is not None:
        candidate = Path(settings.templates_dir) / LIBRARY_FILE_NAME
        if candidate.is_file():
            paths.append(candidate)
    extra = getattr(settings, "suggestions_file", None) if settings is not None else None
    if extra is not None:
        extra = Path(extra)
        if not extra.is_file():
            raise ConfigError("suggestions file not found; fix the suggestions_file setting", path=extra)
        paths.append(extra)
    return paths


@lru_cache(maxsize=16)
def _load(keyed: tuple[tuple[str, float], ...]) -> SuggestionLibrary:
    builtin = resources.files("summarizer").joinpath("data", LIBRARY_FILE_NAME).read_text(encoding="utf-8")
    files = [("summarizer/data/suggestions.toml", _parse_library(builtin, "summarizer/data/suggestions.toml"))]
    for path, _ in keyed:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read suggestion library ({exc})", path=path) from None
        files.append((path, _parse_library(text, path)))
    return _merge(files)


def load_library(settings: Settings | None = None) -> SuggestionLibrary:
    """The built-in library merged with the user's files (see suggestions.toml for how)."""
    keyed = tuple((str(path), path.stat().st_mtime) for path in library_paths(settings))
    return _load(keyed)


def classify(text: str, library: SuggestionLibrary) -> str:
    """The category whose keywords cover most of the text (longest matches win)."""
    best, best_score = DEFAULT_CATEGORY, 0
    for category in library.categories:
        score = sum(len(word) for word in category.keywords if word and word in text)
        if score > best_score:
            best, best_score = category.name, score
    return best




# ── matching a measure to a problem ──────────────────────────────────────────────────────


@dataclass(frozen=True)
class Need:
    """What a problem asks of a measure."""

    kind: str  # "stated" or a data kind
    rules: tuple[str, ...]  # rule ids of the checks it rests on
    text: str
    category: str
    stated: bool


def fit(need: Need, suggestion: Suggestion, placed: bool = False) -> int:
    """How well a measure answers a problem: by the rule it rests on, then its kind, then the
    words it says (a stated problem is matched by words only, and only by telling ones)."""
    text = need.text
    if not need.stated:
        # str.startswith takes the measure's prefixes at once (none: no match).
        rule_match = any(rule.startswith(suggestion.rules) for rule in need.rules)
        kind_match = need.kind in suggestion.problems
        if not (rule_match or kind_match):
            return 0
        hits = sum(len(word) for word in suggestion.keywords if word and word in text)
        return (200 if rule_match else 0) + (100 if kind_match else 0) + hits
    words = [word for word in suggestion.keywords if word and word in text]
    if not words:
        return 0
    # One word of three characters or more, or several words, say what the problem is about;
    # a lone two-character word (服务, 意识) does not, unless the problem was placed firmly in
    # the measure's category (`placed`: its category words are telling).
    telling = len(words) >= 2 or len(words[0]) >= 3
    same_category = suggestion.category == need.category
    if not (telling or (placed and same_category)):
        return 0
    return sum(map(len, words)) + (5 if same_category else 0)


def choose_measure(library: SuggestionLibrary, need: Need, used: Counter[str]) -> Suggestion | None:
    """One measure per problem: the best fit, preferring one this report has not used yet; the
    fallback measure when nothing fits."""
    category = next((c for c in library.categories if c.name == need.category), None)
    strength = sum(len(word) for word in category.keywords if word and word in need.text) if category else 0
    placed = strength >= 4
    best, best_key = None, None
    for order in library.candidates(need):
        suggestion = library.suggestions[order]
        score = fit(need, suggestion, placed)
        if score > 0:
            key = (score - 8 * used[suggestion.id], -order)
            if best_key is None or key > best_key:
                best, best_key = suggestion, key
    if best is not None:
        return best
    return next((s for s in library.suggestions if s.fallback), None)
