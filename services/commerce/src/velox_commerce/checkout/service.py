"""Checkout in two steps, and the placement both the buyer's return and Stripe's webhook
reach, whichever comes first (the cart row lock makes it happen once).

1. :meth:`CheckoutService.start`: check the cart, reserve its stock until the store's
   reservation time runs out, and open a PaymentIntent (manual capture) for the amount
   due. The stock is committed before Stripe is called: no lock is held over the network.
2. The buyer authorises the payment with Stripe.js.
3. :meth:`CheckoutService.complete` (the buyer's return) or the
   ``payment_intent.amount_capturable_updated`` webhook calls :meth:`OrderPlacement.place`:
   under the cart's row lock it re-prices the cart, checks the authorisation covers the
   amount due, allocates the stock (the cart's own reservation counts as free for it),
   debits gift cards, counts coupon uses and writes the order, all in one transaction.
   A refused placement of an authorised payment cancels the authorisation.
4. The store captures at once (``capture_on_order``) or staff capture later.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import OrderPlaced
from velox_shared.events import publish
from velox_shared.ids import new_id

from velox_commerce.bundles.stock import line_allocations, stock_demand
from velox_commerce.carts.service import CartService, PricedCart, render
from velox_commerce.checkout.repository import (
    count_coupon_uses,
    next_order_number,
    set_line_allocations,
)
from velox_commerce.checkout.schemas import CheckoutOut, PaymentSession
from velox_commerce.context import CommerceContext
from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import Cart, CartLine, GiftCard
from velox_commerce.db.orders import Order, OrderLine, Payment
from velox_commerce.emails.queue import queue_email
from velox_commerce.errors import (
    CheckoutProblem,
    CheckoutRefused,
    PaymentsNotConfigured,
    StateConflict,
)
from velox_commerce.inventory.allocation import Shortage, VariantStock
from velox_commerce.inventory.service import InventoryService
from velox_commerce.orders.schemas import OrderOut
from velox_commerce.orders.service import render_order
from velox_commerce.payments.provider import Intent, PaymentProvider

__all__ = ["CheckoutService", "OrderPlacement", "Placed", "release_authorization"]


def _problems(priced: PricedCart, *, store_has_shipping: bool) -> list[CheckoutProblem]:
    """What stops a cart from checking out, stock and payment aside."""
    cart, problems = priced.cart, []
    if not priced.lines:
        problems.append(CheckoutProblem("empty-cart", "The cart has no lines."))
    for line in priced.lines:
        if line.product_status != "active":
            problems.append(
                CheckoutProblem(
                    "unavailable-variant",
                    f"{line.sku} is no longer for sale.",
                    variant_id=line.variant_id,
                )
            )
        elif line.price is None:
            problems.append(
                CheckoutProblem(
                    "unavailable-variant",
                    f"{line.sku} has no {cart.currency} price any more.",
                    variant_id=line.variant_id,
                )
            )
    for problem in priced.totals.problems:
        problems.append(CheckoutProblem(problem.code, problem.detail, ref=problem.ref))
    if cart.shipping_method_id is None and store_has_shipping:
        problems.append(CheckoutProblem("missing-shipping-method", "Choose a shipping method."))
    if cart.shipping_method_id is not None and cart.shipping_address is None:
        problems.append(CheckoutProblem("missing-address", "Set a shipping address."))
    if priced.shipping_unavailable:
        problems.append(
            CheckoutProblem(
                "shipping-unavailable",
                "The chosen shipping method does not serve the shipping address.",
            )
        )
    return problems


def _stock_problems(
    shortages: list[Shortage], expired: bool, priced: PricedCart
) -> list[CheckoutProblem]:
    # A component short for a bundle line names the bundle too.
    bundles: dict[str, list[str]] = {}
    for line in priced.lines:
        for component in line.components:
            bundles.setdefault(component.variant_id, []).append(line.variant_id)
    problems = [
        CheckoutProblem(
            "out-of-stock",
            f"Only {s.available} available, {s.requested} requested.",
            variant_id=s.variant_id,
            requested=s.requested,
            available=s.available,
            **({"bundle_variant_ids": bundles[s.variant_id]} if s.variant_id in bundles else {}),
        )
        for s in shortages
    ]
    if problems and expired:
        problems.insert(
            0,
            CheckoutProblem(
                "reservation-expired",
                "The stock reserved for this checkout was released when its time ran out.",
            ),
        )
    return problems


def _demand(priced: PricedCart) -> tuple[dict[str, int], dict[str, VariantStock]]:
    """Units per variant, a bundle's lines counted as their components' units."""
    return stock_demand(priced.lines)


async def _store_has_shipping(session: AsyncSession, store: Store) -> bool:
    found = await session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM commerce.shipping_methods WHERE store_id = :s)"),
        {"s": store.id},
    )
    return bool(found)


@dataclass(frozen=True, slots=True)
class _Written:
    order: Order
    line_rows: list[dict[str, Any]]
    payments: list[Payment]
    line_ids: dict[str, str]  # cart line id -> order line id


@dataclass(frozen=True, slots=True)
class Placed:
    """A cart's order; ``out`` is its rendering when this call created it (no reload)."""

    order: Order
    created: bool
    out: OrderOut | None


