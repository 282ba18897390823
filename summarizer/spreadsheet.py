"""A small .xlsx writer for table sheets: the workbook the batch overview needs, written straight
as SpreadsheetML.

Each sheet is a table: a styled header row (frozen, repeated on every printed page, under an
autofilter), rows of text and numbers, cells that link to files, column widths, conditional
formats, and an A4 landscape page fit to one page wide. Nothing else: no formulas, no shared
strings, no themes. Pure functions of their input: the same rows give the same bytes.

Why not openpyxl (which reads .xlsx inputs elsewhere): for a 300-report overview it took about
0.3 s to import and build, a third of the whole batch's budget, in the parent process after
the last report. Writing the few XML parts directly takes a tenth of that. The cells carry what
openpyxl wrote before (inline strings, numbers as %.16g, the quote prefix, the same styles), so
the workbook reads back the same; what a cell holds is decided by the caller, never here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Values a spreadsheet shows as its own error values; openpyxl stored such text as one.
ERROR_VALUES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_CELL_CHARS = 32767  # a spreadsheet cell holds no more

_BUILTIN_FORMATS = {"#,##0.00": 4}  # number formats with a built-in id; others get 164 onwards


@dataclass(frozen=True)
class Style:
    """How one cell looks. The default is the workbook's plain style."""

    bold: bool = False
    color: str | None = None  # font colour, RRGGBB
    underline: bool = False
    fill: str | None = None  # solid background, RRGGBB
    number_format: str | None = None
    wrap: bool = False
    vertical: str | None = None  # "center", ...
    quote_prefix: bool = False  # shown and kept as text, even when edited


PLAIN = Style()


@dataclass(frozen=True)
class Cell:
    """A value with a style and, optionally, a link (a relative, already URL-encoded target)."""

    value: Any
    style: Style = PLAIN
    link: str | None = None


@dataclass(frozen=True)
class Highlight:
    """Conditional format: cells `operator` ("greaterThan", "lessThan") `formula` get `style`
    (its font colour, bold and fill)."""

    cells: str
    operator: str
    formula: str
    style: Style


@dataclass(frozen=True)
class ColorScale:
    """Conditional format: a two-colour scale from the lowest to the highest value."""

    cells: str
    start_color: str
    end_color: str


