"""Batches: processes and a single process give the same outputs; failures do not stop a batch."""

from __future__ import annotations

import shutil
from pathlib import Path

from summarizer.config import Settings
from summarizer.pipeline import run_batch

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _corpus(tmp_path: Path, copies: int = 3) -> Path:
    folder = tmp_path / "reports"
    for n in range(copies):
        for sample in SAMPLES.glob("*.txt"):
            target = folder / f"batch{n}" / sample.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(sample, target)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def test_process_pool_matches_single_process(tmp_path):
    folder = _corpus(tmp_path)
    single = run_batch([folder], Settings(workers=1), tmp_path / "one")
    pooled = run_batch([folder], Settings(workers=2), tmp_path / "two")
    assert [o.path for o in single.outcomes] == [o.path for o in pooled.outcomes]
    assert len(single.failures) == len(pooled.failures) == 1
    assert "empty" in pooled.failures[0].error
    one = sorted(p.name for p in (tmp_path / "one").iterdir())
    two = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert one == two and len(one) == 9  # three copies of three samples, unique stems
    for name in one:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert [d.figures for d in single.digests] == [d.figures for d in pooled.digests]


def test_reports_can_be_dropped_after_on_done(tmp_path):
    folder = _corpus(tmp_path, copies=1)
    seen = []
    result = run_batch([folder], Settings(workers=1), tmp_path / "out", on_done=lambda o: seen.append(o.report), keep_reports=False)
    assert sum(report is not None for report in seen) == 3
    assert result.reports == [] and len(result.digests) == 3


def test_workers_send_back_the_digest_and_overview_row_only(tmp_path):
    from summarizer.overview import outcome_row

    folder = _corpus(tmp_path, copies=2)
    kept = run_batch([folder], Settings(workers=1, formats=("json", "html")), tmp_path / "one")
    lean = run_batch([folder], Settings(workers=2, formats=("json", "html")), tmp_path / "two", keep_reports=False, overview_rows=True)
    good = [o for o in lean.outcomes if not o.error]
    assert len(good) == 6 and all(o.report is None and o.digest is not None for o in good)
    expected = [outcome_row(o, Settings()) for o in kept.outcomes if not o.error]
    assert [o.row for o in good] == expected


def test_a_worker_collects_garbage_after_each_chunk_not_during_it(tmp_path, sample_paths):
    """A batch worker runs with automatic collection off and collects once a chunk is done,
    so cyclic garbage is bounded by one chunk and no collection pauses a report."""
    import gc

    from summarizer import pipeline

    enabled = gc.isenabled()
    try:
        pipeline._init_worker(Settings(formats=("json",)))
        assert not gc.isenabled()
        garbage = []
        garbage.append(garbage)  # a cycle only a collection frees
        del garbage
        outcomes = pipeline._process_jobs([(path, path.stem, tmp_path, True, True) for path in sample_paths])
        assert [outcome.error for outcome in outcomes] == [None] * len(sample_paths)
        assert all(outcome.row is not None and outcome.report is None for outcome in outcomes)
        assert gc.get_count()[0] < 50 and gc.garbage == []  # collected when the chunk ended
    finally:
        pipeline._worker = None
        if enabled:
            gc.enable()
