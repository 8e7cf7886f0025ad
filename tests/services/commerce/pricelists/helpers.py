"""Customer groups and customers written straight to the database (the customers API
is another domain's; a price list only needs the rows), and a store with a product."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.factory import Seeded, ok, seed


@dataclass(frozen=True)
class Group:
    id: str
    customer: str


async def group_with_customer(
    engine: AsyncEngine, account: str, store: str, name: str = "Wholesale"
) -> Group:
    """A customer group of ``store`` with one customer in it (both go with the store)."""
    suffix = f"{store[-8:]}_{name.lower()}"
    group, customer = f"cgrp_{suffix}", f"cus_{suffix}"
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO commerce.customer_groups (id, account_id, store_id, name) "
                "VALUES (:id, :account, :store, :name)"
            ),
            {"id": group, "account": account, "store": store, "name": name},
        )
        await conn.execute(
            text(
                "INSERT INTO commerce.customers (id, account_id, store_id, email, group_id) "
                "VALUES (:id, :account, :store, :email, :group)"
            ),
            {
                "id": customer,
                "account": account,
                "store": store,
                "email": f"{suffix}@example.com",
                "group": group,
            },
        )
    return Group(group, customer)


async def priced_store(client: httpx.AsyncClient, handle: str = "shop") -> Seeded:
    """A store selling USD and EUR with one product of two variants: USD 2500 and 2600."""
    return await seed(
        client, prices=[2500, 2600], handle=handle, store={"currencies": ["USD", "EUR"]}
    )


async def price_list(
    client: httpx.AsyncClient, seeded: Seeded, tiers: list[dict[str, object]], **body: object
) -> str:
    """A USD price list (``body`` adds to it) holding ``tiers``; its id."""
    created = ok(
        await client.post(
            seeded.path("/price-lists"), json={"name": "B2B", "currency": "USD", **body}
        ),
        201,
    )
    ok(await client.put(seeded.path(f"/price-lists/{created['id']}/prices"), json=tiers))
    list_id: str = created["id"]
    return list_id
