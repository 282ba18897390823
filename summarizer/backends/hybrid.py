"""The hybrid backend: rules first, the LLM fills only what the rules left empty or weak.

Weak means: a text list (achievements, problems, measures) or the indicators left empty; fewer
than MIN_FIGURES figures or no spending total or execution rate; metadata without unit name,
year or self score. Only those parts are asked for, and only from the sections whose role
matches (problems from 存在问题 sections, figures from 收支/预算执行 sections, ...), so a
report the rules read well costs no request at all. The rules' items are never replaced: the
LLM's grounded items are added where they are new, and every item's `backend` field says
which backend produced it ("rules" or "llm"). If the endpoint fails, the rules result stands
with a warning (or, with the fallback off, the error is raised).
"""

from __future__ import annotations

import logging

from ..config import Settings
from ..document import Document
from ..errors import BackendError
from ..llm.grounding import dedupe_figures
from ..llm.usage import UsageMeter
from ..schemas import Figure, Meta, Report, ReportKind
from ..structure import Layout, Role
from .base import HYBRID_FALLBACK_NOTE
from .llm import Extraction, LLMBackend
from .rules import RulesBackend

log = logging.getLogger("summarizer.llm")

MIN_FIGURES = 3
SPENDING_KEYS = {"expenditure_total", "actual_spending"}
META_FIELDS = ("unit_name", "year", "self_score")

# Which sections each part is read from when the rules left it weak.
ROLES: dict[str, set[Role]] = {
    "meta": {Role.BASIC, Role.SCORE},
    "figures": {Role.BASIC, Role.FINANCE, Role.PERFORMANCE},
    "indicators": {Role.TARGETS, Role.PERFORMANCE, Role.SCORE},
    "achievements": {Role.ACHIEVEMENTS, Role.PERFORMANCE},
    "problems": {Role.PROBLEMS, Role.PROBLEMS_AND_MEASURES},
    "measures": {Role.MEASURES, Role.PROBLEMS_AND_MEASURES},
}


def weak_parts(report: Report) -> tuple[str, ...]:
    """The parts of a rules result worth asking an LLM for."""
    weak = []
    if any(getattr(report.meta, name) is None for name in META_FIELDS):
        weak.append("meta")
    keys = {figure.key for figure in report.figures}
    if len(report.figures) < MIN_FIGURES or not keys & SPENDING_KEYS or "execution_rate" not in keys:
        weak.append("figures")
    for name in ("indicators", "achievements", "problems", "measures"):
        if not getattr(report, name):
            weak.append(name)
    return tuple(weak)


def _fill_meta(rules: Meta, llm: Meta) -> Meta:
    values = rules.model_dump(exclude={"evidence"}, exclude_none=True)
    if rules.kind is ReportKind.UNKNOWN:
        values.pop("kind", None)  # 未知 is "not read", so the model may fill it
    evidence = dict(rules.evidence)
    for name in Meta.model_fields:
        if name == "evidence" or name in values:
            continue
        value = getattr(llm, name)
        if value is None or (name == "kind" and value is ReportKind.UNKNOWN):
            continue
        values[name] = value
        if name in llm.evidence:
            evidence[name] = llm.evidence[name]
    return Meta(**values, evidence=evidence)


def _new_figures(rules: list[Figure], llm: list[Figure]) -> list[Figure]:
    """LLM figures for quantities the rules did not read (same key, period and item = known)."""
    known = {(figure.key, figure.period, figure.item) for figure in rules}
    fresh = [figure for figure in llm if (figure.key, figure.period, figure.item) not in known]
    return dedupe_figures([*rules, *fresh])


def _covered(item, items) -> bool:
    return any(item.span.start < other.span.end and other.span.start < item.span.end for other in items)


class HybridBackend:
    name = "hybrid"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rules = RulesBackend(settings)
        self.llm = LLMBackend(settings)

    def extract(self, document: Document, layout: Layout) -> Report:
        report = self.rules.extract(document, layout)
        weak = weak_parts(report)
        meter = UsageMeter()
        if not weak:
            return report.model_copy(update={"backend": self.name, "usage": meter.usage()})
        roles = set().union(*(ROLES[name] for name in weak))
        try:
            found = self.llm.extract_fields(document, layout, weak, meter=meter, roles=roles)
        except BackendError as error:
            if not self.settings.fallback:
                raise BackendError(error.message, path=document.path) from None
            log.warning("%s: %s; keeping the rules result", document.path, error.message)
            note = f"{HYBRID_FALLBACK_NOTE}{error.message}"
            return report.model_copy(
                update={"backend": self.name, "warnings": [*report.warnings, note], "usage": meter.usage()}
            )
        return self._merge(report, found, weak, meter)

    def _merge(self, report: Report, found: Extraction, weak: tuple[str, ...], meter: UsageMeter) -> Report:
        update: dict = {
            "backend": self.name,
            "prompt_hash": self.llm.prompts.hash,
            "usage": meter.usage(),
            "warnings": [*report.warnings, *found.warnings],
        }
        if "meta" in weak:
            update["meta"] = _fill_meta(report.meta, found.meta)
        if "figures" in weak:
            update["figures"] = _new_figures(report.figures, found.figures)
        for name in ("indicators", "achievements", "problems", "measures"):
            if name in weak:
                # The rules' items are never replaced: the model's are added where they are new.
                rules_items = getattr(report, name)
                update[name] = [*rules_items, *(item for item in getattr(found, name) if not _covered(item, rules_items))]
        return report.model_copy(update=update)
