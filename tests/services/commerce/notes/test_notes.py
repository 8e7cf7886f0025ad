"""Order notes through the app: staff notes and public ones, the filter, deletion, bad
input and tenant and store isolation."""

from __future__ import annotations

from tests.services.commerce.conftest import Shop
from tests.services.commerce.edits.purchase import place_order
from tests.services.commerce.factory import ok, seed


async def test_staff_add_list_filter_and_delete_notes_and_bad_input_is_refused(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("notes", unique))
    seeded = await seed(client, stock=[2])
    order = await place_order(shop, client, seeded, {seeded.variants[0]: 1})
    path = seeded.path(f"/orders/{order['id']}/notes")
    staff = ok(await client.post(path, json={"body": "Gift wrap it"}), 201)
    public = ok(await client.post(path, json={"body": "Ships Monday", "public": True}), 201)
    assert staff["id"].startswith("onote_") and staff["public"] is False and staff["author"]
    every = ok(await client.get(path, params={"limit": 1}))
    assert [n["id"] for n in every["items"]] == [public["id"]] and every["next_cursor"]
    rest = ok(await client.get(path, params={"limit": 1, "cursor": every["next_cursor"]}))
    assert [n["id"] for n in rest["items"]] == [staff["id"]]
    only_public = ok(await client.get(path, params={"public": "true"}))["items"]
    assert [n["body"] for n in only_public] == ["Ships Monday"]
    assert (await client.delete(f"{path}/{staff['id']}")).status_code == 204
    assert (await client.delete(f"{path}/{staff['id']}")).status_code == 404
    assert [n["id"] for n in ok(await client.get(path))["items"]] == [public["id"]]
    for body in ({"body": ""}, {"body": "x" * 10_001}, {"body": "ok", "colour": "red"}, {}):
        answer = await client.post(path, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(path, params={"cursor": "not-a-cursor"})).status_code == 400
    missing = await client.post(seeded.path("/orders/ord_nope/notes"), json={"body": "x"})
    assert missing.status_code == 404


async def test_notes_of_another_tenant_or_store_are_not_found(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    seeded = await seed(owner, stock=[2])
    second = await seed(owner, stock=[1], handle="second")
    order = await place_order(shop, owner, seeded, {seeded.variants[0]: 1})
    notes = seeded.path(f"/orders/{order['id']}/notes")
    note = ok(await owner.post(notes, json={"body": "x"}), 201)
    stranger = shop.client(shop.account("stranger", unique))
    for client, store in ((stranger, seeded), (owner, second)):
        path = store.path(f"/orders/{order['id']}/notes")
        assert (await client.get(path)).status_code == 404
        assert (await client.post(path, json={"body": "y"})).status_code == 404
        assert (await client.delete(f"{path}/{note['id']}")).status_code == 404
    assert len(ok(await owner.get(notes))["items"]) == 1
