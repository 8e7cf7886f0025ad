"""Order rules after placement: capture, refund, cancel, fulfil, and Stripe's word on
each payment (applied once per event)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import (
    OrderCancelled,
    OrderFulfilled,
    OrderPaid,
    OrderRefunded,
)
from velox_shared.events import publish
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult, paginate

from velox_commerce.bundles.stock import BUNDLE_KEY_SEPARATOR, fulfilment
from velox_commerce.context import CommerceContext
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Fulfillment, Order, OrderLine, Payment, Refund
from velox_commerce.emails.queue import queue_email
from velox_commerce.errors import PaymentsNotConfigured, ResourceNotFound, StateConflict
from velox_commerce.inventory.repository import LedgerEntry
from velox_commerce.inventory.service import InventoryService
from velox_commerce.orders.refunds import (
    OrderRefunds,
    RefundKeyUsed,
    gift_card_holdings,
    payment_left,
    refund_out,
    refunded_total,
    split_refund,
)
from velox_commerce.orders.schemas import (
    FulfillmentIn,
    OrderLineOut,
    OrderOut,
    PaymentOut,
    RefundOut,
)
from velox_commerce.payments.provider import Intent, PaymentProvider

__all__ = ["OrderService", "apply_capture", "render_order"]


async def apply_capture(session: AsyncSession, payment: Payment, intent: Intent) -> bool:
    """Record that Stripe captured ``intent``; True the first time (the order is paid)."""
    if payment.status in ("captured", "partially_refunded", "refunded"):
        return False
    payment.amount_captured = intent.amount_received
    payment.status = "captured"
    payment.updated_at = func.now()
    if payment.order_id is None:
        await session.flush()
        return False
    order = await session.get(Order, payment.order_id, with_for_update=True)
    if order is None:
        return False
    order.payment_status = "captured"
    if order.status == "placed":
        order.status = "paid"
    order.paid_at = func.now()
    order.updated_at = func.now()
    await session.flush()
    return True


def _provider_key(refund: Refund) -> str:
    """The provider's idempotency key of a refund: from the caller's key when it has one
    (a retry after a crash sends the same), never the caller's key itself (keys are per
    account here, the provider's span every account)."""
    if refund.idempotency_key is None:
        return f"{refund.id}-refund"
    digest = hashlib.sha256(f"{refund.account_id}\0{refund.idempotency_key}".encode())
    return f"{refund.order_id}-refund-{digest.hexdigest()[:40]}"


def render_order(
    order: Order,
    lines: Sequence[OrderLine | dict[str, Any]],
    payments: Sequence[Payment],
) -> OrderOut:
    """The order as the API shows it (``lines`` as rows or as the dicts just inserted)."""
    return OrderOut(
        id=order.id,
        store_id=order.store_id,
        number=order.number,
        cart_id=order.cart_id,
        customer_id=order.customer_id,
        email=order.email,
        currency=order.currency,
        status=order.status,
        payment_status=order.payment_status,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        shipping_total=order.shipping_total,
        tax_total=order.tax_total,
        gift_card_total=order.gift_card_total,
        total=order.total,
        amount_due=order.amount_due,
        tax_inclusive=order.tax_inclusive,
        breakdown=order.breakdown,
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        shipping_method_id=order.shipping_method_id,
        note=order.note,
        lines=[OrderLineOut.model_validate(line) for line in lines],
        payments=[PaymentOut.model_validate(p) for p in payments],
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        cancelled_at=order.cancelled_at,
    )


