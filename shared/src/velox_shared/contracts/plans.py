"""The plan catalogue's shape: what each tier of each product family allows.

Billing owns the catalogue (``services/billing/.../catalog/plans.json``, mirrored into
Stripe) and publishes it as ``billing.catalog.published``; the gateway enforces the copy
it received. Quota ``null`` means unlimited (still metered). A quota with an ``overage``
price is the included amount, not a ceiling: calls beyond it are allowed and billed per
unit. ``limits`` are maxima the services enforce on what an account holds (stores,
products, bots); ``null`` is unlimited.

Example::

    catalog = load_catalog("plans.json")
    catalog.tier("vin", "pro").quotas["vin.decodes"]  # 1000
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Catalog", "Family", "Overage", "Price", "Tier", "catalog_version", "load_catalog"]


class Price(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: int = Field(ge=0, description="Minor units (cents).")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    interval: str = "month"


class Overage(BaseModel):
    """Per-unit price of a metered operation beyond the tier's included quota."""

    model_config = ConfigDict(frozen=True)

    unit_amount_decimal: str = Field(
        pattern=r"^\d+(\.\d{1,12})?$", description="Minor units per unit, may be fractional."
    )


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str = ""
    price: Price
    trial_days: int = Field(default=0, ge=0, le=730)
    rate_per_minute: int = Field(gt=0)
    burst: int = Field(gt=0)
    features: tuple[str, ...] = ()
    quotas: dict[str, int | None] = Field(default_factory=dict)
    limits: dict[str, int | None] = Field(default_factory=dict)
    overage: dict[str, Overage] = Field(default_factory=dict)

    @property
    def paid(self) -> bool:
        return self.price.amount > 0

    def hard_quota(self, operation: str) -> int | None:
        """The ceiling the gateway enforces: none where overage is billed instead."""
        return None if operation in self.overage else self.quotas.get(operation)


class Family(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    service: str
    path_prefix: str
    tiers: dict[str, Tier]


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    default_tier: str
    families: dict[str, Family]

    def tier(self, family: str, tier: str) -> Tier:
        return self.families[family].tiers[tier]

    def family_for_path(self, path: str) -> Family | None:
        """The family whose API prefix starts ``path`` (``/v1/vin/...`` -> ``vin``)."""
        for family in self.families.values():
            if path == family.path_prefix or path.startswith(family.path_prefix + "/"):
                return family
        return None

    def cheapest_tier_with(self, family: str, feature: str) -> str | None:
        """The lowest-priced tier of ``family`` that includes ``feature``."""
        tiers = sorted(self.families[family].tiers.values(), key=lambda t: t.price.amount)
        return next((t.name for t in tiers if feature in t.features), None)


@lru_cache(maxsize=8)
def load_catalog(path: str) -> Catalog:
    """The catalogue in the JSON file at ``path``."""
    return Catalog.model_validate(json.loads(Path(path).read_text()))


def catalog_version(catalog: Catalog) -> str:
    """A fingerprint of the catalogue's content (equal content, equal version)."""
    canonical = json.dumps(catalog.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
