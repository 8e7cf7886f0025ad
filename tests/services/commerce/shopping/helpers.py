"""Builders for discovery tests: free products (so orders complete without Stripe),
purchases, and signed-in store customers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_commerce.customers.accounts import token_hash

from tests.services.commerce.factory import Seeded, cart_with, ok, seed

GUEST = {"X-Guest-Token": "guest-0123456789abcdef"}


async def free_store(client: httpx.AsyncClient, handle: str = "shop") -> Seeded:
    """A store (USD, EUR) whose seeded product ("Trail shoe") costs nothing."""
    seeded = await seed(client, stock=[0], prices=[100], handle=handle)
    ok(
        await client.patch(
            seeded.path(f"/variants/{seeded.variants[0]}"),
            json={"prices": {"USD": 0, "EUR": 0}, "track_inventory": False},
        )
    )
    return seeded


async def free_product(
    client: httpx.AsyncClient,
    seeded: Seeded,
    title: str,
    *,
    attributes: dict[str, Any] | None = None,
    sizes: tuple[str, ...] = (),
    status: str = "active",
) -> dict[str, Any]:
    """A product without stock tracking, free in USD and EUR; one variant per size."""
    options = [{"name": "Size", "values": list(sizes)}] if sizes else []
    variants = [
        {
            "sku": f"{title[:20].upper().replace(' ', '-')}-{size or 'ONE'}",
            "option_values": {"Size": size} if size else {},
            "prices": {"USD": 0, "EUR": 0},
            "track_inventory": False,
        }
        for size in sizes or ("",)
    ]
    body = {
        "title": title,
        "status": status,
        "attributes": attributes or {},
        "options": options,
        "variants": variants,
    }
    product: dict[str, Any] = ok(await client.post(seeded.path("/products"), json=body), 201)
    return product


async def buy(
    client: httpx.AsyncClient,
    seeded: Seeded,
    variants: list[str],
    *,
    email: str | None = "buyer@example.com",
    customer_id: str | None = None,
) -> dict[str, Any]:
    """A placed order (nothing due) of one of each of ``variants``."""
    extra = {"email": email, "customer_id": customer_id}
    cart = await cart_with(client, seeded, dict.fromkeys(variants, 1), **extra)
    order: dict[str, Any] = ok(await client.post(seeded.path(f"/carts/{cart['id']}/complete")), 201)
    return order


async def customer(
    engine: AsyncEngine, account: str, store: str, email: str, name: str | None = None
) -> tuple[str, dict[str, str]]:
    """A store customer signed in: their id and the ``X-Customer-Token`` header.

    Written to the tables directly: the sign-in routes (``customers/storefront.py``) are
    not mounted in the app yet."""
    customer_id = f"cus_test{secrets.token_hex(8)}"
    token = secrets.token_urlsafe(32)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO commerce.customers (id, account_id, store_id, email, name)"
                " VALUES (:id, :account, :store, :email, :name)"
            ),
            {"id": customer_id, "account": account, "store": store, "email": email, "name": name},
        )
        await conn.execute(
            text(
                "INSERT INTO commerce.customer_sessions"
                " (token_hash, account_id, customer_id, expires_at)"
                " VALUES (:hash, :account, :customer, :expires)"
            ),
            {
                "hash": token_hash(token),
                "account": account,
                "customer": customer_id,
                "expires": datetime.now(UTC) + timedelta(days=1),
            },
        )
    return customer_id, {"X-Customer-Token": token}
