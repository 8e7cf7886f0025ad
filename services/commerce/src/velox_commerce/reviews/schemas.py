"""Wire models of reviews: what a buyer writes, what staff moderate, what shoppers read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from velox_commerce.search.schemas import Rating

__all__ = [
    "ModerationIn",
    "ProductReviewsOut",
    "PublicReviewOut",
    "RatingSummary",
    "ReviewCreate",
    "ReviewOut",
    "ReviewSort",
    "ReviewStatus",
]

ReviewStatus = Literal["pending", "approved", "rejected"]
ReviewSort = Literal["newest", "oldest", "highest", "lowest"]

TITLE_MAX = 200
BODY_MAX = 5_000
AUTHOR_MAX = 100
NOTE_MAX = 500


def _clean(value: str) -> str:
    """Surrounding blanks dropped; NUL refused (PostgreSQL text cannot hold it)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value.strip()


Text = Annotated[str, AfterValidator(_clean)]


class ReviewCreate(BaseModel):
    """A buyer's review. A signed-in customer (``X-Customer-Token``) needs nothing more; a
    guest proves the purchase with the order's id and the email it was placed with."""

    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5, description="Stars, 1 to 5.")
    title: Text | None = Field(None, max_length=TITLE_MAX)
    body: Text = Field("", max_length=BODY_MAX)
    author_name: Text | None = Field(
        None,
        max_length=AUTHOR_MAX,
        description="Shown with the review; a signed-in customer's name when unset.",
    )
    order_id: str | None = Field(
        None, max_length=40, description="The order that holds the product (`ord_...`)."
    )
    email: EmailStr | None = Field(None, description="The order's email (guests).")

    @model_validator(mode="after")
    def _not_blank(self) -> ReviewCreate:
        if self.author_name == "":
            raise ValueError("author_name must not be blank")
        if self.title == "":
            self.title = None
        return self


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["approved", "rejected"]
    moderation_note: Text | None = Field(
        None, max_length=NOTE_MAX, description="For staff only; never shown to shoppers."
    )


class PublicReviewOut(BaseModel):
    """A review as shoppers see it (approved ones only; no email, no order)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    product_id: str
    rating: int
    title: str | None
    body: str
    author_name: str
    verified_purchase: bool = Field(True, description="Always true: only buyers may review.")
    created_at: datetime


class ReviewOut(PublicReviewOut):
    """A review as staff see it."""

    status: ReviewStatus
    customer_id: str | None
    email: str | None
    order_id: str
    moderation_note: str | None
    moderated_at: datetime | None
    updated_at: datetime


class RatingSummary(Rating):
    """Approved reviews only; ``average`` rounded to 2 decimals (None without reviews)."""

    distribution: dict[int, int] = Field(description="Reviews per star, 1 to 5.")


class ProductReviewsOut(BaseModel):
    product_id: str
    rating: RatingSummary
    items: list[PublicReviewOut]
    next_cursor: str | None = None
