"""Staff refunds and cancellations give gift cards back by the one refund rule (the card
payment first, then the gift cards); a retried refund moves money once, and an edit
after a refund gives a card back no more than it paid."""

from __future__ import annotations

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    card_paid_order,
    gift_card,
    gift_card_order,
    staff_refund,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem


async def _authorised(shop: Shop, client: httpx.AsyncClient, seeded: Seeded, code: str) -> str:
    """An order of one unit, the gift card ``code`` paying part, Stripe authorised only."""
    cart = ok(
        await client.post(
            seeded.path("/carts"),
            json={"lines": [{"variant_id": seeded.variants[0], "quantity": 1}]},
        ),
        201,
    )
    ok(await client.patch(seeded.path(f"/carts/{cart['id']}"), json={"gift_card_codes": [code]}))
    intent = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))["payment"]
    await shop.authorize(intent["intent_id"])
    placed = await client.post(seeded.path(f"/carts/{cart['id']}/complete"))
    assert placed.status_code in (200, 201), placed.text
    order_id: str = placed.json()["id"]
    return order_id


async def test_an_order_refund_goes_to_the_gift_card_once_stripe_has_none_left(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("ordgc", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    order, (card,) = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 1000)
    assert order["amount_due"] == 2000
    key = {"Idempotency-Key": f"refund-{unique}"}
    first = ok(await staff_refund(client, seeded, order["id"], 2500, **key), 201)
    assert first["amount"] == 2500 and first["provider_refund_id"].startswith("re_")
    assert first["breakdown"] == {
        "payment": 2000,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 500}],
    }
    replay = ok(await staff_refund(client, seeded, order["id"], 2500, **key), 201)
    assert replay == first
    reused = await staff_refund(client, seeded, order["id"], 10, **key)
    assert problem(reused, 409)["type"].endswith("/idempotency-key-reused")
    assert await balances(client, seeded, card) == [500]
    over = await staff_refund(client, seeded, order["id"], 501)
    assert problem(over, 409)["refundable"] == 500

    rest = ok(await staff_refund(client, seeded, order["id"], 500), 201)
    assert rest["breakdown"]["payment"] == 0 and rest["provider_refund_id"] is None
    assert await balances(client, seeded, card) == [1000]
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["status"] == "refunded" and done["gift_card_total"] == 0
    assert await stripe_refunds(shop, done["payments"][0]["intent_id"]) == [2000]
    nothing = await staff_refund(client, seeded, order["id"], 1)
    assert problem(nothing, 409)["refundable"] == 0


async def test_a_gift_card_order_refunded_then_edited_gives_the_card_back_what_it_paid(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("ordgcedit", unique))
    seeded = await seed(client, stock=[3], prices=[2500])
    order, (card,) = await gift_card_order(client, seeded, {seeded.variants[0]: 2}, 5000)
    refund = ok(await staff_refund(client, seeded, order["id"], 2000), 201)
    assert refund["breakdown"] == {
        "payment": 0,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 2000}],
    }
    assert refund["provider_refund_id"] is None
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert after["status"] == "paid" and after["gift_card_total"] == 3000
    # One unit is left (2500): the card paid 5000 and got 2000 back, so 500 more is due
    # to it, not the 2500 the edit would give a card that had kept all it paid.
    line = order["lines"][0]["id"]
    edit = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/edits"),
            json={"changes": [{"op": "set_quantity", "line_id": line, "quantity": 1}]},
        ),
        201,
    )
    assert edit["order"]["total"] == 2500 and edit["order"]["gift_card_total"] == 2500
    assert await balances(client, seeded, card) == [2500]
    too_much = await staff_refund(client, seeded, order["id"], 2501)
    assert problem(too_much, 409)["refundable"] == 2500


async def test_cancelling_gives_the_gift_cards_back_with_the_payment(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("ordgccancel", unique))
    seeded = await seed(client, stock=[4], prices=[3000], store={"capture_on_order": False})
    held, taken = await gift_card(client, seeded, 1000), await gift_card(client, seeded, 1200)
    authorised = await _authorised(shop, client, seeded, held["code"])
    early = await staff_refund(client, seeded, authorised, 100)  # capture or cancel first
    assert "no captured payment" in problem(early, 409)["detail"]
    assert await balances(client, seeded, held) == [0]
    cancelled = ok(await client.post(seeded.path(f"/orders/{authorised}/cancel")))
    assert cancelled["payment_status"] == "cancelled" and cancelled["gift_card_total"] == 0
    assert cancelled["breakdown"]["gift_cards"][0]["refunded"] == 1000
    assert await balances(client, seeded, held) == [1000]

    captured = await _authorised(shop, client, seeded, taken["code"])
    ok(await client.post(seeded.path(f"/orders/{captured}/capture"), json={}))
    ok(await staff_refund(client, seeded, captured, 300), 201)
    cancelled = ok(await client.post(seeded.path(f"/orders/{captured}/cancel")))
    assert cancelled["status"] == "cancelled" and cancelled["payment_status"] == "refunded"
    assert cancelled["payments"][0]["amount_refunded"] == 1800
    assert await stripe_refunds(shop, cancelled["payments"][0]["intent_id"]) == [300, 1500]
    assert await balances(client, seeded, taken) == [1200]
    again = ok(await client.post(seeded.path(f"/orders/{captured}/cancel")))
    assert again["gift_card_total"] == 0 and await balances(client, seeded, taken) == [1200]
