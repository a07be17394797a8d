"""Files that are not what they claim, or are built to hurt: each gets a clear error code,
quickly and without much memory."""

from __future__ import annotations

import io
import random
import re
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from template_support import rewrite_zip, xlsx

from core.campaign import Campaign
from core.template import Limits, TemplateError, TemplateErrorCode, read_rows
from core.template.limits import DEFAULT_LIMITS
from core.template.xlsx_source import defusedxml_in_use, workbook_tables

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["Serial number", "Product", "Installation date"]
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
               for i in range(1, 10))
    + b"]>\n")
MiB = 1024 * 1024


def code_and_peak(read: Callable[[], object]) -> tuple[TemplateErrorCode | None, int]:
    """The error code ``read`` raises (None if it succeeds) and its peak Python memory."""
    tracemalloc.start()
    try:
        read()
        code = None
    except TemplateError as error:
        code = error.code
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return code, peak


def refused(data: bytes, filename: str, campaign: Campaign) -> TemplateErrorCode | None:
    code, peak = code_and_peak(lambda: read_rows(data, filename, campaign))
    assert peak < 40 * MiB
    return code


def good_workbook() -> bytes:
    return xlsx([HEADER, ["3012345678", "SHM", "01/03/2026"]])


def test_old_excel_file_is_refused_with_advice_to_save_as_xlsx(fr_campaign: Campaign) -> None:
    data = OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(1000)
    assert refused(data, "export.xls", fr_campaign) is TemplateErrorCode.UNSUPPORTED_XLS
    assert refused(data, "renamed.xlsx", fr_campaign) is TemplateErrorCode.UNSUPPORTED_XLS


def test_xls_name_on_something_else_is_still_an_xls_problem(fr_campaign: Campaign) -> None:
    data = b"<html><table><tr><td>3012345678</td></tr></table></html>"
    assert refused(data, "export.xls", fr_campaign) is TemplateErrorCode.UNSUPPORTED_XLS


def test_password_protected_workbook_is_refused(fr_campaign: Campaign) -> None:
    data = (OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(50)
            + "EncryptedPackage".encode("utf-16-le") + bytes(2000))
    assert refused(data, "appareils.xlsx", fr_campaign) is TemplateErrorCode.ENCRYPTED


def test_opendocument_spreadsheet_is_refused(fr_campaign: Campaign) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    assert refused(buffer.getvalue(), "appareils.ods", fr_campaign) is \
        TemplateErrorCode.UNSUPPORTED_ODS
    assert refused(b"not a zip", "appareils.ods", fr_campaign) is \
        TemplateErrorCode.UNSUPPORTED_ODS


def test_random_bytes_named_xlsx_are_corrupt(fr_campaign: Campaign) -> None:
    data = b"\x00" + random.Random(7).randbytes(50_000)
    assert refused(data, "appareils.xlsx", fr_campaign) is TemplateErrorCode.CORRUPT


