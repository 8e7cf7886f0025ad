"""'Frequently bought together' through the app: co-purchase counts from the store's orders,
ties broken by the latest co-purchase, cancelled orders and inactive products left out,
bad input and isolation."""

from __future__ import annotations

from typing import Any

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.shopping.helpers import buy, free_product, free_store


def _ranked(answer: dict[str, Any]) -> list[tuple[str, int]]:
    return [(item["product"]["title"], item["orders"]) for item in answer["items"]]


async def test_products_bought_with_a_product_rank_by_shared_orders(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("fbt", unique))
    seeded = await free_store(client)
    shoe = seeded.variants[0]
    made = {t: await free_product(client, seeded, t) for t in ("Sock", "Lace", "Insole", "Wax")}
    sock, lace, insole, wax = (made[t]["variants"][0]["id"] for t in made)
    for lines in ([shoe, sock, lace], [shoe, sock], [shoe, insole], [sock, lace], [shoe, wax]):
        await buy(client, seeded, lines)
    cancelled = await buy(client, seeded, [shoe, lace])
    ok(await client.post(seeded.path(f"/orders/{cancelled['id']}/cancel")))
    ok(
        await client.patch(
            seeded.path(f"/products/{made['Wax']['id']}"), json={"status": "archived"}
        )
    )

    path = seeded.path(f"/products/{seeded.product}/frequently-bought-together")
    answer = ok(await client.get(path))
    assert answer["product_id"] == seeded.product
    # Insole and Lace were each bought once with the shoe: Insole more recently.
    assert _ranked(answer) == [("Sock", 2), ("Insole", 1), ("Lace", 1)]
    assert answer["items"][0]["product"]["prices"]["USD"] == {"min": 0, "max": 0}
    assert _ranked(ok(await client.get(path, params={"limit": 1}))) == [("Sock", 2)]
    # Sock: with the shoe twice and with Lace twice, Lace the latest.
    sock_path = seeded.path(f"/products/{made['Sock']['id']}/frequently-bought-together")
    assert _ranked(ok(await client.get(sock_path))) == [("Lace", 2), ("Trail shoe", 2)]
    # An archived product still has its recommendations; an unbought one has none.
    wax_path = seeded.path(f"/products/{made['Wax']['id']}/frequently-bought-together")
    assert _ranked(ok(await client.get(wax_path))) == [("Trail shoe", 1)]
    lone = await free_product(client, seeded, "Brush")
    lone_path = seeded.path(f"/products/{lone['id']}/frequently-bought-together")
    assert ok(await client.get(lone_path))["items"] == []


async def test_bought_together_bad_input(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("fbtbad", unique))
    seeded = await free_store(client)
    path = seeded.path(f"/products/{seeded.product}/frequently-bought-together")
    for params in ({"limit": 0}, {"limit": 21}, {"limit": "many"}):
        assert (await client.get(path, params=params)).status_code == 422, params
    unknown = seeded.path("/products/prod_nope/frequently-bought-together")
    assert (await client.get(unknown)).status_code == 404
    too_long = seeded.path(f"/products/{'p' * 41}/frequently-bought-together")
    assert (await client.get(too_long)).status_code == 422


async def test_bought_together_stays_in_its_tenant_and_store(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("fbthome", unique))
    seeded = await free_store(client)
    sock = await free_product(client, seeded, "Sock")
    await buy(client, seeded, [seeded.variants[0], sock["variants"][0]["id"]])
    second_store = await free_store(client, handle="second")
    path = f"/products/{seeded.product}/frequently-bought-together"
    assert _ranked(ok(await client.get(seeded.path(path)))) == [("Sock", 1)]
    stranger = shop.client(shop.account("fbtaway", unique))
    assert (await stranger.get(seeded.path(path))).status_code == 404
    assert (await client.get(second_store.path(path))).status_code == 404
    # The other store's own product knows nothing of the first store's orders.
    own = second_store.path(f"/products/{second_store.product}/frequently-bought-together")
    assert ok(await client.get(own))["items"] == []
