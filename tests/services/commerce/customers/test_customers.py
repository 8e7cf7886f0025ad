"""Staff's store customers: CRUD, groups, addresses with their defaults, bad input, and
tenant and store isolation."""

from __future__ import annotations

from typing import Any

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


async def _store(client: Any, handle: str = "shop") -> str:
    body = {"name": "Shop", "handle": handle}
    store: str = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    return store


async def test_staff_manage_customers_and_groups(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("staff", unique))
    base = f"/v1/commerce/stores/{await _store(client)}"
    group = ok(await client.post(f"{base}/customer-groups", json={"name": "Wholesale"}), 201)
    assert group["id"].startswith("cgrp_")
    dup_group = await client.post(f"{base}/customer-groups", json={"name": "Wholesale"})
    assert dup_group.status_code == 409
    assert [g["id"] for g in ok(await client.get(f"{base}/customer-groups"))["items"]] == [
        group["id"]
    ]
    made = ok(
        await client.post(f"{base}/customers", json={"email": "Ada@Example.com", "name": "Ada"}),
        201,
    )
    assert made["id"].startswith("cus_") and made["has_password"] is False
    dup = await client.post(f"{base}/customers", json={"email": "ada@example.COM"})
    assert dup.status_code == 409 and dup.headers["content-type"].startswith(
        "application/problem+json"
    )
    other = ok(await client.post(f"{base}/customers", json={"email": "bob@example.com"}), 201)
    changed = ok(
        await client.patch(
            f"{base}/customers/{made['id']}", json={"group_id": group["id"], "phone": "+1 555"}
        )
    )
    assert changed["group_id"] == group["id"] and changed["phone"] == "+1 555"
    in_group = ok(await client.get(f"{base}/customers", params={"group_id": group["id"]}))
    assert [c["id"] for c in in_group["items"]] == [made["id"]]
    by_email = ok(await client.get(f"{base}/customers", params={"email": "ADA@example.com"}))
    assert [c["id"] for c in by_email["items"]] == [made["id"]]
    page = ok(await client.get(f"{base}/customers", params={"limit": 1}))
    assert [c["id"] for c in page["items"]] == [other["id"]] and page["next_cursor"]
    taken = await client.patch(f"{base}/customers/{other['id']}", json={"email": "ADA@example.com"})
    assert taken.status_code == 409
    assert (await client.delete(f"{base}/customers/{made['id']}")).status_code == 204
    assert (await client.get(f"{base}/customers/{made['id']}")).status_code == 404


async def test_bad_customer_input_is_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("bad", unique))
    base = f"/v1/commerce/stores/{await _store(client)}"
    customer = ok(await client.post(f"{base}/customers", json={"email": "c@example.com"}), 201)
    cases = [
        ("post", f"{base}/customers", {"email": "not-an-email"}),
        ("post", f"{base}/customers", {"email": "a@example.com", "group_id": "cgrp_nope"}),
        ("post", f"{base}/customers", {"email": "a@example.com", "name": "x" * 201}),
        ("post", f"{base}/customers", {"email": "a@example.com", "role": "admin"}),
        ("patch", f"{base}/customers/{customer['id']}", {"email": None}),
        ("post", f"{base}/customer-groups", {"name": ""}),
        ("post", f"{base}/customers/{customer['id']}/addresses", {"address": {"city": "x"}}),
        ("patch", f"{base}/customers/{customer['id']}/addresses/addr_x", {"default_billing": None}),
    ]
    for method, path, body in cases:
        answer = await client.request(method, path, json=body)
        assert answer.status_code == 422, (path, body, answer.text)
    assert (await client.get(f"{base}/customers", params={"limit": 0})).status_code == 422


async def test_addresses_keep_one_default_of_each_kind(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("addr", unique))
    base = f"/v1/commerce/stores/{await _store(client)}"
    customer = ok(await client.post(f"{base}/customers", json={"email": "c@example.com"}), 201)
    path = f"{base}/customers/{customer['id']}/addresses"
    home = ok(await client.post(path, json={"address": ADDRESS}), 201)
    assert home["default_shipping"] and home["default_billing"]
    work = ok(
        await client.post(
            path, json={"address": {**ADDRESS, "line1": "2 Work Rd"}, "default_shipping": True}
        ),
        201,
    )
    assert work["default_shipping"] and not work["default_billing"]
    billing = ok(await client.patch(f"{path}/{work['id']}", json={"default_billing": True}))
    assert billing["default_billing"]
    listed = {a["id"]: a for a in ok(await client.get(path))}
    assert not listed[home["id"]]["default_shipping"] and not listed[home["id"]]["default_billing"]
    assert (await client.delete(f"{path}/{home['id']}")).status_code == 204
    assert [a["id"] for a in ok(await client.get(path))] == [work["id"]]
    assert (await client.delete(f"{path}/{home['id']}")).status_code == 404


async def test_customers_of_another_tenant_or_store_are_not_found(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    first, second = await _store(owner), await _store(owner, "second")
    customer = ok(
        await owner.post(f"/v1/commerce/stores/{first}/customers", json={"email": "c@example.com"}),
        201,
    )
    address = ok(
        await owner.post(
            f"/v1/commerce/stores/{first}/customers/{customer['id']}/addresses",
            json={"address": ADDRESS},
        ),
        201,
    )
    stranger = shop.client(shop.account("stranger", unique))
    for client, store in ((stranger, first), (owner, second)):
        one = f"/v1/commerce/stores/{store}/customers/{customer['id']}"
        calls = [
            ("get", one, None),
            ("patch", one, {"name": "x"}),
            ("delete", one, None),
            ("get", f"{one}/addresses", None),
            ("post", f"{one}/addresses", {"address": ADDRESS}),
            ("patch", f"{one}/addresses/{address['id']}", {"default_billing": True}),
            ("delete", f"{one}/addresses/{address['id']}", None),
        ]
        for method, path, body in calls:
            answer = await client.request(method, path, json=body)
            assert answer.status_code == 404, (method, path)
    assert ok(await owner.get(f"/v1/commerce/stores/{second}/customers"))["items"] == []
    assert (await stranger.get(f"/v1/commerce/stores/{first}/customer-groups")).status_code == 404
