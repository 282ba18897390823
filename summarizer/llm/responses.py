"""Response models for the LLM, derived from the output contract in schemas.py, and their compact schema. No I/O.

A model is asked for what only reading can give: labels, values as written, periods, texts and
a verbatim evidence quote per item. Everything code must compute is removed from the derived
models, so the model is never asked for it and never trusted with it: spans, alignment, the
backend, value_wan, the figure kind, the table flag and the numbers inside a text item.
Field names, types and enums come from schemas.py, so the contract is stated once.
`extraction_model(fields)` builds the top-level model for the parts a request asks for (all
of them for `--backend llm`; the weak ones for `--backend hybrid`), once per field set.

The JSON Schema a model is shown is compact (`compact_schema`): no titles, defaults or
null branches, descriptions only where a name does not say enough (in Chinese, as the
reports are), sub-models used once written in place, untyped text fields, and every value
list given once: the figure keys and periods with their meaning in a description (validators
check them; an unknown value is re-asked with the error), other enums as enums. The top-level model returns this schema from `model_json_schema`,
so instructor sends it in every mode; it is built once per model and cached.
"""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from ..schemas import FIGURE_KEYS, Figure, Indicator, Meta, Period, TextItem

FIELDS = ("meta", "figures", "indicators", "achievements", "problems", "measures")
TEXT_FIELDS = ("achievements", "problems", "measures")

_GROUNDING = {"span", "alignment", "backend"}
_EVIDENCE = Field(min_length=1)  # what evidence must be is said once, in the system prompt


class _Lenient(BaseModel):
    # Models add harmless extra keys (ids, comments); ignoring them saves a re-ask.
    model_config = ConfigDict(extra="ignore")


def _clean_number(value: Any) -> Any:
    """'1,179.61' -> '1179.61'; anything else is left for pydantic to judge."""
    if isinstance(value, str):
        return value.replace(",", "").replace("，", "").strip()
    return value


def _known_key(value: str) -> str:
    if value not in FIGURE_KEYS:
        raise ValueError(f"unknown figure key {value!r}; use one of the keys listed in the description of key")
    return value


def _derive(
    source: type[BaseModel],
    name: str,
    overrides: dict[str, Any],
    validators: dict[str, Any] | None = None,
    computed: frozenset[str] = frozenset(),
):
    """A response model with `source`'s fields, less the computed ones; descriptions only from overrides."""
    fields: dict[str, Any] = {}
    for field_name, info in source.model_fields.items():
        if field_name in _GROUNDING or field_name in computed:
            continue
        if field_name in overrides:
            fields[field_name] = overrides[field_name]
        else:
            kept = copy.copy(info)
            kept.description = None  # schemas.py describes the output contract for people, not for the model
            fields[field_name] = (info.annotation, kept)
    return create_model(name, __base__=_Lenient, __validators__=validators or {}, **fields)


_number_validator = field_validator("value", "weight", "score", mode="before", check_fields=False)(
    classmethod(lambda cls, value: _clean_number(value))
)
_key_validator = field_validator("key")(classmethod(lambda cls, value: _known_key(value)))

FigureResponse = _derive(
    Figure,
    "Figure",
    {
        "key": (str, Field(description=",".join(f"{key}={name}" for key, name in FIGURE_KEYS.items()))),
        "label": (str, Field(description="原文名称")),
        "value": (Decimal, Field(description="原文数字，不换算")),
        "unit": (str, Field(description="原文单位")),
        "period": (
            Period,
            Field(Period.UNSPECIFIED, description="budget=预算/年初/计划,adjusted=调整预算,actual=决算/实际,prior_year=上年,unspecified=未说明"),
        ),
        "item": (str | None, Field(None, description="所属项目或科目")),
        "evidence": (str, _EVIDENCE),
    },
    {"_numbers": _number_validator, "_key": _key_validator},
    frozenset({"value_wan", "kind", "table"}),
)
IndicatorResponse = _derive(
    Indicator,
    "Indicator",
    {
        "level1": (str | None, Field(None, description="一级指标")),
        "level2": (str | None, Field(None, description="二级指标")),
        "weight": (Decimal | None, Field(None, description="分值")),
        "evidence": (str, _EVIDENCE),
    },
    {"_numbers": _number_validator},
)
TextItemResponse = _derive(
    TextItem,
    "Item",
    {"text": (str, Field(min_length=2)), "evidence": (str, _EVIDENCE)},
    computed=frozenset({"numbers"}),
)
MetaResponse = _derive(
    Meta,
    "Meta",
    {"evidence": (dict[str, str], Field(default_factory=dict, description="字段名→原文引文"))},
)

_FIELD_TYPES: dict[str, Any] = {
    "meta": (MetaResponse | None, Field(None)),
    "figures": (list[FigureResponse], Field(default_factory=list, description="金额、比率、数量、得分")),
    "indicators": (list[IndicatorResponse], Field(default_factory=list, description="绩效指标")),
    "achievements": (list[TextItemResponse], Field(default_factory=list, description="主要成效")),
    "problems": (list[TextItemResponse], Field(default_factory=list, description="存在问题")),
    "measures": (list[TextItemResponse], Field(default_factory=list, description="改进措施或建议")),
}

