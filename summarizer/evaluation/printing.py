"""Printing evaluation results: the score tables, the misses, the mutation and comparison tables.

Presentation only (rich, loaded lazily): it reads run results, it never changes or computes a
score, beyond the differences compare_runs lists.
"""

from __future__ import annotations

import json
from typing import Any

from .runs import EvalRun, compare_runs, format_score
from .scoring import GROUPS, jsonable

_SHORT = {
    "meta": "meta",
    "figures": "figs",
    "indicators": "ind",
    "indicator_names": "ind.nm",
    "achievements": "ach",
    "problems": "prob",
    "measures": "meas",
    "findings": "find",
}


def short_name(name: str) -> str:
    """xiangyin_2022_administrative_... -> xiangyin_2022 (the table stays readable)."""
    parts = name.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 and len(name) > 24 else name


def _cell(value: float | None) -> str:
    if value is None:
        return "[dim]—[/dim]"
    colour = "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"
    return f"[{colour}]{value:.2f}[/{colour}]"


def print_run(run: EvalRun, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    data = run.as_dict()
    groups = [g for g in GROUPS if g in data["overall"]]
    from rich import box

    table = Table(title=f"summarizer eval — backend {run.backend} (F1 per field group)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("report", no_wrap=True)
    for group in groups:
        table.add_column(_SHORT[group], justify="right", no_wrap=True, min_width=4)
    table.add_column("narr", justify="right", no_wrap=True, min_width=4)
    for name, report in data["reports"].items():
        label = short_name(name) + (" [red](error)[/red]" if report.get("error") else "")
        table.add_row(
            label,
            *[_cell(report["groups"].get(g, {}).get("f1")) for g in groups],
            _cell(report["narrative"].get("share")),
        )
    table.add_section()
    table.add_row(
        "[bold]overall[/bold]",
        *[_cell(data["overall"][g]["f1"]) for g in groups],
        _cell(data["narrative"].get("share")),
    )
    console.print(table)

    detail = Table(title="overall precision / recall / F1")
    for column in ("group", "tp", "fp", "fn", "precision", "recall", "F1"):
        detail.add_column(column, justify="left" if column == "group" else "right")
    for group in groups:
        row = data["overall"][group]
        detail.add_row(group, str(row["tp"]), str(row["fp"]), str(row["fn"]), _cell(row["precision"]), _cell(row["recall"]), _cell(row["f1"]))
    console.print(detail)
    attributes = data["figure_attributes"]
    console.print(
        "figure attributes among matched figures: "
        + " ".join(f"{name} {format_score(row['accuracy'])} ({row['right']}/{row['total']})" for name, row in attributes.items())
    )
    narrative = data["narrative"]
    if narrative.get("skipped"):
        console.print(f"narrative faithfulness: skipped ({narrative['skipped']})")
    else:
        console.print(f"narrative faithfulness: {narrative['supported']}/{narrative['numbers']} numbers found in source or checks")
    if run.mutation:
        print_mutation(run.mutation, console)


def print_misses(run: EvalRun, console=None, limit: int = 12) -> None:
    from rich.console import Console

    console = console or Console()
    for score in run.reports:
        lines = []
        for group_name, group in score.groups.items():
            for miss in group.misses[:limit]:
                lines.append(f"  [yellow]miss[/yellow] {group_name}: {json.dumps(miss, ensure_ascii=False, default=jsonable)}")
            for extra in group.false_positives[:limit]:
                lines.append(f"  [red]extra[/red] {group_name}: {json.dumps(extra, ensure_ascii=False, default=jsonable)}")
            for wrong in group.extra.get("attribute_misses", [])[:limit]:
                lines.append(f"  [dim]attr[/dim] {group_name}: {json.dumps(wrong, ensure_ascii=False, default=jsonable)}")
        if lines:
            console.print(f"[bold]{short_name(score.name)}[/bold]")
            for line in lines:
                console.print(line, highlight=False)


def print_mutation(mutation: dict[str, Any], console) -> None:
    from rich.table import Table

    table = Table(title=f"mutation (N={mutation['per_sample']} per sample, seed {mutation['seed']})")
    for column in ("kind", "copies", "expected to be caught", "caught", "catch rate"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, row in mutation["by_kind"].items():
        table.add_row(
            kind,
            str(row["copies"]),
            "yes" if row["expect_catch"] else "no",
            str(row["caught"]),
            _cell(row["catch_rate"]),
        )
    console.print(table)
    f1 = Table(title="extraction F1: clean vs mutated copies")
    for column in ("group", "clean", "mutated", "Δ"):
        f1.add_column(column, justify="left" if column == "group" else "right")
    for group, row in mutation["f1"].items():
        delta = row["delta"]
        f1.add_row(group, _cell(row["clean"]), _cell(row["mutated"]), "—" if delta is None else f"{delta:+.2f}")
    console.print(f1)


def print_comparison(before: dict[str, Any], after: dict[str, Any], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    metadata, differences = compare_runs(before, after)
    for key, (a, b) in metadata.items():
        console.print(f"{key}: {a} → {b}", highlight=False)
    if not differences:
        console.print("no score differs between the two runs")
        return
    table = Table(title="score differences (A → B)")
    for column in ("scope", "group", "metric", "A", "B", "Δ"):
        table.add_column(column, justify="left" if column in ("scope", "group", "metric") else "right")
    for diff in differences:
        delta = diff.delta
        shown = "—" if delta is None else (f"[green]{delta:+.3f}[/green]" if delta > 0 else f"[red]{delta:+.3f}[/red]")
        table.add_row(diff.scope, diff.group, diff.metric, format_score(diff.before), format_score(diff.after), shown)
    console.print(table)
