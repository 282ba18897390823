"""Token usage: a thread-safe meter per report, and the sum over a run. No I/O."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from ..schemas import Report, TokenUsage


class UsageMeter:
    """Adds up requests and tokens from the threads working on one report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.estimated = False

    def add(self, *, requests: int = 0, input_tokens: int = 0, output_tokens: int = 0, estimated: bool = False) -> None:
        with self._lock:
            self.requests += requests
            self.input_tokens += input_tokens
            self.output_tokens += output_tokens
            self.estimated = self.estimated or estimated

    def usage(self) -> TokenUsage:
        with self._lock:
            return TokenUsage(
                input_tokens=self.input_tokens,
                output_tokens=self.output_tokens,
                requests=self.requests,
                estimated=self.estimated,
            )


def total_usage(reports: Iterable[Report | Any]) -> TokenUsage | None:
    """The sum of the usage of reports (or anything with a `usage`, such as the batch's digests),
    or None when none of them used an LLM."""
    found = [report.usage for report in reports if report.usage is not None]
    if not found:
        return None
    return TokenUsage(
        input_tokens=sum(usage.input_tokens for usage in found),
        output_tokens=sum(usage.output_tokens for usage in found),
        requests=sum(usage.requests for usage in found),
        estimated=any(usage.estimated for usage in found),
    )
