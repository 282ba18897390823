"""The one interface every extraction backend implements. No I/O."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..document import Document
from ..schemas import Report
from ..structure import Layout


# The warning a report carries when its LLM extraction failed and the rules result stands in
# (backend llm) or stands alone (backend hybrid); the batch summary counts these.
LLM_FALLBACK_NOTE = "LLM 后端失败，已改用规则提取结果："
HYBRID_FALLBACK_NOTE = "LLM 补充提取失败，仅保留规则提取结果："
FALLBACK_NOTES = (LLM_FALLBACK_NOTE, HYBRID_FALLBACK_NOTE)


@runtime_checkable
class Backend(Protocol):
    """Extract a Document (with its Layout) into a Report whose `checks` are still empty.

    Implementations must ground every item: a span into the source and an evidence quote
    computed by code, never taken on trust from a model.
    """

    name: str

    def extract(self, document: Document, layout: Layout) -> Report: ...
