"""Checkout, portal, plan changes, cancellation and invoices: Stripe does the money, we
keep the account's copy and its entitlements in step with each answer."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.plans import Tier
from velox_shared.errors import Conflict, NotFound, UnprocessableContent
from velox_shared.pagination import PageResult
from velox_shared.repository import Repository

from velox_billing.catalog.naming import (
    PlanRef,
    base_lookup_key,
    overage_lookup_key,
)
from velox_billing.context import BillingContext
from velox_billing.db.models import Customer, Subscription
from velox_billing.entitlements.service import LIVE_STATUSES, recompute
from velox_billing.stripe_api import call, plain
from velox_billing.subscriptions.sync import store_subscription

__all__ = [
    "change_plan",
    "ensure_customer",
    "list_invoices",
    "list_subscriptions",
    "open_portal",
    "parse_paid_plan",
    "set_cancel_at_period_end",
    "start_checkout",
    "upcoming_invoice",
]


class Subscriptions(Repository[Subscription]):
    model = Subscription


class PlanNotSold(UnprocessableContent):
    problem = "plan-not-sold"
    title = "This plan cannot be bought"


class SubscriptionExists(Conflict):
    problem = "subscription-exists"
    title = "The account already subscribes to this product family"


class SubscriptionNotFound(NotFound):
    problem = "subscription-not-found"
    title = "No such subscription"


class PlanNotPublished(Conflict):
    problem = "plan-not-synced"
    title = "The plan's prices are not in Stripe yet"


def parse_paid_plan(context: BillingContext, plan: str) -> tuple[PlanRef, Tier]:
    """``FAMILY:TIER`` of a tier sold through Stripe, or 422 saying what exists."""
    family_name, _, tier_name = plan.partition(":")
    family = context.catalog.families.get(family_name)
    tier = family.tiers.get(tier_name) if family else None
    if family is None or tier is None:
        raise PlanNotSold(f"No plan {plan!r}; see GET /v1/billing/plans.")
    if not tier.paid:
        raise PlanNotSold(
            f"{plan} is free and needs no checkout; cancel the paid subscription instead."
        )
    return PlanRef(family.name, tier.name), tier


async def ensure_customer(context: BillingContext, session: AsyncSession, account_id: str) -> str:
    """The account's Stripe customer, created on first need.

    The idempotency key is derived from the account, so concurrent or retried first calls
    get the same customer from Stripe; the insert keeps whichever row landed first.
    """
    existing: str | None = await session.scalar(
        select(Customer.stripe_customer_id).where(Customer.account_id == account_id)
    )
    if existing:
        return existing
    customer = await call(
        context.stripe.v1.customers.create_async(
            params={"name": f"Velox account {account_id}", "metadata": {"account_id": account_id}},
            options={"idempotency_key": f"velox-customer-{account_id}"},
        )
    )
    await session.execute(
        insert(Customer)
        .values(account_id=account_id, stripe_customer_id=customer.id)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
    stored: str = await session.scalar(  # type: ignore[assignment]
        select(Customer.stripe_customer_id).where(Customer.account_id == account_id)
    )
    return stored


async def _prices(context: BillingContext, lookup_keys: list[str]) -> dict[str, str]:
    listed = await call(
        context.stripe.v1.prices.list_async(
            params={"lookup_keys": lookup_keys, "active": True, "limit": 100}
        )
    )
    found = {p.lookup_key: p.id for p in listed.data if p.lookup_key}
    missing = [k for k in lookup_keys if k not in found]
    if missing:
        raise PlanNotPublished(
            f"Stripe has no price with lookup key {', '.join(missing)}; "
            "an operator must run `velox billing sync-plans`."
        )
    return found


def _keys(plan: PlanRef, tier: Tier) -> tuple[str, list[str]]:
    base = base_lookup_key(plan.family, plan.tier)
    return base, [overage_lookup_key(plan.family, plan.tier, op) for op in sorted(tier.overage)]


async def live_subscription(
    session: AsyncSession, account_id: str, family: str
) -> Subscription | None:
    result: Subscription | None = await session.scalar(
        select(Subscription)
        .where(
            Subscription.account_id == account_id,
            Subscription.family == family,
            Subscription.status.in_(LIVE_STATUSES),
        )
        .limit(1)
    )
    return result


async def start_checkout(
    context: BillingContext,
    session: AsyncSession,
    account_id: str,
    plan_name: str,
    *,
    success_url: str | None,
    cancel_url: str | None,
    idempotency_key: str | None,
) -> Any:
    """A Stripe Checkout Session for ``plan_name`` (with the tier's trial, if any)."""
    plan, tier = parse_paid_plan(context, plan_name)
    current = await live_subscription(session, account_id, plan.family)
    if current is not None:
        raise SubscriptionExists(
            f"The account already has {plan.family}:{current.tier} ({current.id}); change "
            f"it with POST /v1/billing/subscriptions/{current.id}/change.",
            extensions={"subscription_id": current.id},
        )
    customer = await ensure_customer(context, session, account_id)
    base, overage = _keys(plan, tier)
    prices = await _prices(context, [base, *overage])
    line_items: list[dict[str, Any]] = [{"price": prices[base], "quantity": 1}]
    line_items += [{"price": prices[key]} for key in overage]
    metadata = {"account_id": account_id, "plan": plan.plan}
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if tier.trial_days:
        subscription_data["trial_period_days"] = tier.trial_days
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": customer,
        "client_reference_id": account_id,
        "line_items": line_items,
        "subscription_data": subscription_data,
        "metadata": metadata,
        "success_url": success_url or context.settings.checkout_success_url,
        "cancel_url": cancel_url or context.settings.checkout_cancel_url,
    }
    options: dict[str, Any] = {}
    if idempotency_key:
        options["idempotency_key"] = f"velox-checkout-{account_id}-{idempotency_key}"
    return await call(
        context.stripe.v1.checkout.sessions.create_async(params=params, options=options)  # type: ignore[arg-type]
    )


