"""Billing's events that other services act on."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from velox_shared.contracts.plans import Catalog
from velox_shared.events.envelope import EventPayload

__all__ = ["AccountPlansChanged", "CatalogPublished"]


class AccountPlansChanged(EventPayload):
    """An account's tiers after a subscription change (the complete state, not a delta).

    ``plans`` maps product family to tier for every family the account pays for; families
    left out fall back to the catalogue's default tier. Consumers replace what they hold, so
    a redelivered or replayed event converges on the same state.
    """

    event_type: ClassVar[str] = "billing.plans.changed"

    account_id: str = Field(min_length=1, max_length=64)
    plans: dict[str, str] = Field(examples=[{"vin": "pro", "analytics": "enterprise"}])
    changed_at: datetime
    reason: str = Field(default="subscription.updated", max_length=64)


class CatalogPublished(EventPayload):
    """Billing's plan catalogue, whole (sent at start-up, on change and periodically).

    The gateway keeps the newest it received and enforces it; ``version`` is
    :func:`velox_shared.contracts.plans.catalog_version` of ``catalog``.
    """

    event_type: ClassVar[str] = "billing.catalog.published"

    version: str = Field(min_length=1, max_length=64)
    catalog: Catalog
