"""Order changes queue their emails in the same transaction: placed, shipped, refunded;
the staff's log lists them per order, refuses bad input and keeps to its store."""

from __future__ import annotations

from tests.services.commerce.conftest import Shop
from tests.services.commerce.edits.purchase import BUYER, place_order
from tests.services.commerce.factory import ok, seed


async def test_order_changes_queue_emails_listed_per_store_and_order(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("mail", unique))
    seeded = await seed(client, stock=[3], prices=[2500])
    order = await place_order(shop, client, seeded, {seeded.variants[0]: 2})
    ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/fulfillments"),
            json={
                "lines": [{"line_id": order["lines"][0]["id"], "quantity": 2}],
                "carrier": "UPS",
                "tracking_number": "1Z999AA1",
            },
        ),
        201,
    )
    ok(await client.post(seeded.path(f"/orders/{order['id']}/refunds"), json={"amount": 700}), 201)
    emails = ok(await client.get(seeded.path("/emails"), params={"order_id": order["id"]}))
    by_kind = {e["kind"]: e for e in emails["items"]}
    assert sorted(by_kind) == ["order_placed", "order_refunded", "order_shipped"]
    assert all(e["recipient"] == BUYER and e["id"].startswith("eml_") for e in by_kind.values())
    assert all(e["status"] in ("queued", "sent") for e in by_kind.values())
    placed = by_kind["order_placed"]
    assert f"#{order['number']}" in placed["subject"] and "2 x Trail shoe" in placed["body"]
    shipped = by_kind["order_shipped"]["body"]
    assert "1Z999AA1" in shipped and "2 items" in shipped
    assert "7.00" in by_kind["order_refunded"]["body"]

    for params in ({"status": "lost"}, {"limit": 0}, {"order_id": "x" * 41}):
        answer = await client.get(seeded.path("/emails"), params=params)
        assert answer.status_code == 422, params
    second = await seed(client, stock=[1], handle="second")
    assert ok(await client.get(second.path("/emails")))["items"] == []
    stranger = shop.client(shop.account("stranger", unique))
    assert (await stranger.get(seeded.path("/emails"))).status_code == 404
