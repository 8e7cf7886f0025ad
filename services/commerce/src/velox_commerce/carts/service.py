"""Cart rules: lines of the store's active products priced in the cart's currency, at
most one line per variant, totals always from :func:`velox_commerce.pricing.compute_totals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id

from velox_commerce import pricing
from velox_commerce.carts import pricing_input
from velox_commerce.carts.repository import CartRepository, LineRow
from velox_commerce.carts.schemas import (
    Address,
    AppliedGiftCardOut,
    AppliedPromotionOut,
    CartCreate,
    CartLineIn,
    CartLineOut,
    CartOut,
    CartUpdate,
    PricingProblemOut,
    ShippingOption,
    TotalsOut,
)
from velox_commerce.config import Settings
from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import Cart, CartLine, ShippingMethod
from velox_commerce.errors import ResourceNotFound, StateConflict

__all__ = ["CartService", "PricedCart"]


@dataclass
class PricedCart:
    cart: Cart
    lines: list[LineRow]
    totals: pricing.Totals
    shipping: ShippingMethod | None
    # The shipping method set on the cart does not serve its address.
    shipping_unavailable: bool


class CartService:
    def __init__(self, session: AsyncSession, store: Store, settings: Settings) -> None:
        self.session = session
        self.store = store
        self.settings = settings
        self.repo = CartRepository(session, store.account_id, store.id)

    async def get(self, cart_id: str, *, lock: bool = False) -> Cart:
        cart = await self.repo.cart(cart_id, lock=lock)
        if cart is None:
            raise ResourceNotFound.of("cart", cart_id)
        return cart

    async def open_cart(self, cart_id: str) -> Cart:
        cart = await self.get(cart_id, lock=True)
        if cart.status != "open":
            raise StateConflict(
                f"Cart {cart_id} is completed (order {cart.order_id}); start a new cart.",
                extensions={"order_id": cart.order_id},
            )
        return cart

    async def create(self, data: CartCreate) -> CartOut:
        currency = data.currency or self.store.default_currency
        if currency not in self.store.currencies:
            raise UnprocessableContent(
                f"{currency} is not a currency of this store ({', '.join(self.store.currencies)})."
            )
        cart = Cart(
            id=new_id("cart"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            currency=currency,
            email=data.email,
            customer_id=data.customer_id,
            coupon_codes=[],
            gift_card_codes=[],
        )
        self.session.add(cart)
        await self.session.flush()
        for line in data.lines:
            await self._add(cart, line)
        return await self.view(cart.id)

    async def _add(self, cart: Cart, line: CartLineIn) -> None:
        found = await self.repo.variant_for_cart(line.variant_id, cart.currency)
        if found is None:
            raise UnprocessableContent(f"No variant {line.variant_id} in this store.")
        status, price = found
        if status != "active":
            raise UnprocessableContent(f"Variant {line.variant_id} is not for sale ({status}).")
        if price is None:
            raise UnprocessableContent(f"Variant {line.variant_id} has no {cart.currency} price.")
        await self.repo.upsert_line(
            {
                "id": new_id("line"),
                "account_id": cart.account_id,
                "cart_id": cart.id,
                "variant_id": line.variant_id,
                "quantity": line.quantity,
                "unit_price": price,
            }
        )
        # Quote what the line costs now: a sale, a price list or a tier may lower it.
        await self.repo.requote(cart.id, variant_id=line.variant_id)

    async def add_line(self, cart_id: str, line: CartLineIn) -> CartOut:
        cart = await self.open_cart(cart_id)
        lines = await self.repo.lines(cart.id, cart.currency)
        known = {row.variant_id: row.quantity for row in lines}
        if line.variant_id not in known and len(known) >= self.settings.max_cart_lines:
            raise UnprocessableContent(
                f"A cart holds at most {self.settings.max_cart_lines} lines."
            )
        if known.get(line.variant_id, 0) + line.quantity > self.settings.max_line_quantity:
            raise UnprocessableContent(
                f"A line holds at most {self.settings.max_line_quantity} units."
            )
        await self._add(cart, line)
        await self._touch(cart)
        return await self.view(cart.id)

    async def update_line(self, cart_id: str, line_id: str, quantity: int) -> CartOut:
        cart = await self.open_cart(cart_id)
        where = (CartLine.id == line_id, CartLine.cart_id == cart.id)
        if quantity == 0:
            result = await self.session.execute(delete(CartLine).where(*where))
        else:
            result = await self.session.execute(
                update(CartLine).where(*where).values(quantity=quantity)
            )
        if not getattr(result, "rowcount", 0):
            raise ResourceNotFound.of("cart line", line_id)
        if quantity:
            # A new quantity may reach another tier: the buyer sees its price as quoted.
            await self.repo.requote(cart.id, line_id=line_id)
        await self._touch(cart)
        return await self.view(cart.id)

    async def update(self, cart_id: str, data: CartUpdate) -> CartOut:
        cart = await self.open_cart(cart_id)
        changes = data.model_dump(exclude_unset=True)
        method_id = changes.get("shipping_method_id")
        if method_id is not None and await self.repo.shipping_method(method_id) is None:
            raise UnprocessableContent(f"No shipping method {method_id} in this store.")
        for name in ("coupon_codes", "gift_card_codes"):
            if changes.get(name) is not None:
                changes[name] = list(dict.fromkeys(changes[name]))
        for name, value in changes.items():
            setattr(cart, name, value)
        # Anything that changes the totals voids a reservation made for the old ones.
        cart.reserved_until = None
        await self._touch(cart)
        if "customer_id" in changes:
            # The buyer signed in (or out): their group's price lists are the quoted prices.
            await self.repo.requote(cart.id)
        return await self.view(cart.id)

    async def _touch(self, cart: Cart) -> None:
        cart.updated_at = func.now()
        await self.session.flush()

    async def price(self, cart: Cart, *, lock_gift_cards: bool = False) -> PricedCart:
        """The cart's totals now (the one place a cart is priced)."""
        lines = await self.repo.lines(cart.id, cart.currency)
        now = datetime.now(UTC)
        promotions = await self.repo.promotions(cart.coupon_codes, now)
        address = cart.shipping_address or {}
        country = address.get("country") or self.store.country
        tax_rates = await self.repo.tax_rates(country, address.get("region"))
        shipping: ShippingMethod | None = None
        unavailable = False
        if cart.shipping_method_id:
            found = await self.repo.shipping_method(cart.shipping_method_id)
            if found is not None:
                shipping, countries = found
                unavailable = bool(address) and country not in countries
        gift_cards = await self.repo.gift_cards(cart.gift_card_codes, lock=lock_gift_cards)
        totals = pricing.compute_totals(
            pricing_input.build(
                currency=cart.currency,
                tax_inclusive=self.store.tax_inclusive,
                lines=lines,
                promotions=promotions,
                coupon_codes=cart.coupon_codes,
                tax_rates=tax_rates,
                shipping=None if unavailable else shipping,
                gift_cards=gift_cards,
                now=now,
            )
        )
        return PricedCart(cart, lines, totals, shipping, unavailable)

    async def view(self, cart_id: str) -> CartOut:
        cart = await self.get(cart_id)
        return render(await self.price(cart))

    async def shipping_options(self, cart_id: str) -> list[ShippingOption]:
        cart = await self.get(cart_id)
        address = cart.shipping_address or {}
        country = address.get("country") or self.store.country
        priced = await self.price(cart)
        subtotal = priced.totals.subtotal - priced.totals.discount_total
        weight = sum(line.weight_grams * line.quantity for line in priced.lines)
        options = []
        for method in await self.repo.shipping_methods(country, cart.currency):
            amount = pricing.shipping_quote(
                pricing_input.shipping_input(method), subtotal=subtotal, weight_grams=weight
            )
            if amount is not None:
                options.append(
                    ShippingOption(
                        id=method.id, name=method.name, amount=amount, currency=method.currency
                    )
                )
        return options


