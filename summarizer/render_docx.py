"""Lay the Markdown output out as a DOCX ready to file: A4, 公文 typography, page numbers.

Reads only what our templates emit (headings, bullets, numbered lines, pipe tables, quotes, a
rule between the one-page summary and the 综述) and never adds words or numbers of its own.

Typography follows GB/T 9704 where a review summary allows it: the title in 方正小标宋简体, headings
in 黑体, body text in 仿宋_GB2312, page numbers "— n —" centred in the footer. Where those fonts
are not installed, Word and LibreOffice take the alternative each font names (w:altName in the
font table: 思源宋体/Noto Serif CJK SC, 思源黑体/Noto Sans CJK SC, 文泉驿 for the body), so the
document stays legible on a free system. A reviewer's reference.docx (in --templates) replaces
all of it: its styles and page set-up are used as they are.

How: python-docx styles a template (ours, or the reference) once per process; the template's
package is then cut where the body and the title go. Each document writes its body as
WordprocessingML text, the same elements and bytes python-docx would write for those
paragraphs, runs and tables, and appends it with the title to the template's zipped parts.
(Building each body through python-docx cost about 20 ms a report: it searches the element
tree for every child it adds and re-reads and re-compresses the whole template package.)

python-docx is imported here only, and only to take a template apart, so the CLI's --help
never loads it.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass
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
# The characters that can start inline markup (an escape, bold, a link); the rest is plain text.
_INLINE_SPECIAL = re.compile(r"[\\*\[]")


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
        special = _INLINE_SPECIAL.search(text, index)
        if special is None:
            buffer.append(text[index:])
            break
        if special.start() > index:  # plain text up to the next character that may be markup
            buffer.append(text[index : special.start()])
            index = special.start()
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


def _column_widths(rows: list[list[str]], width: int, usable: int) -> list[int]:
    """Column widths in proportion to their longest text (clamped), filling the text width
    `usable` (EMU): a short value column stays narrow and the quote column gets the room."""
    weights = []
    for column in range(width):
        longest = max((len(md_unescape(row[column])) if column < len(row) else 0) for row in rows)
        weights.append(min(max(longest, 4), 32))
    total = sum(weights)
    return [int(usable * weight / total) for weight in weights]


# The paragraph styles our Markdown uses, and the table style.
PARAGRAPH_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "List Bullet", "List Bullet 2", "Quote")
TABLE_STYLE = "Table Grid"

# python-docx's core-properties setter refuses a longer title (ValueError).
TITLE_MAX = 255

# Where the body goes in the template's document.xml, and the title in its core properties.
_BODY_MARK = "summarizer-body"
_TITLE_MARK = "\ue000summarizer-title\ue000"


@dataclass(frozen=True)
class _Template:
    """A styled empty document taken apart once: every package part but the body and the core
    properties (zipped), the document.xml around the body's content, the core properties around
    the title, the style ids of our style names and the text width a table fills."""

    package: bytes
    document_name: str
    document_head: bytes
    document_tail: bytes
    core_name: str
    core: bytes  # the core properties as the template has them (no title given)
    core_head: bytes
    core_tail: bytes
    style_ids: dict[str, str | None]  # a name the template lacks is absent (KeyError, as python-docx)
    usable: int  # text width in EMU
    house: bool  # our own template: the one-page summary is set in its smaller size


def _load_template(reference: Path | None) -> _Template:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from lxml import etree

    if reference is not None:
        document = docx.Document(str(reference))
        for paragraph in list(document.paragraphs):  # its styles and page, not its words
            paragraph._element.getparent().remove(paragraph._element)
    else:
        document = docx.Document()
        _house_style(document)
        _declare_alternatives(document)
    style_ids: dict[str, str | None] = {}
    for name, kind in [(name, WD_STYLE_TYPE.PARAGRAPH) for name in PARAGRAPH_STYLES] + [
        (TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    ]:
        try:
            style_ids[name] = document.part.get_style_id(name, kind)
        except KeyError:
            pass
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    core_part = document.part.package._core_properties_part
    core = core_part.blob
    # Mark the places that change per document, save once, and cut the package there.
    document.core_properties.title = _TITLE_MARK
    body = document.element.body
    mark = etree.Comment(_BODY_MARK)
    if len(body) and body[-1].tag == qn("w:sectPr"):
        body[-1].addprevious(mark)  # where python-docx adds a paragraph: before the last sectPr
    else:
        body.append(mark)
    buffer = io.BytesIO()
    document.save(buffer)
    document_name = document.part.partname.membername
    core_name = core_part.partname.membername
    package = io.BytesIO()
    with zipfile.ZipFile(buffer) as saved, zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as static:
        for name in saved.namelist():
            if name not in (document_name, core_name):
                static.writestr(name, saved.read(name))
        document_head, document_tail = saved.read(document_name).split(f"<!--{_BODY_MARK}-->".encode())
        core_head, core_tail = saved.read(core_name).split(_TITLE_MARK.encode())
    return _Template(
        package.getvalue(), document_name, document_head, document_tail, core_name, core, core_head, core_tail,
        style_ids, int(usable), reference is None,
    )


@functools.lru_cache(maxsize=8)
def _template(reference: str | None, stamp: tuple[int, int] | None) -> _Template:
    """Each template is taken apart once per process (a reference.docx again when it changes):
    styling python-docx's default template and reading its package cost more than a report's body."""
    return _load_template(Path(reference) if reference is not None else None)


# ── the body, written as WordprocessingML text ──────────────────────────────────────────
#
# What python-docx would write for the same paragraphs, runs and tables (its element order and
# serialisation, byte for byte), without building and searching an element tree per run.



def _escape(text: str) -> str:
    """Text content as lxml writes it (str.replace: several times faster than translate on CJK text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)
