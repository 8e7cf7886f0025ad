"""Problems an import answers with (RFC 9457, rendered by the shared handlers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from velox_shared.errors import VeloxError

__all__ = [
    "MAX_ERRORS",
    "ErrorList",
    "FileTooLarge",
    "ImportInvalid",
    "RowError",
    "UnsupportedFile",
]

MAX_ERRORS = 500


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of an imported file: its row (the header is row 1, as a spreadsheet
    numbers it), its column (``None`` for the whole row or file) and what is wrong."""

    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportInvalid(VeloxError):
    """The file has errors; ``errors`` lists them (at most ``MAX_ERRORS``) and nothing was
    imported."""

    status = 422
    problem = "import-invalid"
    title = "The file has errors"

    def __init__(self, errors: Sequence[RowError], *, truncated: bool = False) -> None:
        self.errors = list(errors)
        more = " (only the first ones are listed)" if truncated else ""
        super().__init__(
            f"{len(self.errors)} error(s) in the file{more}; nothing was imported.",
            extensions={"errors": [e.as_dict() for e in self.errors], "truncated": truncated},
        )


class FileTooLarge(VeloxError):
    status = 413
    problem = "payload-too-large"
    title = "The file is too large"

    def __init__(self, detail: str, *, limit: int, unit: str) -> None:
        super().__init__(detail, extensions={"limit": limit, "unit": unit})


class UnsupportedFile(VeloxError):
    """Neither UTF-8 CSV text nor an Excel workbook (told by content, not by name)."""

    status = 415
    problem = "unsupported-media-type"
    title = "Unsupported file format"


class ErrorList:
    """The errors found so far, at most :data:`MAX_ERRORS` (``truncated`` past that)."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.truncated = False

    def add(self, row: int, column: str | None, message: str) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.truncated = True
            return
        self.items.append(RowError(row, column, message))

    @property
    def full(self) -> bool:
        return self.truncated

    def check(self) -> None:
        """Raise :class:`ImportInvalid` if any error was found (ordered by row)."""
        if self.items:
            ordered = sorted(self.items, key=lambda e: e.row)
            raise ImportInvalid(ordered, truncated=self.truncated)
