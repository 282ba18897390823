"""The reviewer's page (issue 14): drafts never accuse wrongly, say each check once, and name
the unit, on the samples and on the development corpus (../shared/corpus, gold in eval/corpus).

A ［数据显示］ problem rests only on failed checks whose relation is certain and whose numbers are
grounded; on the corpus every such check must be one the hand-read gold lists as a finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.draft import draft
from summarizer.evaluation.gold import load_gold
from summarizer.evaluation.scoring import finding_matches
from summarizer.pipeline import extract_report
from summarizer.render import md_unescape, render_draft, render_markdown
from summarizer.schemas import CheckStatus

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
GOLD_DIR = ROOT / "eval" / "corpus"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS = [
    (gold, CORPUS_DIR / f"{gold.stem}.txt")
    for gold in sorted(GOLD_DIR.glob("*.json"))
    if (CORPUS_DIR / f"{gold.stem}.txt").is_file()
]
needs_corpus = pytest.mark.skipif(not CORPUS, reason="the development corpus (../shared/corpus) is not beside this checkout")


def _said_once(report, text: str) -> list[str]:
    """Open checks whose message appears more than once in `text`."""
    plain = md_unescape(text)
    repeated = []
    for check in report.checks:
        if check.status is CheckStatus.PASS:
            continue
        probe = " ".join(check.message.split())[:40]
        if len(probe) >= 12 and plain.count(probe) > 1:
            repeated.append(probe)
    return repeated


def _assert_reviewer_page(report, name: str) -> None:
    drafted = draft(report)
    for problem in drafted.found:
        assert problem.checks, f"{name}: {problem.id} asserts without a failed check"
        for index in problem.checks:
            assert report.checks[index].status is CheckStatus.FAIL
    for problem in drafted.problems:
        assert len(drafted.measures_for(problem.id)) == 1
    for measure in drafted.measures:
        assert "““" not in measure.text and "””" not in measure.text
    markdown = render_markdown(report, Settings())
    title = markdown.splitlines()[0]
    assert "未识别单位名称" not in title
    if report.meta.unit_name:
        assert " ".join(report.meta.unit_name.split()) in md_unescape(title)
    assert _said_once(report, markdown) == [], name
    assert _said_once(report, render_draft(report, Settings())) == [], name
    texts = [q.text for q in drafted.questions]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_are_drafted_without_wrong_accusations_or_repeats(path):
    _assert_reviewer_page(extract_report(path, Settings()), path.stem)


@needs_corpus
@pytest.mark.parametrize(("gold_path", "path"), CORPUS, ids=[gold.stem for gold, _ in CORPUS])
def test_corpus_data_problems_rest_only_on_gold_findings(gold_path, path):
    report = extract_report(path, Settings())
    gold = load_gold(gold_path)
    _assert_reviewer_page(report, path.stem)
    for problem in draft(report).found:
        for index in problem.checks:
            check = report.checks[index]
            assert any(finding_matches(finding, check) for finding in gold.findings), (
                f"{path.stem}: {problem.id} rests on {check.rule} «{check.message}», which gold does not list"
            )
