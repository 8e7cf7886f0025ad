"""A purchase through the gateway and real processes: a merchant's API key sets up a
store, a buyer checks out, the loopback Stripe (started by ``make run``) authorises the
payment and signs its webhook back through the gateway, the order is placed once, captured,
counted against the plan's order quota, and invisible to another account."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.e2e.stack import FAKE_STRIPE_OFFSET, Stack, velox_cli

pytestmark = pytest.mark.e2e

FAKE_STRIPE_KEY = "sk_test_velox_local"  # velox_devstack.cli.stripe_env


@pytest.fixture
def stack(services_stack: Stack) -> Stack:
    return services_stack


async def key_for(stack: Stack, name: str, plan: str) -> dict[str, str]:
    made = await velox_cli(stack, "accounts", "create", "--name", name, "--plan", plan)
    return {"X-API-Key": made["api_key"]}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_purchase_through_the_gateway_with_a_signed_stripe_webhook(
    stack: Stack,
) -> None:
    merchant = await key_for(stack, "shop-e2e", "commerce:starter")
    other = await key_for(stack, "shop-e2e-other", "commerce:starter")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=merchant) as api:
        store = ok(
            await api.post("/v1/commerce/stores", json={"name": "E2E", "handle": "e2e"}), 201
        )
        # The starter plan keeps one store: the gateway signs its limits for commerce.
        second = await api.post("/v1/commerce/stores", json={"name": "More", "handle": "more"})
        assert second.status_code == 403, second.text
        assert (second.json()["limit"], second.json()["cap"]) == ("commerce.stores", 1)
        base = f"/v1/commerce/stores/{store['id']}"
        location = ok(await api.post(f"{base}/locations", json={"name": "Main"}), 201)
        product = ok(
            await api.post(
                f"{base}/products",
                json={
                    "title": "Mug",
                    "variants": [{"sku": "MUG-1", "prices": {"USD": 1800}}],
                },
            ),
            201,
        )
        variant = product["variants"][0]["id"]
        ok(
            await api.post(
                f"{base}/inventory/adjustments",
                json={"variant_id": variant, "location_id": location["id"], "delta": 2},
            )
        )
        cart = ok(
            await api.post(
                f"{base}/carts", json={"lines": [{"variant_id": variant, "quantity": 2}]}
            ),
            201,
        )
        checkout = ok(await api.post(f"{base}/carts/{cart['id']}/checkout"))
        intent = checkout["payment"]["intent_id"]
        assert checkout["payment"]["amount"] == 3600

        # The buyer's browser confirms with Stripe.js; Stripe then calls the webhook
        # through the gateway, which needs no API key for it (the signature is checked).
        async with httpx.AsyncClient(base_url=stack.url(FAKE_STRIPE_OFFSET)) as stripe:
            confirmed = await stripe.post(
                f"/v1/payment_intents/{intent}/confirm",
                data={"payment_method": "pm_card_visa"},
                headers={"Authorization": f"Bearer {FAKE_STRIPE_KEY}"},
            )
            assert confirmed.json()["status"] == "requires_capture"
            order: dict[str, Any] = {}
            for _ in range(200):
                current = ok(await api.get(f"{base}/carts/{cart['id']}"))
                if current["order_id"]:
                    order = ok(await api.get(f"{base}/orders/{current['order_id']}"))
                    if order["payment_status"] == "captured":
                        break
                await asyncio.sleep(0.05)
            assert order and order["status"] == "paid", order
            assert order["payment_status"] == "captured"
            paid = (
                await stripe.get(
                    f"/v1/payment_intents/{intent}",
                    headers={"Authorization": f"Bearer {FAKE_STRIPE_KEY}"},
                )
            ).json()
            assert paid["status"] == "succeeded" and paid["amount_received"] == 3600

        returned = await api.post(f"{base}/carts/{cart['id']}/complete")
        assert returned.status_code == 200 and returned.json()["id"] == order["id"]
        assert returned.headers["velox-usage-units"] == "0"
        forged = await api.post(
            "/v1/commerce/payments/stripe/webhook",
            content=b'{"id": "evt_forged", "type": "payment_intent.succeeded", "data": {}}',
            headers={"Stripe-Signature": "t=1,v1=00"},
        )
        assert forged.status_code == 400
        assert forged.json()["type"].endswith("/invalid-webhook-signature")
        sold_out = ok(
            await api.post(
                f"{base}/carts", json={"lines": [{"variant_id": variant, "quantity": 1}]}
            ),
            201,
        )
        refused = await api.post(f"{base}/carts/{sold_out['id']}/checkout")
        assert refused.status_code == 409
        assert refused.json()["problems"][0]["code"] == "out-of-stock"
        stranger = await api.get(f"{base}/orders/{order['id']}", headers=other)
        assert stranger.status_code == 404
        # The webhook placed the order: the gateway counts it from the order event.
        for _ in range(100):
            usage = ok(await api.get("/v1/usage"))
            (line,) = [i for i in usage["items"] if i["operation"] == "commerce.orders"]
            if line["used"]:
                break
            await asyncio.sleep(0.05)
    assert line["used"] == 1 and line["limit"] == 1000