class OrderPlacement:
    """Turns a cart into an order exactly once (see the module docstring)."""

    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context
        self.carts = CartService(session, store, context.settings)
        self.inventory = InventoryService(session, store, context.runtime.events)

    async def _needs_shipping(self, cart: Cart) -> bool:
        """Whether a cart without a shipping method must choose one (the store ships)."""
        if cart.shipping_method_id is not None:
            return True
        return await _store_has_shipping(self.session, self.store)

    async def existing(self, cart: Cart) -> Order | None:
        if cart.order_id is None:
            return None
        return await self.session.get(Order, cart.order_id)

    async def place(self, cart_id: str, intent: Intent | None) -> Placed:
        """The cart's order and whether this call created it; raises
        :class:`CheckoutRefused` with every problem (the caller rolls back).

        What locks no shared row is written first (the order, its lines, the payment, the
        cart, the event, the email). The rows every buyer of the same things needs, the
        stock levels and the coupons' use counts, are locked last, in two round trips just
        before the commit, so completions queue for them as briefly as they can."""
        cart = await self.carts.get(cart_id, lock=True)
        order = await self.existing(cart)
        if order is not None:
            return Placed(order, created=False, out=None)
        priced = await self.carts.price(cart, lock_gift_cards=True)
        problems = _problems(priced, store_has_shipping=await self._needs_shipping(cart))
        due = priced.totals.amount_due
        if due > 0:
            problems.extend(self._payment_problems(cart, intent, due))
        demand, stock = _demand(priced)
        expired = cart.reserved_until is not None and cart.reserved_until < datetime.now(UTC)
        if problems:
            if priced.lines:  # the buyer hears about stock too
                planned = await self.inventory.plan_allocation(cart.id, demand, stock)
                if isinstance(planned, list):
                    problems.extend(_stock_problems(planned, expired, priced))
            raise CheckoutRefused(problems)
        order_id = new_id("ord")
        written = await self._write(order_id, priced, intent)
        planned = await self.inventory.plan_allocation(cart.id, demand, stock)
        if isinstance(planned, list):
            raise CheckoutRefused(_stock_problems(planned, expired, priced))
        shares = line_allocations(priced.lines, planned.plans)
        allocations = {written.line_ids[line_id]: share for line_id, share in shares.items()}
        counted = [p for p in priced.totals.promotions if p.code is not None]
        also = [set_line_allocations(cart.account_id, allocations)]
        if counted:
            also.append(count_coupon_uses(cart.account_id, [p.id for p in counted]))
        returned = await self.inventory.apply_allocation(planned, order_id, cart.id, also)
        used_up = [p for p in counted if p.id not in set(returned.get("coupons", ()))]
        if used_up:
            raise CheckoutRefused(
                [
                    CheckoutProblem(
                        "coupon-usage-limit",
                        f"{p.code} has been used as often as allowed.",
                        ref=p.code,
                    )
                    for p in used_up
                ]
            )
        for row in written.line_rows:
            row["allocations"] = allocations[row["id"]]
        out = render_order(written.order, written.line_rows, written.payments)
        return Placed(written.order, created=True, out=out)

    @staticmethod
    def _payment_problems(cart: Cart, intent: Intent | None, due: int) -> list[CheckoutProblem]:
        if intent is None or cart.payment_intent_id != intent.id:
            return [
                CheckoutProblem(
                    "payment-not-authorized", "Start checkout to get a payment to authorise."
                )
            ]
        if not intent.authorized:
            return [
                CheckoutProblem(
                    "payment-not-authorized",
                    f"The payment is {intent.status}; the buyer has not authorised it yet.",
                    payment_status=intent.status,
                )
            ]
        if intent.amount != due:
            return [
                CheckoutProblem(
                    "price-changed",
                    f"The cart now costs {due}, the payment was authorised for {intent.amount};"
                    " start checkout again.",
                    amount_due=due,
                    authorized=intent.amount,
                )
            ]
        return []

    async def _write(
        self,
        order_id: str,
        priced: PricedCart,
        intent: Intent | None,
    ) -> _Written:
        """The order and everything about it that locks no row other buyers need (its
        lines' allocations come later, with the stock)."""
        cart, totals = priced.cart, priced.totals
        now = datetime.now(UTC)
        by_line = {line.line_id: line for line in totals.lines}
        line_ids = {row.line_id: new_id("oline") for row in priced.lines}
        line_rows: list[dict[str, Any]] = []
        for row in priced.lines:
            line = by_line[row.line_id]
            line_rows.append(
                {
                    "id": line_ids[row.line_id],
                    "account_id": cart.account_id,
                    "order_id": order_id,
                    "variant_id": row.variant_id,
                    "product_id": row.product_id,
                    "sku": row.sku,
                    "title": row.title,
                    "quantity": row.quantity,
                    "unit_price": line.unit_price,
                    "subtotal": line.subtotal,
                    "discount": line.discount,
                    "tax": line.tax,
                    "total": line.total,
                    "allocations": {},
                    "fulfilled_quantity": 0,
                }
            )
        paid = totals.amount_due == 0
        payment_status = "not_required" if paid else "authorized"
        breakdown = {
            "promotions": [
                {"id": p.id, "code": p.code, "kind": p.kind, "amount": p.amount}
                for p in totals.promotions
            ],
            "gift_cards": [
                {"id": g.id, "code": g.code, "amount": g.amount} for g in totals.gift_cards
            ],
            "taxes": dict(totals.taxes),
            "shipping_discount": totals.shipping_discount,
            "shipping_method": priced.shipping.name if priced.shipping else None,
        }
        number = await next_order_number(self.session, self.store.id)
        order = Order(
            id=order_id,
            account_id=cart.account_id,
            store_id=cart.store_id,
            number=number,
            cart_id=cart.id,
            customer_id=cart.customer_id,
            email=cart.email,
            currency=cart.currency,
            status="paid" if paid else "placed",
            payment_status=payment_status,
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            shipping_total=totals.shipping_total - totals.shipping_discount,
            tax_total=totals.tax_total,
            gift_card_total=totals.gift_card_total,
            total=totals.total,
            amount_due=totals.amount_due,
            tax_inclusive=totals.tax_inclusive,
            breakdown=breakdown,
            shipping_address=cart.shipping_address,
            billing_address=cart.billing_address,
            shipping_method_id=cart.shipping_method_id,
            placed_at=now,
            created_at=now,
            updated_at=now,
            paid_at=now if paid else None,
        )
        self.session.add(order)
        await self.session.flush()
        await self.session.execute(insert(OrderLine), line_rows)
        payments: list[Payment] = []
        if intent is not None and not paid:
            payments = list(
                await self.session.scalars(
                    update(Payment)
                    .where(Payment.intent_id == intent.id, Payment.account_id == cart.account_id)
                    .values(
                        order_id=order_id,
                        status="authorized",
                        amount_authorized=intent.amount_capturable or intent.amount,
                        updated_at=now,
                    )
                    .returning(Payment)
                )
            )
        for card in totals.gift_cards:
            await self.session.execute(
                update(GiftCard)
                .where(GiftCard.id == card.id)
                .values(balance=GiftCard.balance - card.amount)
            )
        cart.status = "completed"
        cart.order_id = order_id
        cart.reserved_until = None
        cart.updated_at = func.now()
        await publish(
            self.session,
            self.context.runtime.events,
            OrderPlaced(
                store_id=cart.store_id,
                order_id=order_id,
                number=number,
                currency=cart.currency,
                total=totals.total,
                lines=len(line_rows),
            ),
            account_id=cart.account_id,
        )
        queue_email(self.session, self.store, order, "order_placed", lines=line_rows)
        await self.session.flush()
        return _Written(order, line_rows, payments, line_ids)


