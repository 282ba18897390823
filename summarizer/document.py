"""The Document: a report's decoded text, its normalised analysis text and the map between them.

Produced by ingest, read by every later stage. No I/O here.

`original` is the text as decoded from the file (for .docx/.pdf: the text layer in reading
order). `text` is the normalised text every analysis runs on. `offsets[i]` is the index in
`original` of the character that produced `text[i]`; `offsets` has len(text) + 1 entries, the
last one being len(original), so a half-open normalised range maps to a half-open original
range. Spans in the output are always original offsets, computed here and nowhere else.
`pages` holds, for a paged source (a PDF, read or OCR'd), the original offset where each page
starts, so a span can be traced to its page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .schemas import Evidence, Source, Span

# Span(start=..., end=...) through its validator alone: the same validated model, a third cheaper
# (span() makes ~150 a report).
_new_span = Span.__pydantic_validator__.validate_python


@dataclass(frozen=True)
class Document:
    path: str
    original: str
    text: str
    offsets: list[int] = field(repr=False)
    encoding: str = "utf-8"
    format: str = "txt"
    sha256: str = ""
    pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()  # what ingest could not read (scanned pages without OCR)

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.text) + 1:
            raise ValueError("offsets must have len(text) + 1 entries")

    def source(self) -> Source:
        """The output contract's record of where a report came from."""
        return Source(
            path=self.path,
            sha256=self.sha256,
            length=len(self.original),
            encoding=self.encoding,
            format=self.format,
            pages=list(self.pages),
        )

    def span(self, start: int, end: int) -> Span:
        """Map a normalised [start, end) range to original offsets."""
        return _new_span(self.span_fields(start, end))

    def span_fields(self, start: int, end: int) -> dict[str, int]:
        """span(start, end) as the fields of a Span, for a model that validates its span itself
        (the rules backend builds a Figure's Span only for the figures it keeps)."""
        if 0 <= start < end <= len(self.text):  # the common case, needing no clamping
            # The end maps through the last character so a trailing deletion is not swallowed.
            return {"start": self.offsets[start], "end": self.offsets[end - 1] + 1}
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if end == start:
            at = self.offsets[start]
            return {"start": at, "end": at}
        return {"start": self.offsets[start], "end": self.offsets[end - 1] + 1}

    def page_of(self, original_offset: int) -> int | None:
        """The 1-based page holding an original offset, or None for a source without pages."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, original_offset))

    def quote(self, start: int, end: int) -> str:
        """The normalised text of a range, trimmed, as an evidence quote."""
        return self.text[start:end].strip()

    def evidence(self, start: int, end: int) -> Evidence:
        # Trim whitespace first so the span and the quote cover the same characters.
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Evidence(span=self.span(start, end), quote=self.text[start:end])


def plain_document(text: str, path: str = "<text>") -> Document:
    """A Document whose text needs no normalisation (tests, LLM fixtures)."""
    return Document(path=path, original=text, text=text, offsets=list(range(len(text) + 1)))


def covering(ranges: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test "does [start, end) lie inside one of these ranges", by bisection over their union
    (tables skipped by a later pass: scanning every range for every position is quadratic)."""
    merged: list[list[int]] = []
    for start, end in sorted((a, b) for a, b in ranges if a < b):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts = [start for start, _ in merged]

    def inside(start: int, end: int) -> bool:
        at = bisect_right(starts, start) - 1
        return at >= 0 and end <= merged[at][1]

    return inside
