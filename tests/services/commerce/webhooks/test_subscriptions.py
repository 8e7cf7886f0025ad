"""Webhook subscriptions through the app: create with a secret shown once, read, change,
rotate, delete; bad input; one account never sees another's."""

from __future__ import annotations

import base64
from typing import Any

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.webhooks.conftest import HOOKS, subscribe

RECEIVER = "https://partner.example/hooks/velox"


async def test_the_secret_is_shown_on_create_and_rotation_only(hooks: Shop, unique: str) -> None:
    client = hooks.client(hooks.account("crud", unique))
    created = await subscribe(
        client, RECEIVER, event_types=["order.paid", "order.placed", "order.paid"]
    )
    assert created["id"].startswith("whk_") and created["active"] is True
    assert created["event_types"] == ["order.paid", "order.placed"]
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    path = f"{HOOKS}/subscriptions/{created['id']}"
    shown = ok(await client.get(path))
    assert "secret" not in shown and shown["url"] == RECEIVER
    listed = ok(await client.get(f"{HOOKS}/subscriptions"))["items"]
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]

    rotated = ok(await client.post(f"{path}/rotate-secret"))
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != secret
    changed = ok(
        await client.patch(
            path, json={"event_types": ["*", "stock.low"], "active": False, "description": "ERP"}
        )
    )
    assert changed["event_types"] == ["*"] and changed["active"] is False
    assert changed["description"] == "ERP" and changed["url"] == RECEIVER

    assert (await client.delete(path)).status_code == 204
    assert (await client.get(path)).status_code == 404
    assert (await client.delete(path)).status_code == 404


async def test_a_subscription_can_be_limited_to_one_store(hooks: Shop, unique: str) -> None:
    client = hooks.client(hooks.account("store", unique))
    seeded = await seed(client)
    scoped = await subscribe(client, RECEIVER, store_id=seeded.store)
    assert scoped["store_id"] == seeded.store
    path = f"{HOOKS}/subscriptions/{scoped['id']}"
    assert ok(await client.patch(path, json={"store_id": None}))["store_id"] is None


async def test_bad_subscriptions_are_refused(hooks: Shop, unique: str) -> None:
    client = hooks.client(hooks.account("bad", unique))
    refused: dict[str, dict[str, Any]] = {
        "plain http off this machine": {"url": "http://partner.example/hook"},
        "another scheme": {"url": "ftp://partner.example/hook"},
        "no host": {"url": "https:///hook"},
        "credentials": {"url": "https://user:pw@partner.example/hook"},
        "bad port": {"url": "https://partner.example:99999/hook"},
        "unknown type": {"event_types": ["order.shipped"]},
        "no types": {"event_types": []},
        "unknown store": {"store_id": "sto_nope"},
        "unknown field": {"secret": "whsec_mine"},
    }
    for why, change in refused.items():
        body = {"url": RECEIVER, "event_types": ["order.placed"], **change}
        answer = await client.post(f"{HOOKS}/subscriptions", json=body)
        assert answer.status_code == 422, why
        assert answer.headers["content-type"].startswith("application/problem+json"), why

    local = await subscribe(client, "http://127.0.0.1:9/hook")
    path = f"{HOOKS}/subscriptions/{local['id']}"
    for change in ({"url": None}, {"event_types": None}, {"active": None}, {"url": "http://x.io"}):
        assert (await client.patch(path, json=change)).status_code == 422, change
    assert ok(await client.get(f"{HOOKS}/subscriptions"))["items"][0]["url"] == local["url"]
    assert (await client.get(f"{HOOKS}/subscriptions", params={"cursor": "@@"})).status_code == 400


async def test_an_account_never_reaches_another_accounts_webhooks(hooks: Shop, unique: str) -> None:
    owner = hooks.client(hooks.account("owner", unique))
    other = hooks.client(hooks.account("other", unique))
    seeded = await seed(owner)
    mine = await subscribe(owner, RECEIVER, event_types=["order.placed"])
    test = ok(await owner.post(f"{HOOKS}/subscriptions/{mine['id']}/test"), 202)

    path = f"{HOOKS}/subscriptions/{mine['id']}"
    assert (await other.get(path)).status_code == 404
    assert (await other.patch(path, json={"active": False})).status_code == 404
    assert (await other.post(f"{path}/rotate-secret")).status_code == 404
    assert (await other.post(f"{path}/test")).status_code == 404
    assert (await other.delete(path)).status_code == 404
    assert ok(await other.get(f"{HOOKS}/subscriptions"))["items"] == []
    delivery = f"{HOOKS}/deliveries/{test['id']}"
    assert (await other.get(delivery)).status_code == 404
    assert (await other.post(f"{delivery}/redeliver")).status_code == 404
    log = await other.get(f"{HOOKS}/deliveries", params={"subscription_id": mine["id"]})
    assert ok(log)["items"] == []
    body = {"url": RECEIVER, "event_types": ["*"], "store_id": seeded.store}
    assert (await other.post(f"{HOOKS}/subscriptions", json=body)).status_code == 422
    assert ok(await owner.get(path))["active"] is True
