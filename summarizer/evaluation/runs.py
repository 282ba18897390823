"""Evaluation runs: extract every sample that has a gold file, score it, and keep the run.

    samples + gold dir ──evaluate──▶ EvalRun (per report, overall, run metadata) ──write_run──▶ run file
    samples + gold dir ──evaluate_mutations──▶ perturbed copies: what verification catches
    EvalRun + thresholds ──check_thresholds──▶ the scores below their minimum
    run file A + run file B ──compare_runs──▶ what changed

This is the one evaluation module that runs the pipeline and touches files; the scoring rules
are in scoring.py, the gold model in gold.py, the perturbations in ../mutate.py, the tables in
printing.py. A pipeline error scores as an empty report and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError, SummarizerError
from ..schemas import Check, CheckStatus, Report
from .gold import Gold, load_gold
from .scoring import (
    GROUPS,
    NAME_THRESHOLD,
    TEXT_THRESHOLD,
    Counts,
    Faithfulness,
    GroupScore,
    ReportScore,
    check_numbers,
    empty_score,
    jsonable,
    overall_counts,
    overall_faithfulness,
    round_score,
    score_faithfulness,
    score_report,
)


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


@dataclass
class EvalRun:
    backend: str
    reports: list[ReportScore]
    metadata: dict[str, Any] = field(default_factory=dict)
    mutation: dict[str, Any] | None = None
    extractions: dict[str, Report] = field(default_factory=dict, repr=False)  # not written to the run file

    @property
    def overall(self) -> dict[str, Counts]:
        return overall_counts(self.reports)

    @property
    def narrative(self) -> Faithfulness:
        return overall_faithfulness(self.reports)

    @property
    def figure_attributes(self) -> dict[str, Any]:
        """Among matched figures: how often the period (budget/actual/prior year) and the item agree."""
        totals = {"period": [0, 0], "item": [0, 0]}
        for score in self.reports:
            extra = score.groups.get("figures", GroupScore()).extra
            for name in totals:
                right, total = extra.get(name, [0, 0])
                totals[name][0] += right
                totals[name][1] += total
        return {
            name: {"right": right, "total": total, "accuracy": round_score(right / total) if total else None}
            for name, (right, total) in totals.items()
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "summarizer-eval-run",
            **self.metadata,
            "backend": self.backend,
            "overall": {name: counts.as_dict() for name, counts in self.overall.items()},
            "narrative": self.narrative.as_dict(),
            "figure_attributes": self.figure_attributes,
            "reports": {score.name: score.as_dict() for score in self.reports},
            **({"mutation": self.mutation} if self.mutation is not None else {}),
        }


def pair_gold_with_samples(gold_dir: Path, samples_dir: Path) -> list[tuple[Path, Path]]:
    """(gold file, sample file) pairs, matched by file stem; a gold file without a sample is an error."""
    gold_files = sorted(Path(gold_dir).glob("*.json"))
    if not gold_files:
        raise ConfigError(f"no gold files (*.json) in {gold_dir}; pass --gold DIR")
    from ..ingest import SUPPORTED

    pairs = []
    for gold_file in gold_files:
        candidates = sorted(
            path for path in Path(samples_dir).glob(gold_file.stem + ".*") if path.suffix.lower() in SUPPORTED
        )
        if not candidates:
            raise ConfigError(f"gold file {gold_file.name} has no sample {gold_file.stem}.* in {samples_dir}; pass --samples DIR")
        pairs.append((gold_file, candidates[0]))
    return pairs


def prompts_hash() -> str | None:
    """Content hash of the prompt templates an LLM run would use (None when they cannot be found)."""
    try:
        from ..llm.prompts import PromptSet

        return PromptSet().hash
    except Exception:  # noqa: BLE001 - the LLM helpers are optional for scoring
        return None


def extract_and_score(
    path: Path, gold: Gold, settings, backend=None, *, name: str | None = None, narrative: bool = True
) -> tuple[ReportScore, Report | None]:
    """Run the pipeline on one file and score it; a pipeline error scores as an empty report."""
    from ..ingest import read_document
    from ..pipeline import extract_report

    name = name or Path(path).stem
    try:
        report = extract_report(Path(path), settings, backend)
        document = read_document(Path(path), settings) if narrative else None
    except SummarizerError as error:
        return empty_score(name, gold, error.one_line()), None
    except Exception as error:  # noqa: BLE001 - a stage bug scores as a failed report; the run goes on
        return empty_score(name, gold, f"{type(error).__name__}: {error} (a bug in the pipeline)"), None
    if document is None:
        return score_report(report, gold, name=name, narrative=Faithfulness(skipped="not computed for mutated copies")), report
    narrative = narrative_score(report, document.text, settings)
    return score_report(report, gold, name=name, narrative=narrative), report


def _narrative_renderer() -> Callable[..., str] | None:
    try:
        from .. import render
    except ImportError:
        return None
    return getattr(render, "render_narrative", None)


def narrative_score(report: Report, source_text: str, settings) -> Faithfulness:
    renderer = _narrative_renderer()
    if renderer is None:
        return Faithfulness(skipped="render.render_narrative not available yet")
    try:
        text = renderer(report, settings)
    except Exception as exc:  # noqa: BLE001 - a renderer bug must not stop the scoring run
        return Faithfulness(skipped=f"render_narrative failed: {type(exc).__name__}: {exc}")
    return score_faithfulness(text, source_text, report.checks)


def evaluate(
    gold_dir: Path,
    samples_dir: Path,
    settings,
    *,
    backend=None,
    on_done: Callable[[ReportScore], None] | None = None,
) -> EvalRun:
    """Extract every sample that has a gold file, score it, and collect the run."""
    from .. import __version__
    from ..backends import get_backend
    from ..schemas import SCHEMA_VERSION

    pairs = pair_gold_with_samples(gold_dir, samples_dir)
    backend = backend or get_backend(settings)
    scores: list[ReportScore] = []
    extractions: dict[str, Report] = {}
    hashes: set[str] = set()
    for gold_file, sample in pairs:
        score, report = extract_and_score(sample, load_gold(gold_file), settings, backend, name=gold_file.stem)
        if report is not None:
            extractions[gold_file.stem] = report
            if report.prompt_hash:
                hashes.add(report.prompt_hash)
        scores.append(score)
        if on_done is not None:
            on_done(score)
    backend_name = getattr(backend, "name", settings.backend)
    metadata = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "prompt_hash": ",".join(sorted(hashes)) if hashes else (prompts_hash() if backend_name != "rules" else None),
        "gold_dir": str(gold_dir),
        "samples_dir": str(samples_dir),
        "model": settings.model if backend_name != "rules" else None,
        "thresholds_text": TEXT_THRESHOLD,
        "thresholds_name": NAME_THRESHOLD,
    }
    return EvalRun(backend=backend_name, reports=scores, metadata=metadata, extractions=extractions)


# --------------------------------------------------------------------------------------------
# Mutation runs
# --------------------------------------------------------------------------------------------

ROBUSTNESS_GROUPS = tuple(group for group in GROUPS if group != "findings")


def check_signature(check: Check) -> tuple[str, str, tuple[str, ...]]:
    numbers = sorted({format(n.quantize(Decimal("0.01")) if abs(n) < 10**12 else n, "f") for n in check_numbers(check)})
    return check.rule, check.status.value, tuple(numbers)


def new_alarms(clean: Sequence[Check], mutated: Sequence[Check]) -> list[Check]:
    """Fail/warn checks of the mutated copy that the clean report did not raise."""
    alarm = (CheckStatus.FAIL, CheckStatus.WARN)
    before = {check_signature(c) for c in clean if c.status in alarm}
    return [c for c in mutated if c.status in alarm and check_signature(c) not in before]


def count_mutations(gold_dir: Path, samples_dir: Path, n: int) -> int:
    """How many copies evaluate_mutations will extract (for a progress bar)."""
    from ..ingest import TEXT_SUFFIXES

    return n * sum(1 for _gold, sample in pair_gold_with_samples(gold_dir, samples_dir) if sample.suffix.lower() in TEXT_SUFFIXES)


def evaluate_mutations(
    gold_dir: Path,
    samples_dir: Path,
    settings,
    n: int,
    *,
    clean: EvalRun,
    seed: int = 0,
    backend=None,
    on_done: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """N mutated copies per text sample: what verification catches, how extraction F1 moves.

    A copy is "caught" when its verification raises a fail or warn that the clean report did not
    (compared by rule, status and the numbers involved). Extraction is scored on each copy and,
    for the comparison, the clean extraction is scored against the same adjusted gold, so the
    difference is the edit's effect on extraction alone.
    """
    import tempfile

    from ..backends import get_backend
    from ..ingest import TEXT_SUFFIXES, read_document
    from ..mutate import EXPECT_CATCH, KINDS, mutate

    backend = backend or get_backend(settings)
    copies: list[dict[str, Any]] = []
    mutated_totals: dict[str, Counts] = {}
    clean_totals: dict[str, Counts] = {}
    by_kind: dict[str, dict[str, Any]] = {
        kind: {"copies": 0, "expect_catch": EXPECT_CATCH[kind], "caught": 0, "catch_rate": None} for kind in KINDS
    }
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="summarizer-mutate-") as folder:
        for gold_file, sample in pair_gold_with_samples(gold_dir, samples_dir):
            if sample.suffix.lower() not in TEXT_SUFFIXES:
                skipped.append(f"{sample.name}: only text reports are mutated")
                continue
            clean_report = clean.extractions.get(gold_file.stem)
            if clean_report is None:
                skipped.append(f"{sample.name}: the clean extraction failed")
                continue
            document = read_document(sample, settings)
            for mutation in mutate(document, load_gold(gold_file), n, seed=seed, name=gold_file.stem):
                path = Path(folder) / f"{gold_file.stem}.m{mutation.index}{sample.suffix}"
                path.write_text(mutation.text, encoding="utf-8")
                score, report = extract_and_score(path, mutation.gold, settings, backend, name=path.stem, narrative=False)
                baseline = score_report(clean_report, mutation.gold, name=gold_file.stem)
                alarms = new_alarms(clean_report.checks, report.checks) if report is not None else []
                for name in ROBUSTNESS_GROUPS:
                    if name in score.groups:
                        mutated_totals.setdefault(name, Counts())
                        mutated_totals[name] += score.groups[name].counts
                        clean_totals.setdefault(name, Counts())
                        clean_totals[name] += baseline.groups[name].counts
                row = by_kind[mutation.kind]
                row["copies"] += 1
                row["caught"] += bool(alarms)
                copies.append(
                    {
                        "report": gold_file.stem,
                        "index": mutation.index,
                        "kind": mutation.kind,
                        "edit": mutation.description,
                        "expect_catch": mutation.expect_catch,
                        "caught": bool(alarms),
                        "new_alarms": [f"{c.status.value} {c.rule}" for c in alarms],
                        "error": score.error,
                        "f1": {
                            name: {"clean": round_score(baseline.groups[name].counts.f1), "mutated": round_score(score.groups[name].counts.f1)}
                            for name in ROBUSTNESS_GROUPS
                            if name in score.groups
                        },
                    }
                )
                if on_done is not None:
                    on_done(mutation)
    for row in by_kind.values():
        row["catch_rate"] = round_score(row["caught"] / row["copies"]) if row["copies"] else None
    expected = [c for c in copies if c["expect_catch"]]
    quiet = [c for c in copies if not c["expect_catch"]]
    f1 = {}
    for name in ROBUSTNESS_GROUPS:
        if name not in mutated_totals:
            continue
        before, after = clean_totals[name].f1, mutated_totals[name].f1
        f1[name] = {
            "clean": round_score(before),
            "mutated": round_score(after),
            "delta": None if before is None or after is None else round(after - before, 4),
        }
    return {
        "per_sample": n,
        "seed": seed,
        "copies": len(copies),
        "caught": sum(c["caught"] for c in expected),
        "expected_to_be_caught": len(expected),
        "catch_rate": round_score(sum(c["caught"] for c in expected) / len(expected)) if expected else None,
        "alarms_on_harmless_edits": sum(c["caught"] for c in quiet),
        "by_kind": by_kind,
        "f1": f1,
        "mutations": copies,
        **({"skipped": skipped} if skipped else {}),
    }


# --------------------------------------------------------------------------------------------
# Thresholds and comparison
# --------------------------------------------------------------------------------------------


def load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} is not valid JSON ({exc})", path=path) from None


def check_thresholds(run: EvalRun | dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Every score below its minimum, as one message each; an empty list means the run passes.

    Keys of a thresholds file: min_f1 and min_recall (per field group, overall micro scores),
    min_figure_attributes (period, item accuracy among matched figures) and min_narrative_share.
    A group with nothing to score (F1 None) fails its minimum: a guard must not pass on no data.
    """
    data = run.as_dict() if isinstance(run, EvalRun) else run
    failures = []
    for group, minimum in thresholds.get("min_f1", {}).items():
        got = data["overall"].get(group, {}).get("f1")
        if got is None or got < minimum:
            failures.append(f"{group}: F1 {format_score(got)} below the minimum {minimum:.3f}")
    for group, minimum in thresholds.get("min_recall", {}).items():
        got = data["overall"].get(group, {}).get("recall")
        if got is None or got < minimum:
            failures.append(f"{group}: recall {format_score(got)} below the minimum {minimum:.3f}")
    attributes = data.get("figure_attributes", {})
    for name, minimum in thresholds.get("min_figure_attributes", {}).items():
        got = attributes.get(name, {}).get("accuracy")
        if got is None or got < minimum:
            failures.append(f"figure {name}: accuracy {format_score(got)} below the minimum {minimum:.3f}")
    minimum = thresholds.get("min_narrative_share")
    if minimum is not None:
        narrative = data.get("narrative", {})
        if not narrative.get("skipped"):
            got = narrative.get("share")
            if got is None or got < minimum:
                failures.append(f"narrative: faithfulness {format_score(got)} below the minimum {minimum:.3f}")
    return failures


