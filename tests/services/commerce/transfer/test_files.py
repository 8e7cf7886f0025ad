"""Reading product files (format told by content, rows numbered as a spreadsheet shows
them, limits) and the cell codecs that keep a round trip exact; no database."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from velox_commerce.transfer import files
from velox_commerce.transfer.columns import (
    decode_attribute,
    encode_attribute,
    escape_formula,
    unescape_formula,
)
from velox_commerce.transfer.errors import FileTooLarge, ImportInvalid, UnsupportedFile
from velox_commerce.transfer.files import read_table
from velox_commerce.transfer.tables import csv_bytes, xlsx_bytes


def test_a_csv_with_bom_semicolons_quoted_lines_and_blank_rows() -> None:
    data = '\ufeffhandle;sku;description\n\nshoe;S-1;"two\nlines"\n;;\nshoe;S-2;\n'.encode()
    table = read_table(data)
    assert (table.format, table.header) == ("csv", ["handle", "sku", "description"])
    # Row 2 is blank, the quoted record spans lines 3-4 and is row 3, row 4 is empty.
    assert table.rows == [(3, ["shoe", "S-1", "two\nlines"]), (5, ["shoe", "S-2", ""])]


def test_a_workbook_is_read_whatever_it_is_called_with_numbers_as_text() -> None:
    data = xlsx_bytes("products", ["handle", "sku", "price.USD"], [["shoe", "S-1", 1999]])
    table = read_table(data)
    assert table.format == "xlsx"
    assert table.rows == [(2, ["shoe", "S-1", "1999"])]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        (b"%PDF-1.7\n", "PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy Excel"),
        (_zip(), "not an Excel workbook"),
        ("handle,sku\nshoe,caf\u00e9\n".encode("latin-1"), "neither UTF-8"),
        (b"handle,sku\n" + bytes(range(1, 32)) * 10, "binary data"),
    ],
)
def test_files_that_are_neither_csv_nor_xlsx_are_refused(data: bytes, words: str) -> None:
    with pytest.raises(UnsupportedFile) as refused:
        read_table(data)
    assert words in refused.value.detail


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b"\n\n", "empty"), (b"handle,sku\n", "no rows")],
)
def test_a_file_without_rows_is_invalid(data: bytes, words: str) -> None:
    with pytest.raises(ImportInvalid) as refused:
        read_table(data)
    assert words in refused.value.errors[0].message


def test_the_row_limit_and_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    read_table(b"handle,sku\n" + b"a,1\n" * 3)
    with pytest.raises(FileTooLarge) as rows:
        read_table(b"handle,sku\n" + b"a,1\n" * 4)
    assert rows.value.extensions == {"limit": 3, "unit": "rows"}
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 20)
    with pytest.raises(FileTooLarge) as size:
        read_table(b"handle,sku\n" + b"a,1\n" * 4)
    assert size.value.extensions == {"limit": 20, "unit": "bytes"}


def test_a_broken_csv_names_its_row() -> None:
    with pytest.raises(ImportInvalid) as refused:
        read_table(b'handle,sku\nshoe,"S-1\nsock,S-2\n')
    assert refused.value.errors[0].row == 2


def test_attribute_cells_and_formula_escapes_round_trip() -> None:
    values: list[Any] = ["plain", "", "42", "true", "null", '"quoted"', "[1]", 42, 1.5, True]
    values += [None, ["a", 1], {"k": "v"}]
    for value in values:
        assert decode_attribute(encode_attribute(value)) == value, value
    for text in ["=SUM(A1)", "+1", "-1", "@me", "'quoted", "'=x", "plain", ""]:
        escaped = escape_formula(text)
        assert unescape_formula(escaped) == text
        assert not escaped.startswith(("=", "+", "-", "@")), text


def test_csv_bytes_escape_formulas_and_read_back() -> None:
    data = csv_bytes(["handle", "title"], [["shoe", "=HYPERLINK(1)"], ["sock", True]])
    assert data.startswith("\ufeff".encode())
    assert b"'=HYPERLINK(1)" in data
    assert read_table(data).rows == [(2, ["shoe", "'=HYPERLINK(1)"]), (3, ["sock", "true"])]


def test_a_workbook_that_inflates_past_the_limit_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = xlsx_bytes("products", ["handle", "sku"], [["shoe", f"S-{n}"] for n in range(50)])
    monkeypatch.setattr(files, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(FileTooLarge) as refused:
        read_table(data)
    assert refused.value.extensions == {"limit": 1000, "unit": "unzipped bytes"}