_DROP = {"title", "default", "minLength"}


def _compact(node: Any, defs: dict[str, Any], uses: dict[str, int]) -> Any:
    """One schema node made compact: see the module docstring."""
    if isinstance(node, list):
        return [_compact(item, defs, uses) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if uses.get(name, 0) <= 1:  # written in place: a reference costs more than it saves
            inlined = _compact(defs[name], defs, uses)
            extra = {key: _compact(value, defs, uses) for key, value in node.items() if key != "$ref" and key not in _DROP}
            return _tidy({**inlined, **extra})
        return {key: value for key, value in node.items() if key not in _DROP}
    if "anyOf" in node:
        branches = [branch for branch in node["anyOf"] if branch != {"type": "null"}]
        rest = {key: value for key, value in node.items() if key != "anyOf"}
        if len(branches) == 1:
            return _compact({**branches[0], **rest}, defs, uses)
        if all(set(branch) == {"type"} for branch in branches):
            # Decimal is number-or-string; the model is asked for the number as written.
            kinds = [branch["type"] for branch in branches]
            return _compact({"type": "string" if "string" in kinds else kinds[0], **rest}, defs, uses)
        node = {**rest, "anyOf": branches}
    return _tidy({
        key: (_compact(value, defs, uses) if key != "properties" else {k: _compact(v, defs, uses) for k, v in value.items()})
        for key, value in node.items()
        if key not in _DROP and key != "$defs"
    })


def _tidy(node: dict[str, Any]) -> dict[str, Any]:
    if "enum" in node and "description" in node:
        node = {key: value for key, value in node.items() if key != "enum"}  # the description lists the values
    if node.get("type") == "string" and set(node) <= {"type", "description"}:
        node = {key: value for key, value in node.items() if key != "type"}  # text is what an untyped field holds
    return node


def _count_refs(node: Any, uses: dict[str, int]) -> None:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            uses[name] = uses.get(name, 0) + 1
        for value in node.values():
            _count_refs(value, uses)
    elif isinstance(node, list):
        for item in node:
            _count_refs(item, uses)


def compact_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The schema the model is shown: pydantic's, made compact (see the module docstring)."""
    full = BaseModel.model_json_schema.__func__(model)  # pydantic's own, not the override below
    defs = full.get("$defs", {})
    uses: dict[str, int] = {}
    _count_refs({key: value for key, value in full.items() if key != "$defs"}, uses)
    for name, definition in defs.items():
        _count_refs(definition, uses)
    kept = {name: _compact(defs[name], defs, uses) for name in defs if uses.get(name, 0) > 1}
    schema = {"title": full["title"], **_compact(full, defs, uses)}
    if kept:
        schema["$defs"] = kept
    return schema


class _Extraction(_Lenient):
    """预算绩效自评报告的抽取结果"""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        # What instructor puts in the request (the tool's parameters in TOOLS mode): the compact form.
        return copy.deepcopy(_schema_of(cls))


@lru_cache(maxsize=None)
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return compact_schema(model)


SCHEMA_IN_PROMPT = {"title": "Extraction", "type": "object", "description": "按系统消息中给出的 JSON Schema 输出"}


@lru_cache(maxsize=None)
def prompted_model(model: type[BaseModel]) -> type[BaseModel]:
    """`model` for the JSON modes, whose schema the system prompt carries as one compact line.

    instructor's JSON and MD_JSON modes append the schema to the system message pretty-printed
    (indent 2), which costs as much again as the schema itself; this subclass validates exactly
    like `model` but shows instructor only a pointer to the schema already in the prompt.
    """

    class Prompted(model):  # type: ignore[misc, valid-type]
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
            return dict(SCHEMA_IN_PROMPT)

    Prompted.__name__ = Prompted.__qualname__ = model.__name__
    return Prompted


@lru_cache(maxsize=None)
def extraction_model(fields: tuple[str, ...] = FIELDS) -> type[BaseModel]:
    """The top-level response model for a request asking for `fields` (in FIELDS order), built once."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown extraction fields {sorted(unknown)}")
    ordered = [name for name in FIELDS if name in fields]
    return create_model(
        "Extraction", __base__=_Extraction, __doc__=_Extraction.__doc__, **{name: _FIELD_TYPES[name] for name in ordered}
    )


@lru_cache(maxsize=None)
def schema_text(model: type[BaseModel]) -> str:
    """The compact schema as one line of UTF-8 JSON, as the system prompt carries it."""
    return json.dumps(model.model_json_schema(), ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=None)
def schema_hash(model: type[BaseModel]) -> str:
    """A content hash of a response model's schema (part of the cache key), computed once per model."""
    blob = json.dumps(model.model_json_schema(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
