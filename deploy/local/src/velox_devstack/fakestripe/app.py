"""The fake Stripe's HTTP surface (Starlette): Stripe's paths and shapes, plus ``/_fake``.

PaymentIntents, charges and refunds live in :mod:`.payments` and :mod:`.refunds` (their
routes are in the tables below).

Deliberate differences from Stripe: subscriptions need no card (a Checkout Session is
"paid" by ``POST /_fake/checkout/sessions/{id}/complete``); periods are 30 days; metered
prices add nothing to invoices; prorations are not itemised (``always_invoice`` charges the
positive difference at once); a repeated meter event ``identifier`` is accepted and not
counted again, as Stripe's idempotent identifiers behave.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from operator import attrgetter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from velox_devstack.fakestripe.forms import decode, integer, metadata, required, truthy
from velox_devstack.fakestripe.payments import Payments
from velox_devstack.fakestripe.refunds import Refunds
from velox_devstack.fakestripe.store import ApiError, Store, now, page
from velox_devstack.fakestripe.webhooks import Webhooks

__all__ = ["create_app"]

PERIOD = 30 * 86400
LIVE = ("active", "trialing", "past_due")
Params = dict[str, Any]
Handler = Callable[["Fake", Params, dict[str, str]], Awaitable[dict[str, Any]]]


class Fake:
    """State and behaviour; the routes below only decode and encode."""

    def __init__(self, base_url: str | None) -> None:
        self.store = Store()
        self.webhooks = Webhooks(self.store)
        self.base_url = base_url
        self.payments = Payments(self.store, self.webhooks, self._url)
        self.refunds = Refunds(self.store, self.webhooks)

    # -- customers, products, prices, features, meters --------------------------------

    async def create_customer(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        return self.store.add(
            "customer",
            {
                "id": self.store.new_id("cus"),
                "object": "customer",
                "created": now(),
                "email": p.get("email"),
                "name": p.get("name"),
                "metadata": metadata(p),
                "livemode": False,
            },
        )

    async def update_customer(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        customer = self.store.get("customer", path["id"])
        for key in ("email", "name"):
            if key in p:
                customer[key] = p[key]
        customer["metadata"].update(metadata(p))
        return customer

    async def create_product(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        product_id = p.get("id") or self.store.new_id("prod")
        if product_id in self.store.kind("product"):
            raise ApiError(
                400, f"Product already exists: {product_id}", code="resource_already_exists"
            )
        return self.store.add(
            "product",
            {
                "id": product_id,
                "object": "product",
                "name": required(p, "name"),
                "active": not ("active" in p and not truthy(p["active"])),
                "metadata": metadata(p),
                "created": now(),
                "updated": now(),
                "livemode": False,
            },
        )

    async def update_product(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        product = self.store.get("product", path["id"])
        if "name" in p:
            product["name"] = p["name"]
        if "active" in p:
            product["active"] = truthy(p["active"])
        if "metadata" in p:
            product["metadata"].update(metadata(p))
        product["updated"] = now()
        return product

    def _price_with_key(self, key: str) -> dict[str, Any] | None:
        return next(
            (x for x in self.store.kind("price").values() if x.get("lookup_key") == key), None
        )

    async def create_price(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        product = self.store.get("product", required(p, "product"), "product")
        recurring = p.get("recurring") or None
        key = p.get("lookup_key")
        if key:
            holder = self._price_with_key(key)
            if holder is not None:
                if not truthy(p.get("transfer_lookup_key")):
                    raise ApiError(
                        400,
                        f"A price (`{holder['id']}`) already uses that lookup key.",
                        param="lookup_key",
                    )
                holder["lookup_key"] = None
        amount = p.get("unit_amount")
        return self.store.add(
            "price",
            {
                "id": self.store.new_id("price"),
                "object": "price",
                "active": not ("active" in p and not truthy(p["active"])),
                "currency": str(required(p, "currency")).lower(),
                "unit_amount": None if amount is None else integer(amount, "unit_amount"),
                "unit_amount_decimal": None if amount is None else str(amount),
                "product": product["id"],
                "lookup_key": key or None,
                "nickname": p.get("nickname"),
                "metadata": metadata(p),
                "billing_scheme": p.get("billing_scheme", "per_unit"),
                "tiers_mode": p.get("tiers_mode"),
                "tiers": p.get("tiers"),
                "type": "recurring" if recurring else "one_time",
                "recurring": None
                if not recurring
                else {
                    "interval": recurring.get("interval", "month"),
                    "interval_count": 1,
                    "usage_type": recurring.get("usage_type", "licensed"),
                    "meter": recurring.get("meter"),
                },
                "created": now(),
                "livemode": False,
            },
        )

    async def update_price(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        price = self.store.get("price", path["id"])
        if "active" in p:
            price["active"] = truthy(p["active"])
        for key in ("nickname", "lookup_key"):
            if key in p:
                price[key] = p[key] or None
        if "metadata" in p:
            price["metadata"].update(metadata(p))
        return price

    async def list_prices(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("price").values())
        keys = p.get("lookup_keys")
        if keys:
            keys = keys if isinstance(keys, list) else [keys]
            items = [x for x in items if x.get("lookup_key") in keys]
        if "product" in p:
            items = [x for x in items if x["product"] == p["product"]]
        if "active" in p:
            items = [x for x in items if x["active"] == truthy(p["active"])]
        return page(items, p, "/v1/prices")

    async def create_feature(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        key = required(p, "lookup_key")
        if any(f["lookup_key"] == key for f in self.store.kind("entitlements.feature").values()):
            raise ApiError(400, f"A feature with lookup_key {key} already exists.")
        return self.store.add(
            "entitlements.feature",
            {
                "id": self.store.new_id("feat"),
                "object": "entitlements.feature",
                "lookup_key": key,
                "name": required(p, "name"),
                "active": True,
                "metadata": metadata(p),
                "livemode": False,
            },
        )

    async def list_features(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("entitlements.feature").values())
        if "lookup_key" in p:
            items = [f for f in items if f["lookup_key"] == p["lookup_key"]]
        return page(items, p, "/v1/entitlements/features")

    async def attach_feature(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        product = self.store.get("product", path["id"])
        feature = self.store.get(
            "entitlements.feature", required(p, "entitlement_feature"), "entitlement_feature"
        )
        return self.store.add(
            "product_feature",
            {
                "id": self.store.new_id("prodft"),
                "object": "product_feature",
                "entitlement_feature": feature,
                "livemode": False,
                "_product": product["id"],
            },
        )

    def product_features(self, product_id: str) -> list[dict[str, Any]]:
        return [
            f for f in self.store.kind("product_feature").values() if f["_product"] == product_id
        ]

    async def list_product_features(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        self.store.get("product", path["id"])
        return page(self.product_features(path["id"]), p, f"/v1/products/{path['id']}/features")

    async def detach_feature(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        found = self.store.get("product_feature", path["feature_id"])
        if found["_product"] != path["id"]:
            raise ApiError(404, "No such product feature", code="resource_missing")
        del self.store.kind("product_feature")[found["id"]]
        return {"id": found["id"], "object": "product_feature", "deleted": True}

    async def create_meter(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        name = required(p, "event_name")
        if any(m["event_name"] == name for m in self.store.kind("billing.meter").values()):
            raise ApiError(400, f"A meter with event_name {name} already exists.")
        return self.store.add(
            "billing.meter",
            {
                "id": self.store.new_id("mtr"),
                "object": "billing.meter",
                "display_name": required(p, "display_name"),
                "event_name": name,
                "status": "active",
                "default_aggregation": p.get("default_aggregation") or {"formula": "sum"},
                "customer_mapping": p.get("customer_mapping")
                or {"event_payload_key": "stripe_customer_id", "type": "by_id"},
                "value_settings": p.get("value_settings") or {"event_payload_key": "value"},
                "created": now(),
                "livemode": False,
            },
        )

    async def create_meter_event(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        name = required(p, "event_name")
        meter = next(
            (m for m in self.store.kind("billing.meter").values() if m["event_name"] == name),
            None,
        )
        if meter is None:
            raise ApiError(400, f"No active meter for event_name {name}.", param="event_name")
        payload = p.get("payload") or {}
        customer_key = meter["customer_mapping"]["event_payload_key"]
        value_key = meter["value_settings"]["event_payload_key"]
        self.store.get("customer", str(payload.get(customer_key)), f"payload[{customer_key}]")
        integer(payload.get(value_key), f"payload[{value_key}]")
        identifier = p.get("identifier") or self.store.new_id("mev")
        event = {
            "object": "billing.meter_event",
            "event_name": name,
            "identifier": identifier,
            "payload": payload,
            "timestamp": integer(p.get("timestamp", now()), "timestamp"),
            "created": now(),
            "livemode": False,
        }
        if identifier not in self.store.meter_identifiers:  # Stripe counts it once
            self.store.meter_identifiers.add(identifier)
            self.store.meter_events.append(event)
        return event

    # -- checkout, portal, subscriptions, invoices ------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url or ''}{path}"

    async def create_checkout(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        if p.get("mode") != "subscription":
            raise ApiError(400, "Only mode=subscription is supported here.", param="mode")
        customer = self.store.get("customer", required(p, "customer"), "customer")
        items = p.get("line_items") or []
        if not items:
            raise ApiError(400, "Missing required param: line_items.", param="line_items")
        for item in items:
            self.store.get("price", item.get("price", ""), "line_items[price]")
        session_id = self.store.new_id("cs_test")
        self.store.line_items[session_id] = items
        return self.store.add(
            "checkout.session",
            {
                "id": session_id,
                "object": "checkout.session",
                "url": self._url(f"/checkout/{session_id}"),
                "status": "open",
                "payment_status": "unpaid",
                "mode": "subscription",
                "customer": customer["id"],
                "client_reference_id": p.get("client_reference_id"),
                "metadata": metadata(p),
                "subscription": None,
                "success_url": p.get("success_url"),
                "cancel_url": p.get("cancel_url"),
                "created": now(),
                "expires_at": now() + 86400,
                "livemode": False,
                "_subscription_data": p.get("subscription_data") or {},
            },
        )

    async def create_portal(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        customer = self.store.get("customer", required(p, "customer"), "customer")
        portal_id = self.store.new_id("bps")
        return self.store.add(
            "billing_portal.session",
            {
                "id": portal_id,
                "object": "billing_portal.session",
                "url": self._url(f"/portal/{portal_id}"),
                "customer": customer["id"],
                "return_url": p.get("return_url"),
                "created": now(),
                "livemode": False,
            },
        )

    def _item(
        self, sub_id: str, price_id: str, quantity: Any, start: int, end: int | None = None
    ) -> dict[str, Any]:
        """A subscription item; its first period ends at ``end`` (a trial's end) if given."""
        price = self.store.get("price", price_id, "items[price]")
        metered = (price.get("recurring") or {}).get("usage_type") == "metered"
        return {
            "id": self.store.new_id("si"),
            "object": "subscription_item",
            "price": price,
            "quantity": None if metered else int(quantity or 1),
            "subscription": sub_id,
            "current_period_start": start,
            "current_period_end": end or start + PERIOD,
            "created": now(),
            "metadata": {},
        }

    def _total(self, sub: dict[str, Any]) -> int:
        return sum(
            (i["price"].get("unit_amount") or 0) * (i["quantity"] or 0)
            for i in sub["items"]["data"]
        )

    def _invoice(self, sub: dict[str, Any], amount: int, *, paid: bool) -> dict[str, Any]:
        item = sub["items"]["data"][0]
        invoice_id = self.store.new_id("in")
        lines = [
            {
                "id": self.store.new_id("il"),
                "object": "line_item",
                "amount": (i["price"].get("unit_amount") or 0) * (i["quantity"] or 0),
                "currency": i["price"]["currency"],
                "description": i["price"].get("nickname"),
                "quantity": i["quantity"],
                "period": {"start": i["current_period_start"], "end": i["current_period_end"]},
                "pricing": {"price_details": {"price": i["price"]["id"]}},
            }
            for i in sub["items"]["data"]
        ]
        invoice = self.store.add(
            "invoice",
            {
                "id": invoice_id,
                "object": "invoice",
                "customer": sub["customer"],
                "status": "paid" if paid else "open",
                "currency": item["price"]["currency"],
                "amount_due": amount,
                "amount_paid": amount if paid else 0,
                "amount_remaining": 0 if paid else amount,
                "subtotal": amount,
                "total": amount,
                "attempt_count": 1,
                "created": now(),
                "period_start": item["current_period_start"],
                "period_end": item["current_period_end"],
                "hosted_invoice_url": self._url(f"/invoices/{invoice_id}"),
                "lines": {"object": "list", "data": lines, "has_more": False, "url": ""},
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": sub["id"],
                        "metadata": sub["metadata"],
                    },
                },
                "livemode": False,
            },
        )
        sub["latest_invoice"] = invoice_id
        return invoice

    def _summary(self, customer_id: str) -> None:
        self.webhooks.emit(
            "entitlements.active_entitlement_summary.updated",
            {
                "object": "entitlements.active_entitlement_summary",
                "customer": customer_id,
                "entitlements": self._active_entitlements(customer_id),
                "livemode": False,
            },
        )

    async def complete_checkout(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        session = self.store.get("checkout.session", path["id"])
        if session["status"] != "open":
            raise ApiError(400, f"Checkout Session {session['id']} is {session['status']}.")
        data = session["_subscription_data"]
        trial_days = integer(data.get("trial_period_days", 0), "trial_period_days")
        start = now()
        sub_id = self.store.new_id("sub")
        trial_end = start + trial_days * 86400 if trial_days else None
        items = [  # during a trial the first period ends with the trial, as at Stripe
            self._item(sub_id, i["price"], i.get("quantity"), start, trial_end)
            for i in self.store.line_items[session["id"]]
        ]
        sub = self.store.add(
            "subscription",
            {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "trialing" if trial_days else "active",
                "cancel_at_period_end": False,
                "canceled_at": None,
                "ended_at": None,
                "created": start,
                "start_date": start,
                "trial_start": start if trial_days else None,
                "trial_end": trial_end,
                "metadata": metadata(data),
                "items": {"object": "list", "data": items, "has_more": False, "url": ""},
                "latest_invoice": None,
                "livemode": False,
            },
        )
        invoice = self._invoice(sub, 0 if trial_days else self._total(sub), paid=True)
        session.update(status="complete", payment_status="paid", subscription=sub_id)
        self.webhooks.emit("customer.subscription.created", sub)
        self.webhooks.emit("checkout.session.completed", self._public(session))
        self.webhooks.emit("invoice.paid", invoice)
        self._summary(sub["customer"])
        return session

    async def update_subscription(self, p: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise ApiError(400, f"The subscription {sub['id']} is {sub['status']}.")
        previous: dict[str, Any] = {}
        before_prices = sorted(i["price"]["id"] for i in sub["items"]["data"])
        before_total = self._total(sub)
        if "items" in p:
            previous["items"] = json.loads(json.dumps(sub["items"]))
            current = {i["id"]: i for i in sub["items"]["data"]}
            start = sub["items"]["data"][0]["current_period_start"]
            for change in p["items"]:
                if change.get("id"):
                    item = current.get(change["id"])
                    if item is None:
                        raise ApiError(400, f"No such subscription item: {change['id']}")
                    if truthy(change.get("deleted")):
                        del current[change["id"]]
                    elif change.get("price"):
                        item["price"] = self.store.get("price", change["price"], "items[price]")
                else:
                    new = self._item(
                        sub["id"], change.get("price", ""), change.get("quantity"), start
                    )
                    current[new["id"]] = new
            sub["items"]["data"] = list(current.values())
        if "cancel_at_period_end" in p:
            previous["cancel_at_period_end"] = sub["cancel_at_period_end"]
            sub["cancel_at_period_end"] = truthy(p["cancel_at_period_end"])
        if "metadata" in p:
            previous["metadata"] = dict(sub["metadata"])
            sub["metadata"].update(metadata(p))
        if p.get("proration_behavior") == "always_invoice" and "items" in p:
            difference = self._total(sub) - before_total
            if difference > 0:
                self.webhooks.emit("invoice.paid", self._invoice(sub, difference, paid=True))
        self.webhooks.emit("customer.subscription.updated", sub, previous)
        if sorted(i["price"]["id"] for i in sub["items"]["data"]) != before_prices:
            self._summary(sub["customer"])
        return sub

    def _end(self, sub: dict[str, Any]) -> None:
        sub.update(status="canceled", canceled_at=now(), ended_at=now())
        self.webhooks.emit("customer.subscription.deleted", sub)
        self._summary(sub["customer"])

    async def cancel_subscription(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        self._end(sub)
        return sub

    async def list_subscriptions(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("subscription").values())
        if "customer" in p:
            items = [s for s in items if s["customer"] == p["customer"]]
        status = p.get("status")
        if status and status != "all":
            items = [s for s in items if s["status"] == status]
        elif not status:
            items = [s for s in items if s["status"] != "canceled"]
        return page(items, p, "/v1/subscriptions")

    async def fail_payment(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        previous = {"status": sub["status"]}
        invoice = self._invoice(sub, self._total(sub), paid=False)
        sub["status"] = "past_due"
        self.webhooks.emit("invoice.payment_failed", invoice)
        self.webhooks.emit("customer.subscription.updated", sub, previous)
        return sub

    async def pay(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        invoice = self.store.get("invoice", sub["latest_invoice"] or "", "latest_invoice")
        previous = {"status": sub["status"]}
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        sub["status"] = "active"
        self.webhooks.emit("invoice.paid", invoice)
        self.webhooks.emit("customer.subscription.updated", sub, previous)
        return sub

    async def advance(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        if sub["cancel_at_period_end"]:
            self._end(sub)
            return sub
        previous = {"status": sub["status"]}
        for item in sub["items"]["data"]:
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] += PERIOD
        if sub["status"] == "trialing":
            sub["status"] = "active"
        invoice = self._invoice(sub, self._total(sub), paid=True)
        self.webhooks.emit("invoice.paid", invoice)
        self.webhooks.emit("customer.subscription.updated", sub, previous)
        return sub

    async def trial_will_end(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", path["id"])
        self.webhooks.emit("customer.subscription.trial_will_end", sub)
        return sub

    async def list_invoices(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("invoice").values())
        for key in ("customer", "status"):
            if key in p:
                items = [i for i in items if i[key] == p[key]]
        if "subscription" in p:
            items = [
                i
                for i in items
                if i["parent"]["subscription_details"]["subscription"] == p["subscription"]
            ]
        return page(items, p, "/v1/invoices")

    async def preview_invoice(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        sub = self.store.get("subscription", required(p, "subscription"), "subscription")
        if sub["customer"] != p.get("customer", sub["customer"]):
            raise ApiError(400, "The subscription belongs to another customer.")
        amount = self._total(sub)
        item = sub["items"]["data"][0]
        return {
            "id": "upcoming_in_" + sub["id"],
            "object": "invoice",
            "customer": sub["customer"],
            "status": "draft",
            "currency": item["price"]["currency"],
            "amount_due": amount,
            "amount_paid": 0,
            "total": amount,
            "subtotal": amount,
            "created": now(),
            "period_start": item["current_period_end"],
            "period_end": item["current_period_end"] + PERIOD,
            "next_payment_attempt": item["current_period_end"],
            "hosted_invoice_url": None,
            "lines": {
                "object": "list",
                "data": [
                    {
                        "id": self.store.new_id("il"),
                        "object": "line_item",
                        "amount": (i["price"].get("unit_amount") or 0) * (i["quantity"] or 0),
                        "currency": i["price"]["currency"],
                        "description": i["price"].get("nickname"),
                        "quantity": i["quantity"],
                    }
                    for i in sub["items"]["data"]
                ],
                "has_more": False,
                "url": "",
            },
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
            },
            "livemode": False,
        }

    def _active_entitlements(self, customer_id: str) -> dict[str, Any]:
        keys: dict[str, str] = {}
        for sub in self.store.kind("subscription").values():
            if sub["customer"] != customer_id or sub["status"] not in LIVE:
                continue
            for item in sub["items"]["data"]:
                for pf in self.product_features(item["price"]["product"]):
                    feature = pf["entitlement_feature"]
                    keys[feature["lookup_key"]] = feature["id"]
        data = [
            {
                "id": f"ent_{hashlib.sha256((customer_id + key).encode()).hexdigest()[:14]}",
                "object": "entitlements.active_entitlement",
                "feature": feature_id,
                "lookup_key": key,
                "livemode": False,
            }
            for key, feature_id in sorted(keys.items())
        ]
        return {"object": "list", "data": data, "has_more": False, "url": ""}

    async def active_entitlements(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        customer = self.store.get("customer", required(p, "customer"), "customer")
        return self._active_entitlements(customer["id"])

    # -- events and webhook endpoints -------------------------------------------------

    async def list_events(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.kind("event").values())
        if "type" in p:
            items = [e for e in items if e["type"] == p["type"]]
        return page(items, p, "/v1/events")

    async def create_endpoint(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        events = p.get("enabled_events") or ["*"]
        return self.add_endpoint(
            required(p, "url"),
            "whsec_" + self.store.new_id("x")[2:],
            events if isinstance(events, list) else [events],
        )

    def add_endpoint(self, url: str, secret: str, events: list[str]) -> dict[str, Any]:
        return self.store.add(
            "webhook_endpoint",
            {
                "id": self.store.new_id("we"),
                "object": "webhook_endpoint",
                "url": url,
                "enabled_events": events,
                "secret": secret,
                "status": "enabled",
                "created": now(),
                "livemode": False,
            },
        )

    async def delete_endpoint(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        endpoint = self.store.get("webhook_endpoint", path["id"])
        del self.store.kind("webhook_endpoint")[endpoint["id"]]
        return {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}

    async def resend(self, _: Params, path: dict[str, str]) -> dict[str, Any]:
        event = self.store.get("event", path["id"])
        self.webhooks.queue.put_nowait(event)
        return {"resent": event["id"]}

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}


def _retrieve(kind: str) -> Handler:
    async def handler(fake: Fake, _: Params, path: dict[str, str]) -> dict[str, Any]:
        return fake.store.get(kind, path["id"])

    return handler


def _list(kind: str, url: str, *filters: str) -> Handler:
    async def handler(fake: Fake, p: Params, _: dict[str, str]) -> dict[str, Any]:
        items = list(fake.store.kind(kind).values())
        for name in filters:
            if name in p:
                items = [x for x in items if str(x.get(name)) == str(p[name])]
        return page(items, p, url)

    return handler


def _method(name: str) -> Handler:
    """The handler ``name`` of the fake (``payments.create_intent`` reaches into a part)."""
    get = attrgetter(name)

    async def handler(fake: Fake, p: Params, path: dict[str, str]) -> dict[str, Any]:
        bound: Callable[[Params, dict[str, str]], Awaitable[dict[str, Any]]] = get(fake)
        return await bound(p, path)

    return handler


API: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/customers", _method("create_customer")),
    ("GET", "/v1/customers", _list("customer", "/v1/customers", "email")),
    ("GET", "/v1/customers/{id}", _retrieve("customer")),
    ("POST", "/v1/customers/{id}", _method("update_customer")),
    ("POST", "/v1/products", _method("create_product")),
    ("GET", "/v1/products", _list("product", "/v1/products", "active")),
    ("GET", "/v1/products/{id}", _retrieve("product")),
    ("POST", "/v1/products/{id}", _method("update_product")),
    ("POST", "/v1/products/{id}/features", _method("attach_feature")),
    ("GET", "/v1/products/{id}/features", _method("list_product_features")),
    ("DELETE", "/v1/products/{id}/features/{feature_id}", _method("detach_feature")),
    ("POST", "/v1/prices", _method("create_price")),
    ("GET", "/v1/prices", _method("list_prices")),
    ("GET", "/v1/prices/{id}", _retrieve("price")),
    ("POST", "/v1/prices/{id}", _method("update_price")),
    ("POST", "/v1/entitlements/features", _method("create_feature")),
    ("GET", "/v1/entitlements/features", _method("list_features")),
    ("GET", "/v1/entitlements/active_entitlements", _method("active_entitlements")),
    ("POST", "/v1/billing/meters", _method("create_meter")),
    ("GET", "/v1/billing/meters", _list("billing.meter", "/v1/billing/meters")),
    ("GET", "/v1/billing/meters/{id}", _retrieve("billing.meter")),
    ("POST", "/v1/billing/meter_events", _method("create_meter_event")),
    ("POST", "/v1/checkout/sessions", _method("create_checkout")),
    ("GET", "/v1/checkout/sessions/{id}", _retrieve("checkout.session")),
    ("POST", "/v1/billing_portal/sessions", _method("create_portal")),
    ("GET", "/v1/subscriptions", _method("list_subscriptions")),
    ("GET", "/v1/subscriptions/{id}", _retrieve("subscription")),
    ("POST", "/v1/subscriptions/{id}", _method("update_subscription")),
    ("DELETE", "/v1/subscriptions/{id}", _method("cancel_subscription")),
    ("GET", "/v1/invoices", _method("list_invoices")),
    ("POST", "/v1/invoices/create_preview", _method("preview_invoice")),
    ("GET", "/v1/invoices/{id}", _retrieve("invoice")),
    ("POST", "/v1/payment_intents", _method("payments.create_intent")),
    ("GET", "/v1/payment_intents", _method("payments.list_intents")),
    ("GET", "/v1/payment_intents/{id}", _method("payments.retrieve_intent")),
    ("POST", "/v1/payment_intents/{id}", _method("payments.update_intent")),
    ("POST", "/v1/payment_intents/{id}/confirm", _method("payments.confirm_intent")),
    ("POST", "/v1/payment_intents/{id}/capture", _method("payments.capture_intent")),
    ("POST", "/v1/payment_intents/{id}/cancel", _method("payments.cancel_intent")),
    ("GET", "/v1/charges", _list("charge", "/v1/charges", "payment_intent", "customer")),
    ("GET", "/v1/charges/{id}", _retrieve("charge")),
    ("POST", "/v1/refunds", _method("refunds.create_refund")),
    ("GET", "/v1/refunds", _list("refund", "/v1/refunds", "payment_intent", "charge")),
    ("GET", "/v1/refunds/{id}", _retrieve("refund")),
    ("GET", "/v1/events", _method("list_events")),
    ("GET", "/v1/events/{id}", _retrieve("event")),
    ("POST", "/v1/webhook_endpoints", _method("create_endpoint")),
    ("GET", "/v1/webhook_endpoints", _list("webhook_endpoint", "/v1/webhook_endpoints")),
    ("DELETE", "/v1/webhook_endpoints/{id}", _method("delete_endpoint")),
]
CONTROL: list[tuple[str, str, Handler]] = [
    ("POST", "/_fake/checkout/sessions/{id}/complete", _method("complete_checkout")),
    ("POST", "/_fake/subscriptions/{id}/fail_payment", _method("fail_payment")),
    ("POST", "/_fake/subscriptions/{id}/pay", _method("pay")),
    ("POST", "/_fake/subscriptions/{id}/advance", _method("advance")),
    ("POST", "/_fake/subscriptions/{id}/trial_will_end", _method("trial_will_end")),
    ("POST", "/_fake/events/{id}/resend", _method("resend")),
    ("POST", "/_fake/payment_intents/{id}/authenticate", _method("payments.authenticate")),
]


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": exc.body}, status_code=exc.status)


def create_app(
    *,
    api_key: str = "sk_test_velox",
    webhook_url: str | None = None,
    webhook_urls: Sequence[str] = (),
    webhook_secret: str | None = None,
    base_url: str | None = None,
) -> Starlette:
    """The fake Stripe; with ``webhook_secret``, ``webhook_url`` and each of ``webhook_urls``
    become an endpoint for every event, signed with that secret."""
    fake = Fake(base_url)
    urls = [webhook_url] if webhook_url else []
    if webhook_secret:
        for url in dict.fromkeys([*urls, *webhook_urls]):
            fake.add_endpoint(url, webhook_secret, ["*"])

    def api_route(method: str, path: str, handler: Handler, *, control: bool) -> Route:
        async def endpoint(request: Request) -> Response:
            if fake.base_url is None:
                fake.base_url = str(request.base_url).rstrip("/")
            if not control and request.headers.get("authorization") != f"Bearer {api_key}":
                return _error(
                    ApiError(401, "Invalid API Key provided.", kind="invalid_request_error")
                )
            raw = (await request.body()).decode() if method != "GET" else request.url.query
            params = decode(raw)
            key = request.headers.get("idempotency-key") if method == "POST" else None
            fingerprint = hashlib.sha256(f"{request.url.path}?{raw}".encode()).hexdigest()
            if key and key in fake.store.idempotent:
                path, seen, status, body = fake.store.idempotent[key]
                if (path, seen) != (request.url.path, fingerprint):
                    return _error(
                        ApiError(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            kind="idempotency_error",
                        )
                    )
                return JSONResponse(body, status, headers={"Idempotent-Replayed": "true"})
            try:
                status, body = (
                    200,
                    Fake._public(await handler(fake, params, dict(request.path_params))),
                )
            except ApiError as exc:
                status, body = exc.status, {"error": exc.body}
            if key and status < 500:
                fake.store.idempotent[key] = (request.url.path, fingerprint, status, body)
            return JSONResponse(body, status)

        return Route(path, endpoint, methods=[method])

    async def meter_events(request: Request) -> Response:
        name = request.path_params["event_name"]
        data = [e for e in fake.store.meter_events if e["event_name"] == name]
        return JSONResponse({"object": "list", "data": data})

    async def deliveries(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": fake.store.deliveries})

    async def reset(_: Request) -> Response:
        fake.store.reset()
        return JSONResponse({"reset": True})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def checkout_page(request: Request) -> Response:
        session = fake.store.kind("checkout.session").get(request.path_params["id"])
        if session is None:
            return HTMLResponse("<h1>No such Checkout Session</h1>", status_code=404)
        action = f"/_fake/checkout/sessions/{session['id']}/complete"
        return HTMLResponse(
            "<!doctype html><title>Velox test checkout</title>"
            f"<h1>Test checkout {session['id']}</h1><p>Status: {session['status']}</p>"
            f'<form method="post" action="{action}"><button>Pay</button></form>'
        )

    async def portal_page(request: Request) -> Response:
        return HTMLResponse(f"<h1>Test customer portal {request.path_params['id']}</h1>")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await fake.webhooks.start()
        try:
            yield
        finally:
            await fake.webhooks.stop()

    routes = [api_route(m, p, h, control=False) for m, p, h in API]
    routes += [api_route(m, p, h, control=True) for m, p, h in CONTROL]
    routes += [
        Route("/_fake/meters/{event_name}/events", meter_events),
        Route("/_fake/deliveries", deliveries),
        Route("/_fake/reset", reset, methods=["POST"]),
        Route("/_fake/health", health),
        Route("/checkout/{id}", checkout_page),
        Route("/portal/{id}", portal_page),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake = fake
    return app
