"""The statements of placing an order that are not the ORM's: the order number, and the
writes that share the stock move's round trip (see
:class:`~velox_commerce.inventory.repository.Also`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.inventory.repository import Also

__all__ = ["count_coupon_uses", "next_order_number", "set_line_allocations"]

_NEXT_NUMBER = text("SELECT nextval(CAST(CAST(:sequence AS text) AS regclass))")

_COUNT_USES = """
    UPDATE commerce.promotions SET times_used = times_used + 1
    WHERE account_id = :coupons_account AND id = ANY(CAST(:coupons_ids AS text[]))
      AND (usage_limit IS NULL OR times_used < usage_limit)
    RETURNING id AS ref
"""

_LINE_ALLOCATIONS = """
    UPDATE commerce.order_lines o SET allocations = CAST(a.allocations AS jsonb)
    FROM unnest(CAST(:lines_ids AS text[]), CAST(:lines_allocations AS text[]))
         AS a(id, allocations)
    WHERE o.account_id = :lines_account AND o.id = a.id
    RETURNING o.id AS ref
"""


async def next_order_number(session: AsyncSession, store_id: str) -> int:
    """The store's next order number, from its own sequence (made with the store by a
    trigger): no row lock, so completions in one store do not queue for it. A number
    whose transaction rolls back is skipped."""
    sequence = f'commerce."order_numbers_{store_id}"'
    number = await session.scalar(_NEXT_NUMBER, {"sequence": sequence})
    return int(number)


def count_coupon_uses(account_id: str, promotion_ids: Sequence[str]) -> Also:
    """One more use of each coupon, unless it has reached its usage limit meanwhile (then
    its id is missing from what the statement returns). The coupon rows stay locked to the
    commit, so this runs in the stock move's round trip, at the end."""
    return Also(
        "coupons",
        _COUNT_USES,
        {"coupons_account": account_id, "coupons_ids": list(promotion_ids)},
    )


def set_line_allocations(account_id: str, shares: Mapping[str, Mapping[str, int]]) -> Also:
    """Write each order line's ``{location: units}`` once the stock is planned."""
    return Also(
        "lines",
        _LINE_ALLOCATIONS,
        {
            "lines_account": account_id,
            "lines_ids": list(shares),
            "lines_allocations": [json.dumps(dict(share)) for share in shares.values()],
        },
    )
