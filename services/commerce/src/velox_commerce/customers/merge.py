"""Carts on sign-in: the guest's cart becomes the customer's, and takes in the lines of the
customer's previous open cart.

The rule, when a customer signs in (or registers) with the ``cart_id`` of a guest cart:

1. The guest cart must be open and belong to no other customer (else 409; 404 if it is
   not a cart of the store). It becomes the customer's: ``customer_id`` and ``email``
   (the customer's) are set, and a stock reservation made for it is released (its
   lines change: the next checkout reserves again).
2. The customer's most recently changed other open cart gives its lines to it: units of a
   variant already in the guest cart are added to that line (at most the line limit),
   other variants become new lines while the cart has room. A line only moves if its
   product is active and its variant is priced in the guest cart's currency; what does
   not move stays in the old cart.
3. Every line of the resulting cart is requoted: the customer's group prices apply, and
   the buyer sees them as the quoted prices (no ``previous_unit_price``).

The storefront keeps the cart id it had. Without ``cart_id`` nothing changes and the
answer names the customer's most recent open cart, if any.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id

from velox_commerce.carts.repository import CartRepository
from velox_commerce.carts.service import CartService
from velox_commerce.config import Settings
from velox_commerce.customers.repository import CartMergeRepository
from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import Cart
from velox_commerce.db.customers import Customer
from velox_commerce.errors import StateConflict
from velox_commerce.inventory.repository import StockRepository

__all__ = ["CartMerge"]


class CartMerge:
    def __init__(self, session: AsyncSession, store: Store, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.carts = CartService(session, store, settings)
        self.lines = CartRepository(session, store.account_id, store.id)
        self.repo = CartMergeRepository(session, store)
        self.stock = StockRepository(session, store.account_id, store.id)

    async def sign_in(self, customer: Customer, cart_id: str | None) -> str | None:
        """The id of the customer's cart after the merge (see the module's rule)."""
        if cart_id is None:
            latest = await self.repo.latest_open_cart(customer.id, besides=None)
            return None if latest is None else latest.id
        # Sign-ins of one customer merge one at a time (two carts are locked below).
        await self.repo.lock_customer(customer.id)
        guest = await self.carts.open_cart(cart_id)
        if guest.customer_id not in (None, customer.id):
            raise StateConflict(
                f"Cart {cart_id} belongs to another customer.", extensions={"cart_id": cart_id}
            )
        older = await self.repo.latest_open_cart(customer.id, besides=guest.id)
        if older is not None:
            await self._take_lines(guest, older)
        guest.customer_id = customer.id
        guest.email = customer.email
        guest.reserved_until = None
        await self.stock.release(guest.id)
        guest.updated_at = func.now()
        await self.session.flush()
        await self.lines.requote(guest.id)
        return guest.id

    async def _take_lines(self, into: Cart, source: Cart) -> None:
        present = await self.repo.variants_in(into.id)
        room = self.settings.max_cart_lines - len(present)
        moved, rows = [], []
        for line in await self.repo.movable_lines(source.id, into.currency):
            if line.variant_id not in present:
                if room <= 0:
                    continue
                room -= 1
            moved.append(line.id)
            rows.append(
                {
                    "id": new_id("line"),
                    "account_id": into.account_id,
                    "cart_id": into.id,
                    "variant_id": line.variant_id,
                    "quantity": line.quantity,
                    "unit_price": line.price,
                }
            )
        await self.repo.add_lines(rows, self.settings.max_line_quantity)
        await self.repo.delete_lines(moved)
        if moved:
            # Its totals changed; its updated_at stays, so it does not pass for the newer.
            source.reserved_until = None
            await self.stock.release(source.id)
