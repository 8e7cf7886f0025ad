"""Wire models of /v1/billing/plans."""

from __future__ import annotations

from pydantic import BaseModel, Field
from velox_shared.contracts.plans import Price


class TierOut(BaseModel):
    plan: str = Field(examples=["vin:pro"], description="FAMILY:TIER, as used everywhere.")
    tier: str
    price: Price
    rate_per_minute: int
    burst: int
    features: list[str]
    quotas: dict[str, int | None] = Field(description="Monthly; null means unlimited.")


class FamilyOut(BaseModel):
    family: str
    title: str
    tiers: list[TierOut]


class CatalogOut(BaseModel):
    families: list[FamilyOut]