async def open_portal(
    context: BillingContext, session: AsyncSession, account_id: str, return_url: str
) -> Any:
    customer = await ensure_customer(context, session, account_id)
    return await call(
        context.stripe.v1.billing_portal.sessions.create_async(
            params={"customer": customer, "return_url": return_url}
        )
    )


async def list_subscriptions(
    session: AsyncSession, account_id: str, *, limit: int, cursor: str | None
) -> PageResult[Subscription]:
    repo = Subscriptions(session)
    return await repo.page(repo.query(account_id=account_id), limit=limit, cursor=cursor)


async def _owned(session: AsyncSession, account_id: str, subscription_id: str) -> Subscription:
    sub = await session.scalar(
        select(Subscription).where(
            Subscription.id == subscription_id, Subscription.account_id == account_id
        )
    )
    if sub is None:
        raise SubscriptionNotFound(f"No subscription {subscription_id} in this account.")
    return sub


async def _apply(
    context: BillingContext, session: AsyncSession, stripe_sub: Any, reason: str
) -> Subscription:
    row = await store_subscription(session, context.catalog, stripe_sub)
    await recompute(
        session,
        context.catalog,
        context.runtime.events,
        row.account_id,
        grace=context.grace,
        reason=reason,
    )
    return row


async def change_plan(
    context: BillingContext,
    session: AsyncSession,
    account_id: str,
    subscription_id: str,
    plan_name: str,
    *,
    proration: str,
) -> Subscription:
    """Move a subscription to another tier of its family, prorated as asked."""
    sub = await _owned(session, account_id, subscription_id)
    plan, tier = parse_paid_plan(context, plan_name)
    if plan.family != sub.family:
        raise UnprocessableContent(
            f"{subscription_id} is a {sub.family} subscription; it cannot become {plan.plan}."
        )
    if sub.status not in LIVE_STATUSES:
        raise Conflict(f"{subscription_id} is {sub.status}; start a new checkout instead.")
    base, overage = _keys(plan, tier)
    prices = await _prices(context, [base, *overage])
    current = plain(await call(context.stripe.v1.subscriptions.retrieve_async(subscription_id)))
    items: list[dict[str, Any]] = []
    for item in current["items"]["data"]:
        key = item["price"].get("lookup_key") or ""
        if key.endswith("_monthly"):
            items.append({"id": item["id"], "price": prices[base]})
        else:
            items.append({"id": item["id"], "deleted": True})
    items += [{"price": prices[key]} for key in overage]
    updated = await call(
        context.stripe.v1.subscriptions.update_async(
            subscription_id,
            params=cast(
                Any,
                {
                    "items": items,
                    "proration_behavior": proration,
                    "metadata": {"account_id": account_id, "plan": plan.plan},
                },
            ),
        )
    )
    return await _apply(context, session, plain(updated), "subscription.changed")


async def set_cancel_at_period_end(
    context: BillingContext,
    session: AsyncSession,
    account_id: str,
    subscription_id: str,
    *,
    cancel: bool,
) -> Subscription:
    """Cancel at the end of the paid period (``cancel``), or take that back (resume)."""
    sub = await _owned(session, account_id, subscription_id)
    if sub.status not in LIVE_STATUSES:
        raise Conflict(f"{subscription_id} is {sub.status}; there is nothing to change.")
    updated = await call(
        context.stripe.v1.subscriptions.update_async(
            subscription_id, params={"cancel_at_period_end": cancel}
        )
    )
    reason = "subscription.cancelled" if cancel else "subscription.resumed"
    return await _apply(context, session, plain(updated), reason)


async def list_invoices(
    context: BillingContext,
    session: AsyncSession,
    account_id: str,
    *,
    limit: int,
    starting_after: str | None,
) -> Any:
    customer: str | None = await session.scalar(
        select(Customer.stripe_customer_id).where(Customer.account_id == account_id)
    )
    if customer is None:
        return None
    params: dict[str, Any] = {"customer": customer, "limit": limit}
    if starting_after:
        params["starting_after"] = starting_after
    return await call(context.stripe.v1.invoices.list_async(params=params))  # type: ignore[arg-type]


async def upcoming_invoice(
    context: BillingContext, session: AsyncSession, account_id: str, subscription_id: str
) -> Any:
    sub = await _owned(session, account_id, subscription_id)
    return await call(
        context.stripe.v1.invoices.create_preview_async(
            params={"customer": sub.stripe_customer_id, "subscription": sub.id}
        )
    )
