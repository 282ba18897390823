"""The evidence view (issue 14): the report's text with every extracted item highlighted and
linked both ways with the drafted problems, questions and figures; inert whatever the text holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings
from summarizer.evidence_view import collect, highlight, render_evidence
from summarizer.ingest import read_document
from summarizer.pipeline import extract_report
from summarizer.schemas import Figure, FigureKind, Report, Source, Span, TextItem

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.depth = 0
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.depth += 1
            if attrs.get("href", "").startswith("#"):
                self.hrefs.append(attrs["href"][1:])

    def handle_endtag(self, tag):
        if tag == "a":
            self.depth -= 1
            self.balanced &= self.depth >= 0


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_highlight_and_entry_links_to_the_other(path):
    settings = Settings()
    report = extract_report(path, settings)
    text = read_document(path, settings).original
    html = render_evidence(report, text, settings)
    parser = _Anchors()
    parser.feed(html)
    assert parser.balanced and parser.depth == 0
    assert parser.hrefs and all(target in parser.ids for target in parser.hrefs)
    marks, entries = collect(report, text)
    assert any(m.kind in ("figure", "flagged") for m in marks) and entries
    for entry in entries:
        assert all(f"m-{key}" in parser.ids for key in entry.marks)
    # The page holds the report's whole text, in order, once the highlights are taken away.
    body = html.split('<article class="text">', 1)[1].split("</article>", 1)[0]
    plain = re.sub(r"</?a\b[^>]*>", "", body)
    assert plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'") == text


def test_report_text_stays_text_and_overlapping_spans_nest():
    text = "前言<script>alert(1)</script>预算100万元，支出90万元。"
    start = text.index("100")
    figure = Figure(key="budget", label="预算", value=Decimal(100), unit="万元", kind=FigureKind.MONEY,
                    value_wan=Decimal(100), span=Span(start=start, end=start + 5), evidence="预算100万元")
    item = TextItem(text="预算100万元，支出", span=Span(start=start - 2, end=start + 8), evidence="预算100万元，支出")
    crossing = TextItem(text="万元，支出90", span=Span(start=start + 3, end=start + 11), evidence="万元，支出90")
    source = Source(path="x.txt", sha256="0" * 64, length=len(text), encoding="utf-8", format="txt")
    report = Report(figures=[figure], problems=[item, crossing], source=source)
    marks, _ = collect(report, text)
    html = str(highlight(text, marks))
    assert "<script>" not in html and "&lt;script&gt;" in html
    parser = _Anchors()
    parser.feed(html)
    assert parser.balanced and parser.depth == 0


def test_run_writes_the_evidence_view_beside_the_summary_and_links_them(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(SAMPLES[0]), "--out", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    stem = SAMPLES[0].stem
    evidence = out / f"{stem}.evidence.html"
    assert evidence.is_file()
    summary = (out / f"{stem}.html").read_text(encoding="utf-8")
    assert f'href="./{stem}.evidence.html#m-f' in summary
    page = evidence.read_text(encoding="utf-8")
    assert f'href="./{stem}.html"' in page
    # Every place the summary points to in the evidence view exists there.
    parser = _Anchors()
    parser.feed(page)
    targets = re.findall(rf'href="\./{re.escape(stem)}\.evidence\.html#([^"]+)"', summary)
    assert targets and all(target in parser.ids for target in targets)


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium binary")
def test_chromium_draws_the_highlights(tmp_path):
    settings = Settings()
    report = extract_report(SAMPLES[0], settings)
    page = tmp_path / "evidence.html"
    page.write_text(render_evidence(report, read_document(SAMPLES[0], settings).original, settings), encoding="utf-8")
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, timeout=120, check=True).stdout.decode("utf-8")
    assert dom.count('class="mark') >= 10 and 'id="m-f0"' in dom
    shot = tmp_path / "shot.png"
    subprocess.run([*common, "--virtual-time-budget=2000", f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a drawn page, not a blank one
