"""Lay the Markdown output out as a DOCX ready to file: A4, 公文 typography, page numbers.

Reads only what our templates emit (headings, bullets, numbered lines, pipe tables, quotes, a
rule between the one-page summary and the 综述) and never adds words or numbers of its own.

Typography follows GB/T 9704 where a review summary allows it: the title in 方正小标宋简体, headings
in 黑体, body text in 仿宋_GB2312, page numbers "— n —" centred in the footer. Where those fonts
are not installed, Word and LibreOffice take the alternative each font names (w:altName in the
font table: 思源宋体/Noto Serif CJK SC, 思源黑体/Noto Sans CJK SC, 文泉驿 for the body), so the
document stays legible on a free system. A reviewer's reference.docx (in --templates) replaces
all of it: its styles and page set-up are used as they are.

python-docx is imported here only, so the CLI's --help never loads it.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

from .formatting import _MD_ESCAPED, md_unescape, xml_text

# (East Asian font, its free alternative, Latin font)
TITLE_FONT = ("方正小标宋简体", "Noto Serif CJK SC", "Times New Roman")
HEADING_FONT = ("黑体", "Noto Sans CJK SC", "Arial")
BODY_FONT = ("仿宋_GB2312", "WenQuanYi Micro Hei", "Times New Roman")
PAGE_NUMBER_FONT = ("宋体", "Noto Serif CJK SC", "Times New Roman")

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5. The one-page summary (before the
# first rule) is set in 五号 so that it stays on one page; the 综述 after it in 小四.
TITLE_SIZE = 18
HEADING_SIZES = {1: 18, 2: 14, 3: 12, 4: 12}
BODY_SIZE = 12
TABLE_SIZE = 10.5
SUMMARY_SIZE = 10.5
# A4 with the 公文 margins narrowed for a one-page summary (mm): top, bottom, left, right.
MARGINS_MM = (20, 20, 24, 22)

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\([^)]*\)")


def _runs(text: str) -> list[tuple[str, bool]]:
    """Markdown inline text as (plain text, bold) runs: backslash escapes become the character
    they escape, **bold** is bold, a link [text](url) keeps its text only."""
    runs: list[tuple[str, bool]] = []
    buffer: list[str] = []
    bold = False
    index = 0

    def flush() -> None:
        if buffer:
            runs.append(("".join(buffer), bold))
            buffer.clear()

    while index < len(text):
        char = text[index]
        if char == "\\" and _MD_ESCAPED.match(text, index):
            buffer.append(text[index + 1])
            index += 2
        elif text.startswith("**", index) and (bold or "**" in text[index + 2 :]):
            flush()
            bold = not bold
            index += 2
        elif char == "[" and (link := _LINK.match(text, index)):
            buffer.append(md_unescape(link.group(1)))
            index = link.end()
        else:
            buffer.append(char)
            index += 1
    flush()
    return runs


def _add_runs(paragraph, text: str, size: float | None = None) -> None:
    from docx.shared import Pt

    for run_text, bold in _runs(xml_text(text)):
        run = paragraph.add_run(run_text)
        if bold:
            run.bold = True
        if size is not None:
            run.font.size = Pt(size)


def _table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _set_fonts(target, fonts: tuple[str, str, str], size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's fonts: East Asian and Latin, with no theme font overriding them."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    east, _, latin = fonts
    target.font.name = latin
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    fonts_element = element.get_or_add_rPr().get_or_add_rFonts()
    fonts_element.set(qn("w:eastAsia"), east)
    fonts_element.set(qn("w:ascii"), latin)
    fonts_element.set(qn("w:hAnsi"), latin)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts_element.attrib.pop(qn(theme), None)


def _declare_alternatives(document) -> None:
    """Name a free alternative for each 公文 font in the font table (w:altName)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    table = parse_xml(part.blob)
    known = {font.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name") for font in table}
    for east, alternative, _ in (TITLE_FONT, HEADING_FONT, BODY_FONT, PAGE_NUMBER_FONT):
        if east in known:
            continue
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{east}"><w:altName w:val="{alternative}"/>'
                '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    """"— n —" centred in the footer, as a PAGE field so Word and LibreOffice count the pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(paragraph.add_run("— "), PAGE_NUMBER_FONT, 14)
    run = paragraph.add_run()
    _set_fonts(run, PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    _set_fonts(paragraph.add_run(" —"), PAGE_NUMBER_FONT, 14)


def _house_style(document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        top, bottom, left, right = MARGINS_MM
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
        section.footer_distance = Mm(8)
        _page_number_footer(section)
    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(1)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for name in ("Title", "Heading 1"):
        style = styles[name]
        _set_fonts(style, TITLE_FONT, TITLE_SIZE, bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(6)
    for level in (2, 3, 4):
        style = styles[f"Heading {level}"]
        _set_fonts(style, HEADING_FONT, HEADING_SIZES[level], bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(4)
        style.paragraph_format.space_after = Pt(1)
    for name in ("List Bullet", "List Bullet 2", "List Number", "Quote"):
        style = styles[name]
        _set_fonts(style, BODY_FONT, BODY_SIZE)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_after = Pt(0)
    styles["Quote"].font.italic = False
    styles["Quote"].font.size = Pt(TABLE_SIZE)


def _column_widths(rows: list[list[str]], width: int, section) -> list[int]:
    """Column widths in proportion to their longest text (clamped), filling the text width: a
    short value column stays narrow and the quote column gets the room."""
    usable = section.page_width - section.left_margin - section.right_margin
    weights = []
    for column in range(width):
        longest = max((len(md_unescape(row[column])) if column < len(row) else 0) for row in rows)
        weights.append(min(max(longest, 4), 32))
    total = sum(weights)
    return [int(usable * weight / total) for weight in weights]


# The paragraph styles our Markdown uses, and the table style.
PARAGRAPH_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "List Bullet", "List Bullet 2", "Quote")
TABLE_STYLE = "Table Grid"


def _style_ids(document, style_ids: dict[tuple[str, int], str | None]):
    """style_id(NAME, TYPE), each looked up once (python-docx looks a name up among all styles,
    and the default style among them again, on every paragraph: most of a DOCX's time)."""

    def style_id(name: str, kind) -> str | None:
        key = (name, int(kind))
        if key not in style_ids:
            style_ids[key] = document.part.get_style_id(name, kind)
        return style_ids[key]

    return style_id


@functools.lru_cache(maxsize=1)
def _house_document() -> tuple[bytes, dict[tuple[str, int], str | None]]:
    """The house-styled empty document, saved once per process, and its style ids: each DOCX
    starts from these bytes instead of styling python-docx's default template again."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    _house_style(document)
    _declare_alternatives(document)
    style_ids: dict[tuple[str, int], str | None] = {}
    style_id = _style_ids(document, style_ids)
    for name in PARAGRAPH_STYLES:
        style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    style_id(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), style_ids


def markdown_to_docx(markdown: str, title: str = "", reference: Path | None = None) -> bytes:
    """Headings, bullets, numbered lines, pipe tables, quotes, rules and paragraphs: what our
    templates emit. With `reference`, the document starts from that file and keeps its styles."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    if reference is not None:
        document = docx.Document(str(reference))
        for paragraph in list(document.paragraphs):  # its styles and page, not its words
            paragraph._element.getparent().remove(paragraph._element)
        style_id = _style_ids(document, {})
    else:
        house, ids = _house_document()
        document = docx.Document(io.BytesIO(house))
        style_id = _style_ids(document, dict(ids))
    if title:
        document.core_properties.title = xml_text(title)

    def add_paragraph(style: str):
        paragraph = document.add_paragraph()
        paragraph._p.style = style_id(style, WD_STYLE_TYPE.PARAGRAPH)  # what Paragraph.style = NAME sets
        return paragraph

    lines = markdown.splitlines()
    index = 0
    summary_size: float | None = SUMMARY_SIZE if reference is None else None
    break_before = False
    while index < len(lines):
        line = lines[index].rstrip()
        if not line.strip():
            index += 1
            continue
        if line.strip().startswith("|"):
            rows = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                if not _TABLE_RULE.match(lines[index].strip()):
                    rows.append(_table_cells(lines[index]))
                index += 1
            width = max(len(row) for row in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table._tbl.tblStyle_val = style_id(TABLE_STYLE, WD_STYLE_TYPE.TABLE)  # what table.style = NAME sets
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False
            widths = _column_widths(rows, width, document.sections[-1])
            for c, column_width in enumerate(widths):
                table.columns[c].width = column_width  # the grid LibreOffice reads
            # Each row's cells read once: table.cell(r, c) rebuilds the whole grid on every call.
            for r, (row, cells) in enumerate(zip(rows, (table_row.cells for table_row in table.rows))):
                for c, text in enumerate(row):
                    cells[c].width = widths[c]
                    paragraph = cells[c].paragraphs[0]
                    _add_runs(paragraph, text)
                    paragraph.paragraph_format.space_after = Pt(0)
                    for run in paragraph.runs:
                        run.font.size = Pt(TABLE_SIZE)
                        if r == 0:
                            run.bold = True
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            level = min(len(heading.group(1)), 4)
            paragraph = add_paragraph(f"Heading {level}")
            _add_runs(paragraph, heading.group(2).strip(), summary_size and (15 if level == 1 else 12))
        elif line.strip() == "---":
            # The next paragraph opens a page (a break paragraph of its own could spill onto a
            # blank page when the summary fills its page exactly).
            break_before = True
            summary_size = None  # the 综述 follows in its own size
            index += 1
            continue
        elif bullet:
            depth = len(bullet.group(1).replace("\t", "  ")) // 2
            paragraph = add_paragraph("List Bullet 2" if depth else "List Bullet")
            _add_runs(paragraph, bullet.group(2), summary_size)
        elif line.startswith(">"):
            paragraph = add_paragraph("Quote")
            _add_runs(paragraph, line.lstrip("> "), summary_size)
        else:
            paragraph = document.add_paragraph()
            _add_runs(paragraph, line.strip(), summary_size)
        if break_before:
            paragraph.paragraph_format.page_break_before = True
            break_before = False
        index += 1

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
