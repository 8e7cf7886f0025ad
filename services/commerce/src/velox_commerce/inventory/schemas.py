"""Wire models of inventory."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Adjustment", "LocationCreate", "LocationOut", "MovementOut", "StockLevelOut"]


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(0, ge=0, le=1000, description="Allocation takes lower first.")


class LocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    priority: int
    created_at: datetime


class Adjustment(BaseModel):
    """Give exactly one of ``delta`` (received or written off) and ``on_hand`` (counted)."""

    model_config = ConfigDict(extra="forbid")

    variant_id: str = Field(max_length=40)
    location_id: str = Field(max_length=40)
    delta: int | None = Field(None, ge=-1_000_000, le=1_000_000)
    on_hand: int | None = Field(None, ge=0, le=100_000_000)
    low_stock_threshold: int | None = Field(None, ge=0, le=1_000_000)
    reason: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _one_of(self) -> Adjustment:
        if (self.delta is None) == (self.on_hand is None):
            raise ValueError("give exactly one of delta and on_hand")
        return self


class StockLevelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    variant_id: str
    location_id: str
    on_hand: int
    allocated: int
    low_stock_threshold: int | None
    updated_at: datetime


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    variant_id: str
    location_id: str | None
    kind: str
    on_hand_delta: int
    allocated_delta: int
    reference: str | None
    note: str | None
    created_at: datetime
