"""Billing's one door to Stripe: the real ``stripe`` SDK, async over httpx.

``STRIPE_API_BASE`` points it at another Stripe (the loopback fake in tests and in
``make run``); unset, it talks to api.stripe.com with ``STRIPE_API_KEY``. Stripe's errors
become problem responses here so no caller leaks an SDK exception to a client: an
unreachable or failing Stripe is 503, a request Stripe refuses is 502 with Stripe's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import stripe
from velox_shared.errors import Conflict, ServiceUnavailable, VeloxError

from velox_billing.config import Settings

__all__ = [
    "BillingNotConfigured",
    "PaymentProviderError",
    "StripeConnection",
    "call",
    "make_client",
    "plain",
    "require",
]

T = TypeVar("T")


class BillingNotConfigured(ServiceUnavailable):
    problem = "billing-not-configured"
    title = "Billing is not configured"


class PaymentProviderUnavailable(ServiceUnavailable):
    problem = "payment-provider-unavailable"
    title = "The payment provider is unavailable"


class PaymentProviderError(VeloxError):
    status = 502
    problem = "payment-provider-error"
    title = "The payment provider refused the request"


class StripeConnection:
    """A Stripe client and the HTTP client under it (closed with :meth:`aclose`)."""

    def __init__(self, settings: Settings, api_key: str) -> None:
        base = settings.stripe_api_base.rstrip("/") if settings.stripe_api_base else None
        addresses: Any = {"api": base, "files": base, "meter_events": base} if base else None
        self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds)
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=addresses,
            max_network_retries=settings.stripe_max_retries,
            http_client=self._http,
        )

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]


def make_client(settings: Settings) -> StripeConnection | None:
    """A Stripe connection from the settings, or None when no API key is configured."""
    if settings.stripe_api_key is None:
        return None
    return StripeConnection(settings, settings.stripe_api_key.get_secret_value())


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain dicts and lists (Stripe objects are not dicts)."""
    result: dict[str, Any] = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return result


def require(client: stripe.StripeClient | None) -> stripe.StripeClient:
    if client is None:
        raise BillingNotConfigured(
            "Payments are not set up on this deployment (STRIPE_API_KEY is unset)."
        )
    return client


async def call(awaitable: Awaitable[T]) -> T:
    """Await one SDK call, turning Stripe's exceptions into problem responses."""
    try:
        return await awaitable
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        raise PaymentProviderUnavailable(
            "Stripe did not answer; nothing was charged. Retry shortly.",
            headers={"Retry-After": "5"},
        ) from exc
    except stripe.IdempotencyError as exc:
        raise Conflict("This Idempotency-Key was already used for a different request.") from exc
    except stripe.AuthenticationError as exc:
        raise BillingNotConfigured("Stripe refused this deployment's API key.") from exc
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc) or "Stripe refused the request"
        raise PaymentProviderError(message) from exc
