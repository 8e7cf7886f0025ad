"""Returns (RMAs): requested -> approved -> received (restocked) -> refunded or closed;
a requested or approved return may be rejected instead.

* A return asks for fulfilled units that are not in another return (any status but
  ``rejected``); the order row is locked while that is checked, so two requests cannot
  both take the same units.
* Receiving puts the ``restock`` lines' units back on hand at a location (the one given,
  else the store's first by priority) through the stock repository: rows locked in the
  fixed (variant, location) order, each change written to the append-only ledger as a
  ``return`` movement referencing the return.
* Refunding goes through :meth:`OrderService.refund`, split like any order refund by
  :mod:`velox_commerce.orders.refunds`: the card payment first (one Stripe refund with the
  idempotency key ``<return id>-refund``), the rest credited back to the gift cards that
  paid (the card applied last first, none above what it still pays for the order). The
  order's refund row records the split, shown as the return's ``refund_breakdown``. The
  amount defaults to :func:`refund_share`. A refund call on a return already refunded
  answers the return as it is: money moves once, whatever the retries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import ReturnUpdated
from velox_shared.events import publish
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.bundles.repository import BundleRepository
from velox_commerce.context import CommerceContext
from velox_commerce.db import events
from velox_commerce.db.aftersales import Return, ReturnLine
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order, OrderLine, Refund
from velox_commerce.errors import ResourceNotFound, StateConflict
from velox_commerce.inventory.repository import LedgerEntry, StockRepository
from velox_commerce.orders.refunds import refund_breakdown
from velox_commerce.orders.schemas import RefundBreakdown
from velox_commerce.orders.service import OrderService
from velox_commerce.pricing import round_ratio
from velox_commerce.returns.repository import ReturnLines, Returns, StoreOrders
from velox_commerce.returns.schemas import (
    ReturnCreate,
    ReturnLineOut,
    ReturnOut,
    ReturnRefundIn,
    ReturnStatus,
)

__all__ = ["ReturnService", "refund_share", "render_return"]


def refund_share(
    lines: Sequence[ReturnLine],
    order_lines: Mapping[str, OrderLine],
    refunded_before: Mapping[str, int],
) -> int:
    """What the returned units cost, discounts and tax included (the order line's total
    holds both), shipping not.

    Each line's share is cumulative, ``round(total * (before + units) / quantity) -
    round(total * before / quantity)`` with ``before`` the line's units already refunded
    by other returns, so refunding a line unit by unit adds up exactly to its total.
    """
    amount = 0
    for line in lines:
        ordered = order_lines[line.order_line_id]
        before = refunded_before.get(line.order_line_id, 0)
        after = before + line.quantity
        amount += round_ratio(ordered.total * after, ordered.quantity) - round_ratio(
            ordered.total * before, ordered.quantity
        )
    return amount


def returnable_units(line: OrderLine, returned: Mapping[str, int]) -> int:
    """Shipped units of ``line`` not in another (not rejected) return."""
    return max(line.fulfilled_quantity - returned.get(line.id, 0), 0)


def _breakdown(ret: Return, refund: Refund | None) -> RefundBreakdown | None:
    if refund is not None:
        return refund_breakdown(refund)
    if ret.status == "refunded":  # nothing to refund (free items): no refund row
        return RefundBreakdown(payment=0, gift_cards=[])
    return None


def render_return(
    ret: Return,
    lines: Sequence[ReturnLine],
    order_lines: Mapping[str, OrderLine],
    currency: str,
    refund: Refund | None = None,
) -> ReturnOut:
    """The return as the API shows it (``refund``: the order refund it made, if any)."""

    def out(line: ReturnLine) -> ReturnLineOut:
        ordered = order_lines[line.order_line_id]
        return ReturnLineOut(
            id=line.id,
            order_line_id=line.order_line_id,
            variant_id=ordered.variant_id,
            sku=ordered.sku,
            title=ordered.title,
            quantity=line.quantity,
            restock=line.restock,
            reason=line.reason,
        )

    return ReturnOut.model_validate(
        {
            "id": ret.id,
            "store_id": ret.store_id,
            "order_id": ret.order_id,
            "status": ret.status,
            "reason": ret.reason,
            "lines": [out(line) for line in lines],
            "location_id": ret.location_id,
            "currency": currency,
            "refund_amount": ret.refund_amount,
            "refund_id": ret.refund_id,
            "refund_breakdown": _breakdown(ret, refund),
            "created_at": ret.created_at,
            "updated_at": ret.updated_at,
        }
    )


class ReturnService:
    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context
        self.orders = StoreOrders(session, store)
        self.returns = Returns(session)
        self.lines = ReturnLines(session)

    async def _order(self, order_id: str, *, lock: bool = False) -> Order:
        order = await self.orders.get(order_id, lock=lock)
        if order is None:
            raise ResourceNotFound.of("order", order_id)
        return order

    async def _return(self, return_id: str, *, lock: bool = False) -> Return:
        ret = await self.returns.in_store(self.store, return_id, lock=lock)
        if ret is None:
            raise ResourceNotFound.of("return", return_id)
        return ret

    async def _lines(self, ret: Return) -> tuple[list[ReturnLine], dict[str, OrderLine]]:
        lines = (await self.lines.of([ret.id]))[ret.id]
        order_lines = await self.orders.lines_by_id([line.order_line_id for line in lines])
        return lines, order_lines

    async def _view(self, ret: Return) -> ReturnOut:
        lines, order_lines = await self._lines(ret)
        currencies = await self.returns.order_currencies(self.store, [ret.order_id])
        refunds = await self.returns.refunds(self.store, [ret.refund_id])
        refund = refunds.get(ret.refund_id) if ret.refund_id else None
        return render_return(ret, lines, order_lines, currencies[ret.order_id], refund)

    async def create(self, order_id: str, data: ReturnCreate) -> ReturnOut:
        """Request a return of shipped units (see the module docstring)."""
        order = await self._order(order_id, lock=True)
        if order.status == "cancelled":
            raise StateConflict(
                f"Order {order_id} is cancelled.", extensions={"order_status": "cancelled"}
            )
        order_lines = {line.id: line for line in await self.orders.lines(order.id)}
        returned = await self.returns.returned_units(order.id)
        for item in data.lines:
            line = order_lines.get(item.order_line_id)
            if line is None:
                raise ResourceNotFound.of("order line", item.order_line_id)
            returnable = returnable_units(line, returned)
            if item.quantity > returnable:
                raise StateConflict(
                    f"Line {line.id} has {returnable} shipped unit(s) not yet returned.",
                    extensions={"line_id": line.id, "returnable": returnable},
                )
        now = datetime.now(UTC)
        ret = Return(
            id=new_id("ret"),
            account_id=order.account_id,
            store_id=order.store_id,
            order_id=order.id,
            status="requested",
            reason=data.reason,
            created_at=now,
            updated_at=now,
        )
        self.session.add(ret)
        await self.session.flush()
        lines = [
            ReturnLine(id=new_id("rline"), account_id=order.account_id, return_id=ret.id, **item)
            for item in (line.model_dump() for line in data.lines)
        ]
        self.session.add_all(lines)
        await self.session.flush()
        await self._announce(ret)
        return render_return(ret, lines, order_lines, order.currency)

    async def get(self, return_id: str) -> ReturnOut:
        return await self._view(await self._return(return_id))

    async def page(
        self, *, status: str | None, order_id: str | None, limit: int, cursor: str | None
    ) -> PageResult[ReturnOut]:
        query = self.returns.listing(self.store, status=status, order_id=order_id)
        page = await self.returns.page(query, limit=limit, cursor=cursor)
        lines = await self.lines.of([r.id for r in page.items])
        order_lines = await self.orders.lines_by_id(
            [line.order_line_id for group in lines.values() for line in group]
        )
        currencies = await self.returns.order_currencies(
            self.store, sorted({r.order_id for r in page.items})
        )
        refunds = await self.returns.refunds(self.store, [r.refund_id for r in page.items])
        return PageResult(
            items=[
                render_return(
                    r,
                    lines[r.id],
                    order_lines,
                    currencies[r.order_id],
                    refunds.get(r.refund_id) if r.refund_id else None,
                )
                for r in page.items
            ],
            next_cursor=page.next_cursor,
        )

    async def of_order(
        self, order_id: str, *, limit: int, cursor: str | None
    ) -> PageResult[ReturnOut]:
        """An order's returns (404 for an order not in the store)."""
        await self._order(order_id)
        return await self.page(status=None, order_id=order_id, limit=limit, cursor=cursor)

    @staticmethod
    def _allow(ret: Return, allowed: tuple[str, ...], action: str) -> None:
        if ret.status not in allowed:
            raise StateConflict(
                f"Return {ret.id} is {ret.status}; only a {' or '.join(allowed)} return"
                f" can be {action}.",
                extensions={"return_status": ret.status},
            )

    async def _move(self, return_id: str, allowed: tuple[str, ...], action: str) -> Return:
        """The return, locked, if its status allows ``action`` (else 409 invalid-state)."""
        ret = await self._return(return_id, lock=True)
        self._allow(ret, allowed, action)
        return ret

    async def _finish(self, ret: Return, status: ReturnStatus) -> ReturnOut:
        ret.status = status
        ret.updated_at = datetime.now(UTC)
        await self.session.flush()
        await self._announce(ret)
        return await self._view(ret)

    async def _announce(self, ret: Return) -> None:
        """``commerce.return.updated`` in the outbox, with the change (partner webhooks)."""
        updated = ReturnUpdated(
            store_id=ret.store_id,
            order_id=ret.order_id,
            return_id=ret.id,
            status=ret.status,
            refund_amount=ret.refund_amount,
        )
        await publish(self.session, events, updated, account_id=ret.account_id)

    async def approve(self, return_id: str) -> ReturnOut:
        ret = await self._move(return_id, ("requested",), "approved")
        return await self._finish(ret, "approved")

    async def reject(self, return_id: str) -> ReturnOut:
        ret = await self._move(return_id, ("requested", "approved"), "rejected")
        return await self._finish(ret, "rejected")

    async def close(self, return_id: str) -> ReturnOut:
        """A received return is settled without a refund (an exchange, say)."""
        ret = await self._move(return_id, ("received",), "closed")
        return await self._finish(ret, "closed")

    async def receive(self, return_id: str, location_id: str | None, *, restock: bool) -> ReturnOut:
        """The goods came back: restock the ``restock`` lines at the location."""
        ret = await self._move(return_id, ("approved",), "received")
        lines, order_lines = await self._lines(ret)
        units: dict[str, int] = defaultdict(int)
        returned = [order_lines[line.order_line_id] for line in lines if line.restock and restock]
        kits = await BundleRepository(self.session, self.store).components(
            sorted({ordered.variant_id for ordered in returned})
        )
        for line in lines:
            if line.restock and restock:
                # A bundle comes back as its components (as the bundle holds them today).
                variant = order_lines[line.order_line_id].variant_id
                for component, per_bundle in kits.get(variant) or [(variant, 1)]:
                    units[component] += per_bundle * line.quantity
        location = await self._location(location_id) if units or location_id else None
        stocked = await self.returns.stocked_variants(self.store, sorted(units))
        restocked = {v: n for v, n in units.items() if v in stocked}
        if restocked and location is not None:
            ret.location_id = location
            await self._restock(ret.id, location, restocked)
        return await self._finish(ret, "received")

    async def _location(self, location_id: str | None) -> str:
        location = await self.returns.location(self.store, location_id)
        if location is None and location_id is not None:
            raise ResourceNotFound.of("location", location_id)
        if location is None:
            raise StateConflict("The store has no location to restock into; create one first.")
        return location.id

    async def _restock(self, return_id: str, location: str, units: Mapping[str, int]) -> None:
        repo = StockRepository(self.session, self.store.account_id, self.store.id)
        variants = sorted(units)
        for variant in variants:
            await repo.ensure_rows(variant, location)
        await repo.lock(variants)
        await repo.apply([(v, location, units[v], 0) for v in variants])
        await repo.record(
            [
                LedgerEntry(v, location, "return", units[v], 0, return_id, "return received")
                for v in variants
            ]
        )

    async def refund(self, return_id: str, data: ReturnRefundIn) -> ReturnOut:
        """Refund a received return (once), split over the card payment and the gift
        cards that paid the order."""
        ret = await self._return(return_id, lock=True)
        if ret.status == "refunded" and data.amount in (None, ret.refund_amount):
            return await self._view(ret)  # a retry: the refund was made
        self._allow(ret, ("received",), "refunded")
        lines, order_lines = await self._lines(ret)
        amount = data.amount
        if amount is None:
            before = await self.returns.returned_units(ret.order_id, ("refunded",))
            amount = refund_share(lines, order_lines, before)
        if amount > 0:
            orders = OrderService(self.session, self.store, self.context)
            refund = await orders.refund(
                ret.order_id, amount, data.reason or f"return {ret.id}", f"{ret.id}-refund"
            )
            ret.refund_id = refund.id
        ret.refund_amount = amount
        return await self._finish(ret, "refunded")
