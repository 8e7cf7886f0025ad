"""``velox billing sync-plans``: make Stripe's catalogue match ours, idempotently.

For every paid tier: a product with our id, a monthly price found by lookup key, an
overage price per metered operation the tier bills beyond its quota, and the tier's
features attached as Stripe entitlement features; one meter per metered operation. Each
price carries a ``velox_spec`` fingerprint of what we asked for; a tier whose amount or
terms changed gets a new price, the lookup key moves to it and the old one is archived
(Stripe prices are immutable). A second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import stripe
from velox_shared.contracts.plans import Catalog, Tier
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_billing.catalog.naming import (
    base_lookup_key,
    meter_event_name,
    overage_lookup_key,
    paid_tiers,
    product_id,
)
from velox_billing.stripe_api import plain

__all__ = ["PlanSyncOnStart", "SyncReport", "sync_plans"]


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)


async def _every(
    list_page: Callable[[dict[str, Any]], Awaitable[Any]], params: dict[str, Any]
) -> list[Any]:
    """All items of a Stripe list, following ``starting_after``."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page = await list_page(
            {**params, "limit": 100, **({"starting_after": cursor} if cursor else {})}
        )
        items.extend(page.data)
        if not page.has_more or not page.data:
            return items
        cursor = page.data[-1].id


def _fingerprint(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:32]


def _metadata(obj: Any) -> dict[str, str]:
    raw = plain(obj).get("metadata") or {}
    return {str(k): str(v) for k, v in raw.items()}


def _metered_operations(catalog: Catalog) -> list[str]:
    ops = {op for _, tier in paid_tiers(catalog) for op in tier.quotas}
    return sorted(ops)


