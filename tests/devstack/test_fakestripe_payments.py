"""The loopback Stripe takes payments as Stripe does, driven by the real ``stripe`` SDK over
a socket: PaymentIntents (manual and automatic capture, declines, 3D Secure, cancel),
refunds, wrong-state refusals, idempotent replays and signed webhooks to two endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.routing import Route
from velox_devstack.fakestripe import create_app
from velox_devstack.fakestripe.__main__ import parse_args

from tests.conftest import loopback
from tests.devstack.stripe_receiver import Receiver

API_KEY = "sk_test_fake"
SECRET = "whsec_fake_payments_secret"
UNEXPECTED = "payment_intent_unexpected_state"


@dataclass
class Fake:
    client: stripe.StripeClient
    control: httpx.AsyncClient
    billing: Receiver
    commerce: Receiver


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    billing, commerce = Receiver(SECRET), Receiver(SECRET)
    hooks = Starlette(
        routes=[
            Route("/billing", billing.endpoint, methods=["POST"]),
            Route("/commerce", commerce.endpoint, methods=["POST"]),
        ]
    )
    async with loopback(hooks) as hook_url:
        urls = [f"{hook_url}/billing", f"{hook_url}/commerce"]
        app = create_app(api_key=API_KEY, webhook_urls=urls, webhook_secret=SECRET)
        async with loopback(app) as url:
            http = stripe.HTTPXClient()
            client = stripe.StripeClient(
                API_KEY,
                base_addresses={"api": url, "files": url, "meter_events": url},
                http_client=http,
            )
            try:
                async with httpx.AsyncClient(base_url=url) as control:
                    yield Fake(client, control, billing, commerce)
            finally:
                await http.close_async()  # type: ignore[no-untyped-call]


async def authorize(fake: Fake, amount: int = 5000, **extra: Any) -> stripe.PaymentIntent:
    """An intent for ``amount`` cents confirmed with a card that succeeds, held for capture."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": "usd",
        "capture_method": "manual",
        "confirm": True,
        "payment_method": "pm_card_visa",
        **extra,
    }
    return await fake.client.v1.payment_intents.create_async(params=params)  # type: ignore[arg-type]


async def charge_of(fake: Fake, intent: stripe.PaymentIntent) -> stripe.Charge:
    assert isinstance(intent.latest_charge, str) and intent.latest_charge.startswith("ch_")
    return await fake.client.v1.charges.retrieve_async(intent.latest_charge)


async def test_manual_capture_holds_then_a_partial_capture_releases_the_rest(fake: Fake) -> None:
    intent = await authorize(fake, 5000, metadata={"order": "ord_1"})
    assert intent.id.startswith("pi_") and intent.object == "payment_intent"
    assert intent.client_secret and intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.status, intent.capture_method) == ("requires_capture", "manual")
    assert (intent.amount_capturable, intent.amount_received) == (5000, 0)
    assert intent.livemode is False and intent.metadata.to_dict() == {"order": "ord_1"}
    held = await charge_of(fake, intent)
    assert (held.captured, held.amount_captured, held.status) == (False, 0, "succeeded")

    captured = await fake.client.v1.payment_intents.capture_async(
        intent.id, params={"amount_to_capture": 3000}
    )
    assert captured.status == "succeeded"
    assert (captured.amount_received, captured.amount_capturable) == (3000, 0)
    charge = await charge_of(fake, captured)
    assert (charge.captured, charge.amount_captured, charge.amount) == (True, 3000, 5000)
    assert charge.amount_refunded == 0 and charge.payment_intent == intent.id


async def test_a_capture_beyond_the_capturable_amount_is_refused(fake: Fake) -> None:
    intent = await authorize(fake, 5000)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.payment_intents.capture_async(
            intent.id, params={"amount_to_capture": 5001}
        )
    assert caught.value.http_status == 400 and caught.value.param == "amount_to_capture"
    still = await fake.client.v1.payment_intents.retrieve_async(intent.id)
    assert (still.status, still.amount_capturable) == ("requires_capture", 5000)


