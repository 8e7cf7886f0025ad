"""Writing tables as CSV or Excel, and choosing the format from ``format=`` or ``Accept``.

Used by the product export and by the reports. CSV is UTF-8 with a BOM (so Excel reads
accents right), cells that would run as formulas are written behind an apostrophe
(:func:`~velox_commerce.transfer.columns.escape_formula`); in a workbook a text
cell is stored as text, never as a formula.

Example::

    data = xlsx_bytes("sales", ["day", "net"], [["2025-01-02", 1999]])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from velox_commerce.transfer.columns import escape_formula

__all__ = [
    "CSV_MEDIA",
    "XLSX_MEDIA",
    "Cell",
    "TableFormat",
    "XlsxSheet",
    "attachment",
    "csv_bytes",
    "csv_rows",
    "negotiate",
    "xlsx_bytes",
]

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

Cell = str | int | bool | None
TableFormat = Literal["json", "csv", "xlsx"]


def negotiate(chosen: TableFormat | None, accept: str, default: TableFormat) -> TableFormat:
    """``chosen`` (the ``format`` query) if given, else what ``Accept`` names, else
    ``default``."""
    if chosen is not None:
        return chosen
    if XLSX_MEDIA in accept:
        return "xlsx"
    if "text/csv" in accept:
        return "csv"
    if "application/json" in accept:
        return "json"
    return default


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_rows(rows: Iterable[Sequence[Cell]], *, delimiter: str = ",") -> str:
    """CSV lines (``\\r\\n`` ended) of ``rows``, formulas escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([escape_formula(_text(v)) for v in row])
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A whole CSV file: BOM, header, rows."""
    return (BOM + csv_rows([header, *rows])).encode()


class XlsxSheet:
    """A workbook of one sheet written row by row: openpyxl's write-only mode keeps the
    rows in a temporary file, not in memory, until :meth:`finish` zips them."""

    def __init__(self, title: str, header: Sequence[str]) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])
        self.append([header])

    def append(self, rows: Iterable[Sequence[Cell]]) -> None:
        for row in rows:
            self.sheet.append([_xlsx_cell(self.sheet, value) for value in row])

    def finish(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A workbook of one sheet: the header row, then ``rows``."""
    sheet = XlsxSheet(title, header)
    sheet.append(rows)
    return sheet.finish()


def _xlsx_cell(sheet: object, value: Cell) -> object:
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text stays text: never run as a formula
        return cell
    return value  # openpyxl stores any other text as text


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
