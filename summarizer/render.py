"""Render a verified Report (views.py builds what the templates see; formatting.py escapes): the 综述 narrative, the one-page summary (md, html, docx) and the
drafted 存在问题/改进措施 sections.

One strict Jinja environment per templates folder (StrictUndefined; autoescape for .html
templates; a ChoiceLoader that looks in the user's --templates folder first, so a file of the
same name overrides a built-in template). Templates live in summarizer/templates/.

What rendering must never do: state a number the report does not (it formats figures as the
report wrote them and computes none for the narrative), or state a figure whose grounding check
failed as fact: such figures are left out of the narrative and carry their warning wherever
they are shown. Figures involved in another failed or warned check are shown with the check's
message. DOCX is built from the same Markdown the md output holds, so a template override
reaches it too; python-docx is imported only when a DOCX is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    pass_context,
    select_autoescape,
)
from markupsafe import Markup

from .config import Settings
from .draft import clip, number_text  # noqa: F401  (re-exported for templates' callers and tests)
from .errors import ConfigError, OutputError
from .formatting import (  # noqa: F401  (re-exported: overview, render_docx and tests read them here)
    XML_ILLEGAL,
    _MD_ESCAPED,
    cn_date,
    cn_index,
    item_text,
    md_cell,
    md_escape,
    md_unescape,
    one_line,
    xml_text,
)
from .schemas import Report

# views.py builds what the summaries' templates see; the batch index (the one page a json run
# renders) needs none of it, so it is loaded when a summary is rendered. Its names stay
# importable from here (module __getattr__).
_VIEW_NAMES = ("LIST_LIMIT", "PAGE_FIGURES", "TEXT_LIMIT", "build_context", "_meta_view")


def __getattr__(name: str) -> Any:
    if name in _VIEW_NAMES:
        from . import views

        return getattr(views, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _context(report: Report, settings: Settings | None = None, drafted: Any = None, statuses: Any = None) -> dict[str, Any]:
    """views.build_context: what every template sees."""
    from .views import build_context

    return build_context(report, settings, drafted, statuses)


def _title(report: Report) -> str:
    from .views import _meta_view

    return _meta_view(report).title

NARRATIVE_TEMPLATE = "narrative.md.j2"
SUMMARY_MD_TEMPLATE = "summary.md.j2"
SUMMARY_HTML_TEMPLATE = "summary.html.j2"
DRAFT_TEMPLATE = "draft.md.j2"
INDEX_TEMPLATE = "index.html.j2"


@pass_context
def _finalize(context, value: Any) -> Any:
    """Every {{ value }} of a Markdown template is Markdown-escaped (HTML templates are
    autoescaped by Jinja as HTML). Markdown templates run with autoescape on, so a macro's
    output (already escaped) is Markup and is not escaped twice; `| safe` opts out."""
    if not (context.name or "").endswith((".md.j2", ".md")) or isinstance(value, Markup):
        return value
    return Markup(md_escape(str(value)))


# ── the environment ──────────────────────────────────────────────────────────────────────


@lru_cache(maxsize=8)
def _environment(user_dir: str | None) -> Environment:
    loaders = [FileSystemLoader(user_dir)] if user_dir else []
    loaders.append(PackageLoader("summarizer", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "md.j2", "md"), default_for_string=False, default=False
        ),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=number_text, clip=clip, one_line=one_line, cell=md_cell, cn=cn_index)
    return env


def environment(settings: Settings | None = None) -> Environment:
    """The one Jinja environment for these settings (user templates first, then built-ins)."""
    user_dir = settings.templates_dir if settings is not None else None
    if user_dir is not None:
        user_dir = Path(user_dir)
        if not user_dir.is_dir():
            raise ConfigError("templates folder not found; fix --templates", path=user_dir)
        return _environment(str(user_dir.resolve()))
    return _environment(None)


def render_template(name: str, settings: Settings | None = None, **context: Any) -> str:
    env = environment(settings)
    try:
        return env.get_template(name).render(**context)
    except TemplateError as exc:
        if settings is not None and settings.templates_dir is not None:
            raise ConfigError(
                f"template {name} failed ({type(exc).__name__}: {exc}); fix it or remove it from the --templates folder",
                path=settings.templates_dir,
            ) from None
        raise


# ── public renderers ─────────────────────────────────────────────────────────────────────


def render_narrative(report: Report, settings: Settings | None = None) -> str:
    """The 综述 in Markdown. Every number in it is a figure's value as written, or a value from
    a verification check; figures that failed grounding are left out."""
    return render_template(NARRATIVE_TEMPLATE, settings, **_context(report, settings))


def render_draft(report: Report, settings: Settings | None = None) -> str:
    """The drafted 存在问题 and 改进措施 sections in Markdown (`summarizer draft`)."""
    return render_template(DRAFT_TEMPLATE, settings, **_context(report, settings))


def render_summary_markdown(report: Report, settings: Settings | None = None) -> str:
    return render_template(SUMMARY_MD_TEMPLATE, settings, **_context(report, settings))


def render_summary_html(report: Report, settings: Settings | None = None) -> str:
    return render_template(SUMMARY_HTML_TEMPLATE, settings, **_context(report, settings))


def render_markdown(report: Report, settings: Settings | None = None) -> str:
    """The md output: the one-page summary followed by the 综述."""
    return _markdown(_context(report, settings), settings)


def _markdown(context: dict[str, Any], settings: Settings | None) -> str:
    summary = render_template(SUMMARY_MD_TEMPLATE, settings, **context)
    narrative = render_template(NARRATIVE_TEMPLATE, settings, **context)
    return summary.rstrip() + "\n\n---\n\n" + narrative.lstrip()


def render_docx(report: Report, settings: Settings | None = None) -> bytes:
    """The reviewer's filing copy: the Markdown output laid out as a Word document."""
    return markdown_to_docx(render_markdown(report, settings), title=_title(report), settings=settings)