def render(priced: PricedCart) -> CartOut:
    cart, totals = priced.cart, priced.totals
    by_line = {line.line_id: line for line in totals.lines}
    lines = []
    for row in priced.lines:
        line = by_line[row.line_id]
        current = row.price if row.price is not None else row.quoted_price
        lines.append(
            CartLineOut(
                id=row.line_id,
                variant_id=row.variant_id,
                product_id=row.product_id,
                sku=row.sku,
                title=row.title,
                quantity=row.quantity,
                unit_price=current,
                previous_unit_price=row.quoted_price if row.quoted_price != current else None,
                subtotal=line.subtotal,
                discount=line.discount,
                tax=line.tax,
                total=line.total,
            )
        )
    return CartOut(
        id=cart.id,
        store_id=cart.store_id,
        status=cart.status,
        currency=cart.currency,
        email=cart.email,
        customer_id=cart.customer_id,
        shipping_address=Address(**cart.shipping_address) if cart.shipping_address else None,
        billing_address=Address(**cart.billing_address) if cart.billing_address else None,
        shipping_method_id=cart.shipping_method_id,
        coupon_codes=cart.coupon_codes,
        gift_card_codes=cart.gift_card_codes,
        lines=lines,
        totals=totals_out(totals),
        reserved_until=cart.reserved_until,
        order_id=cart.order_id,
        created_at=cart.created_at,
        updated_at=cart.updated_at,
    )


def totals_out(totals: pricing.Totals) -> TotalsOut:
    return TotalsOut(
        currency=totals.currency,
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        shipping_total=totals.shipping_total,
        shipping_discount=totals.shipping_discount,
        tax_total=totals.tax_total,
        tax_inclusive=totals.tax_inclusive,
        total=totals.total,
        gift_card_total=totals.gift_card_total,
        amount_due=totals.amount_due,
        promotions=[
            AppliedPromotionOut(id=p.id, code=p.code, kind=p.kind, amount=p.amount)
            for p in totals.promotions
        ],
        gift_cards=[AppliedGiftCardOut(code=g.code, amount=g.amount) for g in totals.gift_cards],
        taxes=dict(totals.taxes),
        problems=[
            PricingProblemOut(code=p.code, detail=p.detail, ref=p.ref) for p in totals.problems
        ],
    )
