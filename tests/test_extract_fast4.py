"""Equality checks for the extract-fast4 rewrites (issue 15): each fast form against its plain one."""

import random
import re
from pathlib import Path

from summarizer.backends import rules_figures
from summarizer.document import Document
from summarizer.schemas import Figure

_SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))


def _pieces(count: int, seed: int):
    texts = [path.read_text(encoding="utf-8") for path in _SAMPLES]
    rng = random.Random(seed)
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        yield text[start : start + rng.randint(0, 900)]


def test_a_figure_built_from_span_fields_is_the_figure_built_from_the_span():
    rng = random.Random(4)
    for piece in _pieces(60, 4):
        # An offset map with gaps (deleted characters), as normalisation leaves.
        offsets, at = [], 0
        for _ in range(len(piece) + 1):
            offsets.append(at)
            at += rng.choice((1, 1, 2))
        document = Document(path="<t>", original="x" * at, text=piece, offsets=offsets)
        for _ in range(20):
            start, end = rng.randint(-3, len(piece) + 3), rng.randint(-3, len(piece) + 3)
            fields = document.span_fields(start, end)
            span = document.span(start, end)
            assert span.start <= span.end and fields == span.model_dump()
            figure = {"key": "count", "label": "x", "value": 1, "unit": "个", "kind": "count", "evidence": "x"}
            assert Figure(**figure, span=fields) == Figure(**figure, span=span)


def _stretch_starts_plain(text: str, position: int) -> tuple[int, int, int]:
    starts = rules_figures._ClauseStarts(text)
    return (starts.start(re.compile("[。\n]"), position, 600), starts.start(re.compile("[。\n；;]"), position, 400),
            starts.start(re.compile("[。\n；;，,\t]"), position, 60))


def test_stretch_starts_are_the_last_stops_within_reach():
    for piece in _pieces(80, 5):
        stretch_starts = rules_figures._StretchStarts(piece)
        for position in range(0, len(piece) + 1, 7):
            assert stretch_starts(position) == _stretch_starts_plain(piece, position), (piece, position)
