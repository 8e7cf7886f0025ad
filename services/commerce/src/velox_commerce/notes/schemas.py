"""Wire models of order notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NoteIn", "NoteOut"]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=10_000)
    public: bool = Field(False, description="Shown to the buyer with the order, else staff only.")


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: str
    author: str
    body: str
    public: bool
    created_at: datetime
