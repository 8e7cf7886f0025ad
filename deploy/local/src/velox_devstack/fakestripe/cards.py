"""Stripe's test payment methods and what the bank answers for each: the card details a
charge and a payment method show, the declines, the cards that need 3D Secure."""

from __future__ import annotations

from typing import Any

from velox_devstack.fakestripe.store import now

__all__ = ["DECLINES", "NEEDS_AUTHENTICATION", "card", "outcome", "payment_method"]

NEEDS_AUTHENTICATION = frozenset(
    {"pm_card_authenticationRequired", "pm_card_threeDSecure2Required"}
)
GENERIC = ("card_declined", "generic_decline", "Your card was declined.")
NO_FUNDS = ("card_declined", "insufficient_funds", "Your card has insufficient funds.")
# payment method -> (code, decline_code, message), as Stripe's test cards answer
DECLINES: dict[str, tuple[str, str, str]] = {
    "pm_card_chargeDeclined": GENERIC,
    "pm_card_visa_chargeDeclined": GENERIC,
    "pm_card_chargeDeclinedInsufficientFunds": NO_FUNDS,
    "pm_card_visa_chargeDeclinedInsufficientFunds": NO_FUNDS,
    "pm_card_chargeDeclinedFraudulent": ("card_declined", "fraudulent", GENERIC[2]),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": (
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
}
LAST4 = {
    "pm_card_chargeDeclined": "0002",
    "pm_card_visa_chargeDeclined": "0002",
    "pm_card_authenticationRequired": "3155",
    "pm_card_threeDSecure2Required": "3220",
    "pm_card_mastercard": "4444",
}


def card(method: str) -> dict[str, Any]:
    """The ``card`` hash of a payment method or a charge's ``payment_method_details``."""
    brand = next((b for b in ("mastercard", "amex") if b in method), "visa")
    return {
        "brand": brand,
        "last4": LAST4.get(method, "8431" if brand == "amex" else "4242"),
        "exp_month": 12,
        "exp_year": 2034,
        "funding": "credit",
        "country": "US",
    }


def payment_method(method: str, customer: str | None) -> dict[str, Any]:
    """The PaymentMethod object that errors carry."""
    return {
        "id": method,
        "object": "payment_method",
        "type": "card",
        "card": card(method),
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "customer": customer,
        "created": now(),
        "metadata": {},
        "livemode": False,
    }


def outcome(decline: tuple[str, str, str] | None) -> dict[str, Any]:
    """A charge's ``outcome``: authorized, or declined by the issuer."""
    if decline is None:
        return {
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        }
    return {
        "network_status": "declined_by_network",
        "reason": decline[1],
        "risk_level": "normal",
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined",
    }
