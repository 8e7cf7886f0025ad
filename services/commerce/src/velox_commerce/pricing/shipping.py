"""The price of a shipping method for a cart, before shipping promotions and tax.

``flat`` costs ``amount``; ``weight`` and ``price`` pick the tier with the greatest
``min`` not above the measure: the cart's weight (each line's ``weight_grams`` times its
quantity) or its subtotal after discounts. When no tier applies the method is not
available (``None``). A subtotal after discounts at or above ``free_over`` ships free,
whatever the kind (an unavailable method stays unavailable). Amounts are as the store
shows prices: tax-inclusive in a tax-inclusive store.
"""

from __future__ import annotations

from velox_commerce.pricing.model import ShippingRate

__all__ = ["shipping_quote"]


def shipping_quote(rate: ShippingRate, *, weight_grams: int, subtotal: int) -> int | None:
    """What ``rate`` charges for a cart of ``weight_grams`` and ``subtotal`` (after
    discounts), or ``None`` when the method is not available for it."""
    if rate.kind == "flat":
        amount: int | None = rate.amount
    else:
        measure = weight_grams if rate.kind == "weight" else subtotal
        reached = [tier for tier in rate.tiers if tier[0] <= measure]
        amount = max(reached, key=lambda tier: tier[0])[1] if reached else None
    if amount is None:
        return None
    if rate.free_over is not None and subtotal >= rate.free_over:
        return 0
    return amount
