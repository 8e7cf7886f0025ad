"""A merchant's store through the API, and assertions on problem answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok

CA_ADDRESS = {
    "name": "Ann Buyer",
    "line1": "1 Main St",
    "city": "Los Angeles",
    "region": "CA",
    "postal_code": "90001",
    "country": "US",
}


@dataclass
class Merchant:
    client: httpx.AsyncClient
    store: str

    def path(self, suffix: str = "") -> str:
        return f"/v1/commerce/stores/{self.store}{suffix}"


async def open_store(client: httpx.AsyncClient, handle: str = "shop") -> str:
    """A store selling in USD (its default) and EUR."""
    body = {"name": "Setup shop", "handle": handle, "currencies": ["EUR"]}
    store: str = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    return store


async def merchant_of(shop: Shop, name: str, unique: str) -> Merchant:
    client = shop.client(shop.account(name, unique))
    return Merchant(client, await open_store(client))


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of ``response``, which must have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


Call = tuple[str, str, dict[str, Any] | None]


async def hidden(merchant: Merchant, rival: Merchant, calls: list[Call]) -> None:
    """Each call (method, path under the merchant's store, body) answers 404 to another
    tenant; one that names a resource also answers 404 in another store of the merchant."""
    sibling = Merchant(merchant.client, await open_store(merchant.client, "sibling"))
    for method, suffix, body in calls:
        answer = await rival.client.request(method, merchant.path(suffix), json=body)
        assert problem(answer, 404)["resource"] == "store", (method, suffix)
        if suffix.count("/") > 1:
            answer = await merchant.client.request(method, sibling.path(suffix), json=body)
            assert problem(answer, 404)["resource"] != "store", (method, suffix)


async def refused(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    cases: list[tuple[dict[str, Any], str]],
    *,
    base: dict[str, Any] | None = None,
    status: int = 422,
) -> None:
    """Each case's body (over ``base``) is answered with a ``status`` problem whose detail
    says why; every case is tried and every mismatch reported at once."""
    wrong = []
    for body, why in cases:
        answer = await client.request(method, path, json={**(base or {}), **body})
        is_problem = answer.headers["content-type"].startswith("application/problem+json")
        if answer.status_code != status or not is_problem or why not in answer.json()["detail"]:
            wrong.append((body, why, answer.status_code, answer.text[:300]))
    assert not wrong, "\n".join(map(repr, wrong))


async def answered(client: httpx.AsyncClient, calls: list[tuple[str, str, Any, int]]) -> None:
    """Each (method, path, httpx keyword arguments, status) call answers a ``status``
    problem; every mismatch is reported at once."""
    wrong = []
    for method, path, options, status in calls:
        answer = await client.request(method, path, **options)
        is_problem = answer.headers["content-type"].startswith("application/problem+json")
        if answer.status_code != status or not is_problem:
            wrong.append((method, path, options, status, answer.status_code, answer.text[:300]))
    assert not wrong, "\n".join(map(repr, wrong))
