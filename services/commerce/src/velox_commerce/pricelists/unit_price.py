"""The one rule for a cart line's unit price, as SQL that other statements embed.

A line costs the lowest of:

* the variant's base price in the currency (``variant_prices.amount``);
* its sale price (``sale_amount``) while now is inside ``[sale_starts_at, sale_ends_at)``
  (either end open when NULL);
* for each active price list of the store in that currency, for everyone or for the
  cart customer's group, inside its own window: the amount of the tier with the greatest
  ``min_quantity`` not above the line's quantity.

A variant without a base price in the currency has no price (NULL): sales and price
lists only ever lower the catalogue price, they never put a variant on sale on their own.
"""

from __future__ import annotations

__all__ = ["unit_price_sql"]


def unit_price_sql(*, variant: str, quantity: str, currency: str, store: str, group: str) -> str:
    """A scalar subquery giving the unit price; the arguments are SQL expressions (column
    references or bind parameters) for the variant id, the line's quantity, the currency,
    the store id and the customer's group id (NULL for guests)."""
    return f"""(
        SELECT LEAST(
            vp.amount,
            CASE WHEN (vp.sale_starts_at IS NULL OR vp.sale_starts_at <= now())
                  AND (vp.sale_ends_at IS NULL OR vp.sale_ends_at > now())
                 THEN vp.sale_amount END,
            (SELECT min(tier.amount)
             FROM commerce.price_lists pl
             CROSS JOIN LATERAL (
                 SELECT plp.amount FROM commerce.price_list_prices plp
                 WHERE plp.price_list_id = pl.id AND plp.variant_id = vp.variant_id
                   AND plp.min_quantity <= {quantity}
                 ORDER BY plp.min_quantity DESC
                 LIMIT 1
             ) tier
             WHERE pl.store_id = {store} AND pl.currency = vp.currency AND pl.active
               AND (pl.starts_at IS NULL OR pl.starts_at <= now())
               AND (pl.ends_at IS NULL OR pl.ends_at > now())
               AND (pl.customer_group_id IS NULL OR pl.customer_group_id = {group})))
        FROM commerce.variant_prices vp
        WHERE vp.variant_id = {variant} AND vp.currency = {currency}
    )"""  # noqa: S608 (the arguments are SQL of the code, never input)
