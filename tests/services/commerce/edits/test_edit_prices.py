"""What a line added by an order edit costs: what a cart line of the order's customer
would cost now (base, live sale, the tier of the price lists for everyone or for the
customer's group), while the lines already on the order keep the price they were sold at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.edits.purchase import place_order
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.pricelists.helpers import Group, group_with_customer, price_list


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _edit(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], *changes: dict[str, Any]
) -> dict[str, Any]:
    edit: dict[str, Any] = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/edits"), json={"changes": list(changes)}
        ),
        201,
    )
    return edit


async def _store(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> tuple[httpx.AsyncClient, Seeded, Group]:
    """A store selling variants at 100.00, 25.00, 26.00 and 27.00, and a customer group
    with one customer."""
    account = shop.account("owner", unique)
    client = shop.client(account)
    seeded = await seed(client, prices=[10000, 2500, 2600, 2700])
    return client, seeded, await group_with_customer(commerce_db, account, seeded.store)


def _unit_prices(order: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Each line's variant: (quantity, unit price)."""
    return {x["variant_id"]: (x["quantity"], x["unit_price"]) for x in order["lines"]}


async def test_an_added_line_gets_the_sale_and_the_tier_of_the_customer_group(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client, seeded, group = await _store(shop, unique, commerce_db)
    big, tiered, on_sale, members = seeded.variants
    group_tiers = [
        {"variant_id": tiered, "amount": 2400},
        {"variant_id": tiered, "min_quantity": 5, "amount": 2000},
        {"variant_id": on_sale, "amount": 2300},  # the sale is lower
        {"variant_id": members, "min_quantity": 3, "amount": 1900},
    ]
    await price_list(client, seeded, group_tiers, customer_group_id=group.id)
    await price_list(client, seeded, [{"variant_id": tiered, "min_quantity": 5, "amount": 2300}])
    sale = {"currency": "USD", "sale_amount": 2200, "ends_at": _at(timedelta(days=1))}
    ok(await client.put(seeded.path(f"/variants/{on_sale}/sale"), json=sale))

    # A customer of the group: added lines at the group's tier for their quantity and the
    # sale; the line already on the order keeps its price when it reaches a tier.
    order = await place_order(shop, client, seeded, {big: 3, tiered: 1}, customer_id=group.customer)
    assert _unit_prices(order) == {big: (3, 10000), tiered: (1, 2400)}
    line = {x["variant_id"]: x["id"] for x in order["lines"]}
    edit = await _edit(
        client,
        seeded,
        order,
        {"op": "set_quantity", "line_id": line[big], "quantity": 1},
        {"op": "set_quantity", "line_id": line[tiered], "quantity": 5},
        {"op": "add_line", "variant_id": on_sale, "quantity": 1},
        {"op": "add_line", "variant_id": members, "quantity": 3},
    )
    assert _unit_prices(edit["order"]) == {
        big: (1, 10000),
        tiered: (5, 2400),
        on_sale: (1, 2200),
        members: (3, 1900),
    }
    assert edit["total_before"] == 32400
    assert edit["total_after"] == 10000 + 5 * 2400 + 2200 + 3 * 1900
    assert (edit["payment"]["action"], edit["payment"]["amount"]) == ("refunded", 2500)

    # A guest: the list for everyone and the sale, never the group's prices.
    guest = await place_order(shop, client, seeded, {big: 4})
    edit = await _edit(
        client,
        seeded,
        guest,
        {"op": "set_quantity", "line_id": guest["lines"][0]["id"], "quantity": 1},
        {"op": "add_line", "variant_id": tiered, "quantity": 5},
        {"op": "add_line", "variant_id": on_sale, "quantity": 1},
        {"op": "add_line", "variant_id": members, "quantity": 3},
    )
    assert _unit_prices(edit["order"]) == {
        big: (1, 10000),
        tiered: (5, 2300),
        on_sale: (1, 2200),
        members: (3, 2700),
    }
    assert edit["order"]["subtotal"] == edit["total_after"] == 10000 + 11500 + 2200 + 8100


async def test_an_added_line_gets_no_expired_sale_nor_ended_list_and_the_tier_of_its_units(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client, seeded, group = await _store(shop, unique, commerce_db)
    big, tiered, was_on_sale, bulk = seeded.variants
    ended = {"starts_at": _at(timedelta(days=-2)), "ends_at": _at(timedelta(seconds=-1))}
    await price_list(
        client,
        seeded,
        [{"variant_id": tiered, "amount": 100}, {"variant_id": was_on_sale, "amount": 100}],
        customer_group_id=group.id,
        **ended,
    )
    tiers = [
        {"variant_id": tiered, "min_quantity": 3, "amount": 2000},
        {"variant_id": bulk, "min_quantity": 3, "amount": 2000},
    ]
    await price_list(client, seeded, tiers, customer_group_id=group.id)
    sale = {"currency": "USD", "sale_amount": 1000, **ended}
    ok(await client.put(seeded.path(f"/variants/{was_on_sale}/sale"), json=sale))

    order = await place_order(shop, client, seeded, {big: 3}, customer_id=group.customer)
    edit = await _edit(
        client,
        seeded,
        order,
        {"op": "set_quantity", "line_id": order["lines"][0]["id"], "quantity": 1},
        {"op": "add_line", "variant_id": tiered, "quantity": 2},  # below the tier of 3
        {"op": "add_line", "variant_id": was_on_sale, "quantity": 1},
        {"op": "add_line", "variant_id": bulk, "quantity": 3},  # the tier of 3
    )
    assert _unit_prices(edit["order"]) == {
        big: (1, 10000),
        tiered: (2, 2500),
        was_on_sale: (1, 2600),
        bulk: (3, 2000),
    }
    assert edit["total_after"] == 10000 + 5000 + 2600 + 6000
