"""Wire models of product import."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["ImportCounts", "ImportResult"]


class ImportCounts(BaseModel):
    created: int
    updated: int = Field(description="Changed by the file (for a product: it or a variant).")
    unchanged: int


class ImportResult(BaseModel):
    dry_run: bool = Field(description="True: the file was checked and nothing was written.")
    format: Literal["csv", "xlsx"] = Field(description="The format read from the content.")
    rows: int = Field(description="Data rows read (blank rows are skipped).")
    products: ImportCounts
    variants: ImportCounts
