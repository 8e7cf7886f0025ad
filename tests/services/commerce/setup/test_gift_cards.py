"""The gift cards API: issue, look up and disable a store's gift cards."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.services.commerce.factory import ok
from tests.services.commerce.setup.helpers import Merchant, answered, hidden, problem, refused


async def issue(merchant: Merchant, **body: Any) -> dict[str, Any]:
    card: dict[str, Any] = ok(
        await merchant.client.post(merchant.path("/gift-cards"), json=body), 201
    )
    return card


async def test_a_card_gets_a_code_nobody_can_misread(merchant: Merchant) -> None:
    card = await issue(merchant, initial_balance=5000)
    assert card["id"].startswith("gift_") and card["store_id"] == merchant.store
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{16}", card["code"]), card["code"]
    assert card["currency"] == "USD" and card["initial_balance"] == card["balance"] == 5000
    assert card["status"] == "active" and card["expires_at"] is None
    codes = {(await issue(merchant, initial_balance=1))["code"] for _ in range(5)}
    assert len(codes | {card["code"]}) == 6


async def test_a_card_is_read_listed_and_found_by_code(merchant: Merchant) -> None:
    expires = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    card = await issue(
        merchant, code="holiday-2030", initial_balance=2500, currency="EUR", expires_at=expires
    )
    assert card["code"] == "HOLIDAY-2030" and card["currency"] == "EUR"
    assert ok(await merchant.client.get(merchant.path(f"/gift-cards/{card['id']}"))) == card
    other = await issue(merchant, initial_balance=100)
    page = ok(await merchant.client.get(merchant.path("/gift-cards"), params={"limit": 1}))
    assert [c["id"] for c in page["items"]] == [other["id"]]
    rest = ok(
        await merchant.client.get(
            merchant.path("/gift-cards"), params={"cursor": page["next_cursor"]}
        )
    )
    assert rest["items"] == [card] and rest["next_cursor"] is None
    found = ok(
        await merchant.client.get(merchant.path("/gift-cards"), params={"code": "holiday-2030"})
    )
    assert found["items"] == [card]


async def test_codes_are_unique_in_a_store_whatever_their_case(
    merchant: Merchant, rival: Merchant
) -> None:
    await issue(merchant, code="GIFT-0001", initial_balance=100)
    again = await merchant.client.post(
        merchant.path("/gift-cards"), json={"code": "gift-0001", "initial_balance": 100}
    )
    assert problem(again, 409)["code"] == "GIFT-0001"
    assert (await issue(rival, code="GIFT-0001", initial_balance=100))["code"] == "GIFT-0001"


async def test_disabling_empties_the_balance_once_and_for_all(merchant: Merchant) -> None:
    card = await issue(merchant, initial_balance=5000)
    disable = merchant.path(f"/gift-cards/{card['id']}/disable")
    disabled = ok(await merchant.client.post(disable))
    assert disabled["balance"] == 0 and disabled["initial_balance"] == 5000
    assert disabled["status"] == "empty"
    assert ok(await merchant.client.post(disable)) == disabled
    assert ok(await merchant.client.get(merchant.path(f"/gift-cards/{card['id']}"))) == disabled


async def test_a_card_that_cannot_be_right_is_refused(merchant: Merchant) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"initial_balance": 0}, "greater than 0"),
        ({"initial_balance": -100}, "greater than 0"),
        ({"initial_balance": 10**13}, "less than or equal"),
        ({"initial_balance": "ten"}, "valid integer"),
        ({}, "Field required"),
        ({"initial_balance": 100, "currency": "GBP"}, "not a currency of this store"),
        ({"initial_balance": 100, "currency": "usd"}, "pattern"),
        ({"initial_balance": 100, "code": "SHORT"}, "at least 8"),
        ({"initial_balance": 100, "code": "TWO WORDS"}, "pattern"),
        ({"initial_balance": 100, "code": "C" * 65}, "at most 64"),
        ({"initial_balance": 100, "expires_at": "2001-01-01T00:00:00Z"}, "future"),
        ({"initial_balance": 100, "expires_at": "2099-01-01T00:00:00"}, "timezone"),
        ({"initial_balance": 100, "balance": 50}, "Extra inputs"),
    ]
    await refused(merchant.client, "POST", merchant.path("/gift-cards"), cases)


async def test_bad_queries_and_ids_are_problems(merchant: Merchant) -> None:
    listing, long_id = merchant.path("/gift-cards"), merchant.path(f"/gift-cards/{'g' * 41}")
    await answered(
        merchant.client,
        [
            ("GET", listing, {"params": {"limit": 0}}, 422),
            ("GET", listing, {"params": {"code": "short"}}, 422),
            ("GET", listing, {"params": {"cursor": "%%%"}}, 400),
            ("POST", listing, {"content": b"{"}, 422),
            ("GET", long_id, {}, 422),
            ("POST", f"{long_id}/disable", {}, 422),
            ("GET", merchant.path("/gift-cards/gift_missing"), {}, 404),
            ("POST", merchant.path("/gift-cards/gift_missing/disable"), {}, 404),
        ],
    )


async def test_another_tenant_neither_reaches_nor_lists_the_cards(
    merchant: Merchant, rival: Merchant
) -> None:
    card = await issue(merchant, initial_balance=5000)
    one = f"/gift-cards/{card['id']}"
    await hidden(
        merchant,
        rival,
        [
            ("POST", "/gift-cards", {"initial_balance": 100}),
            ("GET", "/gift-cards", None),
            ("GET", one, None),
            ("POST", f"{one}/disable", None),
        ],
    )
    assert ok(await rival.client.get(rival.path("/gift-cards")))["items"] == []
    assert problem(await rival.client.post(rival.path(f"{one}/disable")), 404)
    assert ok(await merchant.client.get(merchant.path(one)))["balance"] == 5000
