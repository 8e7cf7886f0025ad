"""Wire models of /v1/billing/entitlements."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FamilyEntitlement(BaseModel):
    family: str
    plan: str = Field(examples=["vin:pro"])
    status: str = Field(
        description="active, trialing, grace (a payment failed; the plan holds until the "
        "grace period ends) or default (no paid plan)."
    )
    subscription_id: str | None
    features: list[str]
    quotas: dict[str, int | None]
    limits: dict[str, int | None]
    rate_per_minute: int


class EntitlementsOut(BaseModel):
    account_id: str
    families: list[FamilyEntitlement]
    stripe_features: list[str] = Field(
        description="Feature lookup keys Stripe's entitlements API reports active."
    )