class OrderService:
    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context

    def _provider(self) -> PaymentProvider:
        if self.context.payments is None:
            raise PaymentsNotConfigured("Payments are not set up on this deployment.")
        return self.context.payments

    async def _order(self, order_id: str, *, lock: bool = False) -> Order:
        query = select(Order).where(
            Order.id == order_id,
            Order.account_id == self.store.account_id,
            Order.store_id == self.store.id,
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        order = await self.session.scalar(query)
        if order is None:
            raise ResourceNotFound.of("order", order_id)
        return order

    async def _lines(self, order_id: str) -> list[OrderLine]:
        rows = await self.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        )
        return list(rows)

    async def _payment(self, order_id: str) -> Payment | None:
        return await self.session.scalar(
            select(Payment)
            .where(Payment.order_id == order_id, Payment.account_id == self.store.account_id)
            .order_by(Payment.created_at.desc())
            .limit(1)
        )

    async def view(self, order_id: str) -> OrderOut:
        order = await self._order(order_id)
        payments = await self.session.scalars(
            select(Payment).where(Payment.order_id == order.id).order_by(Payment.created_at)
        )
        return render_order(order, await self._lines(order.id), list(payments))

    async def page(
        self, *, customer_id: str | None, status: str | None, limit: int, cursor: str | None
    ) -> PageResult[OrderOut]:
        query: Select[Any] = select(Order).where(
            Order.account_id == self.store.account_id, Order.store_id == self.store.id
        )
        if customer_id is not None:
            query = query.where(Order.customer_id == customer_id)
        if status is not None:
            query = query.where(Order.status == status)
        page: PageResult[Order] = await paginate(
            self.session, query, Order.created_at, Order.id, limit=limit, cursor=cursor
        )
        ids = [o.id for o in page.items]
        lines: dict[str, list[OrderLine]] = {i: [] for i in ids}
        payments: dict[str, list[Payment]] = {i: [] for i in ids}
        if ids:
            for line in await self.session.scalars(
                select(OrderLine).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)
            ):
                lines[line.order_id].append(line)
            for payment in await self.session.scalars(
                select(Payment).where(Payment.order_id.in_(ids)).order_by(Payment.created_at)
            ):
                payments[str(payment.order_id)].append(payment)
        return PageResult(
            items=[render_order(o, lines[o.id], payments[o.id]) for o in page.items],
            next_cursor=page.next_cursor,
        )

    async def capture(self, order_id: str, amount: int | None) -> OrderOut:
        """Capture the authorised payment (all of it, or ``amount`` releasing the rest)."""
        order = await self._order(order_id)
        payment = await self._payment(order.id)
        if payment is None or payment.status != "authorized":
            raise StateConflict(f"Order {order_id} has no authorised payment to capture.")
        if amount is None and order.amount_due < payment.amount_authorized:
            amount = order.amount_due  # an edit lowered it: the rest is released
        if amount is not None and amount > payment.amount_authorized:
            raise StateConflict(
                f"At most {payment.amount_authorized} can be captured.",
                extensions={"capturable": payment.amount_authorized},
            )
        intent_id, payment_id = payment.intent_id, payment.id
        await self.session.commit()
        intent = await self._provider().capture(
            intent_id, amount=amount, idempotency_key=f"{payment_id}-capture"
        )
        payment = await self.session.get(Payment, payment_id, with_for_update=True)
        assert payment is not None
        if await apply_capture(self.session, payment, intent):
            await self.paid_event(order, intent.amount_received)
        await self.session.commit()
        return await self.view(order_id)

    async def paid_event(self, order: Order, amount: int) -> None:
        await publish(
            self.session,
            self.context.runtime.events,
            OrderPaid(
                store_id=order.store_id, order_id=order.id, currency=order.currency, amount=amount
            ),
            account_id=order.account_id,
        )

    async def refund(
        self,
        order_id: str,
        amount: int,
        reason: str | None,
        provider_key: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> RefundOut:
        """Refund ``amount`` of what paid the order, split by :mod:`.refunds`: the card
        payment first (one provider refund, idempotency key ``provider_key``), the rest
        credited back to the gift cards. Everything given back makes the order
        ``refunded``.

        ``idempotency_key`` (a caller's ``Idempotency-Key``) is recorded on the refund
        row, unique per account. It is checked again under the order's lock, and the
        unique index catches a request on another order: a refund already made with the
        key raises :class:`RefundKeyUsed` before anything moves."""
        order = await self._order(order_id, lock=True)
        refunds = OrderRefunds(self.session, self.store)
        if idempotency_key is not None:
            first = await refunds.keyed(idempotency_key)
            if first is not None:  # made while this request waited for the order
                raise RefundKeyUsed(first)
        payment = await self._payment(order.id)
        left = payment_left(payment, order.id)
        split = split_refund(amount, left, gift_card_holdings(order.breakdown))
        refund = await refunds.record(
            order, payment, split, reason, idempotency_key=idempotency_key
        )
        if split.payment:  # last: a refusal above costs nothing
            assert payment is not None
            provider_refund = await self._provider().refund(
                payment.intent_id,
                amount=split.payment,
                idempotency_key=provider_key or _provider_key(refund),
                reason=reason,
            )
            refund.provider_refund_id = provider_refund.id
        everything = left == split.payment and order.gift_card_total == 0
        if everything and order.status != "cancelled":  # a shipped order refunded in full too
            order.status = "refunded"
        order.updated_at = func.now()
        await self._announce_refund(order, payment, amount)
        await self.session.flush()
        await self.session.refresh(refund)
        return refund_out(refund)

    async def _announce_refund(self, order: Order, payment: Payment | None, amount: int) -> None:
        queue_email(self.session, self.store, order, "order_refunded", amount=amount)
        await publish(
            self.session,
            self.context.runtime.events,
            OrderRefunded(
                store_id=order.store_id,
                order_id=order.id,
                currency=order.currency,
                amount=amount,
                refunded_total=refunded_total(order, payment),
            ),
            account_id=order.account_id,
        )

    async def _give_back(self, order: Order, payment: Payment | None) -> None:
        """A cancelled order's money goes back: a captured payment's rest through the
        provider, every gift card what it still pays (one refund row for both)."""
        captured = payment is not None and payment.status in ("captured", "partially_refunded")
        left = payment_left(payment, order.id) if captured else 0
        cards = gift_card_holdings(order.breakdown)
        split = split_refund(left + sum(card.amount for card in cards), left, cards)
        if split.total == 0:
            return
        refunds = OrderRefunds(self.session, self.store)
        paid_by = payment if captured else None
        refund = await refunds.record(order, paid_by, split, "order cancelled")
        if split.payment:
            assert payment is not None
            provider_refund = await self._provider().refund(
                payment.intent_id,
                amount=split.payment,
                idempotency_key=f"{order.id}-cancel-refund",
                reason="order cancelled",
            )
            refund.provider_refund_id = provider_refund.id

    async def cancel(self, order_id: str) -> OrderOut:
        """Cancel an unfulfilled order: release its stock and its payment (an authorisation
        is voided, a capture refunded)."""
        order = await self._order(order_id, lock=True)
        if order.status in ("cancelled", "refunded"):
            return await self.view(order_id)
        lines = await self._lines(order.id)
        if any(line.fulfilled_quantity for line in lines):
            raise StateConflict("Fulfilled orders cannot be cancelled; create a return.")
        payment = await self._payment(order.id)
        await self._give_back(order, payment)
        if payment is not None and payment.status == "authorized":
            await self._provider().cancel(payment.intent_id)
            payment.status = "cancelled"
        elif payment is not None and payment.status in ("captured", "partially_refunded"):
            payment.status = "refunded"
        inventory = InventoryService(self.session, self.store, self.context.runtime.events)
        allocations: dict[str, dict[str, int]] = {}
        for line in lines:
            if line.allocations:
                allocations[line.variant_id] = {k: int(v) for k, v in line.allocations.items()}
        if allocations:
            await inventory.release(order.id, allocations)
        order.status = "cancelled"
        order.payment_status = payment.status if payment is not None else order.payment_status
        order.cancelled_at = func.now()
        order.updated_at = func.now()
        await publish(
            self.session,
            self.context.runtime.events,
            OrderCancelled(store_id=order.store_id, order_id=order.id),
            account_id=order.account_id,
        )
        await self.session.flush()
        return await self.view(order_id)

    async def fulfil(self, order_id: str, data: FulfillmentIn) -> OrderOut:
        """Ship units: they leave on-hand and allocated stock at their locations."""
        order = await self._order(order_id, lock=True)
        if order.status in ("cancelled", "refunded"):
            raise StateConflict(f"Order {order_id} is {order.status}.")
        lines = {line.id: line for line in await self._lines(order.id)}
        inventory = InventoryService(self.session, self.store, self.context.runtime.events)
        changes: list[tuple[str, str, int, int]] = []
        for item in data.lines:
            line = lines.get(item.line_id)
            if line is None:
                raise ResourceNotFound.of("order line", item.line_id)
            open_units = line.quantity - line.fulfilled_quantity
            if item.quantity > open_units:
                raise StateConflict(
                    f"Line {line.id} has {open_units} unit(s) left to fulfil.",
                    extensions={"line_id": line.id, "open": open_units},
                )
            taken, line.allocations = _shipped(line, open_units, item.quantity)
            changes.extend((variant, location, -n, -n) for variant, location, n in taken)
            line.fulfilled_quantity += item.quantity
        if changes:
            await inventory.repo.lock(sorted({c[0] for c in changes}))
            await inventory.repo.apply(changes)
            await inventory.repo.record(
                [LedgerEntry(v, loc, "fulfil", d, a, order.id) for v, loc, d, a in changes]
            )
        fulfillment_id = new_id("ful")
        self.session.add(
            Fulfillment(
                id=fulfillment_id,
                account_id=order.account_id,
                order_id=order.id,
                carrier=data.carrier,
                tracking_number=data.tracking_number,
                lines=[item.model_dump() for item in data.lines],
            )
        )
        done = all(line.fulfilled_quantity >= line.quantity for line in lines.values())
        order.status = "fulfilled" if done else "partially_fulfilled"
        order.updated_at = func.now()
        queue_email(self.session, self.store, order, "order_shipped", shipment=data)
        await publish(
            self.session,
            self.context.runtime.events,
            OrderFulfilled(
                store_id=order.store_id,
                order_id=order.id,
                fulfillment_id=fulfillment_id,
                status=order.status,
                carrier=data.carrier,
                tracking_number=data.tracking_number,
            ),
            account_id=order.account_id,
        )
        await self.session.flush()
        return await self.view(order_id)

    async def fulfillments(self, order_id: str) -> list[dict[str, Any]]:
        await self._order(order_id)
        rows = await self.session.scalars(
            select(Fulfillment).where(Fulfillment.order_id == order_id).order_by(Fulfillment.id)
        )
        return [
            {
                "id": f.id,
                "carrier": f.carrier,
                "tracking_number": f.tracking_number,
                "lines": f.lines,
                "created_at": f.created_at,
            }
            for f in rows
        ]


def _shipped(
    line: OrderLine, open_units: int, units: int
) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
    """The ``(variant, location, units)`` leaving stock when ``units`` of ``line`` ship, and
    the line's allocations after. A bundle line's allocations are its components' (keys
    ``<component>/<location>``): each component ships its share."""
    if any(BUNDLE_KEY_SEPARATOR in key for key in line.allocations):
        return fulfilment(line.variant_id, line.allocations, open_units, units)
    taken: list[tuple[str, str, int]] = []
    allocations = dict(line.allocations)
    for location, allocated in sorted(line.allocations.items()):
        used = min(units, int(allocated))
        if used:
            taken.append((line.variant_id, location, used))
            allocations[location] = int(allocated) - used
            units -= used
    return taken, allocations


async def mark_payment_failed(session: AsyncSession, intent_id: str) -> None:
    await session.execute(
        update(Payment)
        .where(Payment.intent_id == intent_id, Payment.order_id.is_(None))
        .values(status="failed", updated_at=func.now())
    )
