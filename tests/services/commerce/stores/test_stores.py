"""Stores through the running app: create, get, list, update; bad input; tenant isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.stores.problems import problem

STORES = "/v1/commerce/stores"


async def make_store(client: httpx.AsyncClient, handle: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Shop {handle}", "handle": handle, **fields}
    store: dict[str, Any] = ok(await client.post(STORES, json=body), 201)
    return store


async def test_a_store_offers_its_default_currency_and_each_currency_once(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    store = await make_store(
        client,
        "outdoor",
        default_currency="EUR",
        currencies=["USD", "EUR", "USD", "GBP"],
        locale="fr-FR",
        country="FR",
        tax_inclusive=True,
        capture_on_order=False,
        reservation_minutes=30,
    )
    assert store["id"].startswith("sto_")
    assert store["currencies"] == ["USD", "EUR", "GBP"]
    assert store["default_currency"] == "EUR" and store["locale"] == "fr-FR"
    assert store["tax_inclusive"] is True and store["capture_on_order"] is False
    assert store["reservation_minutes"] == 30

    got = ok(await client.get(f"{STORES}/{store['id']}"))
    assert got == store


async def test_a_store_gets_usd_defaults(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store = await make_store(client, "plain")
    assert store["currencies"] == ["USD"] and store["default_currency"] == "USD"
    assert (store["locale"], store["country"]) == ("en-US", "US")
    assert store["tax_inclusive"] is False and store["capture_on_order"] is True
    assert store["reservation_minutes"] == 15


async def test_an_update_changes_only_the_fields_given(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store = await make_store(client, "shop", currencies=["EUR"])
    updated = ok(
        await client.patch(
            f"{STORES}/{store['id']}",
            json={"name": "Renamed", "currencies": ["USD", "GBP", "GBP"], "tax_inclusive": True},
        )
    )
    assert updated["name"] == "Renamed" and updated["currencies"] == ["USD", "GBP"]
    assert updated["tax_inclusive"] is True
    assert updated["handle"] == store["handle"] and updated["locale"] == store["locale"]
    assert updated["updated_at"] >= store["updated_at"]
    assert ok(await client.get(f"{STORES}/{store['id']}")) == updated


async def test_a_handle_is_unique_in_an_account_but_not_across_accounts(
    shop: Shop, unique: str
) -> None:
    first = shop.client(shop.account("first", unique))
    second = shop.client(shop.account("second", unique))
    await make_store(first, "same")
    body = problem(
        await first.post(STORES, json={"name": "Again", "handle": "same"}), 409, "duplicate"
    )
    assert "same" in body["detail"]
    assert len(ok(await first.get(STORES))["items"]) == 1
    await make_store(second, "same")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"handle": "x"}, id="no-name"),
        pytest.param({"name": "S"}, id="no-handle"),
        pytest.param({"name": "S", "handle": "Not A Handle"}, id="bad-handle"),
        pytest.param({"name": "S", "handle": "-dash"}, id="leading-dash"),
        pytest.param({"name": "S", "handle": "s", "default_currency": "ABC"}, id="not-iso"),
        pytest.param({"name": "S", "handle": "s", "currencies": ["usd"]}, id="lower-currency"),
        pytest.param({"name": "S", "handle": "s", "country": "USA"}, id="country"),
        pytest.param({"name": "S", "handle": "s", "locale": "english"}, id="locale"),
        pytest.param({"name": "S", "handle": "s", "locale": "en" + "-abcdefgh" * 5}, id="long"),
        pytest.param({"name": "S", "handle": "s", "reservation_minutes": 0}, id="minutes"),
        pytest.param({"name": "S", "handle": "s", "tax_inclusive": "maybe"}, id="bool"),
        pytest.param({"name": "S", "handle": "s", "owner": "me"}, id="extra"),
        pytest.param({"name": "", "handle": "s"}, id="empty-name"),
    ],
)
async def test_bad_store_input_is_422(shop: Shop, unique: str, body: dict[str, Any]) -> None:
    client = shop.client(shop.account("owner", unique))
    problem(await client.post(STORES, json=body), 422, "validation-error")
    assert ok(await client.get(STORES))["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": None}, id="null-name"),
        pytest.param({"currencies": None}, id="null-currencies"),
        pytest.param({"tax_inclusive": None}, id="null-bool"),
        pytest.param({"locale": "en" + "-abcdefgh" * 5}, id="long-locale"),
        pytest.param({"currencies": ["XYZ"]}, id="unknown-currency"),
        pytest.param({"handle": "renamed"}, id="handle-is-fixed"),
        pytest.param({"default_currency": "EUR"}, id="default-is-fixed"),
        pytest.param({"reservation_minutes": 24 * 60 + 1}, id="minutes"),
    ],
)
async def test_bad_store_update_is_422_and_changes_nothing(
    shop: Shop, unique: str, body: dict[str, Any]
) -> None:
    client = shop.client(shop.account("owner", unique))
    store = await make_store(client, "shop", currencies=["EUR"])
    problem(await client.patch(f"{STORES}/{store['id']}", json=body), 422, "validation-error")
    assert ok(await client.get(f"{STORES}/{store['id']}")) == store


async def test_dropping_the_default_currency_is_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store = await make_store(client, "shop", currencies=["EUR"])
    body = problem(
        await client.patch(f"{STORES}/{store['id']}", json={"currencies": ["EUR"]}),
        409,
        "invalid-state",
    )
    assert "USD" in body["detail"]
    assert ok(await client.get(f"{STORES}/{store['id']}"))["currencies"] == ["USD", "EUR"]


async def test_an_unknown_store_is_404(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    missing = f"{STORES}/sto_missing"
    for response in (
        await client.get(missing),
        await client.patch(missing, json={"name": "X"}),
        await client.get(f"{missing}/products"),
    ):
        body = problem(response, 404, "not-found")
        assert body["resource"] == "store"
    problem(await client.get(f"{STORES}/{'x' * 41}/products"), 422, "validation-error")


async def test_another_account_sees_nothing_of_a_store(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    store = await make_store(owner, "private")
    path = f"{STORES}/{store['id']}"
    problem(await other.get(path), 404, "not-found")
    problem(await other.patch(path, json={"name": "Taken"}), 404, "not-found")
    for nested in ("/products", "/categories", "/locations", "/inventory/movements"):
        problem(await other.get(path + nested), 404, "not-found")
    assert ok(await other.get(STORES))["items"] == []
    assert ok(await owner.get(path))["name"] == store["name"]


async def test_stores_are_paged_newest_first_by_cursor(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    made = [(await make_store(client, f"shop-{i}"))["id"] for i in range(3)]
    first = ok(await client.get(STORES, params={"limit": 2}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = ok(await client.get(STORES, params={"limit": 2, "cursor": first["next_cursor"]}))
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = [s["id"] for s in first["items"] + second["items"]]
    assert seen == list(reversed(made))


@pytest.mark.parametrize(
    ("params", "status"),
    [
        pytest.param({"limit": 0}, 422, id="limit-0"),
        pytest.param({"limit": 201}, 422, id="limit-201"),
        pytest.param({"cursor": "not-a-cursor"}, 400, id="garbage"),
        pytest.param({"cursor": "eyJ0IjoxfQ"}, 400, id="no-key"),
        pytest.param({"cursor": "W10"}, 400, id="a-list"),
    ],
)
async def test_bad_paging_is_a_problem(
    shop: Shop, unique: str, params: dict[str, Any], status: int
) -> None:
    client = shop.client(shop.account("owner", unique))
    problem(await client.get(STORES, params=params), status)


async def test_a_cursor_with_a_naive_time_still_pages(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    await make_store(client, "shop")
    # base64 of {"t":"2999-01-01T00:00:00","k":"zzz"}: no offset in the time.
    cursor = "eyJ0IjoiMjk5OS0wMS0wMVQwMDowMDowMCIsImsiOiJ6enoifQ"
    page = ok(await client.get(STORES, params={"cursor": cursor}))
    assert len(page["items"]) == 1