class _Sync:
    def __init__(self, client: stripe.StripeClient, catalog: Catalog) -> None:
        self.v1 = client.v1
        self.catalog = catalog
        self.report = SyncReport()
        self.meters: dict[str, str] = {}

    async def meters_in_place(self) -> None:
        existing = {
            m.event_name: m.id
            for m in await _every(
                lambda p: self.v1.billing.meters.list_async(params=cast(Any, p)), {}
            )
        }
        for op in _metered_operations(self.catalog):
            name = meter_event_name(op)
            if name in existing:
                self.meters[op] = existing[name]
                self.report.unchanged += 1
                continue
            meter = await self.v1.billing.meters.create_async(
                params={
                    "display_name": f"Velox {op}",
                    "event_name": name,
                    "default_aggregation": {"formula": "sum"},
                    "customer_mapping": {
                        "event_payload_key": "stripe_customer_id",
                        "type": "by_id",
                    },
                    "value_settings": {"event_payload_key": "value"},
                }
            )
            self.meters[op] = meter.id
            self.report.created.append(f"meter {name}")

    async def features_in_place(self) -> dict[str, str]:
        existing = {
            f.lookup_key: f.id
            for f in await _every(
                lambda p: self.v1.entitlements.features.list_async(params=cast(Any, p)), {}
            )
        }
        wanted = sorted({f for _, tier in paid_tiers(self.catalog) for f in tier.features})
        for key in wanted:
            if key in existing:
                self.report.unchanged += 1
                continue
            feature = await self.v1.entitlements.features.create_async(
                params={"lookup_key": key, "name": key}
            )
            existing[key] = feature.id
            self.report.created.append(f"feature {key}")
        return existing

    async def product_in_place(self, family: str, tier: Tier, features: dict[str, str]) -> str:
        pid = product_id(family, tier.name)
        title = self.catalog.families[family].title
        name = f"{title} {tier.title or tier.name.capitalize()}"
        metadata = {"family": family, "tier": tier.name}
        try:
            product = await self.v1.products.retrieve_async(pid)
        except stripe.InvalidRequestError as exc:
            if getattr(exc, "code", None) != "resource_missing":
                raise
            await self.v1.products.create_async(
                params={"id": pid, "name": name, "metadata": metadata}
            )
            self.report.created.append(f"product {pid}")
        else:
            if product.name != name or not product.active or _metadata(product) != metadata:
                await self.v1.products.update_async(
                    pid, params={"name": name, "active": True, "metadata": metadata}
                )
                self.report.updated.append(f"product {pid}")
            else:
                self.report.unchanged += 1
        attached = {
            pf.entitlement_feature.lookup_key: pf.id
            for pf in await _every(
                lambda p: self.v1.products.features.list_async(pid, params=cast(Any, p)), {}
            )
        }
        for key in tier.features:
            if key not in attached:
                await self.v1.products.features.create_async(
                    pid, params={"entitlement_feature": features[key]}
                )
                self.report.created.append(f"product feature {pid}/{key}")
        for key, pf_id in attached.items():
            if key not in tier.features:
                await self.v1.products.features.delete_async(pid, pf_id)
                self.report.archived.append(f"product feature {pid}/{key}")
        return pid

    async def price_in_place(self, lookup_key: str, params: dict[str, Any]) -> None:
        spec = _fingerprint(params)
        found = await self.v1.prices.list_async(params={"lookup_keys": [lookup_key], "limit": 1})
        current = found.data[0] if found.data else None
        if current is not None and current.active and _metadata(current).get("velox_spec") == spec:
            self.report.unchanged += 1
            return
        create: dict[str, Any] = {
            **params,
            "lookup_key": lookup_key,
            "metadata": {"velox_spec": spec, "lookup_key": lookup_key},
        }
        if current is not None:
            create["transfer_lookup_key"] = True
        await self.v1.prices.create_async(params=cast(Any, create))
        if current is None:
            self.report.created.append(f"price {lookup_key}")
        else:
            await self.v1.prices.update_async(current.id, params={"active": False})
            self.report.updated.append(f"price {lookup_key}")
            self.report.archived.append(f"price {current.id}")

    async def run(self) -> SyncReport:
        await self.meters_in_place()
        features = await self.features_in_place()
        for family, tier in paid_tiers(self.catalog):
            pid = await self.product_in_place(family, tier, features)
            await self.price_in_place(
                base_lookup_key(family, tier.name),
                {
                    "product": pid,
                    "currency": tier.price.currency.lower(),
                    "unit_amount": tier.price.amount,
                    "recurring": {"interval": tier.price.interval, "usage_type": "licensed"},
                    "nickname": f"{family}:{tier.name} monthly",
                },
            )
            for op, overage in sorted(tier.overage.items()):
                included = tier.quotas.get(op) or 0
                await self.price_in_place(
                    overage_lookup_key(family, tier.name, op),
                    {
                        "product": pid,
                        "currency": tier.price.currency.lower(),
                        "recurring": {
                            "interval": tier.price.interval,
                            "usage_type": "metered",
                            "meter": self.meters[op],
                        },
                        "billing_scheme": "tiered",
                        "tiers_mode": "graduated",
                        "tiers": [
                            {"up_to": included, "unit_amount": 0},
                            {"up_to": "inf", "unit_amount_decimal": overage.unit_amount_decimal},
                        ],
                        "nickname": f"{family}:{tier.name} {op} beyond {included}",
                    },
                )
        return self.report


async def sync_plans(client: stripe.StripeClient, catalog: Catalog) -> SyncReport:
    """Create or update Stripe's products, prices, features and meters for ``catalog``."""
    return await _Sync(client, catalog).run()


class PlanSyncOnStart(BackgroundWorker):
    """Syncs the catalogue once at start-up, retrying until Stripe answers (local stacks)."""

    name = "plan-sync"

    def __init__(self, client: stripe.StripeClient, catalog: Catalog) -> None:
        self._client = client
        self._catalog = catalog
        self.quiesce = Quiesce()
        self.done = asyncio.Event()

    async def run(self) -> None:
        log = logging.getLogger("velox.billing.catalog")
        delay = 0.5
        while not self.done.is_set():
            try:
                async with self.quiesce.section():
                    report = await sync_plans(self._client, self._catalog)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("plan sync will be retried", extra={"error": repr(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            log.info(
                "plans synced",
                extra={"created": len(report.created), "updated": len(report.updated)},
            )
            self.done.set()
