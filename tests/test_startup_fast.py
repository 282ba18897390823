"""The faster drafting, JSON and start-up paths give what the plain versions gave: measure
choice, grounding rules, the figure assessment and the JSON bytes, on the samples and on
randomised needs; and a json run does not load what only other formats or a terminal need."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from summarizer.assess import (
    Alignment,
    CheckStatus,
    FigureIndex,
    FigureStatus,
    assess_figures,
    check_involves,
    is_grounding_rule,
)
from summarizer.config import Settings
from summarizer.outputs import render_json
from summarizer.pipeline import extract_report
from summarizer.suggestions import Need, choose_measure, fit, load_library

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def reports():
    settings = Settings()
    return [extract_report(path, settings) for path in SAMPLES]


# ── the plain versions, as they were ─────────────────────────────────────────────────────


def _plain_fit(need, suggestion, placed=False):
    rule_match = any(rule.startswith(prefix) for prefix in suggestion.rules for rule in need.rules)
    kind_match = need.kind in suggestion.problems
    words = [word for word in suggestion.keywords if word and word in need.text]
    hits = sum(len(word) for word in words)
    if not need.stated:
        if not (rule_match or kind_match):
            return 0
        return (200 if rule_match else 0) + (100 if kind_match else 0) + hits
    telling = any(len(word) >= 3 for word in words) or len(words) >= 2
    if not words or not (telling or (placed and suggestion.category == need.category)):
        return 0
    return hits + (5 if suggestion.category == need.category else 0)


def _plain_choose(library, need, used):
    category = next((c for c in library.categories if c.name == need.category), None)
    strength = sum(len(word) for word in category.keywords if word and word in need.text) if category else 0
    placed = strength >= 4
    scored = [
        (score - 8 * used[suggestion.id], -order, suggestion)
        for order, suggestion in enumerate(library.suggestions)
        if not suggestion.fallback and (score := _plain_fit(need, suggestion, placed)) > 0
    ]
    if scored:
        return max(scored, key=lambda row: (row[0], row[1]))[2]
    return next((s for s in library.suggestions if s.fallback), None)


def _plain_assess(report):
    open_checks = [check for check in report.checks if check.status is not CheckStatus.PASS]
    statuses = []
    for figure in report.figures:
        involved = [c for c in open_checks if any(check_involves(item, figure) for item in c.inputs)]
        grounding = tuple(c for c in involved if _plain_grounding(c.rule) and c.status is CheckStatus.FAIL)
        concerns = tuple(c for c in involved if not _plain_grounding(c.rule))
        statuses.append(FigureStatus(not grounding and figure.alignment is not Alignment.UNALIGNED, grounding, concerns))
    return statuses


def _plain_grounding(rule):
    return rule.split(".", 1)[0] in ("grounding", "ground", "grounded")


# ── the checks ───────────────────────────────────────────────────────────────────────────


def test_measure_choice_matches_the_plain_scoring_on_random_needs():
    library = load_library()
    rng = random.Random(15)
    words = sorted({w for s in library.suggestions for w in s.keywords} | {w for c in library.categories for w in c.keywords})
    kinds = sorted({k for s in library.suggestions for k in s.problems}) + ["stated", "other"]
    prefixes = sorted({r for s in library.suggestions for r in s.rules}) + ["identity.x", "rate.table_row", "zzz"]
    categories = library.category_names() + ["无此类"]
    for _ in range(1500):
        stated = rng.random() < 0.5
        text = "".join(rng.choice(words + ["，", "的", "问题", "资金", "不"]) for _ in range(rng.randint(0, 6)))
        rules = tuple(rng.choice(prefixes) + rng.choice(["", ".a", "_b"]) for _ in range(rng.randint(0, 3)))
        need = Need(kind="stated" if stated else rng.choice(kinds), rules=rules, text=text,
                    category=rng.choice(categories), stated=stated)
        used = Counter({s.id: rng.randint(0, 2) for s in rng.sample(library.suggestions, 3)})
        for suggestion in library.suggestions:
            for placed in (False, True):
                assert fit(need, suggestion, placed) == _plain_fit(need, suggestion, placed)
        assert choose_measure(library, need, used) == _plain_choose(library, need, used)


def test_grounding_rule_families():
    rng = random.Random(7)
    pieces = ["grounding", "ground", "grounded", "groundx", "gro", "identity", "", ".", ".figure", "rate"]
    for _ in range(2000):
        rule = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
        assert is_grounding_rule(rule) == _plain_grounding(rule), rule


def test_figure_assessment_and_index_match_the_plain_comparison(reports):
    rng = random.Random(3)
    for report in reports:
        assert assess_figures(report) == _plain_assess(report)
        index = FigureIndex(report.figures)
        items = [item for check in report.checks for item in check.inputs]
        for item in rng.sample(items, min(200, len(items))) * 2:  # asked twice: the remembered answer
            plain = tuple(n for n, figure in enumerate(report.figures) if check_involves(item, figure))
            assert index.involving(item) == plain


def test_json_bytes_are_model_dump_json(reports):
    for report in reports:
        assert render_json(report) == report.model_dump_json(indent=2).encode("utf-8")


# ── the batch summary in a log or a pipe ──────────────────────────────────────────────────


def test_plain_batch_table_lines_up_names_and_counts(capsys, monkeypatch):
    """A log gets the batch table as plain text: a column per field, names (wide characters
    counted as two columns) padded left, counts right, the failed row's counts blank."""
    from summarizer import console
    from summarizer.pipeline import BatchResult, Digest, Outcome
    from summarizer.schemas import CheckStatus as Status

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    outcomes = [
        Outcome(path=Path("in/乐昌市自评报告.txt"), digest=Digest(102, 0, 2, 3, 4, 0, (("identity.balance", Status.FAIL),), None)),
        Outcome(path=Path("in/b.txt"), digest=Digest(7, 12, 0, 0, 0, 1, (("rate.table_row", Status.WARN),), None, fell_back=True)),
        Outcome(path=Path("in/empty.txt"), error="in/empty.txt: file is empty"),
    ]
    console.print_batch_summary(BatchResult(outcomes=outcomes), overview=[])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "summarizer run"
    header, wide, narrow, failed = lines[1:5]
    assert header.split() == ["file", "figures", "indicators", "problems", "measures", "fail", "warn", "status"]
    assert wide.split() == ["乐昌市自评报告.txt", "102", "0", "2", "3", "4", "0", "ok"]
    assert narrow.split() == ["b.txt", "7", "12", "0", "0", "0", "1", "ok", "(rules", "fallback)"]
    assert failed.split() == ["empty.txt", "failed"]
    # every count column ends where its header ends (the wide name takes two columns a character)
    assert console._width(wide[: wide.index(" 102") + 4]) == len(header[: header.index("figures") + 7])
    assert wide.index(" ok") == narrow.index(" ok") - len("乐昌市自评报告")
    assert lines[5:] == [
        "files: 3  ok: 2  failed: 1  figures: 109  problems: 2  checks failed: 4  warned: 1",
        "most frequent failed/warned checks: identity.balance ×1, rate.table_row ×1",
        "LLM fallback: 1 of 2 reports used the rules result (the LLM request failed; see each report's warnings)",
        "failures:",
        "  in/empty.txt: file is empty",
    ]