def render_formats(
    report: Report, formats: Iterable[str], settings: Settings, evidence_page: str = "", drafted: Any = None,
    statuses: Any = None,
) -> dict[str, bytes]:
    """Every requested non-JSON format of one report, from one context (the draft and the
    figure assessment are computed once, or taken from the caller as `drafted` and `statuses`,
    and docx reuses the md text). `evidence_page` is the relative link of the report's evidence
    view, when one is written beside the summary."""
    wanted = list(formats)
    unknown = [fmt for fmt in wanted if fmt not in ("md", "html", "docx")]
    if unknown:
        raise OutputError(f"no renderer for format {unknown[0]!r}; choose md, html or docx")
    context = _context(report, settings, drafted, statuses)
    context["evidence_page"] = evidence_page
    rendered: dict[str, bytes] = {}
    markdown = _markdown(context, settings) if {"md", "docx"} & set(wanted) else ""
    for fmt in wanted:
        if fmt == "md":
            rendered[fmt] = markdown.encode("utf-8")
        elif fmt == "html":
            rendered[fmt] = render_template(SUMMARY_HTML_TEMPLATE, settings, **context).encode("utf-8")
        else:
            rendered[fmt] = markdown_to_docx(markdown, title=_title(report), settings=settings)
    return rendered


def render_format(report: Report, fmt: str, settings: Settings) -> bytes:
    """One non-JSON format of one report."""
    return render_formats(report, [fmt], settings)[fmt]


# ── DOCX (summarizer/render_docx.py) ────────────────────────────────────────────────────


def markdown_to_docx(markdown: str, title: str = "", settings: Settings | None = None) -> bytes:
    """The Markdown output laid out for filing; see render_docx (imported only when asked)."""
    from .render_docx import markdown_to_docx as lay_out

    return lay_out(markdown, title=title, reference=_reference_docx(settings))


def _reference_docx(settings: Settings | None) -> Path | None:
    """A reviewer's own reference.docx in --templates restyles the DOCX (its styles, page and fonts)."""
    folder = settings.templates_dir if settings is not None else None
    candidate = Path(folder) / "reference.docx" if folder else None
    return candidate if candidate is not None and candidate.is_file() else None


__all__ = [
    "build_context",
    "environment",
    "render_docx",
    "render_draft",
    "render_format",
    "render_markdown",
    "render_narrative",
    "render_summary_html",
    "render_summary_markdown",
    "render_template",
    "markdown_to_docx",
]
