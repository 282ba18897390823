"""ingest: real samples in every encoding, .docx paragraphs and tables in reading order, the
.pdf text layer, and a one-line InputError for each kind of bad file."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from summarizer.config import resolve_settings
from summarizer.errors import InputError
from summarizer.ingest import SUPPORTED, decode_text, read_document
from summarizer.structure import analyse

LECHANG = "lechang_2022_administrative_service_center_department.txt"
XIANGYIN = "xiangyin_2022_administrative_approval_bureau_department.txt"
YUHUA = "yuhua_2021_government_service_hall_project.txt"


def test_supported_suffixes() -> None:
    assert SUPPORTED == (".txt", ".md", ".docx", ".pdf", ".xlsx", ".xls", ".doc", ".wps")


def test_samples_read_as_utf8(sample_paths, settings) -> None:
    for path in sample_paths:
        document = read_document(path, settings)
        data = path.read_bytes()
        assert document.original == data.decode("utf-8")
        assert document.encoding == "utf-8"
        assert document.format == "txt"
        assert document.sha256 == hashlib.sha256(data).hexdigest()
        assert document.path == str(path)
        # The analysis text is the normalised one, mapped back to the original.
        assert document.text != document.original
        assert len(document.offsets) == len(document.text) + 1


# (encoding used to write the file, encoding the Document must record)
ENCODINGS = [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gbk", "gb18030"),
    ("gb18030", "gb18030"),
    ("utf-16", "utf-16"),
]


@pytest.mark.parametrize(("written", "detected"), ENCODINGS)
@pytest.mark.parametrize("sample", [LECHANG, XIANGYIN, YUHUA])
def test_sample_in_each_encoding(tmp_path, samples_dir, settings, sample, written, detected) -> None:
    text = (samples_dir / sample).read_text(encoding="utf-8")
    if written == "gbk":
        text = text.replace("\xa0", " ")  # GBK has no no-break space
    data = text.encode(written)
    path = tmp_path / f"report.{'md' if written == 'utf-16' else 'txt'}"
    path.write_bytes(data)
    document = read_document(path, settings)
    assert document.encoding == detected
    assert document.original == text
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_short_gbk_text_is_detected() -> None:
    text = "二、部门整体收支情况：2022年预算总收入1179.61万元，支出执行率100%。"
    assert decode_text(text.encode("gbk")) == (text, "gb18030")


def test_utf8_with_a_bad_byte_is_not_read_as_gbk(samples_dir) -> None:
    data = (samples_dir / XIANGYIN).read_bytes()
    damaged = data[:3000] + b"\xff" + data[3000:]
    with pytest.raises(InputError, match="cannot decode text: not UTF-8 \\(bad byte at offset 3000\\)"):
        decode_text(damaged, "damaged.txt")


def test_crlf_file_keeps_original_and_maps_offsets(tmp_path, samples_dir, settings) -> None:
    text = (samples_dir / LECHANG).read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    document = read_document(path, settings)
    assert document.original == text
    assert "\r" not in document.text
    start = document.text.index("3432300.00")
    span = document.span(start, start + len("3432300.00"))
    assert text[span.start : span.end] == "3432300.00"


# ---------------------------------------------------------------- .docx


def _docx_bytes(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _build_report(document) -> None:
    document.add_paragraph("湘阴县2022年度部门整体支出绩效评价自评报告")
    document.add_paragraph("一、部门基本情况")
    document.add_paragraph("2022年预算总收入1179.61万元，其中：基本支出304.01万元；项目支出875.6万元。")
    table = document.add_table(rows=3, cols=4)
    for row, values in zip(table.rows, [
        ["机构名称", "合计", "基本支出", "项目支出"],
        ["局机关", "1179.61", "304.01", "875.6"],
        ["二级机构", "", "", ""],
    ]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("二、存在的问题")
    document.add_paragraph("1、预算编制不够精准。")
    merged = document.add_table(rows=3, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 2)).text = "三、绩效指标"  # spans three columns
    merged.cell(1, 0).merge(merged.cell(2, 0)).text = "产出指标"  # spans two rows
    merged.cell(1, 1).text = "数量指标"
    merged.cell(1, 2).text = "390人"
    merged.cell(2, 1).text = "质量指标"
    cell = merged.cell(2, 2)
    cell.text = "满意率"
    cell.add_paragraph("99.8%")  # two paragraphs in one cell stay on one row
    document.add_paragraph("三、改进措施")


def test_docx_paragraphs_and_tables_in_reading_order(tmp_path, settings) -> None:
    path = tmp_path / "report.docx"
    data = _docx_bytes(_build_report)
    path.write_bytes(data)
    document = read_document(path, settings)
    assert document.format == "docx"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    lines = document.original.splitlines()
    order = [
        "一、部门基本情况",
        "机构名称\t合计\t基本支出\t项目支出",
        "局机关\t1179.61\t304.01\t875.6",
        "二级机构\t\t\t",
        "二、存在的问题",
        "1、预算编制不够精准。",
        "三、绩效指标\t\t",
        "产出指标\t数量指标\t390人",
        "\t质量指标\t满意率 99.8%",
        "三、改进措施",
    ]
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)
    assert "满意率99.8%" in document.text  # normalise drops the paragraph-join space


def test_docx_table_is_seen_by_structure(tmp_path, settings) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_bytes(_build_report))
    document = read_document(path, settings)
    layout = analyse(document)
    cells = [[cell.text for cell in row.cells] for table in layout.tables for row in table.rows]
    assert ["局机关", "1179.61", "304.01", "875.6"] in cells


def test_docx_from_a_real_sample(tmp_path, samples_dir, settings) -> None:
    """The xiangyin sample rebuilt as a Word file: prose as paragraphs, TSV rows as tables."""
    source = (samples_dir / XIANGYIN).read_text(encoding="utf-8").replace("\xa0", " ")

    def build(document) -> None:
        block: list[list[str]] = []

        def flush() -> None:
            if block:
                width = max(len(row) for row in block)
                table = document.add_table(rows=len(block), cols=width)
                for row, values in zip(table.rows, block):
                    for cell, value in zip(row.cells, values):
                        cell.text = value
                block.clear()

        for line in source.splitlines():
            if "\t" in line.strip("\t"):
                block.append(line.split("\t"))
            else:
                flush()
                document.add_paragraph(line)
        flush()

    path = tmp_path / "xiangyin.docx"
    path.write_bytes(_docx_bytes(build))
    document = read_document(path, settings)
    assert "局机关及二级机构汇总\t1179.61\t304.01\t247.37\t56.64\t875.6\t\t" in document.text
    assert "其中：基本支出304.01万元；项目支出875.6万元。" in document.text
    assert analyse(document).is_report


def test_empty_docx_is_refused(tmp_path, settings) -> None:
    path = tmp_path / "blank.docx"
    path.write_bytes(_docx_bytes(lambda document: document.add_paragraph("   ")))
    with pytest.raises(InputError, match="no text"):
        read_document(path, settings)


# ---------------------------------------------------------------- .pdf


def _pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, so ASCII only)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    if lines:
        font = DictionaryObject({
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        })
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        content = DecodedStreamObject()
        content.set_data("".join(f"BT /F1 12 Tf 72 {720 - 20 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)).encode())
        page[NameObject("/Contents")] = writer._add_object(content)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def test_pdf_text_layer(tmp_path, settings) -> None:
    path = tmp_path / "report.pdf"
    data = _pdf_bytes(["Budget 2022: 1179.61", "Execution rate 98. 5%"])
    path.write_bytes(data)
    document = read_document(path, settings)
    assert document.format == "pdf"
    assert document.encoding == "pdf-text"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert "Budget 2022: 1179.61" in document.original
    assert "98.5%" in document.text


@pytest.mark.parametrize(("user_password", "readable"), [("secret", False), ("", True)])
def test_encrypted_pdf(tmp_path, settings, user_password, readable) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes(["Budget 2022: 1179.61"]))))
    writer.encrypt(user_password, owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as stream:
        writer.write(stream)
    if readable:  # only an owner password: anyone may open and read it
        assert "1179.61" in read_document(path, settings).text
    else:
        with pytest.raises(InputError, match="password-protected; save an unprotected copy"):
            read_document(path, settings)


def test_pdf_without_text_layer(tmp_path, settings) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes([]))
    with pytest.raises(InputError, match="no text layer") as caught:
        read_document(path, settings)
    assert str(path) in str(caught.value)


# ---------------------------------------------------------------- bad input


def test_bad_files(bad_files, settings) -> None:
    for name, (path, words) in bad_files.items():
        with pytest.raises(InputError) as caught:
            read_document(path, settings)
        message = str(caught.value)
        assert message.startswith(f"{path}: "), name
        assert words in message, (name, message)
        assert "\n" not in message, name


def test_missing_file_and_folder(tmp_path, settings) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt", settings)
    with pytest.raises(InputError, match="is a folder"):
        read_document(tmp_path, settings)


def test_unsupported_extension_lists_supported(tmp_path, settings) -> None:
    path = tmp_path / "report.rtf"
    path.write_text("收入", encoding="utf-8")
    with pytest.raises(InputError, match=r"supported: \.txt, \.md, \.docx, \.pdf, \.xlsx, \.xls, \.doc, \.wps"):
        read_document(path, settings)


def test_size_limit_checked_before_reading(tmp_path, monkeypatch) -> None:
    settings = resolve_settings(flags={"max_bytes": 1000}, environ={})
    path = tmp_path / "big.txt"
    path.write_bytes("收入合计".encode("utf-8") * 500)  # 6,000 bytes

    def refuse(*args, **kwargs):
        raise AssertionError("the file was opened before its size was checked")

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputError, match=r"file is 5\.9 KB, over the 1\.0 KB limit"):
        read_document(path, settings)


def test_twenty_megabytes_refused_by_default(tmp_path, settings) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(20 * 1024 * 1024)  # sparse: no 20 MB written to disk
    with pytest.raises(InputError, match=r"file is 20\.0 MB, over the 5\.0 MB limit"):
        read_document(path, settings)


def test_limit_comes_from_the_environment(tmp_path, samples_dir) -> None:
    settings = resolve_settings(environ={"SUMMARIZER_MAX_BYTES": "1024"})
    with pytest.raises(InputError, match="over the"):
        read_document(samples_dir / LECHANG, settings)
