"""The storefront's customer: register, sign in and out with a token, their own orders
and addresses only, and the guest cart merged into theirs at sign-in."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.customers.test_customers import ADDRESS
from tests.services.commerce.edits.purchase import place_order
from tests.services.commerce.factory import Seeded, cart_with, ok, seed

PASSWORD = "correct horse battery"


async def _register(client: httpx.AsyncClient, seeded: Seeded, email: str, **extra: Any) -> Any:
    body = {"email": email, "password": PASSWORD, **extra}
    return ok(await client.post(seeded.path("/customers/register"), json=body), 201)


def _as(token: str) -> dict[str, str]:
    return {"X-Customer-Token": token}


async def test_register_sign_in_and_out(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("front", unique))
    seeded = await seed(client, stock=[1])
    made = await _register(client, seeded, "Ada@Example.com", name="Ada")
    assert made["customer"]["has_password"] and made["cart_id"] is None
    me = ok(await client.get(seeded.path("/customers/me"), headers=_as(made["token"])))
    assert me["id"] == made["customer"]["id"] and me["email"] == "Ada@example.com"
    bad_inputs = [
        ("/customers/register", {"email": "b@example.com", "password": "short"}),
        ("/customers/register", {"email": "nope", "password": PASSWORD}),
        ("/customers/login", {"email": "ada@example.com"}),
    ]
    for path, body in bad_inputs:
        assert (await client.post(seeded.path(path), json=body)).status_code == 422, body
    taken = await client.post(
        seeded.path("/customers/register"), json={"email": "ADA@example.com", "password": PASSWORD}
    )
    assert taken.status_code == 409
    wrong = await client.post(
        seeded.path("/customers/login"), json={"email": "ada@example.com", "password": "nope"}
    )
    unknown = await client.post(
        seeded.path("/customers/login"), json={"email": "who@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["type"] == unknown.json()["type"]
    login = ok(
        await client.post(
            seeded.path("/customers/login"), json={"email": "ada@EXAMPLE.com", "password": PASSWORD}
        )
    )
    logout = await client.post(seeded.path("/customers/logout"), headers=_as(login["token"]))
    assert logout.status_code == 204
    for token in (login["token"], "forged", ""):
        gone = await client.get(seeded.path("/customers/me"), headers=_as(token))
        assert gone.status_code == 401
    assert (await client.get(seeded.path("/customers/me"))).status_code == 401
    still = await client.get(seeded.path("/customers/me"), headers=_as(made["token"]))
    assert still.status_code == 200


async def test_a_customer_sees_only_their_own_orders_and_addresses(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("mine", unique))
    seeded = await seed(client, stock=[3])
    ada = await _register(client, seeded, "ada@example.com")
    bob = await _register(client, seeded, "bob@example.com")
    order = await place_order(
        shop, client, seeded, {seeded.variants[0]: 1}, customer_id=ada["customer"]["id"]
    )
    notes = seeded.path(f"/orders/{order['id']}/notes")
    ok(await client.post(notes, json={"body": "Packed with care", "public": True}), 201)
    ok(await client.post(notes, json={"body": "Difficult buyer"}), 201)
    mine = ok(await client.get(seeded.path("/customers/me/orders"), headers=_as(ada["token"])))
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    one = ok(
        await client.get(
            seeded.path(f"/customers/me/orders/{order['id']}"), headers=_as(ada["token"])
        )
    )
    assert [n["body"] for n in one["notes"]] == ["Packed with care"]
    bobs = ok(await client.get(seeded.path("/customers/me/orders"), headers=_as(bob["token"])))
    assert bobs["items"] == []
    peek = await client.get(
        seeded.path(f"/customers/me/orders/{order['id']}"), headers=_as(bob["token"])
    )
    assert peek.status_code == 404
    addresses = seeded.path("/customers/me/addresses")
    home = ok(
        await client.post(addresses, json={"address": ADDRESS}, headers=_as(ada["token"])), 201
    )
    assert home["default_shipping"] and home["customer_id"] == ada["customer"]["id"]
    assert ok(await client.get(addresses, headers=_as(bob["token"]))) == []
    for method in ("patch", "delete"):
        answer = await client.request(
            method,
            f"{addresses}/{home['id']}",
            json={"default_billing": False} if method == "patch" else None,
            headers=_as(bob["token"]),
        )
        assert answer.status_code == 404
    bad = await client.post(addresses, json={"address": {}}, headers=_as(ada["token"]))
    assert bad.status_code == 422
    changed = ok(
        await client.patch(
            f"{addresses}/{home['id']}", json={"default_billing": False}, headers=_as(ada["token"])
        )
    )
    assert changed["default_billing"] is False
    assert (
        await client.delete(f"{addresses}/{home['id']}", headers=_as(ada["token"]))
    ).status_code == 204


async def test_a_token_works_only_at_its_own_store_and_account(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    seeded = await seed(owner, stock=[1])
    second = await seed(owner, stock=[1], handle="second")
    ada = await _register(owner, seeded, "ada@example.com")
    assert (
        await owner.get(second.path("/customers/me"), headers=_as(ada["token"]))
    ).status_code == 401
    stranger = shop.client(shop.account("stranger", unique))
    calls = [
        ("get", "/customers/me", None),
        ("post", "/customers/login", {"email": "ada@example.com", "password": PASSWORD}),
        ("post", "/customers/register", {"email": "eve@example.com", "password": PASSWORD}),
    ]
    for method, path, body in calls:
        answer = await stranger.request(
            method, seeded.path(path), json=body, headers=_as(ada["token"])
        )
        assert answer.status_code == 404, path
    login = await owner.post(
        second.path("/customers/login"), json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_the_guest_cart_takes_in_the_customers_earlier_cart_at_sign_in(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("merge", unique))
    seeded = await seed(client, stock=[0, 0, 0], prices=[1000, 2000, 3000])
    a, b, c = seeded.variants
    ada = await _register(client, seeded, "ada@example.com")
    customer = ada["customer"]["id"]
    earlier = await cart_with(client, seeded, {a: 2, b: 1}, customer_id=customer)
    guest = await cart_with(client, seeded, {a: 3, c: 9_999})
    ok(
        await client.post(
            seeded.path(f"/carts/{earlier['id']}/lines"), json={"variant_id": c, "quantity": 5}
        )
    )
    signed = ok(
        await client.post(
            seeded.path("/customers/login"),
            json={"email": "ada@example.com", "password": PASSWORD, "cart_id": guest["id"]},
        )
    )
    assert signed["cart_id"] == guest["id"]
    merged = ok(await client.get(seeded.path(f"/carts/{guest['id']}")))
    assert merged["customer_id"] == customer and merged["email"] == "ada@example.com"
    assert {line["variant_id"]: line["quantity"] for line in merged["lines"]} == {
        a: 5,
        b: 1,
        c: 10_000,
    }
    assert ok(await client.get(seeded.path(f"/carts/{earlier['id']}")))["lines"] == []
    again = ok(
        await client.post(
            seeded.path("/customers/login"), json={"email": "ada@example.com", "password": PASSWORD}
        )
    )
    assert again["cart_id"] == guest["id"]
    bob = await _register(client, seeded, "bob@example.com")
    stolen = await client.post(
        seeded.path("/customers/login"),
        json={"email": "bob@example.com", "password": PASSWORD, "cart_id": guest["id"]},
    )
    assert stolen.status_code == 409 and bob["cart_id"] is None
    missing = await client.post(
        seeded.path("/customers/login"),
        json={"email": "bob@example.com", "password": PASSWORD, "cart_id": "cart_nope"},
    )
    assert missing.status_code == 404
