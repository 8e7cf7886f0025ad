"""Wire models of /v1/billing/plans."""

from __future__ import annotations

from pydantic import BaseModel, Field
from velox_shared.contracts.plans import Overage, Price


class TierOut(BaseModel):
    plan: str = Field(examples=["vin:pro"], description="FAMILY:TIER, as used everywhere.")
    tier: str
    title: str
    price: Price
    trial_days: int
    rate_per_minute: int
    burst: int
    features: list[str]
    quotas: dict[str, int | None] = Field(description="Monthly; null means unlimited.")
    limits: dict[str, int | None] = Field(description="Maxima held at once; null: unlimited.")
    overage: dict[str, Overage] = Field(
        description="Per-unit prices beyond the included quota (the quota is then no ceiling)."
    )


class FamilyOut(BaseModel):
    family: str
    title: str
    tiers: list[TierOut]


class CatalogOut(BaseModel):
    families: list[FamilyOut]