async def test_automatic_capture_succeeds_when_confirmed(fake: Fake) -> None:
    intent = await fake.client.v1.payment_intents.create_async(
        params={"amount": 2500, "currency": "EUR", "description": "Report"}
    )
    assert intent.status == "requires_payment_method" and intent.latest_charge is None
    assert intent.currency == "eur"
    confirmed = await fake.client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded" and confirmed.payment_method == "pm_card_visa"
    assert (confirmed.amount_received, confirmed.amount_capturable) == (2500, 0)
    charge = await charge_of(fake, confirmed)
    assert (charge.captured, charge.amount_captured, charge.paid) == (True, 2500, True)
    assert charge.description == "Report"
    assert await fake.commerce.types(3) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]


@pytest.mark.parametrize("card", ["pm_card_chargeDeclined", "pm_card_visa_chargeDeclined"])
async def test_a_declined_card_is_a_402_and_the_intent_can_be_paid_again(
    fake: Fake, card: str
) -> None:
    with pytest.raises(stripe.CardError) as caught:
        await fake.client.v1.payment_intents.create_async(
            params={"amount": 1000, "currency": "usd", "confirm": True, "payment_method": card}
        )
    assert caught.value.http_status == 402 and caught.value.code == "card_declined"
    error = caught.value.error
    assert error is not None and error.decline_code == "generic_decline"
    assert error.payment_intent is not None
    intent = await fake.client.v1.payment_intents.retrieve_async(error.payment_intent.id)
    assert intent.status == "requires_payment_method" and intent.payment_method is None
    assert intent.last_payment_error is not None
    assert (intent.last_payment_error.type, intent.last_payment_error.code) == (
        "card_error",
        "card_declined",
    )
    failed = await charge_of(fake, intent)
    assert (failed.status, failed.failure_code, failed.paid) == ("failed", "card_declined", False)

    paid = await fake.client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert paid.status == "succeeded" and paid.last_payment_error is None
    assert (await fake.billing.types(5))[:3] == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]


async def test_3d_secure_waits_in_requires_action_until_authenticated(fake: Fake) -> None:
    intent = await authorize(fake, 4200, payment_method="pm_card_authenticationRequired")
    assert intent.status == "requires_action" and intent.latest_charge is None
    assert intent.next_action is not None and intent.next_action.type == "use_stripe_sdk"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.payment_intents.capture_async(intent.id)
    assert caught.value.code == UNEXPECTED

    done = await fake.control.post(f"/_fake/payment_intents/{intent.id}/authenticate")
    assert done.status_code == 200, done.text
    held = await fake.client.v1.payment_intents.retrieve_async(intent.id)
    assert (held.status, held.amount_capturable, held.next_action) == (
        "requires_capture",
        4200,
        None,
    )
    assert await fake.billing.types(4) == [
        "payment_intent.created",
        "payment_intent.requires_action",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
    ]
    again = await fake.control.post(f"/_fake/payment_intents/{intent.id}/authenticate")
    assert again.status_code == 400 and again.json()["error"]["code"] == UNEXPECTED


async def test_a_failed_3d_secure_leaves_the_intent_awaiting_a_payment_method(fake: Fake) -> None:
    intent = await authorize(fake, 4200, payment_method="pm_card_authenticationRequired")
    failed = await fake.control.post(
        f"/_fake/payment_intents/{intent.id}/authenticate", data={"outcome": "fail"}
    )
    assert failed.status_code == 200, failed.text
    after = await fake.client.v1.payment_intents.retrieve_async(intent.id)
    assert after.status == "requires_payment_method" and after.latest_charge is None
    assert after.last_payment_error is not None
    assert after.last_payment_error.code == "payment_intent_authentication_failure"


async def test_cancel_releases_the_hold_and_ends_the_intent(fake: Fake) -> None:
    intent = await authorize(fake, 3000)
    canceled = await fake.client.v1.payment_intents.cancel_async(
        intent.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "requested_by_customer")
    assert canceled.canceled_at is not None and canceled.amount_capturable == 0
    for attempt in (
        fake.client.v1.payment_intents.cancel_async(intent.id),
        fake.client.v1.payment_intents.capture_async(intent.id),
        fake.client.v1.payment_intents.confirm_async(intent.id),
    ):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            await attempt
        assert caught.value.http_status == 400 and caught.value.code == UNEXPECTED
    assert (await fake.billing.types(4))[-1] == "payment_intent.canceled"