class CheckoutService:
    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context
        self.carts = CartService(session, store, context.settings)
        self.inventory = InventoryService(session, store, context.runtime.events)

    def _provider(self) -> PaymentProvider:
        if self.context.payments is None:
            raise PaymentsNotConfigured(
                "Payments are not set up on this deployment (STRIPE_API_KEY is unset)."
            )
        return self.context.payments

    async def start(self, cart_id: str) -> CheckoutOut:
        """Reserve the cart's stock and open (or reuse) its payment."""
        cart = await self.carts.open_cart(cart_id)
        priced = await self.carts.price(cart)
        problems = _problems(
            priced, store_has_shipping=await _store_has_shipping(self.session, self.store)
        )
        changed = [line for line in priced.lines if line.price not in (None, line.quoted_price)]
        if priced.totals.amount_due > 0 and self.context.payments is None:
            self._provider()
        until = datetime.now(UTC) + timedelta(minutes=self.store.reservation_minutes)
        if not problems:
            demand, stock = _demand(priced)
            shortages = await self.inventory.reserve(cart.id, demand, stock, until)
            problems.extend(_stock_problems(shortages, expired=False, priced=priced))
        if changed:
            # The buyer sees the new prices: requote the lines, commit that, then refuse.
            for line in changed:
                await self.session.execute(
                    update(CartLine)
                    .where(CartLine.id == line.line_id)
                    .values(unit_price=line.price)
                )
            await self.inventory.repo.release(cart.id)
            await self.session.commit()
            problems.insert(
                0,
                CheckoutProblem(
                    "price-changed",
                    "Prices changed since the lines were added; review the cart and retry.",
                    lines=[
                        {"line_id": c.line_id, "was": c.quoted_price, "now": c.price}
                        for c in changed
                    ],
                ),
            )
        if problems:
            raise CheckoutRefused(problems)
        cart.reserved_until = until
        cart.updated_at = func.now()
        due, currency = priced.totals.amount_due, cart.currency
        previous = cart.payment_intent_id
        await self.session.commit()  # the reservation stands before Stripe is called
        payment = await self._payment(cart, previous, due, currency) if due > 0 else None
        cart = await self.carts.get(cart_id)
        return CheckoutOut(
            cart=render(await self.carts.price(cart)), reserved_until=until, payment=payment
        )

    async def _payment(
        self, cart: Cart, previous: str | None, amount: int, currency: str
    ) -> PaymentSession:
        provider = self._provider()
        intent: Intent | None = None
        if previous is not None:
            current = await provider.retrieve(previous)
            if current.status in ("requires_payment_method", "requires_confirmation"):
                intent = (
                    current
                    if current.amount == amount
                    else await provider.update_amount(previous, amount)
                )
            elif current.authorized and current.amount == amount:
                intent = current
            elif current.status != "canceled":
                await provider.cancel(previous)
        if intent is None:
            attempts = await self.session.scalar(
                select(func.count()).select_from(Payment).where(Payment.cart_id == cart.id)
            )
            intent = await provider.create_intent(
                amount=amount,
                currency=currency,
                metadata={
                    "velox_account_id": cart.account_id,
                    "velox_store_id": cart.store_id,
                    "velox_cart_id": cart.id,
                },
                idempotency_key=f"{cart.id}-intent-{attempts}",
                receipt_email=cart.email,
            )
            self.session.add(
                Payment(
                    id=new_id("pay"),
                    account_id=cart.account_id,
                    store_id=cart.store_id,
                    cart_id=cart.id,
                    provider=provider.name,
                    intent_id=intent.id,
                    currency=currency,
                    amount=amount,
                    status="pending",
                )
            )
        await self.session.execute(
            update(Cart)
            .where(Cart.id == cart.id)
            .values(payment_intent_id=intent.id, payment_amount=intent.amount)
        )
        await self.session.execute(
            update(Payment).where(Payment.intent_id == intent.id).values(amount=intent.amount)
        )
        await self.session.commit()
        return PaymentSession(
            provider=provider.name,
            intent_id=intent.id,
            client_secret=intent.client_secret,
            amount=intent.amount,
            currency=currency,
            status=intent.status,
        )

    async def complete(self, cart_id: str) -> Placed:
        """The buyer's return: place the order (or return the one already placed)."""
        cart = await self.carts.get(cart_id)
        placement = OrderPlacement(self.session, self.store, self.context)
        existing = await placement.existing(cart)
        if existing is not None:
            return Placed(existing, created=False, out=None)
        intent = None
        if cart.payment_intent_id is not None:
            intent = await self._provider().retrieve(cart.payment_intent_id)
        try:
            placed = await placement.place(cart_id, intent)
        except CheckoutRefused as refused:
            await self.session.rollback()
            if intent is not None and intent.authorized:
                await self._release(intent, refused)
            raise
        await self.session.commit()
        return placed

    async def _release(self, intent: Intent, refused: CheckoutRefused) -> None:
        await release_authorization(self.session, self._provider(), intent, refused)


# Refusals the buyer cannot fix without a new amount: the authorisation is of no more use.
_VOIDING = frozenset({"out-of-stock", "price-changed", "coupon-usage-limit"})


async def release_authorization(
    session: AsyncSession, provider: PaymentProvider, intent: Intent, refused: CheckoutRefused
) -> None:
    """An authorised payment whose order cannot be placed (stock gone, price changed, the
    coupon's last use taken meanwhile): void the authorisation so the buyer's money is
    not held, and forget it on the cart (the next checkout opens a new payment)."""
    if not any(p.code in _VOIDING for p in refused.problems):
        return
    with contextlib.suppress(StateConflict):  # voided already (the other path got here)
        await provider.cancel(intent.id)
    # The cart row first, then the payment: the order a placement locks them in.
    await session.execute(
        update(Cart)
        .where(Cart.payment_intent_id == intent.id)
        .values(payment_intent_id=None, payment_amount=None)
    )
    await session.execute(
        update(Payment).where(Payment.intent_id == intent.id).values(status="cancelled")
    )
    await session.commit()
