"""Deliveries through the running app: a purchase reaches a real receiver signed, a
failing receiver is retried with backoff, a dead delivery is sent again on request, the
log pages and filters, and a stream message seen twice makes one delivery."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from velox_commerce.webhooks.fanout import fan_out
from velox_shared.contracts.commerce import OrderPlaced
from velox_shared.events import EventEnvelope

from tests.services.commerce.conftest import STREAM, Shop
from tests.services.commerce.factory import Seeded, cart_with, ok, seed
from tests.services.commerce.webhooks.conftest import (
    HOOKS,
    Receiver,
    eventually,
    subscribe,
    verify,
)


async def _free_order(client: httpx.AsyncClient, seeded: Seeded) -> dict[str, Any]:
    """An order with nothing to pay: placed at once, without Stripe."""
    ok(
        await client.patch(
            seeded.path(f"/variants/{seeded.variants[0]}"), json={"prices": {"USD": 0}}
        )
    )
    cart = await cart_with(client, seeded, {seeded.variants[0]: 1})
    order: dict[str, Any] = ok(await client.post(seeded.path(f"/carts/{cart['id']}/complete")), 201)
    return order


async def _delivery(client: httpx.AsyncClient, delivery_id: str, status: str) -> dict[str, Any]:
    """The delivery once it reached ``status``."""
    path = f"{HOOKS}/deliveries/{delivery_id}"
    found = await eventually(lambda: client.get(path), lambda r: r.json()["status"] == status)
    delivery: dict[str, Any] = ok(found)
    return delivery


async def test_a_purchase_reaches_the_receiver_signed(
    hooks: Shop, unique: str, receiver: Receiver
) -> None:
    client = hooks.client(hooks.account("placed", unique))
    seeded = await seed(client)
    hook = await subscribe(
        client, receiver.url, event_types=["order.placed"], store_id=seeded.store
    )
    order = await _free_order(client, seeded)

    [request] = await receiver.wait_for(1)
    verify(hook["secret"], request)
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.body)
    assert body["type"] == "order.placed" and body["timestamp"].endswith("Z")
    assert body["data"]["order_id"] == order["id"] and body["data"]["store_id"] == seeded.store
    assert body["data"]["total"] == 0 and body["data"]["currency"] == order["currency"]

    log = ok(await client.get(f"{HOOKS}/deliveries", params={"subscription_id": hook["id"]}))
    [entry] = log["items"]
    assert entry["event_id"] == request.id and entry["event_type"] == "order.placed"
    done = await _delivery(client, entry["id"], "succeeded")
    assert done["attempts"] == 1 and done["last_status_code"] == 204
    assert done["delivered_at"] and done["next_attempt_at"] is None
    assert json.loads(request.body) == done["payload"]
    assert len(receiver.received) == 1


async def test_catalogue_and_fulfilment_events_reach_a_subscriber_of_everything(
    hooks: Shop, unique: str, receiver: Receiver
) -> None:
    client = hooks.client(hooks.account("all", unique))
    hook = await subscribe(client, receiver.url)
    seeded = await seed(client)
    order = await _free_order(client, seeded)
    line = order["lines"][0]["id"]
    ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/fulfillments"),
            json={"lines": [{"line_id": line, "quantity": 1}], "tracking_number": "1Z9"},
        ),
        201,
    )
    body = {"lines": [{"order_line_id": line, "quantity": 1}]}
    made = ok(await client.post(seeded.path(f"/orders/{order['id']}/returns"), json=body), 201)
    ok(await client.post(seeded.path(f"/returns/{made['id']}/approve")))
    second = await _free_order(client, seeded)
    change = {"op": "set_quantity", "line_id": second["lines"][0]["id"], "quantity": 2}
    edits = seeded.path(f"/orders/{second['id']}/edits")
    ok(await client.post(edits, json={"changes": [change]}), 201)
    wanted = {
        "order.edited",
        "product.created",
        "product.updated",
        "order.placed",
        "order.fulfilled",
        "return.updated",
    }
    log = await eventually(
        lambda: client.get(f"{HOOKS}/deliveries", params={"status": "succeeded"}),
        lambda r: wanted <= {d["event_type"] for d in r.json()["items"]},
    )
    assert wanted <= {d["event_type"] for d in log.json()["items"]}
    bodies = {b["type"]: b["data"] for b in (json.loads(r.body) for r in receiver.received)}
    for request in receiver.received:
        verify(hook["secret"], request)
    assert bodies["product.created"]["product_id"] == seeded.product
    assert bodies["product.updated"] == {
        "store_id": seeded.store,
        "product_id": seeded.product,
        "variant_id": seeded.variants[0],
        "changed": ["prices"],
    }
    assert bodies["order.fulfilled"]["status"] == "fulfilled"
    assert bodies["order.fulfilled"]["tracking_number"] == "1Z9"
    returns = await eventually(
        lambda: client.get(f"{HOOKS}/deliveries", params={"status": "succeeded"}),
        lambda r: sum(d["event_type"] == "return.updated" for d in r.json()["items"]) == 2,
    )
    assert sum(d["event_type"] == "return.updated" for d in returns.json()["items"]) == 2
    statuses = {
        b["data"]["status"]
        for b in (json.loads(r.body) for r in receiver.received)
        if b["type"] == "return.updated"
    }
    assert statuses == {"requested", "approved"}
    assert bodies["order.edited"]["order_id"] == second["id"]
    assert bodies["order.edited"]["payment_action"] == "none"


async def test_a_failing_receiver_is_retried_with_backoff_then_succeeds(
    hooks: Shop, unique: str, receiver: Receiver
) -> None:
    client = hooks.client(hooks.account("retry", unique))
    hook = await subscribe(client, receiver.url, event_types=["order.placed"])
    receiver.statuses = [500, 503]
    queued = ok(await client.post(f"{HOOKS}/subscriptions/{hook['id']}/test"), 202)
    assert queued["event_type"] == "webhook.test" and queued["status"] == "pending"

    first = await _delivery(client, queued["id"], "failed")
    assert first["last_status_code"] in (500, 503) and first["last_error"].startswith("HTTP 5")
    assert first["next_attempt_at"] is not None
    done = await _delivery(client, queued["id"], "succeeded")
    assert done["attempts"] == 3 and done["last_status_code"] == 204
    assert done["last_error"] is None

    requests = await receiver.wait_for(3)
    assert {r.id for r in requests} == {queued["event_id"]}
    for request in requests:
        verify(hook["secret"], request)
    # Waits of 0.2 s then 0.4 s (test schedule), each within its 10 % jitter.
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert gaps[0] >= 0.18 and gaps[1] >= 0.36
    assert json.loads(requests[0].body)["data"]["subscription_id"] == hook["id"]


async def test_a_dead_delivery_is_sent_again_on_request(
    hooks: Shop, unique: str, receiver: Receiver
) -> None:
    client = hooks.client(hooks.account("dead", unique))
    hook = await subscribe(client, receiver.url)
    receiver.statuses = [500] * 4  # the first try and the three retries of the test schedule
    queued = ok(await client.post(f"{HOOKS}/subscriptions/{hook['id']}/test"), 202)
    dead = await _delivery(client, queued["id"], "dead")
    assert dead["attempts"] == 4 and dead["next_attempt_at"] is None
    assert dead["last_error"] == "HTTP 500: receiver says no"
    listed = ok(await client.get(f"{HOOKS}/deliveries", params={"status": "dead"}))["items"]
    assert [d["id"] for d in listed] == [queued["id"]]

    path = f"{HOOKS}/subscriptions/{hook['id']}"
    ok(await client.patch(path, json={"active": False}))
    assert (await client.post(f"{HOOKS}/deliveries/{queued['id']}/redeliver")).status_code == 409
    assert (await client.post(f"{path}/test")).status_code == 409
    ok(await client.patch(path, json={"active": True}))
    again = ok(await client.post(f"{HOOKS}/deliveries/{queued['id']}/redeliver"), 202)
    assert again["status"] == "pending" and again["attempts"] == 0
    done = await _delivery(client, queued["id"], "succeeded")
    assert done["attempts"] == 1 and done["event_id"] == queued["event_id"]
    requests = await receiver.wait_for(5)
    assert len(requests) == 5 and {r.id for r in requests} == {queued["event_id"]}


async def test_the_delivery_log_pages_and_filters(
    hooks: Shop, unique: str, receiver: Receiver
) -> None:
    client = hooks.client(hooks.account("log", unique))
    first = await subscribe(client, receiver.url)
    second = await subscribe(client, receiver.url)
    made = [ok(await client.post(f"{HOOKS}/subscriptions/{first['id']}/test"), 202)["id"]]
    made += [ok(await client.post(f"{HOOKS}/subscriptions/{first['id']}/test"), 202)["id"]]
    made += [ok(await client.post(f"{HOOKS}/subscriptions/{first['id']}/test"), 202)["id"]]
    other = ok(await client.post(f"{HOOKS}/subscriptions/{second['id']}/test"), 202)["id"]
    params: dict[str, Any] = {"subscription_id": first["id"], "limit": 2}
    page = ok(await client.get(f"{HOOKS}/deliveries", params=params))
    assert [d["id"] for d in page["items"]] == made[:0:-1] and page["next_cursor"]
    rest = ok(
        await client.get(f"{HOOKS}/deliveries", params={**params, "cursor": page["next_cursor"]})
    )
    assert [d["id"] for d in rest["items"]] == made[:1] and rest["next_cursor"] is None
    everything = ok(await client.get(f"{HOOKS}/deliveries"))["items"]
    assert {d["id"] for d in everything} == {*made, other}
    assert "payload" not in everything[0]
    detail = ok(await client.get(f"{HOOKS}/deliveries/{other}"))
    assert detail["payload"]["type"] == "webhook.test"
    assert detail["payload"]["data"]["subscription_id"] == second["id"]

    await receiver.wait_for(4)
    succeeded = await eventually(
        lambda: client.get(f"{HOOKS}/deliveries", params={"status": "succeeded"}),
        lambda r: len(r.json()["items"]) == 4,
    )
    assert len(succeeded.json()["items"]) == 4
    assert ok(await client.get(f"{HOOKS}/deliveries", params={"status": "pending"}))["items"] == []
    bad = await client.get(f"{HOOKS}/deliveries", params={"status": "lost"})
    assert bad.status_code == 422
    assert (await client.get(f"{HOOKS}/deliveries/whd_nope")).status_code == 404
    assert (await client.get(f"{HOOKS}/deliveries", params={"cursor": "x"})).status_code == 400


def _order_placed(account: str, store: str) -> EventEnvelope:
    payload = OrderPlaced(
        store_id=store,
        order_id="ord_" + uuid.uuid4().hex,
        number=1,
        currency="USD",
        total=0,
        lines=1,
    )
    return EventEnvelope(
        id="evt_" + uuid.uuid4().hex,
        type=payload.event_type,
        version=1,
        occurred_at=datetime.now(UTC),
        account_id=account,
        payload=payload.model_dump(mode="json"),
    )


async def test_a_stream_message_seen_twice_makes_one_delivery(
    hooks: Shop, unique: str, receiver: Receiver, redis: Redis
) -> None:
    account = hooks.account("dupes", unique)
    client = hooks.client(account)
    hook = await subscribe(client, receiver.url, event_types=["order.placed"])
    envelope = _order_placed(account, "sto_elsewhere")
    for _ in range(2):
        await redis.xadd(STREAM, {"envelope": envelope.model_dump_json()})

    [request] = await receiver.wait_for(1)
    assert request.id == envelope.id
    verify(hook["secret"], request)
    log = ok(await client.get(f"{HOOKS}/deliveries", params={"subscription_id": hook["id"]}))
    assert [d["event_id"] for d in log["items"]] == [envelope.id]


async def test_fan_out_inserts_once_and_only_for_matching_active_subscriptions(
    hooks: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = hooks.account("fanout", unique)
    client = hooks.client(account)
    seeded = await seed(client)
    url = "https://partner.example/hook"
    wanted = [
        await subscribe(client, url, event_types=["order.placed"]),
        await subscribe(client, url, event_types=["*"], store_id=seeded.store),
    ]
    skipped = [
        await subscribe(client, url, event_types=["order.paid"]),
        await subscribe(client, url, event_types=["order.placed"], active=False),
    ]
    other_store = await seed(client, handle="other")
    skipped.append(await subscribe(client, url, store_id=other_store.store))
    envelope = _order_placed(account, seeded.store)
    later = await subscribe(client, url)  # made after the event happened
    sessions = async_sessionmaker(commerce_db, expire_on_commit=False)
    for _ in range(2):  # the handler itself twice, past the consumer's processed ids
        async with sessions() as session, session.begin():
            await fan_out(envelope, session)
    async with commerce_db.connect() as conn:
        rows = await conn.execute(
            text("SELECT subscription_id FROM commerce.webhook_deliveries WHERE event_id = :e"),
            {"e": envelope.id},
        )
        targets = sorted(r[0] for r in rows)
    assert targets == sorted(s["id"] for s in wanted)
    assert not {s["id"] for s in [*skipped, later]} & set(targets)
