"""A return's refund goes back to what paid the order: the card payment first (Stripe),
then the gift cards, the card applied last first, none above what it paid; the split is
on the return, money moves once, and another tenant reaches none of it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    card_paid_order,
    gift_card_order,
    received_return,
    refunded_return,
    ship,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem


async def _refund(
    client: httpx.AsyncClient, seeded: Seeded, return_id: str, **body: Any
) -> dict[str, Any]:
    refunded: dict[str, Any] = ok(
        await client.post(seeded.path(f"/returns/{return_id}/refund"), json=body or None)
    )
    assert refunded["status"] == "refunded"
    return refunded


def _split(refunded: dict[str, Any]) -> tuple[int, list[tuple[str, int]]]:
    parts = refunded["refund_breakdown"]
    return parts["payment"], [(card["id"], card["amount"]) for card in parts["gift_cards"]]


async def test_the_card_payment_is_refunded_first_then_the_gift_cards_last_applied_first(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("gcmix", unique))
    seeded = await seed(client, stock=[5], prices=[2000])
    order, cards = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 3}, 1000, 1500)
    applied = [card["id"] for card in order["breakdown"]["gift_cards"]]
    first, last = sorted(cards, key=lambda card: applied.index(card["id"]))
    # 6000: the cards pay 2500 at checkout, Stripe the other 3500.
    assert (order["total"], order["gift_card_total"], order["amount_due"]) == (6000, 2500, 3500)
    assert await balances(client, seeded, first, last) == [0, 0]
    await ship(client, seeded, order, [3])

    one = await refunded_return(client, seeded, order, 1)
    assert one["refund_amount"] == 2000 and _split(one) == (2000, [])
    two = await refunded_return(client, seeded, order, 1)
    # Stripe has 1500 left: the rest goes to the card applied last.
    assert _split(two) == (1500, [(last["id"], 500)])
    assert await balances(client, seeded, first, last) == [0, 500]
    three = await refunded_return(client, seeded, order, 1)
    # The last card gets what it still pays (1000 of its 1500), the first one the rest.
    assert _split(three) == (0, [(last["id"], 1000), (first["id"], 1000)])
    assert three["refund_id"].startswith("ref_")
    assert await balances(client, seeded, first, last) == [1000, 1500]

    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["status"] == "refunded" and done["payment_status"] == "refunded"
    assert done["gift_card_total"] == 0 and done["payments"][0]["amount_refunded"] == 3500
    assert [(c["id"], c["amount"], c["refunded"]) for c in done["breakdown"]["gift_cards"]] == [
        (first["id"], 0, 1000),
        (last["id"], 0, 1500),
    ]
    assert await stripe_refunds(shop, done["payments"][0]["intent_id"]) == [1500, 2000]
    listed = ok(await client.get(seeded.path(f"/orders/{order['id']}/returns")))["items"]
    assert [_split(r) for r in listed] == [_split(three), _split(two), _split(one)]


async def test_a_return_is_refunded_once_and_never_past_what_paid_it(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("gconce", unique))
    seeded = await seed(client, stock=[5], prices=[2500])
    order, (card,) = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 2}, 3000)
    assert order["amount_due"] == 2000
    await ship(client, seeded, order, [2])
    ret = await received_return(client, seeded, order, 1)
    not_yet = ok(await client.get(seeded.path(f"/returns/{ret}")))
    assert not_yet["refund_breakdown"] is None
    # What the payment (2000) and the card (3000) can give back, and not a cent more.
    over = await client.post(seeded.path(f"/returns/{ret}/refund"), json={"amount": 5001})
    assert problem(over, 409)["refundable"] == 5000
    assert await balances(client, seeded, card) == [0]

    refunded = await _refund(client, seeded, ret, amount=2600)
    assert _split(refunded) == (2000, [(card["id"], 600)])
    again = await _refund(client, seeded, ret)
    assert again["refund_id"] == refunded["refund_id"] and _split(again) == _split(refunded)
    same = await _refund(client, seeded, ret, amount=2600)
    assert same["refund_id"] == refunded["refund_id"]
    other = await client.post(seeded.path(f"/returns/{ret}/refund"), json={"amount": 100})
    assert problem(other, 409)["return_status"] == "refunded"
    assert await balances(client, seeded, card) == [600]
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert await stripe_refunds(shop, done["payments"][0]["intent_id"]) == [2000]
    assert done["gift_card_total"] == 2400 and done["status"] == "fulfilled"

    # The other unit costs 2500, but the card only has 2400 left to give back.
    last = await received_return(client, seeded, order, 1)
    too_much = await client.post(seeded.path(f"/returns/{last}/refund"))
    assert problem(too_much, 409)["refundable"] == 2400
    assert _split(await _refund(client, seeded, last, amount=2400)) == (0, [(card["id"], 2400)])
    assert await balances(client, seeded, card) == [3000]
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["status"] == "refunded" and done["gift_card_total"] == 0


async def test_an_order_paid_by_gift_card_alone_is_refunded_to_the_card_alone(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("gconly", unique))
    seeded = await seed(client, stock=[5], prices=[2500])
    order, (card,) = await gift_card_order(client, seeded, {seeded.variants[0]: 2}, 10_000)
    assert order["status"] == "paid" and order["payments"] == []
    assert await balances(client, seeded, card) == [5000]
    await ship(client, seeded, order, [2])

    first = await refunded_return(client, seeded, order, 1)
    assert first["refund_amount"] == 2500 and _split(first) == (0, [(card["id"], 2500)])
    assert await balances(client, seeded, card) == [7500]
    second = await refunded_return(client, seeded, order, 1)
    assert _split(second) == (0, [(card["id"], 2500)])
    assert await balances(client, seeded, card) == [10_000]
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["status"] == "refunded" and done["payment_status"] == "not_required"
    assert done["breakdown"]["gift_cards"][0]["refunded"] == 5000


async def test_another_account_or_store_can_neither_refund_nor_see_the_split(
    shop: Shop, unique: str
) -> None:
    owner = shop.client(shop.account("gcowner", unique))
    other = shop.client(shop.account("gcother", unique))
    seeded = await seed(owner, stock=[2], prices=[2500])
    order, (card,) = await gift_card_order(owner, seeded, {seeded.variants[0]: 1}, 2500)
    await ship(owner, seeded, order, [1])
    ret = await received_return(owner, seeded, order, 1)
    sister = await seed(owner, stock=[1], handle="sister")
    foreign = await seed(other, stock=[1], handle="other")
    for client, store in [(other, seeded), (other, foreign), (owner, sister)]:
        for method, suffix in [
            ("POST", f"/returns/{ret}/refund"),
            ("GET", f"/returns/{ret}"),
            ("POST", f"/orders/{order['id']}/refunds"),
            ("GET", f"/gift-cards/{card['id']}"),
        ]:
            body = {"amount": 100} if suffix.endswith("/refunds") else None
            answer = await client.request(method, store.path(suffix), json=body)
            assert answer.status_code == 404, (store.store, method, suffix, answer.text)
    assert await balances(owner, seeded, card) == [0]
    refunded = await _refund(owner, seeded, ret)
    assert _split(refunded) == (0, [(card["id"], 2500)])
    assert await balances(owner, seeded, card) == [2500]