_RUN_BREAKS = re.compile(r"([\t\r\n])")
_TABLE_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1"'
    ' w:val="04A0"/>'
)
_CELL_PARAGRAPH_PROPERTIES = '<w:pPr><w:spacing w:after="0"/></w:pPr>'


def _half_points(size: float) -> int:
    """w:sz of a size in points, as python-docx computes it (Pt to EMU to half points)."""
    return int(int(size * 12700) / 12700 * 2)


def _twips(emu: int) -> int:
    return round(emu / 635)  # python-docx's Length.twips


def _run_xml(text: str, bold: bool, size: float | None) -> str:
    """One w:r: a tab is w:tab, a line break w:br, the rest w:t (space-preserving when it has
    outer white space), as python-docx's Run.text writes them."""
    properties = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{_half_points(size)}"/>' if size is not None else "")
    content = []
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            content.append(f"<w:t{space}>{_escape(piece)}</w:t>")
    inner = (f"<w:rPr>{properties}</w:rPr>" if properties else "") + "".join(content)
    return f"<w:r>{inner}</w:r>" if inner else "<w:r/>"


def _runs_xml(text: str, size: float | None, bold: bool = False) -> str:
    """Markdown inline text as runs, without the characters XML cannot hold; `bold` makes all bold."""
    return "".join(_run_xml(run_text, bold or run_bold, size) for run_text, run_bold in _runs(xml_text(text)))


def _paragraph_xml(style_id: str | None, content: str, page_break_before: bool = False) -> str:
    properties = (f'<w:pStyle w:val="{style_id.translate(_ATTRIBUTE_ESCAPES)}"/>' if style_id else "") + (
        "<w:pageBreakBefore/>" if page_break_before else ""
    )
    inner = (f"<w:pPr>{properties}</w:pPr>" if properties else "") + content
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


def _table_xml(rows: list[list[str]], template: _Template) -> str:
    """A pipe table: the header row bold, every cell in the table size, columns sized to their text."""
    width = max(len(row) for row in rows)
    widths = [_twips(value) for value in _column_widths(rows, width, template.usable)]
    unset = _twips(template.usable // width)  # a short row's missing cells keep python-docx's even width
    style_id = template.style_ids[TABLE_STYLE]
    style = f'<w:tblStyle w:val="{style_id.translate(_ATTRIBUTE_ESCAPES)}"/>' if style_id else ""
    parts = [
        (
            f'<w:tbl><w:tblPr>{style}<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
            f'<w:tblLayout w:type="fixed"/>{_TABLE_LOOK}</w:tblPr><w:tblGrid>'
        ),
        *(f'<w:gridCol w:w="{value}"/>' for value in widths),
        "</w:tblGrid>",
    ]
    for r, row in enumerate(rows):
        parts.append("<w:tr>")
        for c in range(width):
            if c < len(row):
                runs = _runs_xml(row[c], TABLE_SIZE, bold=r == 0)
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[c]}"/></w:tcPr>'
                    f"<w:p>{_CELL_PARAGRAPH_PROPERTIES}{runs}</w:p></w:tc>"
                )
            else:
                parts.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{unset}"/></w:tcPr><w:p/></w:tc>')
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _body_xml(markdown: str, template: _Template) -> str:
    """Headings, bullets, numbered lines, pipe tables, quotes, rules and paragraphs."""
    parts: list[str] = []
    lines = markdown.splitlines()
    index = 0
    summary_size: float | None = SUMMARY_SIZE if template.house else None
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
            if rows:  # a lone rule line is no table
                parts.append(_table_xml(rows, template))
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            level = min(len(heading.group(1)), 4)
            style, text, size = f"Heading {level}", heading.group(2).strip(), summary_size and (15 if level == 1 else 12)
        elif line.strip() == "---":
            # The next paragraph opens a page (a break paragraph of its own could spill onto a
            # blank page when the summary fills its page exactly).
            break_before = True
            summary_size = None  # the 综述 follows in its own size
            index += 1
            continue
        elif bullet:
            depth = len(bullet.group(1).replace("\t", "  ")) // 2
            style, text, size = "List Bullet 2" if depth else "List Bullet", bullet.group(2), summary_size
        elif line.startswith(">"):
            style, text, size = "Quote", line.lstrip("> "), summary_size
        else:
            style, text, size = None, line.strip(), summary_size
        style_id = template.style_ids[style] if style is not None else None
        parts.append(_paragraph_xml(style_id, _runs_xml(text, size), break_before))
        break_before = False
        index += 1
    return "".join(parts)


def markdown_to_docx(markdown: str, title: str = "", reference: Path | None = None) -> bytes:
    """Headings, bullets, numbered lines, pipe tables, quotes, rules and paragraphs: what our
    templates emit. With `reference`, the document starts from that file and keeps its styles."""
    if reference is not None:
        status = reference.stat()
        template = _template(str(reference.resolve()), (status.st_mtime_ns, status.st_size))
    else:
        template = _template(None, None)
    body = _body_xml(markdown, template).encode("utf-8")
    if title:
        title = xml_text(title)[:TITLE_MAX]
        core = template.core_head + _escape(title).encode("utf-8") + template.core_tail
    else:
        core = template.core
    buffer = io.BytesIO(template.package)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr(template.document_name, template.document_head + body + template.document_tail)
        package.writestr(template.core_name, core)
    return buffer.getvalue()