async def test_an_unknown_cancellation_reason_is_refused(fake: Fake) -> None:
    intent = await authorize(fake)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.payment_intents.cancel_async(
            intent.id,
            params={"cancellation_reason": "bored"},
        )
    assert caught.value.param == "cancellation_reason"
    assert (await fake.client.v1.payment_intents.retrieve_async(intent.id)).status == (
        "requires_capture"
    )


async def test_partial_refunds_stop_at_the_captured_amount(fake: Fake) -> None:
    intent = await authorize(fake, 5000)
    await fake.client.v1.payment_intents.capture_async(
        intent.id, params={"amount_to_capture": 3000}
    )
    first = await fake.client.v1.refunds.create_async(
        params={"payment_intent": intent.id, "amount": 1000, "reason": "requested_by_customer"}
    )
    assert (first.object, first.status, first.amount, first.currency) == (
        "refund",
        "succeeded",
        1000,
        "usd",
    )
    assert first.payment_intent == intent.id and first.charge == intent.latest_charge
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        await fake.client.v1.refunds.create_async(
            params={"payment_intent": intent.id, "amount": 2001}
        )
    assert too_much.value.http_status == 400 and too_much.value.param == "amount"
    assert "($20.00)" in str(too_much.value.user_message)

    rest = await fake.client.v1.refunds.create_async(params={"payment_intent": intent.id})
    assert rest.amount == 2000
    charge = await charge_of(fake, intent)
    assert (charge.amount_refunded, charge.refunded) == (3000, True)
    with pytest.raises(stripe.InvalidRequestError) as again:
        await fake.client.v1.refunds.create_async(params={"charge": charge.id, "amount": 1})
    assert again.value.code == "charge_already_refunded"

    listed = await fake.client.v1.refunds.list_async(params={"payment_intent": intent.id})
    assert sorted(r.id for r in listed.data) == sorted([first.id, rest.id])
    assert (await fake.client.v1.refunds.retrieve_async(first.id)).amount == 1000


async def test_an_uncaptured_payment_cannot_be_refunded(fake: Fake) -> None:
    intent = await authorize(fake, 5000)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await fake.client.v1.refunds.create_async(params={"payment_intent": intent.id})
    assert caught.value.code == "charge_not_refundable"
    with pytest.raises(stripe.InvalidRequestError) as neither:
        await fake.client.v1.refunds.create_async(params={"amount": 100})
    assert neither.value.http_status == 400


