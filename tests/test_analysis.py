"""One analysis, built once: structure reads the text; extraction and verification read the analysis."""

from __future__ import annotations

from pathlib import Path

from summarizer import numbers
from summarizer.config import resolve_settings
from summarizer.ingest import read_document
from summarizer.pipeline import extract_report
from summarizer.structure import analyse, blocks, sentence_starts

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_the_whole_text_is_scanned_for_numbers_once(monkeypatch):
    path = SAMPLES / "xiangyin_2022_administrative_approval_bureau_department.txt"
    settings = resolve_settings(environ={})
    text = read_document(path, settings).text
    scans = []
    real = numbers._find

    def counting(scanned, start, end, with_bare):
        if scanned == text and (start, end) == (0, len(text)):
            scans.append(with_bare)
        return real(scanned, start, end, with_bare)

    numbers._find_all.cache_clear()
    monkeypatch.setattr(numbers, "_find", counting)
    report = extract_report(path, settings)
    assert report.figures and report.checks
    assert len(scans) == 1  # structure's analysis; rules and verify read Layout.quantities


def test_the_analysis_holds_quantities_sentences_and_blocks():
    text = "一、收支情况\n本年支出100万元。其中基本支出60万元，\n项目支出40万元。\n\t预算数\t执行数\n合计\t100\t98\n"
    from summarizer.document import plain_document

    layout = analyse(plain_document(text))
    assert [str(q.value) for q in layout.quantities if q.unit] == ["100", "60", "40"]
    assert [str(q.value) for q in layout.quantities_in(text.index("其中"), len(text), with_bare=False)] == ["60", "40"]
    assert layout.sentence_starts == sentence_starts(text) and (layout.block_starts, layout.block_tables) == blocks(text)
    # a line wrapped after a comma does not end the sentence; 。 does
    assert text.index("项目支出") not in layout.sentence_starts and text.index("其中") in layout.sentence_starts


def test_sentence_starts_is_linear_on_long_text():
    """No copy of the text before each line break (the old rstrip of a prefix was quadratic)."""
    text = ("某某工作有序推进\n" * 20000)[:-1]
    starts = sentence_starts(text)
    assert len(starts) == 1  # wrapped lines of one sentence: no new sentence at each break
