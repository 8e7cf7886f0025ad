"""/v1/billing checkout, portal, subscriptions and invoices (thin: the logic is in service)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, status
from velox_shared.auth import CurrentIdentity
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam

from velox_billing.db.models import Subscription
from velox_billing.deps import ContextDep, SessionDep
from velox_billing.stripe_api import plain
from velox_billing.subscriptions import service
from velox_billing.subscriptions.schemas import (
    ChangePlanIn,
    CheckoutIn,
    CheckoutOut,
    InvoiceLine,
    InvoiceList,
    InvoiceOut,
    PortalIn,
    PortalOut,
    SubscriptionList,
    SubscriptionOut,
)

router = APIRouter(prefix="/v1/billing", tags=["billing"])

PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
STRIPE_ERRORS: dict[int | str, dict[str, Any]] = {502: PROBLEM, 503: PROBLEM}
SubscriptionId = Annotated[str, Path(max_length=255, pattern=r"^sub_[A-Za-z0-9_]+$")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retries with the same key return the same Checkout Session.",
    ),
]


def subscription_out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=sub.id,
        plan=f"{sub.family}:{sub.tier}",
        family=sub.family,
        tier=sub.tier,
        status=sub.status,
        cancel_at_period_end=sub.cancel_at_period_end,
        current_period_end=sub.current_period_end,
        trial_end=sub.trial_end,
        past_due_since=sub.past_due_since,
        created_at=sub.created_at,
    )


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def invoice_out(invoice: Any) -> InvoiceOut:
    lines = invoice.get("lines") or {}
    return InvoiceOut(
        id=invoice.get("id"),
        status=invoice.get("status"),
        currency=invoice.get("currency") or "usd",
        amount_due=invoice.get("amount_due") or 0,
        amount_paid=invoice.get("amount_paid") or 0,
        total=invoice.get("total") or 0,
        created=_ts(invoice.get("created")),
        period_start=_ts(invoice.get("period_start")),
        period_end=_ts(invoice.get("period_end")),
        hosted_invoice_url=invoice.get("hosted_invoice_url"),
        lines=[
            InvoiceLine(
                description=line.get("description"),
                amount=line.get("amount") or 0,
                currency=line.get("currency") or "usd",
                quantity=line.get("quantity"),
            )
            for line in lines.get("data", [])
        ],
    )


@router.post(
    "/checkout-sessions",
    status_code=status.HTTP_201_CREATED,
    responses={409: PROBLEM, 422: PROBLEM, **STRIPE_ERRORS},
)
async def create_checkout_session(
    body: CheckoutIn,
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> CheckoutOut:
    """Start paying for a plan: a Stripe Checkout Session to send the customer to.

    The account's Stripe customer is created on first need. Plans with a trial start
    trialing; the gateway allows the plan's limits once Stripe confirms (webhook).
    One subscription per product family: change an existing one instead (409).
    """
    checkout = await service.start_checkout(
        context,
        session,
        identity.account_id,
        body.plan,
        success_url=str(body.success_url) if body.success_url else None,
        cancel_url=str(body.cancel_url) if body.cancel_url else None,
        idempotency_key=idempotency_key,
    )
    _, tier = service.parse_paid_plan(context, body.plan)
    return CheckoutOut(
        id=checkout.id,
        url=checkout.url,
        customer=str(checkout.customer),
        plan=body.plan,
        trial_days=tier.trial_days,
    )


@router.post("/portal-sessions", status_code=status.HTTP_201_CREATED, responses={**STRIPE_ERRORS})
async def create_portal_session(
    body: PortalIn, identity: CurrentIdentity, context: ContextDep, session: SessionDep
) -> PortalOut:
    """A Stripe Customer Portal link: payment methods, invoices, cancellation."""
    portal = await service.open_portal(context, session, identity.account_id, str(body.return_url))
    return PortalOut(url=portal.url)


@router.get("/subscriptions")
async def list_subscriptions(
    identity: CurrentIdentity,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: CursorParam = None,
) -> SubscriptionList:
    """The account's subscriptions, newest first (ended ones included)."""
    page = await service.list_subscriptions(
        session, identity.account_id, limit=limit, cursor=cursor
    )
    return SubscriptionList(
        items=[subscription_out(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/subscriptions/{subscription_id}/change",
    responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM, **STRIPE_ERRORS},
)
async def change_plan(
    subscription_id: SubscriptionId,
    body: ChangePlanIn,
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
) -> SubscriptionOut:
    """Move to another tier of the same family, prorated; takes effect at once."""
    sub = await service.change_plan(
        context, session, identity.account_id, subscription_id, body.plan, proration=body.proration
    )
    return subscription_out(sub)


@router.post(
    "/subscriptions/{subscription_id}/cancel",
    responses={404: PROBLEM, 409: PROBLEM, **STRIPE_ERRORS},
)
async def cancel_subscription(
    subscription_id: SubscriptionId,
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
) -> SubscriptionOut:
    """Cancel at the end of the paid period; the plan stays until then."""
    sub = await service.set_cancel_at_period_end(
        context, session, identity.account_id, subscription_id, cancel=True
    )
    return subscription_out(sub)


@router.post(
    "/subscriptions/{subscription_id}/resume",
    responses={404: PROBLEM, 409: PROBLEM, **STRIPE_ERRORS},
)
async def resume_subscription(
    subscription_id: SubscriptionId,
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
) -> SubscriptionOut:
    """Take back a cancellation at period end."""
    sub = await service.set_cancel_at_period_end(
        context, session, identity.account_id, subscription_id, cancel=False
    )
    return subscription_out(sub)


@router.get("/invoices", responses={**STRIPE_ERRORS})
async def list_invoices(
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=255, pattern=r"^in_[A-Za-z0-9_]+$")] = None,
) -> InvoiceList:
    """Past invoices from Stripe, newest first."""
    listed = await service.list_invoices(
        context, session, identity.account_id, limit=limit, starting_after=cursor
    )
    if listed is None:
        return InvoiceList(items=[], next_cursor=None)
    items = [invoice_out(plain(i)) for i in listed.data]
    more = bool(listed.has_more) and bool(items)
    return InvoiceList(items=items, next_cursor=items[-1].id if more else None)


@router.get(
    "/subscriptions/{subscription_id}/upcoming-invoice",
    responses={404: PROBLEM, **STRIPE_ERRORS},
)
async def upcoming_invoice(
    subscription_id: SubscriptionId,
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
) -> InvoiceOut:
    """What Stripe will charge next for this subscription (a preview, not an invoice)."""
    preview = await service.upcoming_invoice(context, session, identity.account_id, subscription_id)
    return invoice_out(plain(preview))