async def test_wrong_state_changes_are_refused_with_the_intent_in_the_error(fake: Fake) -> None:
    intent = await fake.client.v1.payment_intents.create_async(
        params={"amount": 1500, "currency": "usd", "metadata": {"a": "1", "b": "2"}}
    )
    with pytest.raises(stripe.InvalidRequestError) as no_method:
        await fake.client.v1.payment_intents.confirm_async(intent.id)
    assert no_method.value.code == UNEXPECTED
    assert no_method.value.error is not None and no_method.value.error.payment_intent is not None
    assert no_method.value.error.payment_intent.id == intent.id
    with pytest.raises(stripe.InvalidRequestError) as not_held:
        await fake.client.v1.payment_intents.capture_async(intent.id)
    assert not_held.value.code == UNEXPECTED

    updated = await fake.client.v1.payment_intents.update_async(
        intent.id, params={"amount": 1800, "metadata": {"a": "", "c": "3"}}
    )
    assert updated.amount == 1800 and updated.metadata.to_dict() == {"b": "2", "c": "3"}
    paid = await fake.client.v1.payment_intents.confirm_async(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert paid.amount_received == 1800
    with pytest.raises(stripe.InvalidRequestError) as too_late:
        await fake.client.v1.payment_intents.update_async(intent.id, params={"amount": 99})
    assert too_late.value.code == UNEXPECTED
    with pytest.raises(stripe.InvalidRequestError) as twice:
        await fake.client.v1.payment_intents.confirm_async(intent.id)
    assert twice.value.code == UNEXPECTED
    tagged = await fake.client.v1.payment_intents.update_async(
        intent.id, params={"metadata": {"shipped": "yes"}}
    )
    assert (tagged.status, tagged.amount, tagged.metadata["shipped"]) == ("succeeded", 1800, "yes")


async def test_an_unknown_payment_method_is_resource_missing(fake: Fake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        await authorize(fake, payment_method="card_visa")
    assert (caught.value.code, caught.value.param) == ("resource_missing", "payment_method")


async def test_an_idempotent_create_replays_and_refuses_other_parameters(fake: Fake) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "order-ord_7-attempt-1"}
    params: dict[str, Any] = {"amount": 700, "currency": "usd"}
    create = fake.client.v1.payment_intents.create_async
    first = await create(params=params, options=options)  # type: ignore[arg-type]
    again = await create(params=params, options=options)  # type: ignore[arg-type]
    assert again.id == first.id and again.client_secret == first.client_secret
    assert len((await fake.client.v1.payment_intents.list_async()).data) == 1
    created = await fake.client.v1.events.list_async(params={"type": "payment_intent.created"})
    assert len(created.data) == 1
    with pytest.raises(stripe.IdempotencyError):
        await create(params={"amount": 701, "currency": "usd"}, options=options)


async def test_a_replayed_decline_charges_nothing_more(fake: Fake) -> None:
    intent = await fake.client.v1.payment_intents.create_async(
        params={"amount": 900, "currency": "usd"}
    )
    options: stripe.RequestOptions = {"idempotency_key": "confirm-1"}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            await fake.client.v1.payment_intents.confirm_async(
                intent.id, params={"payment_method": "pm_card_chargeDeclined"}, options=options
            )
    charges = await fake.client.v1.charges.list_async(params={"payment_intent": intent.id})
    assert [c.status for c in charges.data] == ["failed"]


async def test_latest_charge_expands(fake: Fake) -> None:
    intent = await authorize(fake, 1200)
    expanded = await fake.client.v1.payment_intents.retrieve_async(
        intent.id, params={"expand": ["latest_charge"]}
    )
    assert isinstance(expanded.latest_charge, stripe.Charge)
    assert expanded.latest_charge.amount == 1200


async def test_signed_events_reach_both_endpoints_in_order(fake: Fake) -> None:
    intent = await authorize(fake, 5000)
    await fake.client.v1.payment_intents.capture_async(
        intent.id, params={"amount_to_capture": 4000}
    )
    await fake.client.v1.refunds.create_async(params={"payment_intent": intent.id, "amount": 500})
    expected = [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    ]
    billing = await fake.billing.events(len(expected))
    commerce = await fake.commerce.events(len(expected))
    assert [e.type for e in billing] == expected
    assert [e.id for e in commerce] == [e.id for e in billing]
    assert billing[2].data.object["amount_capturable"] == 5000
    assert billing[4].data.object["amount_received"] == 4000
    refunded = billing[6].data
    assert refunded.object["amount_refunded"] == 500
    assert refunded.previous_attributes is not None
    assert refunded.previous_attributes["amount_refunded"] == 0
    body, header = fake.commerce.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_other")


async def test_a_single_webhook_url_still_makes_one_endpoint() -> None:
    app = create_app(
        api_key=API_KEY,
        webhook_url="http://127.0.0.1:9/a",
        webhook_urls=["http://127.0.0.1:9/b", "http://127.0.0.1:9/a"],
        webhook_secret=SECRET,
    )
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        listed = (await client.get("/v1/webhook_endpoints", headers=headers)).json()["data"]
    assert sorted(e["url"] for e in listed) == ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
    assert {e["secret"] for e in listed} == {SECRET}


def test_the_command_line_repeats_webhook_url(monkeypatch: pytest.MonkeyPatch) -> None:
    args = parse_args(["--webhook-url", "http://h/a", "--webhook-url", "http://h/b"])
    assert args.webhook_urls == ["http://h/a", "http://h/b"]
    monkeypatch.setenv("FAKE_STRIPE_WEBHOOK_URL", "http://h/c, http://h/d")
    assert parse_args([]).webhook_urls == ["http://h/c", "http://h/d"]
    assert parse_args(["--webhook-url", "http://h/e"]).webhook_urls == ["http://h/e"]
