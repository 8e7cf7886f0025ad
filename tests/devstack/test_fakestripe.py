"""The loopback Stripe, driven by the real ``stripe`` SDK: what billing relies on behaves
as Stripe documents it (errors, idempotency, pagination, signed webhooks, meters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.routing import Route
from velox_devstack.fakestripe import create_app

from tests.conftest import loopback
from tests.devstack.stripe_receiver import Receiver

API_KEY = "sk_test_fake"
SECRET = "whsec_fake_test_secret"


@dataclass
class Fake:
    client: stripe.StripeClient
    control: httpx.AsyncClient
    receiver: Receiver
    url: str


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    receiver = Receiver(SECRET)
    hook_app = Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])
    async with loopback(hook_app) as hook_url:
        app = create_app(api_key=API_KEY, webhook_url=f"{hook_url}/hook", webhook_secret=SECRET)
        async with loopback(app) as url:
            http = stripe.HTTPXClient()
            client = stripe.StripeClient(API_KEY, base_addresses={"api": url}, http_client=http)
            try:
                async with httpx.AsyncClient(base_url=url) as control:
                    yield Fake(client, control, receiver, url)
            finally:
                await http.close_async()  # type: ignore[no-untyped-call]


async def test_a_wrong_api_key_is_refused_like_stripe(fake: Fake) -> None:
    http = stripe.HTTPXClient()
    wrong = stripe.StripeClient("sk_test_wrong", base_addresses={"api": fake.url}, http_client=http)
    try:
        with pytest.raises(stripe.AuthenticationError) as caught:
            await wrong.v1.customers.list_async()
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]
    assert caught.value.http_status == 401


async def test_a_missing_object_is_resource_missing(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.customers.retrieve_async("cus_nothere")
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"


async def test_a_missing_parameter_names_the_parameter(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.billing.meters.create_async(
            params={"display_name": "No event name"}  # type: ignore[typeddict-item]
        )
    assert caught.value.http_status == 400
    assert caught.value.param == "event_name"


async def test_an_idempotency_key_replays_and_refuses_other_parameters(fake: Fake) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "customer-acc-1"}
    first = await fake.client.v1.customers.create_async(params={"email": "a@x.io"}, options=options)
    again = await fake.client.v1.customers.create_async(params={"email": "a@x.io"}, options=options)
    assert again.id == first.id
    assert len((await fake.client.v1.customers.list_async()).data) == 1
    with pytest.raises(stripe.IdempotencyError):
        await fake.client.v1.customers.create_async(params={"email": "b@x.io"}, options=options)


async def test_lists_paginate_with_starting_after(fake: Fake) -> None:
    for n in range(5):
        await fake.client.v1.products.create_async(params={"id": f"prod_{n}", "name": f"P{n}"})
    first = await fake.client.v1.products.list_async(params={"limit": 2})
    assert len(first.data) == 2 and first.has_more
    ids = [p.id async for p in first.auto_paging_iter()]
    assert sorted(ids) == [f"prod_{n}" for n in range(5)]
    assert len(set(ids)) == 5


async def test_prices_are_found_by_lookup_key(fake: Fake) -> None:
    await fake.client.v1.products.create_async(params={"id": "prod_vin", "name": "VIN"})
    price = await fake.client.v1.prices.create_async(
        params={
            "product": "prod_vin",
            "currency": "usd",
            "unit_amount": 1900,
            "recurring": {"interval": "month"},
            "lookup_key": "vin_pro_monthly",
        }
    )
    found = await fake.client.v1.prices.list_async(params={"lookup_keys": ["vin_pro_monthly"]})
    assert [p.id for p in found.data] == [price.id]
    assert found.data[0].unit_amount == 1900


async def test_a_completed_checkout_sends_signed_events_in_order(fake: Fake) -> None:
    await fake.client.v1.products.create_async(params={"id": "prod_vin", "name": "VIN"})
    price = await fake.client.v1.prices.create_async(
        params={
            "product": "prod_vin",
            "currency": "usd",
            "unit_amount": 1900,
            "recurring": {"interval": "month"},
        }
    )
    customer = await fake.client.v1.customers.create_async(params={"email": "c@x.io"})
    session = await fake.client.v1.checkout.sessions.create_async(
        params={
            "mode": "subscription",
            "customer": customer.id,
            "line_items": [{"price": price.id, "quantity": 1}],
            "success_url": "https://example.com/ok",
        }
    )
    assert session.url and session.status == "open"
    done = await fake.control.post(f"/_fake/checkout/sessions/{session.id}/complete")
    assert done.status_code == 200, done.text

    types = await fake.receiver.types(4)
    assert types[:3] == [
        "customer.subscription.created",
        "checkout.session.completed",
        "invoice.paid",
    ]
    assert "entitlements.active_entitlement_summary.updated" in types
    body, header = fake.receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_other")
    subs = await fake.client.v1.subscriptions.list_async(params={"customer": customer.id})
    assert [s.status for s in subs.data] == ["active"]

    again = await fake.control.post(f"/_fake/checkout/sessions/{session.id}/complete")
    assert again.status_code == 400


async def test_meter_events_count_once_per_identifier(fake: Fake) -> None:
    customer = await fake.client.v1.customers.create_async(params={"email": "m@x.io"})
    await fake.client.v1.billing.meters.create_async(
        params={
            "display_name": "Decodes",
            "event_name": "vin_decodes",
            "default_aggregation": {"formula": "sum"},
        }
    )
    for _ in range(3):
        await fake.client.v1.billing.meter_events.create_async(
            params={
                "event_name": "vin_decodes",
                "identifier": "acc-1:vin_decodes:2026-11:0",
                "payload": {"stripe_customer_id": customer.id, "value": "7"},
            }
        )
    recorded = (await fake.control.get("/_fake/meters/vin_decodes/events")).json()["data"]
    assert [e["payload"]["value"] for e in recorded] == ["7"]
    with pytest.raises(stripe.InvalidRequestError):
        await fake.client.v1.billing.meter_events.create_async(
            params={"event_name": "nope", "payload": {"stripe_customer_id": customer.id}}
        )
