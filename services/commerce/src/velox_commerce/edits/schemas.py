"""Wire models of order edits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from velox_commerce.orders.schemas import OrderOut

__all__ = [
    "AddLine",
    "EditChange",
    "EditIn",
    "EditOut",
    "PaymentAdjustment",
    "RemoveLine",
    "SetQuantity",
]


class SetQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["set_quantity"]
    line_id: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=100_000)


class RemoveLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["remove_line"]
    line_id: str = Field(max_length=40)


class AddLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["add_line"]
    variant_id: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=100_000)


EditChange = Annotated[SetQuantity | RemoveLine | AddLine, Field(discriminator="op")]


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[EditChange] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _each_target_once(self) -> EditIn:
        lines = [c.line_id for c in self.changes if not isinstance(c, AddLine)]
        variants = [c.variant_id for c in self.changes if isinstance(c, AddLine)]
        if len(set(lines)) != len(lines) or len(set(variants)) != len(variants):
            raise ValueError("each line and each added variant may appear once in an edit")
        return self


class PaymentAdjustment(BaseModel):
    """What the edit did to the payment: ``none``, ``capture_adjusted`` (the authorisation
    will be captured for the new amount due) or ``refunded`` (``refund_id``)."""

    action: Literal["none", "capture_adjusted", "refunded"]
    amount: int = 0
    refund_id: str | None = None


class EditOut(BaseModel):
    id: str
    order_id: str
    author: str
    changes: list[dict[str, Any]]
    total_before: int
    total_after: int
    payment: PaymentAdjustment
    created_at: datetime
    order: OrderOut | None = Field(None, description="The order after the edit (on creation).")
