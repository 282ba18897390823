"""Regression guard: the rules backend must keep the scores stored in eval/thresholds.json.

The guard is `evaluation.runs.check_thresholds` over a real `evaluate` run on samples/ against
eval/gold/. The other tests here feed deliberately broken extractors through the same
evaluation to show that the guard fails, and fails on the right groups.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.backends import get_backend
from summarizer.evaluation.runs import check_thresholds, evaluate
from summarizer.evaluation.scoring import GROUPS
from summarizer.schemas import Report, Source

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "eval" / "gold"
SAMPLES_DIR = ROOT / "samples"
THRESHOLDS = json.loads((ROOT / "eval" / "thresholds.json").read_text(encoding="utf-8"))
# The development corpus: real reports beside the checkout (../shared/corpus), gold in eval/corpus.
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS_GOLD_DIR = ROOT / "eval" / "corpus"


class EmptyBackend:
    """A broken extractor: finds nothing at all."""

    name = "empty"

    def extract(self, document, layout) -> Report:
        return Report(
            source=Source(path=document.path, sha256=document.sha256, length=len(document.original), encoding="utf-8", format="txt"),
            backend=self.name,
        )


class ForgetfulBackend:
    """A subtly broken extractor: the real rules backend, but it drops every problem after the first."""

    name = "forgetful"

    def __init__(self, settings) -> None:
        self.inner = get_backend(settings)

    def extract(self, document, layout) -> Report:
        report = self.inner.extract(document, layout)
        return report.model_copy(update={"problems": report.problems[:1]})


@pytest.fixture(scope="module")
def settings():
    from summarizer.config import resolve_settings

    return resolve_settings(environ={})


@pytest.fixture(scope="module")
def rules_run(settings):
    return evaluate(GOLD_DIR, SAMPLES_DIR, settings)


def test_thresholds_cover_every_field_group():
    assert THRESHOLDS["backend"] == "rules"
    assert set(THRESHOLDS["min_f1"]) == set(GROUPS)
    assert all(0 < value <= 1 for value in THRESHOLDS["min_f1"].values())


def test_rules_backend_meets_the_thresholds(rules_run):
    assert not any(score.error for score in rules_run.reports), [score.error for score in rules_run.reports]
    failures = check_thresholds(rules_run, THRESHOLDS)
    assert failures == [], "accuracy regression:\n" + "\n".join(failures)


def test_guard_fails_with_an_extractor_that_finds_nothing(settings):
    run = evaluate(GOLD_DIR, SAMPLES_DIR, settings, backend=EmptyBackend())
    failures = check_thresholds(run, THRESHOLDS)
    failed_groups = {failure.split(":")[0] for failure in failures}
    # Everything the extractor is responsible for fails; so do the findings (nothing to verify).
    assert {"meta", "figures", "indicators", "achievements", "problems", "measures", "findings"} <= failed_groups
    assert run.overall["figures"].tp == 0 and run.overall["figures"].fn > 50


def test_guard_names_exactly_the_group_that_regressed(settings):
    run = evaluate(GOLD_DIR, SAMPLES_DIR, settings, backend=ForgetfulBackend(settings))
    failures = check_thresholds(run, THRESHOLDS)
    assert [failure.split(":")[0] for failure in failures] == ["problems"]
    assert run.overall["problems"].recall < 1


def test_guard_fails_when_the_pipeline_crashes(settings):
    class CrashingBackend:
        name = "crashing"

        def extract(self, document, layout):
            raise RuntimeError("boom")

    run = evaluate(GOLD_DIR, SAMPLES_DIR, settings, backend=CrashingBackend())
    assert all("RuntimeError: boom" in score.error for score in run.reports)
    assert check_thresholds(run, THRESHOLDS)


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the development corpus (../shared/corpus) is not beside this checkout")
def test_rules_backend_meets_the_corpus_thresholds(settings):
    """Real reports of other units, read by hand: the scores that measure the genre, not three samples."""
    run = evaluate(CORPUS_GOLD_DIR, CORPUS_DIR, settings)
    assert len(run.reports) == len(list(CORPUS_GOLD_DIR.glob("*.json")))
    assert not any(score.error for score in run.reports), [score.error for score in run.reports]
    failures = check_thresholds(run, THRESHOLDS["corpus"])
    assert failures == [], "accuracy regression on the corpus:\n" + "\n".join(failures)


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the development corpus (../shared/corpus) is not beside this checkout")
@pytest.mark.parametrize("width", [30, 50])
def test_the_corpus_hard_wrapped_as_a_pdf_text_layer_meets_the_same_thresholds(settings, tmp_path, width):
    """The same reports with every paragraph cut at a page width (evaluation.layouts.hard_wrap):
    the corpus thresholds hold (findings among them: false alarms lower their precision)."""
    from summarizer.evaluation.layouts import wrap_folder

    wrap_folder(CORPUS_DIR, tmp_path, width)
    run = evaluate(CORPUS_GOLD_DIR, tmp_path, settings)
    assert len(run.reports) == len(list(CORPUS_GOLD_DIR.glob("*.json")))
    assert not any(score.error for score in run.reports), [score.error for score in run.reports]
    failures = check_thresholds(run, THRESHOLDS["corpus"])
    assert failures == [], f"accuracy regression on the corpus wrapped at {width}:\n" + "\n".join(failures)
