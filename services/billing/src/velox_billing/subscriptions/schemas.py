"""Wire models of checkout, portal, subscriptions and invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field

PlanName = Field(
    pattern=r"^[a-z][a-z-]{0,31}:[a-z][a-z_-]{0,31}$",
    examples=["vin:pro"],
    description="FAMILY:TIER of a paid tier (see GET /v1/billing/plans).",
)


class CheckoutIn(BaseModel):
    plan: str = PlanName
    success_url: AnyHttpUrl | None = Field(
        None, description="Where Stripe sends the customer after paying."
    )
    cancel_url: AnyHttpUrl | None = Field(None, description="Where a customer who backs out goes.")


class CheckoutOut(BaseModel):
    id: str = Field(description="Stripe's Checkout Session id (cs_...).")
    url: str | None = Field(description="Send the customer here to pay.")
    customer: str = Field(description="The account's Stripe customer (cus_...).")
    plan: str
    trial_days: int


class PortalIn(BaseModel):
    return_url: AnyHttpUrl


class PortalOut(BaseModel):
    url: str


class SubscriptionOut(BaseModel):
    id: str
    plan: str
    family: str
    tier: str
    status: str = Field(description="Stripe's status: trialing, active, past_due, canceled...")
    cancel_at_period_end: bool
    current_period_end: datetime | None
    trial_end: datetime | None
    past_due_since: datetime | None
    created_at: datetime


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]
    next_cursor: str | None


class ChangePlanIn(BaseModel):
    plan: str = PlanName
    proration: Literal["create_prorations", "always_invoice", "none"] = Field(
        "create_prorations",
        description="Stripe's proration_behavior: credit and charge the difference on the "
        "next invoice (default), invoice it now, or not at all.",
    )


class InvoiceLine(BaseModel):
    description: str | None
    amount: int
    currency: str
    quantity: int | None = None


class InvoiceOut(BaseModel):
    id: str | None
    status: str | None
    currency: str
    amount_due: int
    amount_paid: int
    total: int
    created: datetime | None
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str | None
    lines: list[InvoiceLine]


class InvoiceList(BaseModel):
    items: list[InvoiceOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")