@dataclass
class TableSheet:
    """One sheet: rows (lists of values or Cells; None leaves a cell out), the first of them the
    header. `widths` are per column, from the first; `formats` are conditional formats."""

    title: str
    rows: list[Sequence[Any]] = field(default_factory=list)
    widths: Sequence[float] = ()
    formats: list[Highlight | ColorScale] = field(default_factory=list)

    def append(self, row: Sequence[Any]) -> None:
        self.rows.append(row)

    @property
    def columns(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook_bytes(sheets: Sequence[TableSheet]) -> bytes:
    """The .xlsx file of these sheets, in this order (the first is the one that opens)."""
    styles = _Styles()
    parts: dict[str, str] = {}
    for number, sheet in enumerate(sheets, start=1):
        xml, links = _sheet_xml(sheet, styles)
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
        if links:
            parts[f"xl/worksheets/_rels/sheet{number}.xml.rels"] = _relationships(
                (f"rId{index}", _HYPERLINK, target, True) for index, target in enumerate(links, start=1)
            )
    head = {
        "[Content_Types].xml": _content_types(len(sheets)),
        "_rels/.rels": _relationships([("rId1", _OFFICE_DOCUMENT, "xl/workbook.xml", False)]),
        "xl/workbook.xml": _workbook_xml(sheets),
        "xl/_rels/workbook.xml.rels": _relationships(
            [(f"rId{n}", _WORKSHEET, f"worksheets/sheet{n}.xml", False) for n in range(1, len(sheets) + 1)]
            + [(f"rId{len(sheets) + 1}", _STYLES, "styles.xml", False)]
        ),
        "xl/styles.xml": styles.xml(),
    }
    import io

    buffer = io.BytesIO()
    # Level 1: the parts are repetitive XML, so the file is hardly larger (~15%), and deflating
    # takes a third of the time of the default level, paid after the batch's last report.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**head, **parts}.items():
            # A fixed time stamp: the same workbook gives the same bytes.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"), compresslevel=1)
    return buffer.getvalue()


# ---------------------------------------------------------------- cells


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:  # a bare CR would be read back as a line feed
        text = text.replace("\r", "&#13;")
    return text


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _cell_xml(reference: str, value: Any, style_id: int) -> str:
    styled = f' s="{style_id}"' if style_id else ""
    if value is None:
        return f'<c r="{reference}"{styled} t="n"/>' if style_id else ""
    if isinstance(value, str):
        value = value[:MAX_CELL_CHARS]
        if value in ERROR_VALUES:
            return f'<c r="{reference}"{styled} t="e"><v>{value}</v></c>'
        if not value:
            return f'<c r="{reference}"{styled} t="inlineStr"/>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{reference}"{styled} t="n"><v>{"%.16g" % value}</v></c>'
    raise TypeError(f"a spreadsheet cell cannot hold {type(value).__name__}")


def _sheet_xml(sheet: TableSheet, styles: _Styles) -> tuple[str, list[str]]:
    """The worksheet part and the link targets of its cells (rId1, rId2, ... in order)."""
    letters = [column_letter(n) for n in range(1, sheet.columns + 1)]
    rows: list[str] = []
    links: list[str] = []
    link_refs: list[str] = []
    for number, row in enumerate(sheet.rows, start=1):
        cells = []
        for letter, item in zip(letters, row):
            if item is None:
                continue
            if type(item) is str and item and item == item.strip() and len(item) <= MAX_CELL_CHARS and item not in ERROR_VALUES:
                # The common cell, plain text, written here as _cell_xml writes it (a call less).
                cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{_escape(item)}</t></is></c>')
            elif isinstance(item, Cell):
                reference = f"{letter}{number}"
                cells.append(_cell_xml(reference, item.value, styles.id_of(item.style)))
                if item.link:
                    links.append(item.link)
                    link_refs.append(reference)
            else:
                cells.append(_cell_xml(f"{letter}{number}", item, 0))
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    last_row, last_column = max(len(sheet.rows), 1), letters[-1] if letters else "A"
    used = f"A1:{last_column}{last_row}"
    cols = "".join(
        f'<col width="{width:g}" customWidth="1" min="{n}" max="{n}"/>' for n, width in enumerate(sheet.widths, start=1)
    )
    conditional = []
    for priority, rule in enumerate(sheet.formats, start=1):
        if isinstance(rule, ColorScale):
            conditional.append(
                f'<conditionalFormatting sqref="{rule.cells}"><cfRule type="colorScale" priority="{priority}"><colorScale>'
                f'<cfvo type="min"/><cfvo type="max"/><color rgb="00{rule.start_color}"/><color rgb="00{rule.end_color}"/>'
                "</colorScale></cfRule></conditionalFormatting>"
            )
        else:
            conditional.append(
                f'<conditionalFormatting sqref="{rule.cells}"><cfRule type="cellIs" priority="{priority}" '
                f'operator="{rule.operator}" dxfId="{styles.differential_id(rule.style)}"><formula>{_escape(rule.formula)}</formula>'
                "</cfRule></conditionalFormatting>"
            )
    hyperlinks = ""
    if links:
        hyperlinks = "<hyperlinks>" + "".join(
            f'<hyperlink ref="{reference}" r:id="rId{index}"/>' for index, reference in enumerate(link_refs, start=1)
        ) + "</hyperlinks>"
    xml = (
        f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="{used}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f'<sheetData>{"".join(rows)}</sheetData>'
        f'<autoFilter ref="{used}"/>'
        + "".join(conditional)
        + hyperlinks
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/>'
        "</worksheet>"
    )
    return xml, links


# ---------------------------------------------------------------- styles


class _Styles:
    """The workbook's cell formats (xf), fonts, fills and number formats, each listed once in
    the order first used; conditional formats get their own differential formats (dxf)."""

    def __init__(self) -> None:
        self.fonts: list[str] = ['<font><name val="Calibri"/><family val="2"/><sz val="11"/></font>']
        self.fills: list[str] = ["<fill><patternFill/></fill>", '<fill><patternFill patternType="gray125"/></fill>']
        self.number_formats: dict[str, int] = {}
        self.formats: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self.differentials: list[str] = []
        self._ids: dict[Style, int] = {PLAIN: 0}

    @staticmethod
    def _font(style: Style) -> str:
        bold = '<b val="1"/>' if style.bold else ""
        color = f'<color rgb="00{style.color}"/>' if style.color else ""
        underline = '<u val="single"/>' if style.underline else ""
        return f"<font>{bold}{color}{underline}</font>"

    @staticmethod
    def _fill(color: str) -> str:
        return f'<fill><patternFill patternType="solid"><fgColor rgb="00{color}"/></patternFill></fill>'

    @staticmethod
    def _index(items: list[str], item: str) -> int:
        if item not in items:
            items.append(item)
        return items.index(item)

    def id_of(self, style: Style) -> int:
        known = self._ids.get(style)
        if known is not None:
            return known
        font = self._index(self.fonts, self._font(style)) if (style.bold or style.color or style.underline) else 0
        fill = self._index(self.fills, self._fill(style.fill)) if style.fill else 0
        number = 0
        if style.number_format:
            number = _BUILTIN_FORMATS.get(style.number_format) or self.number_formats.setdefault(
                style.number_format, 164 + len(self.number_formats)
            )
        alignment = ""
        if style.wrap or style.vertical:
            vertical = f' vertical="{style.vertical}"' if style.vertical else ""
            wrap = ' wrapText="1"' if style.wrap else ""
            alignment = f"<alignment{vertical}{wrap}/>"
        attributes = f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0"'
        attributes += ' applyNumberFormat="1"' if number else ""
        attributes += ' applyFont="1"' if font else ""
        attributes += ' applyFill="1"' if fill else ""
        attributes += ' applyAlignment="1"' if alignment else ""
        attributes += ' quotePrefix="1"' if style.quote_prefix else ""
        self.formats.append(f'<xf {attributes} xfId="0">{alignment}</xf>' if alignment else f'<xf {attributes} xfId="0"/>')
        self._ids[style] = len(self.formats) - 1
        return self._ids[style]

    def differential_id(self, style: Style) -> int:
        font = ""
        if style.bold or style.color:
            font = "<font>" + ('<b val="1"/>' if style.bold else "") + (f'<color rgb="00{style.color}"/>' if style.color else "") + "</font>"
        fill = self._fill(style.fill) if style.fill else ""
        return self._index(self.differentials, f"<dxf>{font}{fill}</dxf>")

    def xml(self) -> str:
        number_formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode="{_attribute(code)}"/>' for code, number in self.number_formats.items()
        )
        return (
            f'<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.number_formats)}">{number_formats}</numFmts>' if self.number_formats else "")
            + f'<fonts count="{len(self.fonts)}">{"".join(self.fonts)}</fonts>'
            f'<fills count="{len(self.fills)}">{"".join(self.fills)}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.formats)}">{"".join(self.formats)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            f'<dxfs count="{len(self.differentials)}">{"".join(self.differentials)}</dxfs>'
            "</styleSheet>"
        )


