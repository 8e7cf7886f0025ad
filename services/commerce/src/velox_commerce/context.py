"""Per-process commerce resources, built in the lifespan and reached through ``deps``."""

from __future__ import annotations

from dataclasses import dataclass

from velox_shared.app import Runtime

from velox_commerce.config import Settings
from velox_commerce.payments.provider import PaymentProvider


@dataclass
class CommerceContext:
    settings: Settings
    runtime: Runtime
    # None when no Stripe key is configured (checkouts with an amount due answer 503).
    payments: PaymentProvider | None
