"""Categories through the running app: the tree, handles, bad input and isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.stores.problems import problem


async def test_the_tree_lists_parents_before_children_by_position(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    path = seeded.path("/categories")
    men = ok(await client.post(path, json={"name": "Men", "position": 2}), 201)
    women = ok(await client.post(path, json={"name": "Women", "position": 1}), 201)
    shoes = ok(await client.post(path, json={"name": "Shoes", "parent_id": men["id"]}), 201)
    trail = ok(
        await client.post(
            path, json={"name": "Trail", "handle": "men-trail", "parent_id": shoes["id"]}
        ),
        201,
    )
    assert men["handle"] == "men" and men["parent_id"] is None and men["id"].startswith("cat_")
    assert (trail["handle"], trail["parent_id"]) == ("men-trail", shoes["id"])
    tree = ok(await client.get(path))
    assert [c["id"] for c in tree] == [women["id"], men["id"], shoes["id"], trail["id"]]
    for index, category in enumerate(tree):
        parents = [c["id"] for c in tree[:index]]
        assert category["parent_id"] is None or category["parent_id"] in parents


async def test_a_blank_name_makes_an_untitled_category(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    made = ok(await client.post(seeded.path("/categories"), json={"name": "   "}), 201)
    assert (made["name"], made["handle"]) == ("untitled", "untitled")


async def test_categories_with_the_same_name_get_distinct_handles(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    men = ok(await client.post(seeded.path("/categories"), json={"name": "Men"}), 201)
    women = ok(await client.post(seeded.path("/categories"), json={"name": "Women"}), 201)
    handles = [
        ok(
            await client.post(seeded.path("/categories"), json={"name": "Shoes", "parent_id": p}),
            201,
        )["handle"]
        for p in (men["id"], women["id"])
    ]
    assert handles == ["shoes", "shoes-2"]


async def test_a_handle_given_twice_is_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    ok(await client.post(seeded.path("/categories"), json={"name": "Sale", "handle": "sale"}), 201)
    again = await client.post(seeded.path("/categories"), json={"name": "Deals", "handle": "sale"})
    problem(again, 409, "duplicate")
    assert len(ok(await client.get(seeded.path("/categories")))) == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-name"),
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"name": "A", "handle": "A B"}, id="bad-handle"),
        pytest.param({"name": "A", "position": -1}, id="position"),
        pytest.param({"name": "A", "parent_id": "cat_missing"}, id="unknown-parent"),
        pytest.param({"name": "A", "parent_id": "x" * 41}, id="long-parent"),
        pytest.param({"name": "A", "colour": "red"}, id="extra"),
    ],
)
async def test_bad_category_input_is_422(shop: Shop, unique: str, body: dict[str, Any]) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    problem(await client.post(seeded.path("/categories"), json=body), 422, "validation-error")
    assert ok(await client.get(seeded.path("/categories"))) == []


async def test_a_parent_of_another_store_is_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    first = await seed(client, handle="first")
    second = await seed(client, handle="second")
    parent = ok(await client.post(first.path("/categories"), json={"name": "Shoes"}), 201)
    refused = await client.post(
        second.path("/categories"), json={"name": "Trail", "parent_id": parent["id"]}
    )
    problem(refused, 422, "validation-error")
    assert ok(await client.get(second.path("/categories"))) == []
    assert [c["id"] for c in ok(await client.get(first.path("/categories")))] == [parent["id"]]


async def test_another_account_sees_nothing_of_the_categories(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    mine = await seed(owner)
    theirs = await seed(other)
    parent = ok(await owner.post(mine.path("/categories"), json={"name": "Shoes"}), 201)
    problem(await other.get(mine.path("/categories")), 404, "not-found")
    problem(await other.post(mine.path("/categories"), json={"name": "Mine"}), 404, "not-found")
    refused = await other.post(
        theirs.path("/categories"), json={"name": "Child", "parent_id": parent["id"]}
    )
    problem(refused, 422)
    refused = await other.post(
        theirs.path("/products"),
        json={"title": "X", "category_ids": [parent["id"]], "variants": [{"sku": "X"}]},
    )
    problem(refused, 422)
    assert ok(await other.get(theirs.path("/categories"))) == []
