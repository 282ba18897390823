"""The DOCX is ready to file: A4, 公文 fonts with free alternatives, page numbers, the one-page
summary on page one and the 综述 from page two (checked in LibreOffice where it is installed),
and a reviewer's reference.docx restyles it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.pipeline import extract_report
from summarizer.render import render_docx

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def documents():
    return {path.stem: render_docx(extract_report(path, Settings()), Settings()) for path in SAMPLES}


def test_a4_with_gongwen_fonts_their_alternatives_and_page_numbers(documents):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    data = next(iter(documents.values()))
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    footer = section.footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    font_table = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in font_table and "w:altName" in font_table


def test_a_reference_docx_in_the_templates_folder_restyles_it(tmp_path):
    import docx
    from docx.shared import Mm

    reference = docx.Document()
    reference.sections[0].page_width = Mm(182)  # B5-ish: clearly not ours
    reference.add_paragraph("template text that must not be kept")
    reference.save(tmp_path / "reference.docx")
    report = extract_report(SAMPLES[0], Settings())
    document = docx.Document(io.BytesIO(render_docx(report, Settings(templates_dir=tmp_path))))
    assert abs(document.sections[0].page_width - Mm(182)) < Mm(1)
    assert "template text" not in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_the_summary_fills_page_one_and_the_narrative_opens_page_two(tmp_path, documents):
    pypdf = pytest.importorskip("pypdf")
    for stem, data in documents.items():
        (tmp_path / f"{stem}.docx").write_bytes(data)
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *sorted(str(p) for p in tmp_path.glob("*.docx"))],
        check=True, capture_output=True, timeout=300,
    )
    for stem in documents:
        pages = pypdf.PdfReader(tmp_path / f"{stem}.pdf").pages
        assert abs(float(pages[0].mediabox.width) - 595.3) < 2  # A4
        texts = [page.extract_text() for page in pages]
        assert "审阅摘要" in texts[0] and "改进措施" in texts[0], f"{stem}: the summary is on page one"
        assert "一、单位概况" in texts[1], f"{stem}: the 综述 opens page two"
        assert "— 1 —" in texts[0].replace("\n", " ") or "1" in texts[0].splitlines()[-1]


# ── the body written as WordprocessingML text (render_docx writes the XML python-docx would) ──

TRICKY = (
    "# 标题 <script>&amp; **加粗**\x07\n"
    "> 来源\t制表 · 尾随空格 \n"
    "- 要点 \\*星号\\* 与 [链接文字](http://example.org)\n"
    "  - 子项\n"
    "| 项目 | 数值 | 核验 |\n"
    "| --- | --- | --- |\n"
    "| 预算\x08数 | **100**万元 |\n"
    "\n---\n\n"
    "## 一、单位概况\n"
    "正文  段落\x1f。\n"
    "\n|---|---|\n\n"  # a lone rule line is no table
)


def _read(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def test_paragraphs_runs_and_styles_read_back_as_written():
    from summarizer.render_docx import markdown_to_docx

    document = _read(markdown_to_docx(TRICKY, title="标题"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs == [
        ("Heading 1", "标题 <script>&amp; 加粗"),  # escaped text stays text; the control character is gone
        ("Quote", "来源\t制表 · 尾随空格"),
        ("List Bullet", "要点 *星号* 与 链接文字"),
        ("List Bullet 2", "子项"),
        ("Heading 2", "一、单位概况"),
        ("Normal", "正文  段落。"),
    ]
    heading = document.paragraphs[0]
    assert [run.bold for run in heading.runs] == [None, True]
    assert heading.runs[0].font.size.pt == 15  # the one-page summary's sizes
    assert document.paragraphs[2].runs[0].font.size.pt == 10.5
    narrative = document.paragraphs[4]
    assert narrative.paragraph_format.page_break_before and narrative.runs[0].font.size is None
    assert document.core_properties.title == "标题"


def test_a_table_has_its_style_bold_header_and_every_cell():
    from summarizer.render_docx import markdown_to_docx

    document = _read(markdown_to_docx(TRICKY))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [["项目", "数值", "核验"], ["预算数", "100万元", ""]]
    assert all(run.bold and run.font.size.pt == 10.5 for run in table.rows[0].cells[0].paragraphs[0].runs)
    assert [run.bold for run in table.rows[1].cells[1].paragraphs[0].runs] == [True, None]
    assert sum(column.width for column in table.columns) <= document.sections[0].page_width


def test_a_title_is_clipped_to_what_word_accepts_and_never_holds_controls():
    from summarizer.render_docx import TITLE_MAX, markdown_to_docx

    document = _read(markdown_to_docx("正文\n", title="单位\x07" + "长" * 400))
    assert document.core_properties.title == ("单位" + "长" * 400)[:TITLE_MAX]


def test_a_changed_reference_docx_is_read_again(tmp_path):
    import os

    import docx
    from docx.shared import Mm

    from summarizer.render_docx import markdown_to_docx

    reference = tmp_path / "reference.docx"
    widths = []
    for page_width in (Mm(182), Mm(200)):
        template = docx.Document()
        template.sections[0].page_width = page_width
        template.save(reference)
        os.utime(reference, ns=(0, len(widths) * 10**9))  # a new stamp even within one clock tick
        document = _read(markdown_to_docx("# 标题\n", reference=reference))
        widths.append(round(document.sections[0].page_width.mm))
        assert [p.style.name for p in document.paragraphs] == ["Heading 1"]
    assert widths == [182, 200]


@pytest.mark.parametrize(
    ("markdown", "runs"),
    [
        ("plain 文本", [("plain 文本", False)]),
        ("a **b** c", [("a ", False), ("b", True), (" c", False)]),
        ("**unclosed", [("**unclosed", False)]),
        ("x *y* z", [("x *y* z", False)]),
        ("\\*not bold\\* \\\\ \\<b\\>", [("*not bold* \\ <b>", False)]),
        ("\\d stays", [("\\d stays", False)]),
        ("see [the \\] text](javascript:x) end", [("see the ] text end", False)]),
        ("[no link] here", [("[no link] here", False)]),
        ("***", [("***", False)]),
        ("a****b", [("a", False), ("b", False)]),
        ("", []),
    ],
)
def test_inline_markdown_becomes_plain_and_bold_runs(markdown, runs):
    from summarizer.render_docx import _runs

    assert _runs(markdown) == runs
