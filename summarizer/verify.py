"""Verification pass (issue 3): grounding, identities, rates, consistency, plausibility."""

from __future__ import annotations

from .document import Document
from .schemas import Check, Report


def verify(report: Report, document: Document) -> list[Check]:
    return []
