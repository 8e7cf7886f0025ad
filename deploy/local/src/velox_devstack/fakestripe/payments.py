"""PaymentIntents and their Charges: Stripe's status machine, test cards, errors and events.

Stripe's test payment methods pick the bank's answer at confirmation:
``pm_card_authenticationRequired`` and ``pm_card_threeDSecure2Required`` stop in
``requires_action`` until ``POST /_fake/payment_intents/{id}/authenticate`` (body
``outcome=fail`` fails the authentication); ``pm_card_chargeDeclined``,
``pm_card_visa_chargeDeclined`` and the others in :data:`.cards.DECLINES` are refused with a 402
``card_error``; any other ``pm_...`` is authorized.

Deliberate differences from Stripe: a test payment method keeps the id it was given
(Stripe mints a new ``pm_`` for ``pm_card_visa``); nothing is ever ``processing``; a
partial capture or a cancel releases what was not captured without counting it in the
charge's ``amount_refunded``; ``expand`` is honoured for ``latest_charge`` only.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from velox_devstack.fakestripe.cards import (
    DECLINES,
    NEEDS_AUTHENTICATION,
    card,
    outcome,
    payment_method,
)
from velox_devstack.fakestripe.forms import integer, merge_metadata, metadata, required, truthy
from velox_devstack.fakestripe.store import ApiError, Store, now, page
from velox_devstack.fakestripe.webhooks import Webhooks

__all__ = ["Payments", "positive"]

Params = dict[str, Any]
UNEXPECTED = "payment_intent_unexpected_state"
CONFIRMABLE = ("requires_confirmation", "requires_payment_method", "requires_action")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
UPDATABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CHANGES = ("amount", "currency", "payment_method", "capture_method")
CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
MISSING_METHOD = (
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can "
    "either update the PaymentIntent with a payment method and then confirm it again, or "
    "confirm it again directly with a payment method."
)
AUTHENTICATION_FAILED = (
    "The provided PaymentMethod has failed authentication. You can provide "
    "payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)


def positive(value: Any, param: str) -> int:
    """A positive integer amount, else Stripe's 400 naming ``param``."""
    amount = integer(value, param)
    if amount < 1:
        raise ApiError(
            400,
            "This value must be greater than or equal to 1.",
            code="parameter_invalid_integer",
            param=param,
        )
    return amount


def _doc_url(code: str) -> str:
    return f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"


def _snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(obj))
    return copied


def _unexpected(intent: dict[str, Any], message: str) -> ApiError:
    """Stripe's refusal of a transition, with the intent as it stands in the error body."""
    error = ApiError(400, message, code=UNEXPECTED)
    error.body.update(doc_url=_doc_url(UNEXPECTED), payment_intent=_snapshot(intent))
    return error


def _payment_method_id(value: Any) -> str:
    if not str(value).startswith("pm_"):
        raise ApiError(
            400,
            f"No such PaymentMethod: '{value}'",
            code="resource_missing",
            param="payment_method",
        )
    return str(value)