def test_truncated_workbook_is_corrupt(fr_campaign: Campaign) -> None:
    data = good_workbook()
    assert refused(data[: len(data) // 2], "a.xlsx", fr_campaign) is TemplateErrorCode.CORRUPT


def test_workbook_with_a_broken_sheet_is_corrupt(fr_campaign: Campaign) -> None:
    data = rewrite_zip(good_workbook(), {SHEET: lambda xml: xml[: len(xml) // 2]})
    assert refused(data, "a.xlsx", fr_campaign) is TemplateErrorCode.CORRUPT


@pytest.mark.parametrize(("data", "name"), [
    (b"%PDF-1.7\n...", "facture.csv"),
    (b"\x89PNG\r\n\x1a\n....", "photo.xlsx"),
])
def test_documents_and_pictures_are_not_spreadsheets(fr_campaign: Campaign, data: bytes,
                                                     name: str) -> None:
    assert refused(data, name, fr_campaign) is TemplateErrorCode.UNSUPPORTED_FORMAT


def test_word_document_is_not_a_spreadsheet(fr_campaign: Campaign) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
                         "/></Types>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(buffer.getvalue(), "liste.xlsx", fr_campaign) is \
        TemplateErrorCode.UNSUPPORTED_FORMAT


def test_billion_row_declared_dimension_is_refused(fr_campaign: Campaign) -> None:
    data = rewrite_zip(good_workbook(), {SHEET: lambda xml: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1000000000"', xml)})
    assert refused(data, "a.xlsx", fr_campaign) is TemplateErrorCode.UNSAFE_ARCHIVE


def test_far_away_cell_does_not_make_the_reader_pad_billions_of_cells(
        fr_campaign: Campaign) -> None:
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = rewrite_zip(good_workbook(), {SHEET: lambda xml: xml.replace(
        b"</sheetData>", far + b"</sheetData>")})
    code, peak = code_and_peak(lambda: read_rows(data, "a.xlsx", fr_campaign))
    assert code is None
    assert peak < 40 * MiB


def test_row_numbers_beyond_excels_grid_end_the_sheet(fr_campaign: Campaign) -> None:
    beyond = b'<row r="999999999999"><c r="A999999999999"><v>1</v></c></row>'
    data = rewrite_zip(good_workbook(), {SHEET: lambda xml: xml.replace(
        b"</sheetData>", beyond + b"</sheetData>")})
    code, peak = code_and_peak(lambda: read_rows(data, "a.xlsx", fr_campaign))
    assert code is None
    assert peak < 40 * MiB


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A workbook whose sheet unpacks to 200 MB of blanks, written without holding them."""
    source = zipfile.ZipFile(io.BytesIO(good_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
            block = b" " * MiB
            for _ in range(200):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_unpacking(fr_campaign: Campaign, zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 2 * MiB
    assert refused(zip_bomb, "a.xlsx", fr_campaign) is TemplateErrorCode.UNSAFE_ARCHIVE


def test_workbook_unpacking_beyond_the_limit_is_refused(fr_campaign: Campaign) -> None:
    limits = Limits(max_uncompressed_bytes=1000)
    with pytest.raises(TemplateError) as raised:
        read_rows(good_workbook(), "a.xlsx", fr_campaign, limits)
    assert raised.value.code is TemplateErrorCode.UNSAFE_ARCHIVE


def test_zip_with_thousands_of_parts_is_refused(fr_campaign: Campaign) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(DEFAULT_LIMITS.max_archive_members + 1):
            archive.writestr(f"p{index}", b"")
    assert refused(buffer.getvalue(), "a.xlsx", fr_campaign) is \
        TemplateErrorCode.UNSAFE_ARCHIVE


def with_billion_laughs(xml: bytes) -> bytes:
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    return BILLION_LAUGHS + body.replace(b"<t>3012345678</t>", b"<t>&lol9;</t>")


def test_xml_entity_expansion_in_a_sheet_is_refused(fr_campaign: Campaign) -> None:
    data = rewrite_zip(good_workbook(), {SHEET: with_billion_laughs})
    assert refused(data, "a.xlsx", fr_campaign) is TemplateErrorCode.UNSAFE_ARCHIVE


def test_doctype_hidden_after_a_long_comment_is_refused(fr_campaign: Campaign) -> None:
    padding = b"<!--" + b"x" * 100_000 + b"-->"
    data = rewrite_zip(good_workbook(), {
        SHEET: lambda xml: padding + b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml})
    assert refused(data, "a.xlsx", fr_campaign) is TemplateErrorCode.UNSAFE_ARCHIVE


def test_openpyxl_parses_with_defusedxml_even_if_our_own_check_were_skipped() -> None:
    assert defusedxml_in_use()
    data = rewrite_zip(good_workbook(), {SHEET: with_billion_laughs})

    def open_directly() -> None:
        with workbook_tables(data, DEFAULT_LIMITS) as tables:
            for table in tables:
                list(table.rows())

    code, peak = code_and_peak(open_directly)
    assert code is TemplateErrorCode.UNSAFE_ARCHIVE
    assert peak < 40 * MiB
