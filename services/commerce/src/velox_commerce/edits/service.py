"""Order edits before fulfilment: change quantities, add and remove lines.

Under the order's row lock, in one transaction: the changes are checked
(:mod:`.plan`), the order is repriced by the one calculator (:mod:`.pricing`), the
payment rule is checked (:mod:`.payment`), the gift cards get back what a lower total
leaves them (the shared :meth:`GiftCardRepository.credit`, cards in id order), the stock
allocations follow the new quantities (:mod:`.stock`), the lines and totals are written
with a log entry, and a captured payment is refunded the difference last, so a refusal
anywhere before it changes nothing and costs the buyer nothing. Rows are locked in the
order checkout takes them: the gift cards before the stock rows. Fulfilled (even
partly), cancelled and refunded orders are refused with a 409.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from velox_commerce.carts.pricing_input import tax_input
from velox_commerce.carts.repository import CartRepository
from velox_commerce.context import CommerceContext
from velox_commerce.db import events
from velox_commerce.db.aftersales import OrderEdit
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order, OrderLine
from velox_commerce.edits.payment import MoneyPlan, plan_money
from velox_commerce.edits.plan import EditPlan, plan_edit
from velox_commerce.edits.pricing import breakdown_after, gift_cards_after, reprice
from velox_commerce.edits.repository import Edits, NewVariant
from velox_commerce.edits.schemas import AddLine, EditIn, EditOut, PaymentAdjustment
from velox_commerce.edits.stock import StockChange, move_stock
from velox_commerce.errors import ResourceNotFound, StateConflict
from velox_commerce.giftcards.repository import GiftCardRepository
from velox_commerce.inventory.allocation import VariantStock
from velox_commerce.inventory.service import InventoryService
from velox_commerce.orders.refunds import credit_gift_cards
from velox_commerce.orders.service import OrderService
from velox_commerce.pricing import LineTotals, Totals
from velox_commerce.returns.repository import StoreOrders
from velox_shared.contracts.commerce import OrderEdited
from velox_shared.events import publish
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

__all__ = ["EditService"]

_FROZEN = ("partially_fulfilled", "fulfilled", "cancelled", "refunded")
# The log entry that records what the edit did to the payment.
_PAYMENT_OP = "adjust_payment"


def edit_out(edit: OrderEdit) -> EditOut:
    changes = [c for c in edit.changes if c.get("op") != _PAYMENT_OP]
    money = next((c for c in edit.changes if c.get("op") == _PAYMENT_OP), {})
    return EditOut(
        id=edit.id,
        order_id=edit.order_id,
        author=edit.author,
        changes=changes,
        total_before=edit.total_before,
        total_after=edit.total_after,
        payment=PaymentAdjustment.model_validate(
            {k: v for k, v in money.items() if k != "op"} or {"action": "none"}
        ),
        created_at=edit.created_at,
    )


class EditService:
    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context
        self.orders = StoreOrders(session, store)
        self.edits = Edits(session)
        self.cards = GiftCardRepository(session, store)
        self.inventory = InventoryService(session, store, context.runtime.events)

    async def _order(self, order_id: str, *, lock: bool = False) -> Order:
        order = await self.orders.get(order_id, lock=lock)
        if order is None:
            raise ResourceNotFound.of("order", order_id)
        return order

    async def apply(self, order_id: str, data: EditIn, author: str) -> EditOut:
        """Edit the order (see the module docstring); the answer holds the order after."""
        order = await self._order(order_id, lock=True)
        lines = await self.orders.lines(order.id)
        if order.status in _FROZEN or any(line.fulfilled_quantity for line in lines):
            raise StateConflict(
                f"Order {order_id} is {order.status}; only unfulfilled orders can be edited.",
                extensions={"order_status": order.status},
            )
        # Every variant the edit touches, with the units it would have: an added line is
        # priced like a cart line of them now; the lines on the order keep their price.
        units = {line.variant_id: line.quantity for line in lines}
        units.update({c.variant_id: c.quantity for c in data.changes if isinstance(c, AddLine)})
        variants = await self.edits.variants(self.store, units, order.currency, order.customer_id)
        settings = self.context.settings
        plan = plan_edit(
            lines,
            data.changes,
            variants,
            max_quantity=settings.max_line_quantity,
            max_lines=settings.max_cart_lines,
        )
        totals = await self._reprice(order, plan, lines)
        gift_cards = gift_cards_after(order, totals.total)
        due_after = totals.total - gift_cards.total
        payment = await self.edits.payment(order.account_id, order.id)
        money = plan_money(payment, order.amount_due, due_after)
        # The gift cards before the stock rows, as checkout locks them (the cards when it
        # prices the cart, the stock last), so an edit and a checkout never wait on each
        # other crosswise; the cards themselves in id order.
        await credit_gift_cards(self.cards, order.id, dict(gift_cards.credits))
        allocations = await self._move_stock(order, lines, plan, variants)
        edit = OrderEdit(
            id=new_id("oedit"),
            account_id=order.account_id,
            order_id=order.id,
            author=author,
            changes=plan.log,
            total_before=order.total,
            total_after=totals.total,
            created_at=datetime.now(UTC),
        )
        await self._write(order, lines, plan, totals, allocations)
        order.gift_card_total = gift_cards.total
        order.amount_due = due_after
        order.breakdown = breakdown_after(order, totals, gift_cards)
        await self.session.flush()
        settled = await self._settle(order, edit.id, money)
        edit.changes = [*plan.log, settled]
        await self.edits.add(edit)
        edited = OrderEdited(
            store_id=order.store_id,
            order_id=order.id,
            edit_id=edit.id,
            total_before=edit.total_before,
            total_after=edit.total_after,
            payment_action=settled["action"],
        )
        await publish(self.session, events, edited, account_id=order.account_id)
        out = edit_out(edit)
        out.order = await OrderService(self.session, self.store, self.context).view(order.id)
        return out

    async def _reprice(self, order: Order, plan: EditPlan, lines: list[OrderLine]) -> Totals:
        address = order.shipping_address or {}
        country = address.get("country") or self.store.country
        repo = CartRepository(self.session, self.store.account_id, self.store.id)
        rates = [tax_input(r) for r in await repo.tax_rates(country, address.get("region"))]
        return reprice(order, plan.line_inputs(lines), rates, datetime.now(UTC))

    async def _move_stock(
        self,
        order: Order,
        lines: list[OrderLine],
        plan: EditPlan,
        variants: dict[str, NewVariant],
    ) -> dict[str, dict[str, int]]:
        changes = [
            StockChange(line.variant_id, line.quantity, plan.quantities[line.id], line.allocations)
            for line in lines
            if plan.quantities[line.id] != line.quantity
        ]
        changes += [StockChange(a.variant.variant_id, 0, a.quantity, {}) for a in plan.added]
        if not changes:
            return {}
        stock = {
            c.variant_id: _variant_stock(variants.get(c.variant_id), c.variant_id) for c in changes
        }
        return await move_stock(self.inventory, order.id, order.cart_id, changes, stock)

    async def _write(
        self,
        order: Order,
        lines: list[OrderLine],
        plan: EditPlan,
        totals: Totals,
        allocations: dict[str, dict[str, int]],
    ) -> None:
        priced = {line.line_id: line for line in totals.lines}
        for line in lines:
            if line.id in priced:
                _set_totals(line, priced[line.id])
                line.allocations = allocations.get(line.variant_id, line.allocations)
        removed = [line.id for line in lines if line.id not in priced]
        for line in lines:
            if line.id in removed:
                self.session.expunge(line)
        await self.edits.delete_lines(order.account_id, removed)
        await self.edits.add_lines(
            [
                _new_line(order, a.line_id, a.variant, priced[a.line_id], allocations)
                for a in plan.added
            ]
        )
        order.subtotal = totals.subtotal
        order.discount_total = totals.discount_total
        order.shipping_total = totals.shipping_total - totals.shipping_discount
        order.tax_total = totals.tax_total
        order.total = totals.total
        order.updated_at = datetime.now(UTC)

    async def _settle(self, order: Order, edit_id: str, money: MoneyPlan) -> dict[str, Any]:
        """Refund a captured payment's difference (the last step); the log entry."""
        entry: dict[str, Any] = {"op": _PAYMENT_OP, "action": money.action, "amount": money.amount}
        if money.action == "refunded":
            refund = await OrderService(self.session, self.store, self.context).refund(
                order.id, money.amount, "order edited", f"{edit_id}-refund"
            )
            entry["refund_id"] = refund.id
        return entry

    async def page(self, order_id: str, *, limit: int, cursor: str | None) -> PageResult[EditOut]:
        order = await self._order(order_id)
        page = await self.edits.page(
            self.edits.of_order(order.account_id, order.id), limit=limit, cursor=cursor
        )
        return PageResult(items=[edit_out(e) for e in page.items], next_cursor=page.next_cursor)


def _variant_stock(variant: NewVariant | None, variant_id: str) -> VariantStock:
    if variant is None:  # deleted from the catalogue since: no stock to follow
        return VariantStock(variant_id, False, "deny")
    return VariantStock(variant_id, variant.track_inventory, variant.inventory_policy)


def _set_totals(line: OrderLine, priced: LineTotals) -> None:
    line.quantity = priced.quantity
    line.subtotal = priced.subtotal
    line.discount = priced.discount
    line.tax = priced.tax
    line.total = priced.total


def _new_line(
    order: Order,
    line_id: str,
    variant: NewVariant,
    priced: LineTotals,
    allocations: dict[str, dict[str, int]],
) -> dict[str, Any]:
    return {
        "id": line_id,
        "account_id": order.account_id,
        "order_id": order.id,
        "variant_id": variant.variant_id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "title": variant.title,
        "quantity": priced.quantity,
        "unit_price": priced.unit_price,
        "subtotal": priced.subtotal,
        "discount": priced.discount,
        "tax": priced.tax,
        "total": priced.total,
        "allocations": allocations.get(variant.variant_id, {}),
        "fulfilled_quantity": 0,
    }