def format_score(value: float | None) -> str:
    """A score as thresholds messages and tables show it: three decimals, — for nothing to score."""
    return "—" if value is None else f"{value:.3f}"


@dataclass
class Difference:
    scope: str  # "overall" or a report name
    group: str
    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)


def compare_runs(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, tuple[Any, Any]], list[Difference]]:
    """(run metadata that differs, every score that differs) between two run files."""
    meta_keys = ("backend", "prompt_hash", "package_version", "schema_version", "model", "timestamp")
    metadata = {key: (before.get(key), after.get(key)) for key in meta_keys if before.get(key) != after.get(key)}
    differences: list[Difference] = []

    def walk(scope: str, groups_before: dict[str, Any], groups_after: dict[str, Any]) -> None:
        for group in [*GROUPS, *sorted(set(groups_before) | set(groups_after) - set(GROUPS))]:
            a, b = groups_before.get(group), groups_after.get(group)
            if a is None and b is None:
                continue
            for metric in ("precision", "recall", "f1"):
                va, vb = (a or {}).get(metric), (b or {}).get(metric)
                if va != vb:
                    differences.append(Difference(scope, group, metric, va, vb))

    walk("overall", before.get("overall", {}), after.get("overall", {}))
    share_a, share_b = before.get("narrative", {}).get("share"), after.get("narrative", {}).get("share")
    if share_a != share_b:
        differences.append(Difference("overall", "narrative", "share", share_a, share_b))
    reports_a, reports_b = before.get("reports", {}), after.get("reports", {})
    for name in sorted(set(reports_a) | set(reports_b)):
        walk(name, reports_a.get(name, {}).get("groups", {}), reports_b.get(name, {}).get("groups", {}))
    return metadata, differences


# --------------------------------------------------------------------------------------------
# Run files
# --------------------------------------------------------------------------------------------


def write_run(run: EvalRun, path: Path) -> None:
    from ..outputs import write_atomic

    data = json.dumps(run.as_dict(), ensure_ascii=False, indent=2, default=jsonable)
    write_atomic(Path(path), (data + "\n").encode("utf-8"))
