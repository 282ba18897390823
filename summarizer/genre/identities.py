"""The genre's arithmetic as data: sums, differences, rates and growth read from identities.toml.

`identities()` reads and validates the file once (every key must be a figure key of
figures.toml) into a frozen object. Verification checks these relations and mutation plants
errors in their members; both read them here. No other I/O.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import GenreError, _read, vocabulary

MODES = ("all", "table", "both", "breakdown", "lines")


@dataclass(frozen=True)
class SumIdentity:
    id: str
    name: str
    total: str
    parts: tuple[str, ...]
    mode: str
    complete: bool
    lines: bool = False


@dataclass(frozen=True)
class DifferenceIdentity:
    id: str
    name: str
    total: str
    minuend: tuple[str, ...]
    subtrahend: tuple[str, ...]
    addend: tuple[str, ...]


@dataclass(frozen=True)
class RateIdentity:
    id: str
    name: str
    rate: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]


@dataclass(frozen=True)
class GrowthIdentity:
    id: str
    name: str
    rate: str


@dataclass(frozen=True)
class Identities:
    sums: tuple[SumIdentity, ...]
    differences: tuple[DifferenceIdentity, ...]
    rates: tuple[RateIdentity, ...]
    growth: tuple[GrowthIdentity, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(
            i.id
            for group in (self.sums, self.differences, self.rates, self.growth)
            for i in group
        )

    def complete_partitions(self) -> dict[str, list[frozenset[str]]]:
        """Total key -> the sets of part keys that, named in full, make the whole."""
        found: dict[str, list[frozenset[str]]] = {}
        for identity in self.sums:
            if identity.complete:
                found.setdefault(identity.total, []).append(frozenset(identity.parts))
        return found


def _keys(
    entry: dict, field: str, where: str, known: set[str], *, required: bool = True
) -> tuple[str, ...]:
    value = entry.get(field, [] if not required else None)
    values = [value] if isinstance(value, str) else value
    if (
        values is None
        or (required and not values)
        or not all(isinstance(v, str) for v in values)
    ):
        raise GenreError(f"{where}.{field}: needs one or more figure keys")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise GenreError(f"{where}.{field}: unknown figure key(s) {', '.join(unknown)}")
    return tuple(values)


def build_identities(data: dict, known: set[str]) -> Identities:
    """Validate identities.toml against the figure keys."""
    unexpected = set(data) - {"sum", "difference", "rate", "growth"}
    if unexpected:
        raise GenreError(
            f"identities: unknown section(s) {', '.join(sorted(unexpected))}"
        )
    seen: set[str] = set()

    def head(entry: dict, where: str) -> tuple[str, str]:
        ident, name = entry.get("id"), entry.get("name")
        if (
            not isinstance(ident, str)
            or not ident
            or not isinstance(name, str)
            or not name
        ):
            raise GenreError(f"{where}: needs an id and a name")
        if ident in seen:
            raise GenreError(f"{where}: duplicate id {ident!r}")
        seen.add(ident)
        return ident, name

    sums = []
    for index, entry in enumerate(data.get("sum", [])):
        where = f"identities.sum[{index}]"
        ident, name = head(entry, where)
        mode = entry.get("mode", "all")
        if mode not in MODES:
            raise GenreError(f"{where}.mode: one of {MODES}")
        total = _keys(entry, "total", where, known)[0]
        sums.append(
            SumIdentity(
                ident,
                name,
                total,
                _keys(entry, "parts", where, known),
                mode,
                bool(entry.get("complete", False)),
                bool(entry.get("lines", False)),
            )
        )
    differences = []
    for index, entry in enumerate(data.get("difference", [])):
        where = f"identities.difference[{index}]"
        ident, name = head(entry, where)
        differences.append(
            DifferenceIdentity(
                ident,
                name,
                _keys(entry, "total", where, known)[0],
                _keys(entry, "minuend", where, known),
                _keys(entry, "subtrahend", where, known),
                _keys(entry, "addend", where, known, required=False),
            )
        )
    rates = []
    for index, entry in enumerate(data.get("rate", [])):
        where = f"identities.rate[{index}]"
        ident, name = head(entry, where)
        rates.append(
            RateIdentity(
                ident,
                name,
                _keys(entry, "rate", where, known)[0],
                _keys(entry, "numerator", where, known),
                _keys(entry, "denominator", where, known),
            )
        )
    growth = []
    for index, entry in enumerate(data.get("growth", [])):
        where = f"identities.growth[{index}]"
        ident, name = head(entry, where)
        growth.append(
            GrowthIdentity(ident, name, _keys(entry, "rate", where, known)[0])
        )
    return Identities(tuple(sums), tuple(differences), tuple(rates), tuple(growth))


@functools.cache
def identities() -> Identities:
    """The genre's identities, read once from identities.toml and checked against figures.toml."""
    return build_identities(_read("identities.toml"), set(vocabulary().keys))
