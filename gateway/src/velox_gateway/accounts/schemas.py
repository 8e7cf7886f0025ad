"""Wire models of /v1/accounts and /v1/usage."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from velox_shared.contracts.plans import Price


class PlanOut(BaseModel):
    family: str
    tier: str
    title: str
    price: Price
    rate_per_minute: int
    burst: int
    features: list[str]
    quotas: dict[str, int | None] = Field(description="Monthly; null means unlimited.")


class UsageItem(BaseModel):
    operation: str
    used: int
    limit: int | None
    remaining: int | None


class UsageOut(BaseModel):
    period: str = Field(examples=["2026-11"])
    resets_at: datetime
    items: list[UsageItem]


class AccountMe(BaseModel):
    id: str
    name: str
    status: str
    created_at: datetime
    principal_id: str
    principal_kind: str
    role: str | None
    plans: list[PlanOut]
    entitlements: list[str]
    usage: UsageOut
