"""Reading an uploaded CSV or Excel file into the VINs a bulk job decodes.

The format is told by content, not by name: a ZIP that openpyxl reads is a workbook (its
active sheet is used), anything else must be delimited text (UTF-8, UTF-8 with BOM,
UTF-16 with BOM, or Windows-1252 as Excel writes it) whose dialect is sniffed. The VIN
column is the one whose header names a VIN, else the first whose values look like VINs.
Values are normalised like single decodes (trimmed, inner spaces and dashes dropped,
upper-cased); values that are not 17 characters of the VIN alphabet are rejected with a
reason and reach the error report, not the decoder.

Example::

    parsed = parse_upload(b"vin\\n5FNYF5H59HB011946\\n", "fleet.csv")
    parsed.unique  # ['5FNYF5H59HB011946']
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from velox_vin_intel.decoding.decoder import InvalidVin, normalise
from velox_vin_intel.jobs.errors import (
    EmptyFile,
    FileTooLarge,
    NotATable,
    NoVinColumn,
    TooManyRows,
    UnsupportedFile,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "FileFormat",
    "ParsedVins",
    "parse_upload",
    "rejection_detail",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
SAMPLE_ROWS = 50
MAX_VALUE_CHARS = 64

FileFormat = Literal["csv", "xlsx"]
Row = tuple[int, list[str]]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VIN_SHAPE = re.compile(r"^[A-Z0-9]{17}$")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_HEADER_WORDS = {"vin", "vins"}
_HEADER_NAMES = {"vehicleidentificationnumber", "vehicleidnumber", "fahrgestellnummer"}


@dataclass
class ParsedVins:
    """What a file holds: accepted rows, the distinct VINs to decode, rejected values."""

    rows: list[tuple[int, str]]
    unique: list[str]
    duplicates: int
    rejected: list[tuple[int, str, str]]
    file_format: FileFormat
    column: str
    sha256: str
    seq_of: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def total_rows(self) -> int:
        """Data rows with a value in the VIN column, accepted or rejected."""
        return len(self.rows) + len(self.rejected)


def parse_upload(data: bytes, filename: str | None) -> ParsedVins:
    """Parse an uploaded file; raises an :class:`UploadError` subclass when it cannot be used."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"The file has {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes.",
            limit=MAX_FILE_BYTES,
        )
    if not data.strip():
        raise EmptyFile("The file is empty.")
    file_format: FileFormat = "xlsx" if data.startswith(_ZIP_MAGIC) else "csv"
    table = _xlsx_rows(data, filename) if file_format == "xlsx" else _csv_rows(data)
    nonblank = (row for row in table if any(row[1]))
    sample = list(islice(nonblank, SAMPLE_ROWS))
    if not sample:
        raise EmptyFile("The file has no rows with values.")
    column, header, label = _find_column(sample)
    body = chain(sample[1:] if header else sample, nonblank)
    return _collect(body, column, file_format, label, hashlib.sha256(data).hexdigest())


def rejection_detail(code: str, value: str) -> str:
    """The sentence the error report gives for a rejected value."""
    if code == "missing":
        return "The row has no value in the VIN column."
    try:
        normalise(value)
    except InvalidVin as exc:
        return exc.detail
    return "The value is not a VIN."


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _xlsx_rows(data: bytes, filename: str | None) -> Iterator[Row]:
    try:
        # openpyxl warns about styles and extensions it ignores; those do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UnsupportedFile(
            f"{filename or 'The file'} is a ZIP archive but not an Excel workbook (.xlsx); "
            "upload an .xlsx or a CSV file."
        ) from None
    return _sheet_rows(book)


def _sheet_rows(book: Any) -> Iterator[Row]:
    try:
        sheet = book.active or book.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong used range; read every row
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def _decode_text(data: bytes) -> str:
    if data.startswith(_OLE2_MAGIC):
        raise UnsupportedFile(
            "Legacy Excel files (.xls) are not supported; save the sheet as .xlsx or CSV."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotATable("The file starts like UTF-16 text but is not.") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _binary(text):
            return text
    raise NotATable("The file is neither a CSV text file nor an Excel workbook (.xlsx).")


def _binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) // 100


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = _decode_text(data)
    sample = text[:16384]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # one column, or too little text to tell
    return _read_csv(text, dialect)


def _read_csv(text: str, dialect: Any) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [c.strip() for c in cells]
    except csv.Error as exc:
        raise NotATable(f"The CSV cannot be read: {exc}.") from None


def _is_vin_header(cell: str) -> bool:
    if _vin_like(cell):
        return False
    words = {w.lower() for w in _WORDS.findall(cell)}
    squashed = re.sub(r"[^a-z]", "", cell.lower())
    return bool(words & _HEADER_WORDS) or squashed in _HEADER_NAMES


def _vin_like(cell: str) -> bool:
    # Every real VIN has digits; a 17-letter word ("Fahrgestellnummer") is a header.
    squashed = "".join(cell.split()).replace("-", "").upper()
    return bool(_VIN_SHAPE.match(squashed)) and any(c.isdigit() for c in squashed)


def _find_column(sample: list[Row]) -> tuple[int, bool, str]:
    """(column index, whether the first row is a header, a label for the column)."""
    first = sample[0][1]
    for index, cell in enumerate(first):
        if _is_vin_header(cell):
            return index, True, cell
    data = sample[1:] or sample
    width = max(len(cells) for _, cells in sample)
    for index in range(width):
        values = [cells[index] for _, cells in data if index < len(cells) and cells[index]]
        if values and sum(map(_vin_like, values)) * 2 >= len(values):
            head = first[index] if index < len(first) else ""
            header = not _vin_like(head) and not any(c.isdigit() for c in head)
            return index, header, head if header else f"column {index + 1}"
    raise NoVinColumn(
        "No column is headed VIN (vin, VIN, vehicle_vin, ...) and none holds values that "
        "look like VINs (17 letters and digits)."
    )


def _collect(
    body: Iterable[Row], column: int, file_format: FileFormat, label: str, digest: str
) -> ParsedVins:
    parsed = ParsedVins([], [], 0, [], file_format, label, digest)
    seen = parsed.seq_of
    for count, (number, cells) in enumerate(body, start=1):
        if count > MAX_ROWS:
            raise TooManyRows(
                f"The file has more than {MAX_ROWS:,} rows; split it into several jobs.",
                limit=MAX_ROWS,
            )
        raw = cells[column] if column < len(cells) else ""
        if not raw:
            parsed.rejected.append((number, "", "missing"))
            continue
        try:
            vin = normalise(raw)
        except InvalidVin as exc:
            code = "characters" if exc.positions else "length"
            parsed.rejected.append((number, raw.upper()[:MAX_VALUE_CHARS], code))
            continue
        parsed.rows.append((number, vin))
        if vin not in seen:
            seen[vin] = len(parsed.unique)
            parsed.unique.append(vin)
    if not parsed.total_rows:
        raise EmptyFile("The file has a header but no rows.")
    parsed.duplicates = len(parsed.rows) - len(parsed.unique)
    return parsed
