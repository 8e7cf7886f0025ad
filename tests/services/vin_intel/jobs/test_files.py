"""Reading uploads: formats, dialects, the VIN column, normalisation, limits and refusals."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from openpyxl import Workbook
from velox_vin_intel.jobs.errors import (
    EmptyFile,
    FileTooLarge,
    NotATable,
    NoVinColumn,
    TooManyRows,
    UnsupportedFile,
)
from velox_vin_intel.jobs.files import MAX_FILE_BYTES, MAX_ROWS, parse_upload, rejection_detail

from tests.services.vin_intel.jobs.conftest import csv_file, make_vin

A, B, C = make_vin(1), make_vin(2), make_vin(3)


def test_csv_with_a_vin_header_keeps_file_row_numbers() -> None:
    parsed = parse_upload(csv_file("stock,VIN,colour", f"s1,{A},red", f"s2,{B},blue"), "f.csv")
    assert parsed.rows == [(2, A), (3, B)]
    assert parsed.unique == [A, B]
    assert (parsed.column, parsed.file_format, parsed.total_rows) == ("VIN", "csv", 2)


def test_csv_without_header_finds_the_column_by_its_values() -> None:
    parsed = parse_upload(csv_file(f"1,{A}", f"2,{B}"), None)
    assert parsed.rows == [(1, A), (2, B)]
    assert parsed.column == "column 2"


def test_unnamed_header_above_vin_values_is_skipped() -> None:
    parsed = parse_upload(csv_file("Chassis", A, B), None)
    assert parsed.rows == [(2, A), (3, B)]
    assert parsed.rejected == []


@pytest.mark.parametrize("header", ["vin", "Vehicle VIN", "vehicle_vin", "vehicleVin", "VIN #"])
def test_header_spellings_name_the_vin_column(header: str) -> None:
    parsed = parse_upload(csv_file(f"note,{header}", f"hello,{A}"), None)
    assert parsed.rows == [(2, A)]


def test_utf8_bom_and_semicolons() -> None:
    data = "\ufeffKennzeichen;Fahrgestellnummer;Farbe\nB-X 1;" + A + ";grün\n"
    parsed = parse_upload(data.encode("utf-8"), "de.csv")
    assert parsed.rows == [(2, A)]
    assert parsed.column == "Fahrgestellnummer"


def test_tabs_utf16_and_windows_1252_text() -> None:
    text = f"VIN\tModel\n{A}\tCitroën\n"
    for data in (text.encode("utf-16"), text.encode("cp1252")):
        assert parse_upload(data, None).rows == [(2, A)]


def test_values_are_normalised_like_single_decodes() -> None:
    spaced = f"  {A[:3]}-{A[3:8].lower()} {A[8:]}  "
    parsed = parse_upload(csv_file("vin", spaced), None)
    assert parsed.rows == [(2, A)]


def test_duplicates_are_decoded_once() -> None:
    parsed = parse_upload(csv_file("vin", A, B, A, A.lower(), C), None)
    assert parsed.unique == [A, B, C]
    assert parsed.duplicates == 2
    assert [row for row, _ in parsed.rows] == [2, 3, 4, 5, 6]


def test_malformed_values_are_rejected_with_row_and_reason() -> None:
    data = csv_file("id,vin", f"1,{A}", "2,ABC", f"3,{A[:16]}O", "4,", "", f"6,{B}")
    parsed = parse_upload(data, None)
    assert parsed.rows == [(2, A), (7, B)]
    assert parsed.rejected == [
        (3, "ABC", "length"),
        (4, A[:16] + "O", "characters"),
        (5, "", "missing"),
    ]
    assert parsed.total_rows == 5
    assert "17 characters" in rejection_detail("length", "ABC")
    assert "'O' at position 17" in rejection_detail("characters", A[:16] + "O")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_workbook() -> None:
    data = _xlsx(
        [["Stock", "Vehicle VIN", "Year"], ["s1", A, 2017], [None, None, None], ["s3", B, 2018]]
    )
    parsed = parse_upload(data, "fleet.xlsx")
    assert parsed.file_format == "xlsx"
    assert parsed.rows == [(2, A), (4, B)]


def test_xlsx_without_header() -> None:
    parsed = parse_upload(_xlsx([[A, 1], [B, 2]]), None)
    assert parsed.rows == [(1, A), (2, B)]


def test_too_many_rows_are_refused() -> None:
    lines = ["vin"] + [make_vin(i) for i in range(MAX_ROWS + 1)]
    with pytest.raises(TooManyRows) as caught:
        parse_upload(csv_file(*lines), None)
    assert caught.value.extensions["code"] == "too_many_rows"


def test_exactly_the_row_limit_is_accepted() -> None:
    lines = ["vin"] + [make_vin(i % 5000) for i in range(MAX_ROWS)]
    parsed = parse_upload(csv_file(*lines), None)
    assert (parsed.total_rows, len(parsed.unique), parsed.duplicates) == (MAX_ROWS, 5000, 95_000)


def test_too_large_file_is_refused() -> None:
    with pytest.raises(FileTooLarge) as caught:
        parse_upload(b"vin\n" + b"x" * MAX_FILE_BYTES, None)
    assert caught.value.status == 413


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"vin\n"])
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(EmptyFile):
        parse_upload(data, None)


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, os.urandom(4096) + b"\x00"],
)
def test_binary_junk_is_refused(data: bytes) -> None:
    with pytest.raises(NotATable) as caught:
        parse_upload(data, "photo.csv")
    assert caught.value.extensions["code"] == "not_a_table"


def test_zip_that_is_not_a_workbook_and_legacy_xls_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UnsupportedFile):
        parse_upload(buffer.getvalue(), "fleet.xlsx")
    with pytest.raises(UnsupportedFile, match="xls"):
        parse_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "fleet.xls")


def test_file_without_a_vin_column_is_refused() -> None:
    with pytest.raises(NoVinColumn) as caught:
        parse_upload(csv_file("name,price", "Pilot,30000", "Civic,20000"), None)
    assert caught.value.extensions["code"] == "no_vin_column"