# ---------------------------------------------------------------- package parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = _RELATIONSHIPS + "/officeDocument"
_WORKSHEET = _RELATIONSHIPS + "/worksheet"
_STYLES = _RELATIONSHIPS + "/styles"
_HYPERLINK = _RELATIONSHIPS + "/hyperlink"


def _relationships(items: Iterable[tuple[str, str, str, bool]]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{_attribute(target)}"' + (' TargetMode="External"' if external else "") + "/>"
        for rid, kind, target, external in items
    )
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'


def _content_types(sheets: int) -> str:
    worksheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{worksheet}"/>' for n in range(1, sheets + 1))
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_xml(sheets: Sequence[TableSheet]) -> str:
    entries, names = [], []
    for index, sheet in enumerate(sheets):
        title = _attribute(sheet.title)
        quoted = "'" + title.replace("'", "''") + "'"
        entries.append(f'<sheet name="{title}" sheetId="{index + 1}" r:id="rId{index + 1}"/>')
        last = f"${column_letter(max(sheet.columns, 1))}${max(len(sheet.rows), 1)}"
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">{quoted}!$A$1:{last}</definedName>')
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{quoted}!$1:$1</definedName>')
    return (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets>{"".join(entries)}</sheets><definedNames>{"".join(names)}</definedNames>'
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
