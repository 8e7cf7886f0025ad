"""Per-process billing resources, built in the lifespan and reached through ``deps``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import stripe
from velox_shared.app import Runtime
from velox_shared.contracts.plans import Catalog

from velox_billing.config import Settings
from velox_billing.stripe_api import StripeConnection, require


@dataclass
class BillingContext:
    settings: Settings
    runtime: Runtime
    catalog: Catalog
    stripe_connection: StripeConnection | None
    # Set when a webhook was stored, so this process's processor starts at once.
    webhook_arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def stripe_client(self) -> stripe.StripeClient | None:
        return self.stripe_connection.client if self.stripe_connection else None

    @property
    def stripe(self) -> stripe.StripeClient:
        return require(self.stripe_client)

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.settings.grace_period_seconds)