def _choice(p: Params, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    value = p.get(name) or default
    if value is not None and value not in allowed:
        raise ApiError(400, f"Invalid {name}: must be one of {', '.join(allowed)}", param=name)
    return value


class Payments:
    """``/v1/payment_intents`` and ``/v1/charges``; refunds are in :mod:`.refunds`."""

    def __init__(self, store: Store, webhooks: Webhooks, url: Callable[[str], str]) -> None:
        self.store = store
        self.webhooks = webhooks
        self.url = url

    def _intent(self, intent_id: str) -> dict[str, Any]:
        return self.store.get("payment_intent", intent_id)

    def _reply(self, intent: dict[str, Any], p: Params) -> dict[str, Any]:
        expand = p.get("expand") or []
        if "latest_charge" in expand and intent["latest_charge"]:
            return {**intent, "latest_charge": self.store.get("charge", intent["latest_charge"])}
        return intent

    async def create_intent(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        amount = positive(required(p, "amount"), "amount")
        currency = str(required(p, "currency")).lower()
        capture_method = _choice(p, "capture_method", CAPTURE_METHODS, "automatic_async")
        if p.get("customer"):
            self.store.get("customer", p["customer"], "customer")
        method = _payment_method_id(p["payment_method"]) if p.get("payment_method") else None
        types = p.get("payment_method_types") or None
        intent_id = self.store.new_id("pi")
        intent = self.store.add(
            "payment_intent",
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_capturable": 0,
                "amount_received": 0,
                "automatic_payment_methods": None
                if types
                else {"allow_redirects": "always", "enabled": True},
                "canceled_at": None,
                "cancellation_reason": None,
                "capture_method": capture_method,
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
                "confirmation_method": "automatic",
                "created": now(),
                "currency": currency,
                "customer": p.get("customer") or None,
                "description": p.get("description") or None,
                "last_payment_error": None,
                "latest_charge": None,
                "livemode": False,
                "metadata": metadata(p),
                "next_action": None,
                "payment_method": method,
                "payment_method_types": types or ["card"],
                "receipt_email": p.get("receipt_email") or None,
                "status": "requires_confirmation" if method else "requires_payment_method",
            },
        )
        self.webhooks.emit("payment_intent.created", intent)
        if truthy(p.get("confirm")):
            self._confirm(intent)
        return self._reply(intent, p)

    async def retrieve_intent(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        return self._reply(self._intent(path["id"]), p)

    async def update_intent(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        intent = self._intent(path["id"])
        status = intent["status"]
        for name in CHANGES:
            if name in p and status not in UPDATABLE:
                raise _unexpected(
                    intent,
                    f"This PaymentIntent's {name} could not be updated because it has a status "
                    f"of {status}. You may only update the {name} of a PaymentIntent with one "
                    f"of the following statuses: {', '.join(UPDATABLE)}.",
                )
        if "amount" in p:
            intent["amount"] = positive(p["amount"], "amount")
        if "currency" in p:
            intent["currency"] = str(p["currency"]).lower()
        if "capture_method" in p:
            intent["capture_method"] = _choice(p, "capture_method", CAPTURE_METHODS, None)
        if "payment_method" in p:
            intent["payment_method"] = _payment_method_id(p["payment_method"])
        if any(name in p for name in CHANGES) and intent["payment_method"]:
            intent.update(status="requires_confirmation", next_action=None)  # confirm again
        for name in ("description", "receipt_email", "customer"):
            if name in p:
                intent[name] = p[name] or None
        merge_metadata(intent["metadata"], p)
        return self._reply(intent, p)

    async def list_intents(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("payment_intent").values())
        if "customer" in p:
            items = [i for i in items if i["customer"] == p["customer"]]
        return page(items, p, "/v1/payment_intents")

    async def confirm_intent(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        intent = self._intent(path["id"])
        if intent["status"] == "succeeded":
            raise _unexpected(
                intent,
                "You cannot confirm this PaymentIntent because it has already succeeded "
                "after being previously confirmed.",
            )
        if intent["status"] not in CONFIRMABLE:
            raise _unexpected(
                intent,
                "You cannot confirm this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be confirmed: {', '.join(CONFIRMABLE)}.",
            )
        if p.get("payment_method"):
            intent["payment_method"] = _payment_method_id(p["payment_method"])
        if "receipt_email" in p:
            intent["receipt_email"] = p["receipt_email"] or None
        self._confirm(intent)
        return self._reply(intent, p)

    def _confirm(self, intent: dict[str, Any]) -> None:
        method = intent["payment_method"]
        if method is None:
            raise _unexpected(intent, MISSING_METHOD)
        if method in DECLINES:
            raise self._decline(intent, method)
        if method in NEEDS_AUTHENTICATION:
            self._require_action(intent)
        else:
            self._authorize(intent)

    def _require_action(self, intent: dict[str, Any]) -> None:
        stripe_js = self.url(f"/_fake/payment_intents/{intent['id']}/authenticate")
        intent.update(
            status="requires_action",
            last_payment_error=None,
            next_action={
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {
                    "type": "three_d_secure_redirect",
                    "stripe_js": stripe_js,
                    "source": self.store.new_id("src"),
                },
            },
        )
        self.webhooks.emit("payment_intent.requires_action", intent)

    def _authorize(self, intent: dict[str, Any]) -> None:
        charge = self._charge(intent, None)
        intent.update(latest_charge=charge["id"], last_payment_error=None, next_action=None)
        if intent["capture_method"] == "manual":
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
            self.webhooks.emit("charge.succeeded", charge)
            self.webhooks.emit("payment_intent.amount_capturable_updated", intent)
        else:
            intent.update(status="succeeded", amount_received=intent["amount"])
            self.webhooks.emit("charge.succeeded", charge)
            self.webhooks.emit("payment_intent.succeeded", intent)

    def _decline(self, intent: dict[str, Any], method: str) -> ApiError:
        """Fails the attempt as Stripe does: a failed charge, the intent back to
        ``requires_payment_method``, and the 402 that the confirming call receives."""
        code, decline_code, message = decline = DECLINES[method]
        charge = self._charge(intent, decline)
        details: dict[str, Any] = {
            "code": code,
            "decline_code": decline_code,
            "doc_url": _doc_url(code),
            "message": message,
            "charge": charge["id"],
            "payment_method": payment_method(method, intent["customer"]),
        }
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            latest_charge=charge["id"],
            next_action=None,
            last_payment_error={"type": "card_error", **details},
        )
        self.webhooks.emit("charge.failed", charge)
        self.webhooks.emit("payment_intent.payment_failed", intent)
        error = ApiError(402, message, kind="card_error")
        error.body.update(details, payment_intent=_snapshot(intent))
        return error

    def _charge(
        self, intent: dict[str, Any], decline: tuple[str, str, str] | None
    ) -> dict[str, Any]:
        captured = decline is None and intent["capture_method"] != "manual"
        details = {**card(intent["payment_method"]), "network": "visa"}
        if intent["capture_method"] == "manual":
            details["capture_before"] = now() + 7 * 86400
        return self.store.add(
            "charge",
            {
                "id": self.store.new_id("ch"),
                "object": "charge",
                "amount": intent["amount"],
                "amount_captured": intent["amount"] if captured else 0,
                "amount_refunded": 0,
                "balance_transaction": self.store.new_id("txn") if captured else None,
                "billing_details": {"address": None, "email": None, "name": None, "phone": None},
                "captured": captured,
                "created": now(),
                "currency": intent["currency"],
                "customer": intent["customer"],
                "description": intent["description"],
                "disputed": False,
                "failure_code": decline[0] if decline else None,
                "failure_message": decline[2] if decline else None,
                "livemode": False,
                "metadata": dict(intent["metadata"]),
                "outcome": outcome(decline),
                "paid": decline is None,
                "payment_intent": intent["id"],
                "payment_method": intent["payment_method"],
                "payment_method_details": {"type": "card", "card": details},
                "receipt_email": intent["receipt_email"],
                "refunded": False,
                "status": "failed" if decline else "succeeded",
            },
        )

    async def capture_intent(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        intent = self._intent(path["id"])
        if intent["status"] != "requires_capture":
            raise _unexpected(
                intent,
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                "may be captured: requires_capture.",
            )
        capturable = intent["amount_capturable"]
        amount = capturable
        if p.get("amount_to_capture") is not None:
            amount = positive(p["amount_to_capture"], "amount_to_capture")
        if amount > capturable:
            raise ApiError(
                400,
                f"The amount_to_capture ({amount}) is greater than the amount_capturable "
                f"({capturable}) of this PaymentIntent.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        charge = self.store.get("charge", intent["latest_charge"], "latest_charge")
        previous = {"amount_captured": 0, "balance_transaction": None, "captured": False}
        charge.update(
            captured=True, amount_captured=amount, balance_transaction=self.store.new_id("txn")
        )
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.webhooks.emit("charge.captured", charge, previous)
        self.webhooks.emit("payment_intent.succeeded", intent)
        return self._reply(intent, p)

    async def cancel_intent(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        intent = self._intent(path["id"])
        if intent["status"] not in CANCELABLE:
            raise _unexpected(
                intent,
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be canceled: {', '.join(CANCELABLE)}.",
            )
        reason = _choice(p, "cancellation_reason", CANCELLATION_REASONS, None)
        intent.update(
            status="canceled",
            canceled_at=now(),
            cancellation_reason=reason,
            amount_capturable=0,
            next_action=None,
        )
        self.webhooks.emit("payment_intent.canceled", intent)
        return self._reply(intent, p)

    async def authenticate(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        """The customer answers 3D Secure: ``outcome=succeed`` (default) or ``fail``."""
        intent = self._intent(path["id"])
        if intent["status"] != "requires_action":
            raise _unexpected(
                intent,
                f"PaymentIntent {intent['id']} has a status of {intent['status']}; only "
                "requires_action awaits authentication.",
            )
        if _choice(p, "outcome", ("succeed", "fail"), "succeed") == "succeed":
            self._authorize(intent)
            return intent
        error = {
            "type": "invalid_request_error",
            "code": "payment_intent_authentication_failure",
            "doc_url": _doc_url("payment_intent_authentication_failure"),
            "message": AUTHENTICATION_FAILED,
            "payment_method": payment_method(intent["payment_method"], intent["customer"]),
        }
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            next_action=None,
            last_payment_error=error,
        )
        self.webhooks.emit("payment_intent.payment_failed", intent)
        return intent
