"""The evidence view: one page per report showing the report's own text with every extracted
figure, indicator, stated item and check input highlighted, linked both ways with a side list
(drafted problems, 需核实事项, figures): click an entry and land on its highlighted place; click a
highlight and land on its entry.

Takes the decoded source text the spans point into (Report spans are offsets into it) and the
Report; reads no file, changes nothing, states no number of its own. Everything from the report
is HTML-escaped by the template environment; highlights are built from spans, never from HTML
in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from .assess import FigureStatus, assess_figures, clip, figure_name, figure_text
from .config import Settings
from .draft import Draft, draft
from .schemas import CheckStatus, Report, Span

EVIDENCE_TEMPLATE = "evidence.html.j2"
# Bounds for a pathological report: marks beyond these are not drawn (the JSON has them all).
MARK_LIMIT = 3000
TEXT_LIMIT_CHARS = 400_000

# kind -> (legend word, CSS class)
KINDS: dict[str, tuple[str, str]] = {
    "figure": ("数字（核验通过）", "fig"),
    "flagged": ("数字（有核验提示或未通过）", "flag"),
    "indicator": ("绩效指标", "ind"),
    "achievement": ("主要成效", "ach"),
    "problem": ("报告所述问题", "prob"),
    "measure": ("报告所提措施", "meas"),
    "check": ("核验涉及的数字", "chk"),
}


@dataclass
class Mark:
    id: str  # the anchor of the highlight: m-<id>
    kind: str
    start: int
    end: int
    title: str
    entry: str = ""  # the side-list entry it links back to (an id), if any
    aliases: list[str] = field(default_factory=list)  # other items at the same span (m-<alias> lands here)


@dataclass
class Entry:
    id: str
    label: str
    text: str
    kind: str
    marks: list[str] = field(default_factory=list)  # highlight ids it links to


def _valid(span: Span | None, length: int) -> bool:
    return span is not None and 0 <= span.start < span.end <= length


def collect(
    report: Report, text: str, drafted: Draft | None = None, statuses: list[FigureStatus] | None = None
) -> tuple[list[Mark], list[Entry]]:
    """Highlights and side entries, cross-linked. `statuses` is assess_figures(report) when the caller has it."""
    drafted = drafted or draft(report)
    length = len(text)
    marks: list[Mark] = []
    entries: list[Entry] = []
    statuses = statuses if statuses is not None else assess_figures(report)
    by_span: dict[tuple[int, int], str] = {}

    def add(kind: str, span: Span | None, title: str, key: str) -> str | None:
        if not _valid(span, length) or len(marks) >= MARK_LIMIT:
            return None
        existing = by_span.get((span.start, span.end))
        if existing is not None:
            if existing != key:
                next(m for m in marks if m.id == existing).aliases.append(key)
            return existing
        marks.append(Mark(key, kind, span.start, span.end, title))
        by_span[(span.start, span.end)] = key
        return key

    figure_marks: dict[int, str] = {}
    for n, (figure, status) in enumerate(zip(report.figures, statuses)):
        kind = "figure" if status.status == "ok" else "flagged"
        title = f"{figure_name(figure)} {figure_text(figure)}" + (f"｜{clip(status.notes[0], 80)}" if status.notes else "")
        key = add(kind, figure.span, title, f"f{n}")
        if key is not None:
            figure_marks[n] = key
    check_marks: dict[int, list[str]] = {}
    for n, check in enumerate(report.checks):
        if check.status is CheckStatus.PASS:
            continue
        for k, item in enumerate(check.inputs):
            key = add("check", item.span, clip(check.message, 80), f"c{n}-{k}")
            if key is not None:
                check_marks.setdefault(n, []).append(key)

    # Figures and check inputs first: a stated item with the same span as a figure is that figure.
    for kind, items in (("indicator", report.indicators), ("achievement", report.achievements),
                        ("problem", report.problems), ("measure", report.measures)):
        for n, item in enumerate(items):
            add(kind, item.span, KINDS[kind][0], f"{kind[:3]}{n}")

    def marks_of(evidence, checks) -> list[str]:
        found = [by_span[(e.span.start, e.span.end)] for e in evidence if e.span is not None and (e.span.start, e.span.end) in by_span]
        for index in checks:
            found.extend(check_marks.get(index, []))
        return list(dict.fromkeys(found))

    for problem in drafted.problems:
        label = "报告所述" if problem.origin.value == "stated" else "数据显示"
        entries.append(Entry(problem.id, f"{problem.id}［{label}］", problem.text, "problem", marks_of(problem.evidence, problem.checks)))
    for question in drafted.questions:
        entries.append(Entry(question.id, question.id, question.text, "question", marks_of(question.evidence, question.checks)))
    for n, key in figure_marks.items():
        figure = report.figures[n]
        status = statuses[n]
        entries.append(Entry(f"x-{key}", "数字", f"{figure_name(figure)} {figure_text(figure)}",
                             "figure" if status.status == "ok" else "flagged", [key]))
    # A highlight links back to the first entry that cites it.
    back = {}
    for entry in entries:
        for key in entry.marks:
            back.setdefault(key, entry.id)
    for mark in marks:
        mark.entry = back.get(mark.id, "")
    return marks, entries


def _escape(text: str) -> str:
    """markupsafe.escape's output as a plain str (a highlighted report makes thousands of pieces;
    building a Markup for each cost more than the replacing)."""
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def highlight(text: str, marks: list[Mark]) -> Markup:
    """The text as HTML with nested <a class=mark> highlights. A span that crosses the end of an
    enclosing one is cut at that end, so the tags always nest."""
    text = text[:TEXT_LIMIT_CHARS]
    ordered = sorted((m for m in marks if m.end <= len(text)), key=lambda m: (m.start, -m.end))
    out: list[str] = []
    stack: list[int] = []  # ends of open marks
    position = 0

    def close_until(limit: int) -> None:
        nonlocal position
        while stack and stack[-1] <= limit:
            end = stack.pop()
            out.append(_escape(text[position:end]))
            position = end
            out.append("</a>")

    for mark in ordered:
        close_until(mark.start)
        end = min(mark.end, stack[-1]) if stack else mark.end
        if end <= mark.start:
            continue
        out.append(_escape(text[position:mark.start]))
        position = mark.start
        target = f"#{mark.entry}" if mark.entry else f"#m-{mark.id}"
        out.extend(f'<a class="alias" id="m-{_escape(alias)}"></a>' for alias in mark.aliases)
        out.append(
            f'<a class="mark {KINDS[mark.kind][1]}" id="m-{mark.id}" href="{_escape(target)}" title="{_escape(mark.title)}">'
        )
        stack.append(end)
    close_until(len(text))
    out.append(_escape(text[position:]))
    return Markup("".join(out))


def render_evidence(report: Report, text: str, settings: Settings | None = None, drafted: Draft | None = None,
                    summary_href: str = "", statuses: list[FigureStatus] | None = None) -> str:
    from .render import render_template
    from .views import _meta_view

    marks, entries = collect(report, text, drafted, statuses)
    used = {mark.kind for mark in marks}
    legend = [(KINDS[kind][1], KINDS[kind][0]) for kind in KINDS if kind in used]
    # The side list's groups, each in entry order (one pass instead of a filter per group in the template).
    entries_by_kind: dict[str, list[Entry]] = {}
    for entry in entries:
        entries_by_kind.setdefault(entry.kind, []).append(entry)
    return render_template(
        EVIDENCE_TEMPLATE,
        settings,
        meta=_meta_view(report),
        body=highlight(text, marks),
        entries=entries,
        entries_by_kind=entries_by_kind,
        numbers=[entry for entry in entries if entry.kind in ("figure", "flagged")],
        legend=legend,
        summary_href=summary_href,
        truncated=len(text) > TEXT_LIMIT_CHARS or len(marks) >= MARK_LIMIT,
    )
