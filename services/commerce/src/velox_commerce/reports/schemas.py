"""Wire models of the reports (amounts in minor units of the report's currency)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from velox_commerce.transfer.tables import Cell

__all__ = [
    "InventoryReport",
    "InventoryRow",
    "InventoryTotals",
    "SalesFigures",
    "SalesReport",
    "SalesRow",
    "TopProduct",
    "TopProductsReport",
]

GroupBy = Literal["day", "product", "category"]
Table = tuple[list[str], list[list[Cell]]]
_FIGURES = ["orders", "units", "gross", "refunded", "net"]


class SalesFigures(BaseModel):
    orders: int = Field(description="Orders counted (an order counts once per row it is in).")
    units: int = Field(description="Units sold.")
    gross: int = Field(description="What buyers paid before refunds (order or line totals).")
    refunded: int = Field(description="Refunded (by product/category: spread over lines).")
    net: int = Field(description="gross - refunded.")

    def figures(self) -> list[Cell]:
        return [self.orders, self.units, self.gross, self.refunded, self.net]


class SalesRow(SalesFigures):
    key: str | None = Field(
        description="The day (YYYY-MM-DD), product id or category id (null: no category)."
    )
    label: str = Field(description="The day, the product's title or the category's name.")


class SalesReport(BaseModel):
    currency: str
    group_by: GroupBy
    from_: date = Field(serialization_alias="from", description="First day, inclusive.")
    to: date = Field(description="Last day, inclusive.")
    tz: str = Field(description="The time zone the days are in.")
    rows: list[SalesRow]
    totals: SalesFigures = Field(
        description="The whole period, each order once, with its shipping and tax."
    )
    next_cursor: str | None = Field(None, description="More rows (by product or category).")

    def table(self) -> Table:
        if self.group_by == "day":
            header = ["day", *_FIGURES, "currency"]
            rows = [[r.key, *r.figures(), self.currency] for r in self.rows]
            return header, rows
        header = [f"{self.group_by}_id", self.group_by, *_FIGURES, "currency"]
        return header, [[r.key, r.label, *r.figures(), self.currency] for r in self.rows]


class TopProduct(SalesFigures):
    rank: int
    product_id: str
    title: str


class TopProductsReport(BaseModel):
    currency: str
    from_: date = Field(serialization_alias="from", description="First day, inclusive.")
    to: date = Field(description="Last day, inclusive.")
    tz: str = Field(description="The time zone the days are in.")
    by: Literal["units", "net"]
    rows: list[TopProduct]

    def table(self) -> Table:
        header = ["rank", "product_id", "product", *_FIGURES, "currency"]
        rows = [[r.rank, r.product_id, r.title, *r.figures(), self.currency] for r in self.rows]
        return header, rows


class InventoryRow(BaseModel):
    variant_id: str
    product_id: str
    sku: str
    product_title: str
    variant_title: str
    on_hand: int
    allocated: int = Field(description="Sold, not yet shipped.")
    reserved: int = Field(description="Held by carts in checkout.")
    available: int = Field(description="on_hand - allocated - reserved.")
    unit_price: int | None = Field(
        description="The variant's regular price in the currency (null: none); no cost "
        "price is kept, so stock is valued at its selling price."
    )
    value: int | None = Field(description="on_hand (at least 0) x unit_price.")
    threshold: int
    low_stock: bool = Field(description="Tracked and available <= threshold.")


_INVENTORY = [
    "sku",
    "product",
    "variant",
    "variant_id",
    "product_id",
    "on_hand",
    "allocated",
    "reserved",
    "available",
    "threshold",
    "low_stock",
    "unit_price",
    "value",
    "currency",
]


class InventoryTotals(BaseModel):
    """Over every row of the report, not only this page."""

    variants: int
    on_hand: int
    value: int
    low_stock: int


class InventoryReport(BaseModel):
    currency: str
    threshold: int | None = Field(description="The threshold asked for (null: per variant).")
    low_stock_only: bool
    rows: list[InventoryRow]
    totals: InventoryTotals
    next_cursor: str | None = Field(None, description="More rows: pass it as ``cursor``.")

    def table(self) -> Table:
        rows: list[list[Cell]] = [
            [
                r.sku,
                r.product_title,
                r.variant_title,
                r.variant_id,
                r.product_id,
                r.on_hand,
                r.allocated,
                r.reserved,
                r.available,
                r.threshold,
                r.low_stock,
                r.unit_price,
                r.value,
                self.currency,
            ]
            for r in self.rows
        ]
        return list(_INVENTORY), rows
