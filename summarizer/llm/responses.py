"""Response models for the LLM, derived from the output contract in schemas.py. No I/O.

A model is asked for what only reading can give: labels, values as written, periods, texts and
a verbatim evidence quote per item. Everything code must compute is removed from the derived
models, so the model is never asked for it and never trusted with it: spans, alignment, the
backend, value_wan, the figure kind, the table flag and the numbers inside a text item.
Field names, types, enums and descriptions otherwise come from schemas.py, so the contract is
stated once. `extraction_model(fields)` builds the top-level model for the parts a request
asks for (all of them for `--backend llm`; the weak ones for `--backend hybrid`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from ..schemas import FIGURE_KEYS, Figure, Indicator, Meta, TextItem

FIELDS = ("meta", "figures", "indicators", "achievements", "problems", "measures")
TEXT_FIELDS = ("achievements", "problems", "measures")

_GROUNDING = {"span", "alignment", "backend"}
_EVIDENCE = Field(
    min_length=1,
    description="verbatim quote copied character for character from the report, containing the item (and its number)",
)

FigureKey = Literal[tuple(FIGURE_KEYS)]  # type: ignore[valid-type]


class _Lenient(BaseModel):
    # Models add harmless extra keys (ids, comments); ignoring them saves a re-ask.
    model_config = ConfigDict(extra="ignore")


def _clean_number(value: Any) -> Any:
    """'1,179.61' -> '1179.61'; anything else is left for pydantic to judge."""
    if isinstance(value, str):
        return value.replace(",", "").replace("，", "").strip()
    return value


def _derive(
    source: type[BaseModel],
    name: str,
    overrides: dict[str, Any],
    validators: dict[str, Any] | None = None,
    computed: frozenset[str] = frozenset(),
):
    fields: dict[str, Any] = {}
    for field_name, info in source.model_fields.items():
        if field_name in _GROUNDING or field_name in computed:
            continue
        if field_name in overrides:
            fields[field_name] = overrides[field_name]
        else:
            fields[field_name] = (info.annotation, copy.copy(info))
    return create_model(name, __base__=_Lenient, __validators__=validators or {}, **fields)


_number_validator = field_validator("value", "weight", "score", mode="before", check_fields=False)(
    classmethod(lambda cls, value: _clean_number(value))
)

FigureResponse = _derive(
    Figure,
    "FigureResponse",
    {
        "key": (FigureKey, Field(description="canonical key: " + "，".join(f"{k}={v}" for k, v in FIGURE_KEYS.items()))),
        "value": (Decimal, Field(description="the number exactly as the report writes it, in `unit` (no conversion)")),
        "evidence": (str, _EVIDENCE),
    },
    {"_numbers": _number_validator},
    frozenset({"value_wan", "kind", "table"}),
)
IndicatorResponse = _derive(Indicator, "IndicatorResponse", {"evidence": (str, _EVIDENCE)}, {"_numbers": _number_validator})
TextItemResponse = _derive(
    TextItem,
    "TextItemResponse",
    {
        "text": (str, Field(min_length=2, description="the point as the report states it, one point per item")),
        "evidence": (str, _EVIDENCE),
    },
    computed=frozenset({"numbers"}),
)
MetaResponse = _derive(
    Meta,
    "MetaResponse",
    {
        "evidence": (
            dict[str, str],
            Field(default_factory=dict, description="field name -> verbatim quote the value was read from"),
        )
    },
)

_FIELD_TYPES: dict[str, Any] = {
    "meta": (MetaResponse | None, Field(None, description="report metadata found in this part")),
    "figures": (list[FigureResponse], Field(default_factory=list, description="money figures, rates, counts, scores")),
    "indicators": (list[IndicatorResponse], Field(default_factory=list, description="performance indicators (绩效指标)")),
    "achievements": (list[TextItemResponse], Field(default_factory=list, description="achievements (主要成效/绩效)")),
    "problems": (list[TextItemResponse], Field(default_factory=list, description="problems (存在问题)")),
    "measures": (list[TextItemResponse], Field(default_factory=list, description="measures and suggestions (改进措施/建议)")),
}


@lru_cache(maxsize=None)
def extraction_model(fields: tuple[str, ...] = FIELDS) -> type[BaseModel]:
    """The top-level response model for a request asking for `fields` (in FIELDS order)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown extraction fields {sorted(unknown)}")
    ordered = [name for name in FIELDS if name in fields]
    model = create_model(
        "Extraction",
        __base__=_Lenient,
        __doc__="What this part of a 预算绩效自评报告 states, each item with a verbatim evidence quote.",
        **{name: _FIELD_TYPES[name] for name in ordered},
    )
    return model


def schema_hash(model: type[BaseModel]) -> str:
    """A content hash of a response model's JSON Schema (part of the cache key)."""
    blob = json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
