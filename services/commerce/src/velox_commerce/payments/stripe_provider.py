"""Stripe PaymentIntents through the real ``stripe`` SDK (async, over httpx).

``STRIPE_API_BASE`` points it at another Stripe (the loopback fake of tests and
``make run``). Every write carries an idempotency key derived from our own ids, so a
retried call (ours or the SDK's) never charges twice. Stripe's exceptions become
problems here: unreachable or failing Stripe is 503, a refused request 402.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar, cast

import stripe

from velox_commerce.config import Settings
from velox_commerce.errors import (
    PaymentProviderError,
    PaymentProviderUnavailable,
    PaymentsNotConfigured,
    StateConflict,
)
from velox_commerce.payments.provider import Intent, ProviderRefund

__all__ = ["StripePayments", "intent_from_stripe"]

T = TypeVar("T")


def intent_from_stripe(obj: Any) -> Intent:
    """A PaymentIntent object (SDK object or webhook dict) as an :class:`Intent`."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    return Intent(
        id=obj["id"],
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        amount_capturable=int(obj.get("amount_capturable") or 0),
        amount_received=int(obj.get("amount_received") or 0),
        client_secret=obj.get("client_secret"),
        metadata=dict(obj.get("metadata") or {}),
    )


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        raise PaymentProviderUnavailable(
            "Stripe did not answer; nothing was charged. Retry shortly.",
            headers={"Retry-After": "5"},
        ) from exc
    except stripe.AuthenticationError as exc:
        raise PaymentsNotConfigured("Stripe refused this deployment's API key.") from exc
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "code", None) == "payment_intent_unexpected_state":
            raise StateConflict(exc.user_message or str(exc)) from exc
        raise PaymentProviderError(exc.user_message or str(exc)) from exc
    except stripe.StripeError as exc:
        raise PaymentProviderError(exc.user_message or str(exc) or "Stripe refused") from exc


class StripePayments:
    name = "stripe"

    def __init__(self, settings: Settings, api_key: str) -> None:
        base = settings.stripe_api_base.rstrip("/") if settings.stripe_api_base else None
        addresses: Any = {"api": base, "files": base, "meter_events": base} if base else None
        self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=addresses,
            max_network_retries=settings.stripe_max_retries,
            http_client=self._http,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> StripePayments | None:
        if settings.stripe_api_key is None:
            return None
        return cls(settings, settings.stripe_api_key.get_secret_value())

    async def create_intent(
        self,
        *,
        amount: int,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        receipt_email: str | None = None,
    ) -> Intent:
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "capture_method": "manual",
            "metadata": dict(metadata),
        }
        if receipt_email:
            params["receipt_email"] = receipt_email
        obj = await _call(
            self._client.v1.payment_intents.create_async(
                params=cast(Any, params), options={"idempotency_key": idempotency_key}
            )
        )
        return intent_from_stripe(obj)

    async def retrieve(self, intent_id: str) -> Intent:
        return intent_from_stripe(
            await _call(self._client.v1.payment_intents.retrieve_async(intent_id))
        )

    async def update_amount(self, intent_id: str, amount: int) -> Intent:
        obj = await _call(
            self._client.v1.payment_intents.update_async(intent_id, params={"amount": amount})
        )
        return intent_from_stripe(obj)

    async def capture(self, intent_id: str, *, amount: int | None, idempotency_key: str) -> Intent:
        params: dict[str, Any] = {} if amount is None else {"amount_to_capture": amount}
        obj = await _call(
            self._client.v1.payment_intents.capture_async(
                intent_id, params=cast(Any, params), options={"idempotency_key": idempotency_key}
            )
        )
        return intent_from_stripe(obj)

    async def cancel(self, intent_id: str) -> Intent:
        return intent_from_stripe(
            await _call(self._client.v1.payment_intents.cancel_async(intent_id))
        )

    async def refund(
        self, intent_id: str, *, amount: int, idempotency_key: str, reason: str | None
    ) -> ProviderRefund:
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount}
        if reason:
            params["metadata"] = {"reason": reason[:500]}
        obj = await _call(
            self._client.v1.refunds.create_async(
                params=cast(Any, params), options={"idempotency_key": idempotency_key}
            )
        )
        return ProviderRefund(id=obj.id, amount=int(obj.amount), status=str(obj.status))

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]
