"""The one interface every extraction backend implements. No I/O."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..document import Document
from ..schemas import Report
from ..structure import Layout


@runtime_checkable
class Backend(Protocol):
    """Extract a Document (with its Layout) into a Report whose `checks` are still empty.

    Implementations must ground every item: a span into the source and an evidence quote
    computed by code, never taken on trust from a model.
    """

    name: str

    def extract(self, document: Document, layout: Layout) -> Report: ...
