"""Reading an uploaded product file into rows of text cells.

The format is told by content, never by name: a ZIP archive that openpyxl opens is a
workbook (its first sheet is read), anything else must be UTF-8 text (with or without a
BOM) delimited by commas, semicolons or tabs, whichever the header line uses most. A
PNG, a PDF or a legacy ``.xls`` is refused whatever it is called.

Rows are numbered as a spreadsheet shows them: the header is row 1 and a CSV record
spanning several lines (a quoted description) is one row. Rows with no value at all are
skipped (their numbers are not reused).

Example::

    table = read_table(b"handle,sku\\nshoe,SHOE-1\\n")
    table.header  # ['handle', 'sku']
    table.rows  # [(2, ['shoe', 'SHOE-1'])]
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from velox_commerce.transfer.errors import FileTooLarge, ImportInvalid, RowError, UnsupportedFile

__all__ = [
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "FileFormat",
    "Table",
    "read_table",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
# A workbook's XML inflates about ten times; past this it is a decompression bomb.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024

FileFormat = Literal["csv", "xlsx"]
Row = tuple[int, list[str]]

_ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "a legacy Excel file (.xls); save it as .xlsx or CSV",
}
_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Table:
    format: FileFormat
    header: list[str]
    rows: list[Row]


def read_table(data: bytes) -> Table:
    """The header and the non-blank rows of a CSV or XLSX file; raises
    :class:`FileTooLarge`, :class:`UnsupportedFile` or :class:`ImportInvalid`."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"The file has {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.",
            limit=MAX_FILE_BYTES,
            unit="bytes",
        )
    file_format: FileFormat = "xlsx" if data.startswith(_ZIP_MAGIC) else "csv"
    rows = _xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data)
    nonblank = (row for row in rows if any(cell.strip() for cell in row[1]))
    first = next(nonblank, None)
    if first is None:
        raise ImportInvalid([RowError(1, None, "The file is empty: it needs a header row.")])
    header = [cell.strip() for cell in first[1]]
    if len(header) > MAX_COLUMNS:
        raise ImportInvalid(
            [
                RowError(
                    first[0], None, f"The file has {len(header)} columns; at most {MAX_COLUMNS}."
                )
            ]
        )
    body = _limited(nonblank)
    if not body:
        raise ImportInvalid([RowError(first[0] + 1, None, "The file has a header but no rows.")])
    return Table(file_format, header, body)


def _limited(rows: Iterable[Row]) -> list[Row]:
    body: list[Row] = []
    for row in rows:
        if len(body) == MAX_ROWS:
            raise FileTooLarge(
                f"The file has more than {MAX_ROWS:,} rows; split it into several files.",
                limit=MAX_ROWS,
                unit="rows",
            )
        body.append(row)
    return body


def _unzipped_size(data: bytes) -> int:
    """What the archive's members hold once inflated (zipfile never reads past these
    declared sizes, so a bomb is refused before openpyxl inflates anything)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a readable archive: openpyxl says so below


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    unzipped = _unzipped_size(data)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise FileTooLarge(
            f"The workbook holds {unzipped:,} bytes once unzipped; the limit is "
            f"{MAX_UNZIPPED_BYTES:,}.",
            limit=MAX_UNZIPPED_BYTES,
            unit="unzipped bytes",
        )
    try:
        # openpyxl warns about styles and extensions it ignores; those do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UnsupportedFile(
            "The file is a ZIP archive but not an Excel workbook (.xlsx); upload an .xlsx "
            "or a UTF-8 CSV file."
        ) from None
    return _sheet_rows(book)


def _sheet_rows(book: Any) -> Iterator[Row]:
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong used range; read every row
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(v) for v in values[: MAX_COLUMNS + 1]]
    finally:
        book.close()


def _xlsx_cell(value: Any) -> str:
    """A workbook value as the text a CSV would hold (1999.0 -> "1999", TRUE -> "true")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _decode(data: bytes) -> str:
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UnsupportedFile(f"The file is {what}, not a CSV or an Excel workbook.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(
            f"The file is neither UTF-8 text (invalid byte at offset {exc.start}) nor an "
            "Excel workbook (.xlsx); save the sheet as 'CSV UTF-8' or .xlsx."
        ) from None
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in "\t\r\n")
    if "\x00" in sample or controls > len(sample) // 100:
        raise UnsupportedFile("The file is binary data, not a CSV or an Excel workbook.")
    return text


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = _decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    return _read_csv(text, delimiter)


def _read_csv(text: str, delimiter: str) -> Iterator[Row]:
    # A field longer than csv's limit (131,072 characters, above any column's maximum)
    # is an error of its row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells[: MAX_COLUMNS + 1]
    except csv.Error as exc:
        raise ImportInvalid(
            [RowError(number + 1, None, f"The CSV cannot be read: {exc}.")]
        ) from None
